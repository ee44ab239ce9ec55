#if canImport(Glibc)
import Glibc
#endif


/// The embedded store: jobs and users in one SQLite file, in WAL mode.
///
/// One instance is one connection and must be used by one thread at a time; ``StorePool``
/// hands out one per thread.
public final class SQLiteStore: StoreConnection {
    public let database: SQLiteDatabase
    /// Expired leases are looked for at most once a second, not at every claim of a busy worker.
    let leaseRecovery = LeaseRecovery()

    /// Opens the database at `path` and applies pending migrations. `autoCheckpointPages`: see
    /// ``SQLiteDatabase/init(path:autoCheckpointPages:)``.
    public init(path: String, autoCheckpointPages: Int = 1000) throws(StoreError) {
        database = try SQLiteDatabase(path: path, autoCheckpointPages: autoCheckpointPages)
        try Migrations.migrate(database)
    }

    /// The schema version the file is at.
    public func schemaVersion() throws(StoreError) -> Int { try Migrations.version(database) }
    /// The schema version this program writes.
    public static var latestSchemaVersion: Int { Migrations.latest }
    public var latestSchemaVersion: Int { Migrations.latest }
    public var location: String { database.path }

    // MARK: Jobs

    /// A job's columns, from `jobs` joined with its application and result (aliases j, p, r).
    static let jobColumns = """
        j.id, j.owner, j.status, p.payload, r.result, r.error, j.attempts, j.idempotency_key, j.submitted_at, j.started_at, j.completed_at,
        j.rescore_of, j.applicant_name, j.client_id, p.record
        """
    static let jobTables = "jobs j JOIN job_payloads p ON p.seq = j.seq LEFT JOIN job_results r ON r.seq = j.seq"

    static func readJob(_ row: SQLiteStatement) -> Job {
        Job(id: row.string(0), owner: row.int(1), status: JobStatus(rawValue: row.string(2)) ?? .failed, payload: row.string(3),
            result: row.optionalString(4), error: row.optionalString(5), attempts: Int(row.int(6)), idempotencyKey: row.optionalString(7),
            submittedAt: row.double(8), startedAt: row.optionalDouble(9), completedAt: row.optionalDouble(10), rescoreOf: row.optionalString(11),
            applicantName: row.optionalString(12), clientID: row.optionalString(13), record: row.optionalString(14))
    }

    /// One submission, through the same transaction as a group commit's (as on PostgreSQL).
    public func enqueue(owner: Int64, payload: String, idempotencyKey: String?, now: Double) throws(StoreError) -> EnqueueResult {
        try enqueue(batch: [Submission(owner: owner, payload: payload, idempotencyKey: idempotencyKey, now: now)])[0].get()
    }

    public func enqueue(batch: [Submission]) throws(StoreError) -> [Result<EnqueueResult, StoreError>] {
        try database.transaction { () throws(StoreError) in
            let results = batch.map { submission in
                Result { () throws(StoreError) in
                    try insertJob(submission)
                }
            }
            // The stored submissions' audit rows, appended together.
            try appendAuditInTransaction(Submission.auditRows(batch, results))
            return results
        }
    }

