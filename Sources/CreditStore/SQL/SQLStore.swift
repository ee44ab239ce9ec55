import CreditGovernance
import CreditSystem

/// The store on a SQL database: the job queue, users and sign-in throttling written once for
/// both databases over a ``SQLConnection``. ``SQLiteStore`` and ``PostgresStore`` add the
/// connection and, where one database does better another way, an override (each named in the
/// README's module map).
///
/// One instance is one connection, used by one thread at a time; ``StorePool`` hands them out.
public class SQLStore: StoreConnection {
    let sql: any SQLConnection
    var dialect: SQLDialect { sql.dialect }
    /// Expired leases are looked for at most once a second, not at every claim of a busy worker.
    let leaseRecovery = LeaseRecovery()
    /// Where the history search changes ways.
    var historyLimits = HistoryLimits()

    /// Applies pending migrations on `sql`.
    init(sql: any SQLConnection) throws(StoreError) {
        self.sql = sql
        try Migrator.migrate(sql)
    }

    public func schemaVersion() throws(StoreError) -> Int { try Migrator.version(sql) }
    public var latestSchemaVersion: Int { Migrator.latest }
    /// The schema version this program writes.
    public static var latestSchemaVersion: Int { Migrator.latest }
    public var location: String { preconditionFailure("a store names its location") }

    /// Called inside a transaction that queued a job outside the group commit (a re-score with
    /// verified inputs): PostgreSQL notifies the workers at its commit; SQLite's callers wake them
    /// after it (``StorePool/notifyWorkers()``).
    func jobsQueuedInTransaction() throws(StoreError) {}

    // MARK: Jobs

    /// A job's columns, from `jobs` joined with its application and result (aliases j, p, r).
    static let jobColumns = """
        j.id, j.owner, j.status, p.payload, r.result, r.error, j.attempts, j.idempotency_key, j.submitted_at, j.started_at, j.completed_at,
        j.rescore_of, j.applicant_name, j.client_id, p.record
        """
    static let jobTables = "jobs j JOIN job_payloads p ON p.seq = j.seq LEFT JOIN job_results r ON r.seq = j.seq"

    static func readJob(_ row: any SQLRow) throws(StoreError) -> Job {
        Job(
            id: try row.string(0), owner: try row.int64(1), status: try row.decode(JobStatus.self, 2), payload: try row.string(3),
            result: try row.optionalString(4), error: try row.optionalString(5), attempts: try row.int(6), idempotencyKey: try row.optionalString(7),
            submittedAt: try row.double(8), startedAt: try row.optionalDouble(9), completedAt: try row.optionalDouble(10),
            rescoreOf: try row.optionalString(11), applicantName: try row.optionalString(12), clientID: try row.optionalString(13),
            record: try row.optionalString(14))
    }

    /// Stores a group commit's submissions one statement each (SQLite, where a statement costs
    /// microseconds), with the stored ones' audit rows, in one transaction.
    public func enqueue(batch: [Submission]) throws(StoreError) -> [Result<EnqueueResult, StoreError>] {
        try sql.transaction { () throws(StoreError) in
            let results = batch.map { submission in Result { () throws(StoreError) in try insertJob(submission) } }
            try appendAuditInTransaction(Submission.auditRows(batch, results))
            return results
        }
    }

    func insertJob(_ submission: Submission) throws(StoreError) -> EnqueueResult {
        let id = JobID.new(now: submission.now)
        // The owner's account (and the token's generation, when given) is checked in the same
        // statement, so no job is ever stored for a disabled user or with a token revoked by a
        // password change. DO NOTHING applies only to a repeated idempotency key.
        let key = SearchKey(name: submission.applicantName, clientID: submission.clientID)
        let stored = try sql.query(
            """
            INSERT INTO jobs (id, owner, status, idempotency_key, request_hash, rescore_of, submitted_at, applicant_name, client_id, search_name,
                              search_client)
            SELECT ?1, ?2, 'queued', ?3, ?5, ?6, ?4, ?8, ?9, ?10, ?11
            WHERE EXISTS (SELECT 1 FROM users WHERE id = ?2 AND NOT disabled AND NOT must_change_password AND (?7 IS NULL OR token_generation = ?7))
            ON CONFLICT (owner, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING RETURNING seq
            """,
            [
                .text(id), .integer(submission.owner), .text(submission.idempotencyKey), .real(submission.now), .text(submission.requestHash),
                .text(submission.rescoreOf), .integer(submission.tokenGeneration.map(Int64.init)), .text(submission.applicantName),
                .text(submission.clientID), .text(key.name), .text(key.client),
            ]
        ) { row throws(StoreError) in try row.int64(0) }
        guard let seq = stored.first else { return try existingJob(submission) }
        try sql.execute(
            "INSERT INTO job_payloads (seq, payload, record) VALUES (?1, ?2, ?3)",
            [.integer(seq), .text(submission.storedPayload), .text(submission.record)])
        try SearchIndex.add(key, owner: submission.owner, seq: seq, sql)
        return EnqueueResult(job: Self.newJob(id: id, submission), created: true)
    }