    private func insertJob(_ submission: Submission) throws(StoreError) -> EnqueueResult {
        let (owner, payload, idempotencyKey, requestHash, rescoreOf, record, tokenGeneration, now) = (
            submission.owner, submission.payload, submission.idempotencyKey, submission.requestHash, submission.rescoreOf, submission.record,
            submission.tokenGeneration, submission.now)
        let id = JobID.new(now: now)
        // The owner's account (and the token's generation, when given) is checked in the same
        // statement, so no job is ever stored for a disabled user or with a token revoked by a
        // password change. DO NOTHING applies only to a repeated idempotency key.
        try database.prepare("""
            INSERT INTO jobs (id, owner, status, idempotency_key, request_hash, rescore_of, submitted_at, applicant_name, client_id)
            SELECT ?1, ?2, 'queued', ?3, ?5, ?6, ?4, ?8, ?9 WHERE EXISTS (SELECT 1 FROM users WHERE id = ?2 AND disabled = 0 AND (?7 IS NULL OR token_generation = ?7))
            ON CONFLICT (owner, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            """).run([.text(id), .integer(owner), idempotencyKey.map { .text($0) } ?? .null, .real(now), requestHash.map { .text($0) } ?? .null,
                      rescoreOf.map { .text($0) } ?? .null, tokenGeneration.map { .integer(Int64($0)) } ?? .null,
                      submission.applicantName.map { .text($0) } ?? .null, submission.clientID.map { .text($0) } ?? .null])
        if database.changes == 1 {
            try database.prepare("INSERT INTO job_payloads (seq, payload, record) VALUES (?, ?, ?)")
                .run([.integer(database.lastInsertedRow), .text(submission.storedPayload), record.map { .text($0) } ?? .null])
            let job = Job(id: id, owner: owner, status: .queued, payload: submission.storedPayload, result: nil, error: nil, attempts: 0,
                          idempotencyKey: idempotencyKey, submittedAt: now, startedAt: nil, completedAt: nil, rescoreOf: rescoreOf,
                          applicantName: submission.applicantName, clientID: submission.clientID, record: record)
            return EnqueueResult(job: job, created: true)
        }
        guard let account = try user(id: owner), !account.disabled, tokenGeneration.map({ $0 == account.tokenGeneration }) ?? true else {
            throw .ownerInactive(owner)
        }
        guard let idempotencyKey,
              let existing = try database.prepare("SELECT \(Self.jobColumns), j.request_hash FROM \(Self.jobTables) WHERE j.owner = ? AND j.idempotency_key = ?")
                .rows([.integer(owner), .text(idempotencyKey)], { (Self.readJob($0), $0.optionalString(15)) }).first else {
            throw .invalid("the job could not be stored")
        }
        // A replay must be the same request; jobs stored before hashes were kept have none.
        if let requestHash, let stored = existing.1, stored != requestHash { throw .idempotencyKeyReused(idempotencyKey) }
        return EnqueueResult(job: existing.0, created: false)
    }

    public func claim(worker: String, limit: Int, lease: Double, maxAttempts: Int, now: Double) throws(StoreError) -> [ClaimedJob] {
        try database.transaction { () throws(StoreError) -> [ClaimedJob] in
            try claimInTransaction(worker: worker, limit: limit, lease: lease, maxAttempts: maxAttempts, now: now)
        }
    }

    public func finishAndClaim(worker: String, outcomes: [(job: ClaimedJob, outcome: JobOutcome)], limit: Int, lease: Double,
                               maxAttempts: Int, now: Double) throws(StoreError) -> [ClaimedJob] {
        try database.transaction { () throws(StoreError) -> [ClaimedJob] in
            _ = try finishInTransaction(worker: worker, outcomes: outcomes, now: now)
            return try claimInTransaction(worker: worker, limit: limit, lease: lease, maxAttempts: maxAttempts, now: now)
        }
    }

    private func claimInTransaction(worker: String, limit: Int, lease: Double, maxAttempts: Int, now: Double) throws(StoreError) -> [ClaimedJob] {
        if leaseRecovery.isDue(now) { try recoverExpiredLeases(maxAttempts: maxAttempts, now: now) }
        return try claimQueued(worker: worker, limit: limit, lease: lease, now: now)
    }

    /// A worker died holding these: gives up on jobs that had their chances, requeues the rest.
    private func recoverExpiredLeases(maxAttempts: Int, now: Double) throws(StoreError) {
        let abandoned = try database.prepare("""
            UPDATE jobs SET status = 'failed', completed_at = ?, lease_until = NULL
            WHERE status = 'running' AND lease_until < ? AND attempts >= ? RETURNING seq, attempts
            """).rows([.real(now), .real(now), .integer(Int64(maxAttempts))]) { ($0.int(0), $0.int(1)) }
        for (seq, attempts) in abandoned {
            try recordResult(seq: seq, result: nil, error: "scoring did not finish after \(attempts) attempts (the worker stopped each time)")
        }
        try database.prepare("""
            UPDATE jobs SET status = 'queued', lease_until = NULL, worker = NULL WHERE status = 'running' AND lease_until < ?
            """).run([.real(now)])
    }