    /// The job a stored submission became.
    static func newJob(id: String, _ submission: Submission) -> Job {
        Job(
            id: id, owner: submission.owner, status: .queued, payload: submission.storedPayload, result: nil, error: nil, attempts: 0,
            idempotencyKey: submission.idempotencyKey, submittedAt: submission.now, startedAt: nil, completedAt: nil,
            rescoreOf: submission.rescoreOf, applicantName: submission.applicantName, clientID: submission.clientID, record: submission.record)
    }

    /// Why a submission was not stored: its owner cannot submit, or its idempotency key names an
    /// earlier job (returned, unless the earlier request had another body).
    func existingJob(_ submission: Submission) throws(StoreError) -> EnqueueResult {
        guard let account = try user(id: submission.owner), !account.disabled, !account.mustChangePassword,
            submission.tokenGeneration.map({ $0 == account.tokenGeneration }) ?? true
        else { throw .ownerInactive(submission.owner) }
        guard let key = submission.idempotencyKey,
            let existing = try sql.query(
                "SELECT \(Self.jobColumns), j.request_hash FROM \(Self.jobTables) WHERE j.owner = ?1 AND j.idempotency_key = ?2",
                [.integer(submission.owner), .text(key)],
                { row throws(StoreError) in
                    (try Self.readJob(row), try row.optionalString(15))
                }
            ).first
        else { throw .invalid("the job could not be stored") }
        // A replay must be the same request; jobs stored before hashes were kept have none.
        if let requestHash = submission.requestHash, let stored = existing.1, stored != requestHash { throw .idempotencyKeyReused(key) }
        return EnqueueResult(job: existing.0, created: false)
    }

    public func claim(worker: String, limit: Int, lease: Double, maxAttempts: Int, now: Double) throws(StoreError) -> [ClaimedJob] {
        try sql.transaction { () throws(StoreError) -> [ClaimedJob] in
            try claimInTransaction(worker: worker, limit: limit, lease: lease, maxAttempts: maxAttempts, now: now)
        }
    }

    public func finishAndClaim(
        worker: String, outcomes: [(job: ClaimedJob, outcome: JobOutcome)], limit: Int, lease: Double,
        maxAttempts: Int, now: Double
    ) throws(StoreError) -> [ClaimedJob] {
        try sql.transaction { () throws(StoreError) -> [ClaimedJob] in
            _ = try finishInTransaction(worker: worker, outcomes: outcomes, now: now)
            return try claimInTransaction(worker: worker, limit: limit, lease: lease, maxAttempts: maxAttempts, now: now)
        }
    }

    private func claimInTransaction(worker: String, limit: Int, lease: Double, maxAttempts: Int, now: Double) throws(StoreError) -> [ClaimedJob] {
        if leaseRecovery.isDue(now) { try recoverExpiredLeases(maxAttempts: maxAttempts, now: now) }
        return try claimQueued(worker: worker, limit: limit, lease: lease, now: now)
    }

    /// A worker died holding these: gives up on jobs that had their chances, requeues the rest.
    /// (On PostgreSQL a row another worker recovers at the same moment is re-checked after its
    /// lock, so each expired job is recovered once.)
    private func recoverExpiredLeases(maxAttempts: Int, now: Double) throws(StoreError) {
        let abandoned = try sql.query(
            """
            UPDATE jobs SET status = 'failed', completed_at = ?1, lease_until = NULL
            WHERE status = 'running' AND lease_until < ?1 AND attempts >= ?2 RETURNING seq, attempts
            """, [.real(now), .int(maxAttempts)]
        ) { row throws(StoreError) in (try row.int64(0), try row.int(1)) }
        for (seq, attempts) in abandoned {
            try recordResult(seq: seq, result: nil, error: "scoring did not finish after \(attempts) attempts (the worker stopped each time)")
        }
        try sql.execute(
            "UPDATE jobs SET status = 'queued', lease_until = NULL, worker = NULL WHERE status = 'running' AND lease_until < ?1",
            [.real(now)])
    }

    /// Takes the oldest queued jobs, then reads their applications. On PostgreSQL, jobs another
    /// worker is claiming are skipped, not waited for. (The jobs to take come from a subquery in
    /// FROM, which runs once; as `seq IN (subquery)` PostgreSQL may run it again and take more.)
    private func claimQueued(worker: String, limit: Int, lease: Double, now: Double) throws(StoreError) -> [ClaimedJob] {
        var claimed = try sql.query(
            """
            UPDATE jobs SET status = 'running', attempts = jobs.attempts + 1, started_at = ?1, lease_until = ?2, worker = ?3
            FROM (SELECT seq FROM jobs WHERE status = 'queued' ORDER BY seq LIMIT ?4\(dialect.skipLocked)) AS next
            WHERE jobs.seq = next.seq
            RETURNING jobs.seq, jobs.id, jobs.owner, jobs.attempts
            """, [.real(now), .real(now + lease), .text(worker), .int(limit)]
        ) { row throws(StoreError) in
            (seq: try row.int64(0), id: try row.string(1), owner: try row.int64(2), attempt: try row.int(3))
        }
        guard !claimed.isEmpty else { return [] }
        claimed.sort { $0.seq < $1.seq }  // oldest first (PostgreSQL returns updated rows in any order)
        // The batch's applications in one statement: the compact record where there is one, else the JSON.
        var applications: [Int64: (record: String?, payload: String)] = [:]
        applications.reserveCapacity(claimed.count)
        for row in try sql.query(
            """
            SELECT seq, record, CASE WHEN record IS NULL THEN payload ELSE '' END FROM job_payloads WHERE seq \(dialect.isIn("?1"))
            """, [.integers(claimed.map(\.seq))], { row throws(StoreError) in (try row.int64(0), try row.optionalString(1), try row.string(2)) })
        {
            applications[row.0] = (row.1, row.2)
        }
        return claimed.map { job in
            let application = applications[job.seq]
            return ClaimedJob(
                id: job.id, owner: job.owner, payload: application?.payload ?? "", attempt: job.attempt, record: application?.record,
                seq: job.seq)
        }
    }

    func recordResult(seq: Int64, result: String?, error: String?) throws(StoreError) {
        try sql.execute(
            """
            INSERT INTO job_results (seq, result, error) VALUES (?1, ?2, ?3) ON CONFLICT (seq) DO UPDATE SET result = excluded.result, error = excluded.error
            """, [.integer(seq), .text(result), .text(error)])
    }

    @discardableResult
    public func finish(worker: String, outcomes: [(job: ClaimedJob, outcome: JobOutcome)], now: Double) throws(StoreError) -> Int {
        guard !outcomes.isEmpty else { return 0 }
        return try sql.transaction { () throws(StoreError) -> Int in
            try finishInTransaction(worker: worker, outcomes: outcomes, now: now)
        }
    }

    /// Only the current claim may record: the lease may have run out and the job gone to another
    /// worker. By row number when the claim gave one (it saves a lookup by id).
    private static let finishBySeq = """
        UPDATE jobs SET status = ?1, completed_at = ?2, lease_until = NULL WHERE seq = ?3 AND status = 'running' AND worker = ?4 AND attempts = ?5 RETURNING seq
        """
    private static let finishByID = """
        UPDATE jobs SET status = ?1, completed_at = ?2, lease_until = NULL WHERE id = ?3 AND status = 'running' AND worker = ?4 AND attempts = ?5 RETURNING seq
        """