    private func claimQueued(worker: String, limit: Int, lease: Double, now: Double) throws(StoreError) -> [ClaimedJob] {
        let claimed = try database.prepare("""
            UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = ?, lease_until = ?, worker = ?
            WHERE seq IN (SELECT seq FROM jobs WHERE status = 'queued' ORDER BY seq LIMIT ?)
            RETURNING seq, id, owner, attempts
            """).rows([.real(now), .real(now + lease), .text(worker), .integer(Int64(limit))]) { row in
            (seq: row.int(0), id: row.string(1), owner: row.int(2), attempt: Int(row.int(3)))
        }
        guard !claimed.isEmpty else { return [] }
        // The batch's applications in one statement: the compact record where there is one, else the JSON.
        var applications: [Int64: (record: String?, payload: String)] = [:]
        applications.reserveCapacity(claimed.count)
        let seqs = "[" + claimed.map { String($0.seq) }.joined(separator: ",") + "]"
        for row in try database.prepare("""
            SELECT seq, record, CASE WHEN record IS NULL THEN payload ELSE '' END FROM job_payloads WHERE seq IN (SELECT value FROM json_each(?))
            """).rows([.text(seqs)], { ($0.int(0), $0.optionalString(1), $0.string(2)) }) {
            applications[row.0] = (row.1, row.2)
        }
        return claimed.map { job in
            let application = applications[job.seq]
            return ClaimedJob(id: job.id, owner: job.owner, payload: application?.payload ?? "", attempt: job.attempt, record: application?.record, seq: job.seq)
        }
    }

    private func recordResult(seq: Int64, result: String?, error: String?) throws(StoreError) {
        try database.prepare("INSERT OR REPLACE INTO job_results (seq, result, error) VALUES (?, ?, ?)")
            .run([.integer(seq), result.map { .text($0) } ?? .null, error.map { .text($0) } ?? .null])
    }

    @discardableResult
    public func finish(worker: String, outcomes: [(job: ClaimedJob, outcome: JobOutcome)], now: Double) throws(StoreError) -> Int {
        guard !outcomes.isEmpty else { return 0 }
        return try database.transaction { () throws(StoreError) -> Int in
            try finishInTransaction(worker: worker, outcomes: outcomes, now: now)
        }
    }

    private func finishInTransaction(worker: String, outcomes: [(job: ClaimedJob, outcome: JobOutcome)], now: Double) throws(StoreError) -> Int {
        // Only the current claim may record: the lease may have run out and the job gone to another worker.
        let updateByID = try database.prepare("""
            UPDATE jobs SET status = ?, completed_at = ?, lease_until = NULL
            WHERE id = ? AND status = 'running' AND worker = ? AND attempts = ? RETURNING seq
            """)
        let updateBySeq = try database.prepare("""
            UPDATE jobs SET status = ?, completed_at = ?, lease_until = NULL
            WHERE seq = ? AND status = 'running' AND worker = ? AND attempts = ? RETURNING seq
            """)
        var recorded = 0
        for (job, outcome) in outcomes {
            let (status, result, error, referred, shadow): (String, String?, String?, Bool, ShadowResult?) = switch outcome {
            case .done(let result, let referred, let shadow): ("done", result, nil, referred, shadow)
            case .failed(let error): ("failed", nil, error, false, nil)
            }
            let key: SQLiteValue = job.seq.map { .integer($0) } ?? .text(job.id)
            let rows = try (job.seq == nil ? updateByID : updateBySeq)
                .rows([.text(status), .real(now), key, .text(worker), .integer(Int64(job.attempt))]) { $0.int(0) }
            guard let seq = rows.first else { continue }
            try recordResult(seq: seq, result: result, error: error)
            // A referred single application enters the review queue (a batch's rows do not: a
            // portfolio re-score is not a queue of customers waiting).
            if referred {
                try database.prepare("""
                    INSERT INTO reviews (seq, origin, opened_at) SELECT ?1, 'model', ?2 WHERE (SELECT batch_seq FROM jobs WHERE seq = ?1) IS NULL
                    ON CONFLICT (seq) DO NOTHING
                    """).run([.integer(seq), .real(now)])
            }
            if let shadow { try recordShadow(seq: seq, shadow) }
            recorded += 1
        }
        return recorded
    }

    public func job(id: String, owner: Int64) throws(StoreError) -> Job? {
        try database.prepare("SELECT \(Self.jobColumns) FROM \(Self.jobTables) WHERE j.id = ? AND j.owner = ?")
            .rows([.text(id), .integer(owner)], Self.readJob).first
    }

    public func jobs(owner: Int64, limit: Int, before: String?) throws(StoreError) -> [Job] {
        if let before {
            return try database.prepare("""
                SELECT \(Self.jobColumns) FROM \(Self.jobTables) WHERE j.owner = ? AND j.batch_seq IS NULL
                  AND j.seq < (SELECT seq FROM jobs WHERE id = ? AND owner = ?) ORDER BY j.seq DESC LIMIT ?
                """).rows([.integer(owner), .text(before), .integer(owner), .integer(Int64(limit))], Self.readJob)
        }
        return try database.prepare("SELECT \(Self.jobColumns) FROM \(Self.jobTables) WHERE j.owner = ? AND j.batch_seq IS NULL ORDER BY j.seq DESC LIMIT ?")
            .rows([.integer(owner), .integer(Int64(limit))], Self.readJob)
    }