    /// Records outcomes one statement each (PostgreSQL overrides it with one statement for all).
    func finishInTransaction(worker: String, outcomes: [(job: ClaimedJob, outcome: JobOutcome)], now: Double) throws(StoreError) -> Int {
        var recorded = 0
        for (job, outcome) in outcomes {
            let (status, result, error, referred, shadow): (String, String?, String?, Bool, ShadowResult?) =
                switch outcome {
                case .done(let result, let referred, let shadow): ("done", result, nil, referred, shadow)
                case .failed(let error): ("failed", nil, error, false, nil)
                }
            let rows = try sql.query(
                job.seq == nil ? Self.finishByID : Self.finishBySeq,
                [.text(status), .real(now), job.seq.map { .integer($0) } ?? .text(job.id), .text(worker), .int(job.attempt)]
            ) {
                row throws(StoreError) in try row.int64(0)
            }
            guard let seq = rows.first else { continue }
            try recordResult(seq: seq, result: result, error: error)
            // A referred single application enters the review queue (a batch's rows do not: a
            // portfolio re-score is not a queue of customers waiting; nor does a reviewer's
            // re-score with verified inputs, which belongs to the round it was made in).
            if referred {
                try sql.execute(
                    """
                    INSERT INTO reviews (seq, origin, opened_at) SELECT ?1, 'model', ?2
                    WHERE (SELECT batch_seq FROM jobs WHERE seq = ?1) IS NULL AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.rescore_seq = ?1)
                    ON CONFLICT DO NOTHING
                    """, [.integer(seq), .real(now)])
            }
            if let shadow { try recordShadow(seq: seq, shadow) }
            recorded += 1
        }
        return recorded
    }

    public func job(id: String, owner: Int64) throws(StoreError) -> Job? {
        try sql.query(
            "SELECT \(Self.jobColumns) FROM \(Self.jobTables) WHERE j.id = ?1 AND j.owner = ?2", [.text(id), .integer(owner)],
            Self.readJob
        ).first
    }

    public func health(now: Double) throws(StoreError) -> QueueHealth {
        let counts = try sql.query(
            """
            SELECT (SELECT count(*) FROM jobs WHERE status = 'queued'), (SELECT count(*) FROM jobs WHERE status = 'running'),
                   (SELECT min(submitted_at) FROM jobs WHERE status = 'queued')
            """
        ) { row throws(StoreError) in (try row.int(0), try row.int(1), try row.optionalDouble(2)) }[0]
        let beat = try sql.query("SELECT at, model, mode FROM heartbeats ORDER BY at DESC LIMIT 1") { row throws(StoreError) in
            (try row.double(0), try row.optionalString(1), try row.decode(WorkerMode.self, 2))
        }.first
        return QueueHealth(
            queued: counts.0, running: counts.1, oldestQueuedAge: counts.2.map { max(0, now - $0) },
            lastHeartbeatAge: beat.map { max(0, now - $0.0) }, workerModel: beat?.1, workerMode: beat?.2)
    }

    public func jobStatistics() throws(StoreError) -> (byStatus: [String: Int], recentMeanSeconds: Double?) {
        let rows = try sql.query("SELECT status, count(*) FROM jobs GROUP BY status") { row throws(StoreError) in (try row.string(0), try row.int(1))
        }
        let mean =
            try sql.query(
                """
                SELECT avg(completed_at - started_at) FROM (SELECT completed_at, started_at FROM jobs WHERE status = 'done' ORDER BY seq DESC LIMIT 1000) AS recent
                """
            ) { row throws(StoreError) in try row.optionalDouble(0) }.first ?? nil
        return (Dictionary(rows, uniquingKeysWith: +), mean)
    }

    public func readinessProbe(now: Double) throws(StoreError) -> (schema: Int, latest: Int) {
        try sql.transaction { () throws(StoreError) in
            try sql.execute("INSERT INTO readiness (id, at) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET at = excluded.at", [.real(now)])
        }
        return (try schemaVersion(), latestSchemaVersion)
    }

    public func heartbeat(worker: String, model: String, mode: WorkerMode, now: Double) throws(StoreError) {
        try sql.execute(
            """
            INSERT INTO heartbeats (worker, at, model, mode) VALUES (?1, ?2, ?3, ?4)
            ON CONFLICT (worker) DO UPDATE SET at = excluded.at, model = excluded.model, mode = excluded.mode
            """, [.text(worker), .real(now), .text(model), .text(mode.rawValue)])
    }

    @discardableResult
    public func pruneFinished(before cutoff: Double) throws(StoreError) -> Int {
        try sql.transaction { () throws(StoreError) -> Int in
            let finished = "SELECT seq FROM jobs WHERE status IN ('done', 'failed') AND completed_at < ?1"
            // The application itself goes; a tombstone stays: the job (id, owner, times), its
            // result (model, decision, reasons) and its review (final decision).
            let removed = try sql.execute(
                """
                UPDATE job_payloads SET payload = '', record = NULL WHERE (payload <> '' OR record IS NOT NULL) AND seq IN (\(finished))
                """, [.real(cutoff)])
            // The name goes with the application, from the search too; the client id stays, for
            // outcomes to find the tombstone.
            try sql.execute("UPDATE jobs SET applicant_name = NULL WHERE applicant_name IS NOT NULL AND seq IN (\(finished))", [.real(cutoff)])
            try SearchIndex.forgetNames(of: finished, cutoff: cutoff, sql)
            // A customer's statement in a decided review round is theirs too (an open round keeps it
            // until decided); the documents' codes and the decision stay.
            try sql.execute(
                "UPDATE reviews SET statement = NULL WHERE statement IS NOT NULL AND decision IS NOT NULL AND seq IN (\(finished))",
                [.real(cutoff)])
            // A challenger's result holds the application's values in its reasons: it goes too.
            try sql.execute(
                "UPDATE shadow_results SET challenger_result = NULL WHERE challenger_result IS NOT NULL AND seq IN (\(finished))",
                [.real(cutoff)])
            if removed > 0 {
                try appendAuditInTransaction([
                    (
                        AuditEntry(
                            actor: nil, actorName: "retention", action: .retentionPurge,
                            detail: "\(removed) applications finished before \(cutoff)"), SystemClock.wall()
                    )
                ])
            }
            try sql.execute("DELETE FROM login_failures WHERE at < ?1", [.real(cutoff)])
            try sql.execute("DELETE FROM heartbeats WHERE at < ?1", [.real(cutoff)])
            try sql.execute(
                "DELETE FROM batches WHERE created_at < ?1 AND NOT EXISTS (SELECT 1 FROM jobs WHERE batch_seq = batches.seq)",
                [.real(cutoff)])
            return removed
        }
    }

    // MARK: Batches

    /// Queues a chunk of a batch's rows in one transaction, one row at a time (PostgreSQL
    /// overrides it with one statement). Here, not with the other batch methods, so that it can be overridden.
    public func addBatchRows(batch id: String, owner: Int64, rows: [BatchRow], now: Double) throws(StoreError) {
        try sql.transaction { () throws(StoreError) in
            guard
                let seq = try sql.query(
                    "SELECT seq FROM batches WHERE id = ?1 AND owner = ?2", [.text(id), .integer(owner)],
                    {
                        row throws(StoreError) in try row.int64(0)
                    }
                ).first
            else { throw .invalid("no batch \(id)") }
            for row in rows {
                let key = SearchKey(name: row.applicantName, clientID: row.clientID)
                let job = try sql.query(
                    """
                    INSERT INTO jobs (id, owner, status, submitted_at, batch_seq, batch_line, client_id, applicant_name, search_name, search_client)
                    VALUES (?1, ?2, 'queued', ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING seq
                    """,
                    [
                        .text(JobID.new(now: now)), .integer(owner), .real(now), .integer(seq), .int(row.line), .text(row.clientID),
                        .text(row.applicantName), .text(key.name), .text(key.client),
                    ]
                ) { row throws(StoreError) in try row.int64(0) }
                try sql.execute("INSERT INTO job_payloads (seq, payload, record) VALUES (?1, '', ?2)", [.integer(job[0]), .text(row.record)])
                try SearchIndex.add(key, owner: owner, seq: job[0], sql)
            }
        }
    }

    // MARK: Outcomes

    /// Records outcomes one statement each (PostgreSQL overrides it with one statement for all).
    /// Here, not with the other model-register methods, so that it can be overridden.
    public func recordOutcomes(_ outcomes: [Outcome], audit: AuditEntry, now: Double) throws(StoreError) -> [Int] {
        try sql.transaction { () throws(StoreError) -> [Int] in
            var matched: [Int] = []
            matched.reserveCapacity(outcomes.count)
            for outcome in outcomes {
                // A later outcome for the same application replaces an earlier one.
                let (column, key) =
                    switch outcome.key {
                    case .job(let id): ("id", id)
                    case .client(let id): ("client_id", id)
                    }
                matched.append(
                    try sql.execute(
                        """
                        INSERT INTO outcomes (seq, defaulted, observed_at, recorded_at) SELECT seq, ?1, ?2, ?3 FROM jobs WHERE \(column) = ?4 AND status = 'done'
                        ON CONFLICT (seq) DO UPDATE SET defaulted = excluded.defaulted, observed_at = excluded.observed_at, recorded_at = excluded.recorded_at
                        """, [.boolean(outcome.defaulted), .real(outcome.observedAt), .real(now), .text(key)]))
            }
            try appendAuditInTransaction([(audit, now)])
            return matched
        }
    }