    public func health(now: Double) throws(StoreError) -> QueueHealth {
        let counts = try database.prepare("""
            SELECT (SELECT count(*) FROM jobs WHERE status = 'queued'), (SELECT count(*) FROM jobs WHERE status = 'running'),
                   (SELECT min(submitted_at) FROM jobs WHERE status = 'queued')
            """).rows { ($0.int(0), $0.int(1), $0.optionalDouble(2)) }[0]
        let beat = try database.prepare("SELECT at, model, mode FROM heartbeats ORDER BY at DESC LIMIT 1")
            .rows { ($0.double(0), $0.optionalString(1), $0.optionalString(2)) }.first
        return QueueHealth(queued: Int(counts.0), running: Int(counts.1), oldestQueuedAge: counts.2.map { max(0, now - $0) },
                           lastHeartbeatAge: beat.map { max(0, now - $0.0) }, workerModel: beat?.1,
                           workerMode: beat?.2.flatMap(WorkerMode.init(rawValue:)))
    }

    public func jobStatistics() throws(StoreError) -> (byStatus: [String: Int], recentMeanSeconds: Double?) {
        let rows = try database.prepare("SELECT status, count(*) FROM jobs GROUP BY status").rows { ($0.string(0), Int($0.int(1))) }
        let counts = Dictionary(rows, uniquingKeysWith: +)
        let mean = try database.prepare("""
            SELECT avg(completed_at - started_at) FROM (SELECT completed_at, started_at FROM jobs WHERE status = 'done' ORDER BY seq DESC LIMIT 1000)
            """).rows { $0.optionalDouble(0) }.first ?? nil
        return (counts, mean)
    }

    public func readinessProbe(now: Double) throws(StoreError) -> (schema: Int, latest: Int) {
        try database.transaction { () throws(StoreError) in
            try database.prepare("INSERT INTO readiness (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at").run([.real(now)])
        }
        return (try schemaVersion(), latestSchemaVersion)
    }

    public func heartbeat(worker: String, model: String, mode: WorkerMode, now: Double) throws(StoreError) {
        try database.prepare("""
            INSERT INTO heartbeats (worker, at, model, mode) VALUES (?, ?, ?, ?)
            ON CONFLICT (worker) DO UPDATE SET at = excluded.at, model = excluded.model, mode = excluded.mode
            """).run([.text(worker), .real(now), .text(model), .text(mode.rawValue)])
    }

    @discardableResult
    public func pruneFinished(before cutoff: Double) throws(StoreError) -> Int {
        try database.transaction { () throws(StoreError) -> Int in
            // The application itself goes; a tombstone stays: the job (id, owner, times), its
            // result (model, decision, reasons) and its review (final decision).
            try database.prepare("""
                UPDATE job_payloads SET payload = '', record = NULL
                WHERE (payload != '' OR record IS NOT NULL) AND seq IN (SELECT seq FROM jobs WHERE status IN ('done', 'failed') AND completed_at < ?1)
                """).run([.real(cutoff)])
            let removed = database.changes
            // The name goes with the application; the client id stays, for outcomes to find the tombstone.
            try database.prepare("""
                UPDATE jobs SET applicant_name = NULL WHERE applicant_name IS NOT NULL AND status IN ('done', 'failed') AND completed_at < ?1
                """).run([.real(cutoff)])
            // A challenger's result holds the application's values in its reasons: it goes too.
            try database.prepare("""
                UPDATE shadow_results SET challenger_result = NULL
                WHERE challenger_result IS NOT NULL AND seq IN (SELECT seq FROM jobs WHERE status = 'done' AND completed_at < ?1)
                """).run([.real(cutoff)])
            if removed > 0 {
                try appendAuditInTransaction(AuditEntry(actor: nil, actorName: "retention", action: .retentionPurge,
                                                        detail: "\(removed) applications finished before \(cutoff)"), now: wallClockSeconds())
            }
            try database.prepare("DELETE FROM login_failures WHERE at < ?").run([.real(cutoff)])
            try database.prepare("DELETE FROM heartbeats WHERE at < ?").run([.real(cutoff)])
            try database.prepare("DELETE FROM batches WHERE created_at < ? AND NOT EXISTS (SELECT 1 FROM jobs WHERE batch_seq = batches.seq)")
                .run([.real(cutoff)])
            return removed
        }
    }

    // MARK: Users

    static let userColumns = "id, name, password_hash, disabled, created_at, role, token_generation, must_change_password"

    static func readUser(_ row: SQLiteStatement) -> User {
        User(id: row.int(0), name: row.string(1), passwordHash: row.string(2), disabled: row.int(3) != 0, createdAt: row.double(4),
             role: Role(rawValue: row.string(5)) ?? .officer, tokenGeneration: Int(row.int(6)), mustChangePassword: row.int(7) != 0)
    }

    public func createUser(name: String, passwordHash: String, now: Double) throws(StoreError) -> User {
        guard try user(named: name) == nil else { throw .userExists(name) }
        return try database.prepare("INSERT INTO users (name, password_hash, created_at) VALUES (?, ?, ?) RETURNING \(Self.userColumns)")
            .rows([.text(name), .text(passwordHash), .real(now)], Self.readUser)[0]
    }

    public func user(named name: String) throws(StoreError) -> User? {
        try database.prepare("SELECT \(Self.userColumns) FROM users WHERE name = ?").rows([.text(name)], Self.readUser).first
    }

    public func user(id: Int64) throws(StoreError) -> User? {
        try database.prepare("SELECT \(Self.userColumns) FROM users WHERE id = ?").rows([.integer(id)], Self.readUser).first
    }

    public func users() throws(StoreError) -> [User] {
        try database.prepare("SELECT \(Self.userColumns) FROM users ORDER BY name").rows([], Self.readUser)
    }

    public func setPasswordHash(name: String, passwordHash: String) throws(StoreError) {
        try database.prepare("UPDATE users SET password_hash = ? WHERE name = ?").run([.text(passwordHash), .text(name)])
        if database.changes == 0 { throw .noSuchUser(name) }
    }

    public func setDisabled(name: String, disabled: Bool) throws(StoreError) {
        try database.prepare("UPDATE users SET disabled = ? WHERE name = ?").run([.integer(disabled ? 1 : 0), .text(name)])
        if database.changes == 0 { throw .noSuchUser(name) }
    }

    public func reserveLoginAttempt(limits: [(key: String, limit: Int)], window: Double, budget: SignInBudget? = nil, knownUser: Bool = true,
                                    now: Double) throws(StoreError) -> LoginReservation {
        try database.transaction { () throws(StoreError) -> LoginReservation in
            if let budget {
                let since = now - budget.window
                let recent = try database.prepare("SELECT count(*), coalesce(sum(known = 0), 0), min(at) FROM signin_attempts WHERE at > ?")
                    .rows([.real(since)]) { ($0.int(0), $0.int(1), $0.optionalDouble(2)) }[0]
                if recent.0 >= budget.attempts || (!knownUser && recent.1 >= budget.unknownAttempts) {
                    return .busy(retryAfter: max(1, (recent.2 ?? now) + budget.window - now))
                }
                try database.prepare("DELETE FROM signin_attempts WHERE at <= ?").run([.real(since)])
                try database.prepare("INSERT INTO signin_attempts (at, known) VALUES (?, ?)").run([.real(now), .integer(knownUser ? 1 : 0)])
            }
            for (key, limit) in limits {
                let failures = try loginFailures(key: key, since: now - window)
                if failures.count >= limit { return .throttled(retryAfter: max(1, (failures.oldest ?? now) + window - now)) }
            }
            let insert = try database.prepare("INSERT INTO login_failures (key, at) VALUES (?, ?)")
            var rows: [Int64] = []
            for (key, _) in limits {
                try insert.run([.text(key), .real(now)])
                rows.append(database.lastInsertedRow)
            }
            return .reserved(attempt: rows)
        }
    }

    public func confirmLogin(attempt: [Int64], clearing key: String) throws(StoreError) {
        try database.transaction { () throws(StoreError) in
            let delete = try database.prepare("DELETE FROM login_failures WHERE rowid = ?")
            for row in attempt { try delete.run([.integer(row)]) }
            try clearLoginFailures(key: key)
        }
    }

    public func loginFailures(key: String, since: Double) throws(StoreError) -> (count: Int, oldest: Double?) {
        let row = try database.prepare("SELECT count(*), min(at) FROM login_failures WHERE key = ? AND at >= ?")
            .rows([.text(key), .real(since)]) { ($0.int(0), $0.optionalDouble(1)) }[0]
        return (Int(row.0), row.1)
    }

    public func clearLoginFailures(key: String) throws(StoreError) {
        try database.prepare("DELETE FROM login_failures WHERE key = ?").run([.text(key)])
    }
}