    // MARK: Users

    static let userColumns = "id, name, password_hash, disabled, created_at, role, token_generation, must_change_password, language"
    /// ``userColumns`` of the `users` table aliased `u`.
    static let prefixedUserColumns = userColumns.split(separator: ",").map { "u." + $0.filter { $0 != " " } }.joined(separator: ", ")

    static func readUser(_ row: any SQLRow) throws(StoreError) -> User {
        User(
            id: try row.int64(0), name: try row.string(1), passwordHash: try row.string(2), disabled: try row.bool(3), createdAt: try row.double(4),
            role: try row.decode(Role.self, 5), tokenGeneration: try row.int(6), mustChangePassword: try row.bool(7),
            language: try row.optionalString(8))
    }

    /// User names compare without case, through each database's index.
    var sameName: String { dialect.sameName("?1") }

    public func user(named name: String) throws(StoreError) -> User? {
        try sql.query("SELECT \(Self.userColumns) FROM users WHERE \(sameName)", [.text(name)], Self.readUser).first
    }

    public func user(id: Int64) throws(StoreError) -> User? {
        try sql.query("SELECT \(Self.userColumns) FROM users WHERE id = ?1", [.integer(id)], Self.readUser).first
    }

    public func users() throws(StoreError) -> [User] {
        try sql.query("SELECT \(Self.userColumns) FROM users ORDER BY lower(name)", Self.readUser)
    }

    public func setPasswordHash(name: String, passwordHash: String) throws(StoreError) {
        guard try sql.execute("UPDATE users SET password_hash = ?2 WHERE \(sameName)", [.text(name), .text(passwordHash)]) > 0 else {
            throw .noSuchUser(name)
        }
    }

    public func reserveLoginAttempt(
        limits: [(key: String, limit: Int)], window: Double, budget: SignInBudget? = nil, knownUser: Bool = true,
        now: Double
    ) throws(StoreError) -> LoginReservation {
        try sql.transaction { () throws(StoreError) -> LoginReservation in
            // Checks and inserts of parallel sign-ins (on any host) take turns.
            try sql.lock(.signIn)
            if let budget {
                let since = now - budget.window
                let recent = try sql.query(
                    """
                    SELECT count(*), coalesce(sum(CASE WHEN known THEN 0 ELSE 1 END), 0), min(at) FROM signin_attempts WHERE at > ?1
                    """, [.real(since)]
                ) { row throws(StoreError) in (try row.int(0), try row.int(1), try row.optionalDouble(2)) }[0]
                if recent.0 >= budget.attempts || (!knownUser && recent.1 >= budget.unknownAttempts) {
                    return .busy(retryAfter: max(1, (recent.2 ?? now) + budget.window - now))
                }
                try sql.execute("DELETE FROM signin_attempts WHERE at <= ?1", [.real(since)])
                try sql.execute("INSERT INTO signin_attempts (at, known) VALUES (?1, ?2)", [.real(now), .boolean(knownUser)])
            }
            for (key, limit) in limits {
                let failures = try loginFailures(key: key, since: now - window)
                if failures.count >= limit { return .throttled(retryAfter: max(1, (failures.oldest ?? now) + window - now)) }
            }
            var rows: [Int64] = []
            for (key, _) in limits {
                rows += try sql.query("INSERT INTO login_failures (key, at) VALUES (?1, ?2) RETURNING \(dialect.rowID)", [.text(key), .real(now)]) {
                    row throws(StoreError) in try row.int64(0)
                }
            }
            return .reserved(attempt: rows)
        }
    }

    public func confirmLogin(attempt: [Int64], clearing key: String) throws(StoreError) {
        try sql.transaction { () throws(StoreError) in
            try sql.execute("DELETE FROM login_failures WHERE \(dialect.rowID) \(dialect.isIn("?1"))", [.integers(attempt)])
            try clearLoginFailures(key: key)
        }
    }

    public func loginFailures(key: String, since: Double) throws(StoreError) -> (count: Int, oldest: Double?) {
        try sql.query("SELECT count(*), min(at) FROM login_failures WHERE key = ?1 AND at >= ?2", [.text(key), .real(since)]) {
            row throws(StoreError) in (try row.int(0), try row.optionalDouble(1))
        }[0]
    }

    public func clearLoginFailures(key: String) throws(StoreError) {
        try sql.execute("DELETE FROM login_failures WHERE key = ?1", [.text(key)])
    }
}
