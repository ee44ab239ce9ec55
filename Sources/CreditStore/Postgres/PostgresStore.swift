#if canImport(Glibc)
import Glibc
#endif

/// The store on a PostgreSQL server, for deployments on more than one host: the same queue,
/// users and throttling as ``SQLiteStore``, shared by responders and workers on any machine.
///
/// Workers claim with `FOR UPDATE SKIP LOCKED`, so several never wait for or share a job. Each
/// commit that queues jobs sends `NOTIFY credit_jobs`, which wakes listening workers
/// (``PostgresNotificationListener``). One instance is one connection, used by one thread at a time.
public final class PostgresStore: StoreConnection {
    public let connection: PostgresConnection
    /// Expired leases are looked for at most once a second, not at every claim of a busy worker.
    let leaseRecovery = LeaseRecovery()
    /// The channel that announces new jobs.
    public static let channel = "credit_jobs"
    /// The advisory lock that serialises sign-in reservations (checks and inserts must not interleave).
    static let signInLockKey = "4242010002"

    /// Connects and applies pending migrations.
    public init(url: String) throws(StoreError) {
        connection = try PostgresConnection(url: url)
        try PostgresMigrations.migrate(connection)
    }

    public var location: String { connection.displayURL }
    public func schemaVersion() throws(StoreError) -> Int { try PostgresMigrations.version(connection) }
    public var latestSchemaVersion: Int { PostgresMigrations.latest }

    // MARK: Jobs

    static let jobColumns = """
        j.id, j.owner, j.status, p.payload, r.result, r.error, j.attempts, j.idempotency_key, j.submitted_at, j.started_at, j.completed_at,
        j.rescore_of, j.applicant_name, j.client_id, p.record
        """
    static let jobTables = "jobs j JOIN job_payloads p ON p.seq = j.seq LEFT JOIN job_results r ON r.seq = j.seq"

    static func readJob(_ rows: PostgresRows, _ row: Int) -> Job {
        Job(id: rows.string(row, 0), owner: rows.int(row, 1), status: JobStatus(rawValue: rows.string(row, 2)) ?? .failed,
            payload: rows.string(row, 3), result: rows.optionalString(row, 4), error: rows.optionalString(row, 5),
            attempts: Int(rows.int(row, 6)), idempotencyKey: rows.optionalString(row, 7), submittedAt: rows.double(row, 8),
            startedAt: rows.optionalDouble(row, 9), completedAt: rows.optionalDouble(row, 10), rescoreOf: rows.optionalString(row, 11),
            applicantName: rows.optionalString(row, 12), clientID: rows.optionalString(row, 13), record: rows.optionalString(row, 14))
    }

    public func enqueue(owner: Int64, payload: String, idempotencyKey: String?, now: Double) throws(StoreError) -> EnqueueResult {
        try enqueue(batch: [Submission(owner: owner, payload: payload, idempotencyKey: idempotencyKey, now: now)])[0].get()
    }

    public func enqueue(batch: [Submission]) throws(StoreError) -> [Result<EnqueueResult, StoreError>] {
        try connection.transaction { () throws(StoreError) -> [Result<EnqueueResult, StoreError>] in
            let ids = batch.map { JobID.new(now: $0.now) }
            let stored = try insertJobs(batch, ids: ids)
            // A submission not stored has an inactive owner or a repeated idempotency key: answered one by one.
            let results = zip(batch, ids).map { submission, id in
                Result { () throws(StoreError) -> EnqueueResult in
                    guard stored.contains(id) else { return try existingJob(submission) }
                    let job = Job(id: id, owner: submission.owner, status: .queued, payload: submission.storedPayload, result: nil, error: nil,
                                  attempts: 0, idempotencyKey: submission.idempotencyKey, submittedAt: submission.now, startedAt: nil,
                                  completedAt: nil, rescoreOf: submission.rescoreOf, applicantName: submission.applicantName,
                                  clientID: submission.clientID, record: submission.record)
                    return EnqueueResult(job: job, created: true)
                }
            }
            if !stored.isEmpty { try connection.query("SELECT pg_notify($1, '')", [Self.channel]) }
            // The stored submissions' audit rows, all in one append.
            let audits = Submission.auditRows(batch, results)
            try appendAuditInTransaction(audits.map(\.entry), now: audits.map(\.at).max() ?? 0)
            return results
        }
    }

    /// Stores the submissions in one statement (one round trip for a whole group commit): each
    /// row's columns as arrays, unnested into jobs and their applications in order. A row whose
    /// owner is disabled or gone, or whose token generation is stale, is not stored, nor is one
    /// whose idempotency key the owner used before. Returns the ids of the rows stored.
    private func insertJobs(_ batch: [Submission], ids: [String]) throws(StoreError) -> Set<String> {
        let inserted = try connection.query("""
            WITH input AS (
              SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::double precision[], $5::text[], $6::text[], $7::text[],
                                   $8::text[], $9::integer[], $10::text[], $11::text[])
                WITH ORDINALITY AS i(id, owner, key, at, hash, rescore, payload, record, generation, name, client, position)),
            job AS (
              INSERT INTO jobs (id, owner, status, idempotency_key, request_hash, rescore_of, submitted_at, applicant_name, client_id)
              SELECT i.id, i.owner, 'queued', i.key, i.hash, i.rescore, i.at, i.name, i.client FROM input i
              WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = i.owner AND NOT u.disabled AND (i.generation IS NULL OR u.token_generation = i.generation))
              ORDER BY i.position
              ON CONFLICT (owner, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
              RETURNING seq, id),
            application AS (
              INSERT INTO job_payloads (seq, payload, record) SELECT job.seq, i.payload, i.record FROM job JOIN input i ON i.id = job.id)
            SELECT id FROM job
            """, [PostgresText.array(ids), PostgresText.array(batch.map { PostgresText.number($0.owner) }), PostgresText.array(batch.map(\.idempotencyKey)),
                  PostgresText.array(batch.map { PostgresText.number($0.now) }), PostgresText.array(batch.map(\.requestHash)),
                  PostgresText.array(batch.map(\.rescoreOf)), PostgresText.array(batch.map(\.storedPayload)), PostgresText.array(batch.map(\.record)),
                  PostgresText.array(batch.map { $0.tokenGeneration.map { String($0) } }), PostgresText.array(batch.map(\.applicantName)),
                  PostgresText.array(batch.map(\.clientID))])
        return Set((0..<inserted.count).map { inserted.string($0, 0) })
    }

    /// Why a submission was not stored: its owner cannot submit, or its idempotency key names an
    /// earlier job (returned, unless the earlier request had another body).
    private func existingJob(_ submission: Submission) throws(StoreError) -> EnqueueResult {
        guard let account = try user(id: submission.owner), !account.disabled,
              submission.tokenGeneration.map({ $0 == account.tokenGeneration }) ?? true else { throw .ownerInactive(submission.owner) }
        guard let key = submission.idempotencyKey else { throw .invalid("the job could not be stored") }
        let existing = try connection.query("SELECT \(Self.jobColumns), j.request_hash FROM \(Self.jobTables) WHERE j.owner = $1::bigint AND j.idempotency_key = $2",
                                            [PostgresText.number(submission.owner), key])
        guard existing.count == 1 else { throw .invalid("the job could not be stored") }
        if let requestHash = submission.requestHash, let stored = existing.optionalString(0, 15), stored != requestHash {
            throw .idempotencyKeyReused(key)
        }
        return EnqueueResult(job: Self.readJob(existing, 0), created: false)
    }

    public func claim(worker: String, limit: Int, lease: Double, maxAttempts: Int, now: Double) throws(StoreError) -> [ClaimedJob] {
        try connection.transaction { () throws(StoreError) -> [ClaimedJob] in
            try claimInTransaction(worker: worker, limit: limit, lease: lease, maxAttempts: maxAttempts, now: now)
        }
    }

    public func finishAndClaim(worker: String, outcomes: [(job: ClaimedJob, outcome: JobOutcome)], limit: Int, lease: Double,
                               maxAttempts: Int, now: Double) throws(StoreError) -> [ClaimedJob] {
        try connection.transaction { () throws(StoreError) -> [ClaimedJob] in
            _ = try finishInTransaction(worker: worker, outcomes: outcomes, now: now)
            return try claimInTransaction(worker: worker, limit: limit, lease: lease, maxAttempts: maxAttempts, now: now)
        }
    }

    private func claimInTransaction(worker: String, limit: Int, lease: Double, maxAttempts: Int, now: Double) throws(StoreError) -> [ClaimedJob] {
        if leaseRecovery.isDue(now) { try recoverExpiredLeases(maxAttempts: maxAttempts, now: now) }
        return try claimQueued(worker: worker, limit: limit, lease: lease, now: now)
    }

    private func recoverExpiredLeases(maxAttempts: Int, now: Double) throws(StoreError) {
        let time = PostgresText.number(now)
        // A worker died holding these: give up on jobs that had their chances, requeue the rest.
        // A row another worker is recovering at the same moment is re-checked after its lock
        // (READ COMMITTED), so each expired job is recovered once.
        try connection.query("""
            WITH abandoned AS (
              UPDATE jobs SET status = 'failed', completed_at = $1::double precision, lease_until = NULL
              WHERE status = 'running' AND lease_until < $1::double precision AND attempts >= $2::integer RETURNING seq, attempts)
            INSERT INTO job_results (seq, result, error)
            SELECT seq, NULL, 'scoring did not finish after ' || attempts || ' attempts (the worker stopped each time)' FROM abandoned
            ON CONFLICT (seq) DO UPDATE SET result = excluded.result, error = excluded.error
            """, [time, PostgresText.number(maxAttempts)])
        try connection.query("""
            UPDATE jobs SET status = 'queued', lease_until = NULL, worker = NULL WHERE status = 'running' AND lease_until < $1::double precision
            """, [time])
    }

    private func claimQueued(worker: String, limit: Int, lease: Double, now: Double) throws(StoreError) -> [ClaimedJob] {
        let time = PostgresText.number(now)
        // Claim and read the applications in one statement; jobs other workers are claiming are skipped, not waited for.
        let claimed = try connection.query("""
            WITH claimed AS (
              UPDATE jobs j SET status = 'running', attempts = j.attempts + 1, started_at = $1::double precision,
                     lease_until = $2::double precision, worker = $3
              FROM (SELECT seq FROM jobs WHERE status = 'queued' ORDER BY seq LIMIT $4::integer FOR UPDATE SKIP LOCKED) next
              WHERE j.seq = next.seq
              RETURNING j.seq, j.id, j.owner, j.attempts)
            SELECT c.id, c.owner, c.attempts, CASE WHEN p.record IS NULL THEN p.payload ELSE '' END, p.record
            FROM claimed c JOIN job_payloads p ON p.seq = c.seq ORDER BY c.seq
            """, [time, PostgresText.number(now + lease), worker, PostgresText.number(limit)])
        return claimed.map { row in
            ClaimedJob(id: claimed.string(row, 0), owner: claimed.int(row, 1), payload: claimed.string(row, 3), attempt: Int(claimed.int(row, 2)),
                       record: claimed.optionalString(row, 4))
        }
    }

    @discardableResult
    public func finish(worker: String, outcomes: [(job: ClaimedJob, outcome: JobOutcome)], now: Double) throws(StoreError) -> Int {
        guard !outcomes.isEmpty else { return 0 }
        return try connection.transaction { () throws(StoreError) -> Int in
            try finishInTransaction(worker: worker, outcomes: outcomes, now: now)
        }
    }

    /// Every outcome of a batch in one statement: arrays of ids, attempts, statuses and texts.
    private func finishInTransaction(worker: String, outcomes: [(job: ClaimedJob, outcome: JobOutcome)], now: Double) throws(StoreError) -> Int {
        guard !outcomes.isEmpty else { return 0 }
        var ids: [String?] = [], attempts: [String?] = [], statuses: [String?] = [], results: [String?] = [], errors: [String?] = []
        var referrals: [String?] = []
        var shadows: [(id: String, result: ShadowResult)] = []
        for (job, outcome) in outcomes {
            ids.append(job.id)
            attempts.append(String(job.attempt))
            switch outcome {
            case .done(let result, let referred, let shadow):
                statuses.append("done"); results.append(result); errors.append(nil); referrals.append(referred ? "true" : "false")
                if let shadow { shadows.append((job.id, shadow)) }
            case .failed(let error): statuses.append("failed"); results.append(nil); errors.append(error); referrals.append("false")
            }
        }
        // Only the current claim may record: the lease may have run out and the job gone to another worker.
        let recorded = try connection.query("""
            WITH outcome AS (
              SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[], $5::text[], $8::boolean[])
                AS o(id, attempt, status, result, error, referred)),
            updated AS (
              UPDATE jobs j SET status = o.status, completed_at = $6::double precision, lease_until = NULL FROM outcome o
              WHERE j.id = o.id AND j.status = 'running' AND j.worker = $7 AND j.attempts = o.attempt
              RETURNING j.seq, j.id, j.batch_seq),
            referred AS (
              -- A referred single application enters the review queue (a batch's rows do not).
              INSERT INTO reviews (seq, origin, opened_at)
              SELECT u.seq, 'model', $6::double precision FROM updated u JOIN outcome o ON o.id = u.id WHERE o.referred AND u.batch_seq IS NULL
              ON CONFLICT (seq) DO NOTHING)
            INSERT INTO job_results (seq, result, error) SELECT u.seq, o.result, o.error FROM updated u JOIN outcome o ON o.id = u.id
            ON CONFLICT (seq) DO UPDATE SET result = excluded.result, error = excluded.error
            """, [PostgresText.array(ids), PostgresText.array(attempts), PostgresText.array(statuses), PostgresText.array(results),
                  PostgresText.array(errors), PostgresText.number(now), worker, PostgresText.array(referrals)])
        if !shadows.isEmpty { try recordShadows(shadows, worker: worker) }
        return recorded.changed
    }

    public func job(id: String, owner: Int64) throws(StoreError) -> Job? {
        let rows = try connection.query("SELECT \(Self.jobColumns) FROM \(Self.jobTables) WHERE j.id = $1 AND j.owner = $2::bigint",
                                        [id, PostgresText.number(owner)])
        return rows.count == 0 ? nil : Self.readJob(rows, 0)
    }

    public func jobs(owner: Int64, limit: Int, before: String?) throws(StoreError) -> [Job] {
        let rows: PostgresRows
        if let before {
            rows = try connection.query("""
                SELECT \(Self.jobColumns) FROM \(Self.jobTables) WHERE j.owner = $1::bigint AND j.batch_seq IS NULL
                  AND j.seq < (SELECT seq FROM jobs WHERE id = $2 AND owner = $1::bigint) ORDER BY j.seq DESC LIMIT $3::integer
                """, [PostgresText.number(owner), before, PostgresText.number(limit)])
        } else {
            rows = try connection.query("SELECT \(Self.jobColumns) FROM \(Self.jobTables) WHERE j.owner = $1::bigint AND j.batch_seq IS NULL ORDER BY j.seq DESC LIMIT $2::integer",
                                        [PostgresText.number(owner), PostgresText.number(limit)])
        }
        return rows.map { Self.readJob(rows, $0) }
    }

    public func health(now: Double) throws(StoreError) -> QueueHealth {
        let counts = try connection.query("""
            SELECT (SELECT count(*) FROM jobs WHERE status = 'queued'), (SELECT count(*) FROM jobs WHERE status = 'running'),
                   (SELECT min(submitted_at) FROM jobs WHERE status = 'queued')
            """)
        let beat = try connection.query("SELECT at, model, mode FROM heartbeats ORDER BY at DESC LIMIT 1")
        let hasBeat = beat.count > 0
        return QueueHealth(queued: Int(counts.int(0, 0)), running: Int(counts.int(0, 1)),
                           oldestQueuedAge: counts.optionalDouble(0, 2).map { max(0, now - $0) },
                           lastHeartbeatAge: hasBeat ? max(0, now - beat.double(0, 0)) : nil,
                           workerModel: hasBeat ? beat.optionalString(0, 1) : nil,
                           workerMode: hasBeat ? WorkerMode(rawValue: beat.string(0, 2)) : nil)
    }

    public func jobStatistics() throws(StoreError) -> (byStatus: [String: Int], recentMeanSeconds: Double?) {
        let rows = try connection.query("SELECT status, count(*) FROM jobs GROUP BY status")
        var counts: [String: Int] = [:]
        for row in 0..<rows.count { counts[rows.string(row, 0)] = Int(rows.int(row, 1)) }
        let mean = try connection.query("""
            SELECT avg(completed_at - started_at) FROM (SELECT completed_at, started_at FROM jobs WHERE status = 'done' ORDER BY seq DESC LIMIT 1000) AS recent
            """)
        return (counts, mean.optionalDouble(0, 0))
    }

    public func readinessProbe(now: Double) throws(StoreError) -> (schema: Int, latest: Int) {
        try connection.query("INSERT INTO readiness (id, at) VALUES (1, $1::double precision) ON CONFLICT (id) DO UPDATE SET at = excluded.at",
                             [PostgresText.number(now)])
        return (try schemaVersion(), latestSchemaVersion)
    }

    public func heartbeat(worker: String, model: String, mode: WorkerMode, now: Double) throws(StoreError) {
        try connection.query("""
            INSERT INTO heartbeats (worker, at, model, mode) VALUES ($1, $2::double precision, $3, $4)
            ON CONFLICT (worker) DO UPDATE SET at = excluded.at, model = excluded.model, mode = excluded.mode
            """, [worker, PostgresText.number(now), model, mode.rawValue])
    }

    @discardableResult
    public func pruneFinished(before cutoff: Double) throws(StoreError) -> Int {
        let time = PostgresText.number(cutoff)
        return try connection.transaction { () throws(StoreError) -> Int in
            // The application itself goes; a tombstone stays: the job (id, owner, times), its
            // result (model, decision, reasons) and its review (final decision).
            let removed = try connection.query("""
                UPDATE job_payloads p SET payload = '', record = NULL FROM jobs j
                WHERE j.seq = p.seq AND (p.payload <> '' OR p.record IS NOT NULL) AND j.status IN ('done', 'failed') AND j.completed_at < $1::double precision
                """, [time]).changed
            // The name goes with the application; the client id stays, for outcomes to find the tombstone.
            try connection.query("""
                UPDATE jobs SET applicant_name = NULL WHERE applicant_name IS NOT NULL AND status IN ('done', 'failed') AND completed_at < $1::double precision
                """, [time])
            // A challenger's result holds the application's values in its reasons: it goes too.
            try connection.query("""
                UPDATE shadow_results s SET challenger_result = NULL FROM jobs j
                WHERE j.seq = s.seq AND s.challenger_result IS NOT NULL AND j.status = 'done' AND j.completed_at < $1::double precision
                """, [time])
            if removed > 0 {
                try appendAuditInTransaction([AuditEntry(actor: nil, actorName: "retention", action: .retentionPurge,
                                                         detail: "\(removed) applications finished before \(cutoff)")], now: wallClockSeconds())
            }
            try connection.query("DELETE FROM login_failures WHERE at < $1::double precision", [time])
            try connection.query("DELETE FROM heartbeats WHERE at < $1::double precision", [time])
            try connection.query("DELETE FROM batches b WHERE created_at < $1::double precision AND NOT EXISTS (SELECT 1 FROM jobs WHERE batch_seq = b.seq)", [time])
            return removed
        }
    }

    // MARK: Users

    static let userColumns = "id, name, password_hash, disabled, created_at, role, token_generation, must_change_password"

    static func readUser(_ rows: PostgresRows, _ row: Int) -> User {
        User(id: rows.int(row, 0), name: rows.string(row, 1), passwordHash: rows.string(row, 2), disabled: rows.bool(row, 3),
             createdAt: rows.double(row, 4), role: Role(rawValue: rows.string(row, 5)) ?? .officer, tokenGeneration: Int(rows.int(row, 6)),
             mustChangePassword: rows.bool(row, 7))
    }

    public func createUser(name: String, passwordHash: String, now: Double) throws(StoreError) -> User {
        let rows = try connection.query("""
            INSERT INTO users (name, password_hash, created_at) VALUES ($1, $2, $3::double precision)
            ON CONFLICT ((lower(name))) DO NOTHING RETURNING \(Self.userColumns)
            """, [name, passwordHash, PostgresText.number(now)])
        guard rows.count == 1 else { throw .userExists(name) }
        return Self.readUser(rows, 0)
    }

    public func user(named name: String) throws(StoreError) -> User? {
        let rows = try connection.query("SELECT \(Self.userColumns) FROM users WHERE lower(name) = lower($1)", [name])
        return rows.count == 0 ? nil : Self.readUser(rows, 0)
    }

    public func user(id: Int64) throws(StoreError) -> User? {
        let rows = try connection.query("SELECT \(Self.userColumns) FROM users WHERE id = $1::bigint", [PostgresText.number(id)])
        return rows.count == 0 ? nil : Self.readUser(rows, 0)
    }

    public func users() throws(StoreError) -> [User] {
        let rows = try connection.query("SELECT \(Self.userColumns) FROM users ORDER BY lower(name)")
        return rows.map { Self.readUser(rows, $0) }
    }

    public func setPasswordHash(name: String, passwordHash: String) throws(StoreError) {
        let changed = try connection.query("UPDATE users SET password_hash = $1 WHERE lower(name) = lower($2)", [passwordHash, name]).changed
        if changed == 0 { throw .noSuchUser(name) }
    }

    public func setDisabled(name: String, disabled: Bool) throws(StoreError) {
        let changed = try connection.query("UPDATE users SET disabled = $1::boolean WHERE lower(name) = lower($2)", [disabled ? "true" : "false", name]).changed
        if changed == 0 { throw .noSuchUser(name) }
    }

    public func reserveLoginAttempt(limits: [(key: String, limit: Int)], window: Double, budget: SignInBudget? = nil, knownUser: Bool = true,
                                    now: Double) throws(StoreError) -> LoginReservation {
        try connection.transaction { () throws(StoreError) -> LoginReservation in
            // Checks and inserts of parallel sign-ins (on any host) take turns, as SQLite's write lock makes them do.
            try connection.query("SELECT pg_advisory_xact_lock($1::bigint)", [Self.signInLockKey])
            if let budget {
                let since = PostgresText.number(now - budget.window)
                let recent = try connection.query("SELECT count(*), count(*) FILTER (WHERE NOT known), min(at) FROM signin_attempts WHERE at > $1::double precision", [since])
                if recent.int(0, 0) >= budget.attempts || (!knownUser && recent.int(0, 1) >= budget.unknownAttempts) {
                    return .busy(retryAfter: max(1, (recent.optionalDouble(0, 2) ?? now) + budget.window - now))
                }
                try connection.query("DELETE FROM signin_attempts WHERE at <= $1::double precision", [since])
                try connection.query("INSERT INTO signin_attempts (at, known) VALUES ($1::double precision, $2::boolean)",
                                     [PostgresText.number(now), knownUser ? "true" : "false"])
            }
            for (key, limit) in limits {
                let failures = try loginFailures(key: key, since: now - window)
                if failures.count >= limit { return .throttled(retryAfter: max(1, (failures.oldest ?? now) + window - now)) }
            }
            var rows: [Int64] = []
            for (key, _) in limits {
                let inserted = try connection.query("INSERT INTO login_failures (key, at) VALUES ($1, $2::double precision) RETURNING id",
                                                    [key, PostgresText.number(now)])
                rows.append(inserted.int(0, 0))
            }
            return .reserved(attempt: rows)
        }
    }

    public func confirmLogin(attempt: [Int64], clearing key: String) throws(StoreError) {
        try connection.transaction { () throws(StoreError) in
            try connection.query("DELETE FROM login_failures WHERE id = ANY($1::bigint[])", [PostgresText.array(attempt.map { String($0) })])
            try clearLoginFailures(key: key)
        }
    }

    public func loginFailures(key: String, since: Double) throws(StoreError) -> (count: Int, oldest: Double?) {
        let rows = try connection.query("SELECT count(*), min(at) FROM login_failures WHERE key = $1 AND at >= $2::double precision",
                                        [key, PostgresText.number(since)])
        return (Int(rows.int(0, 0)), rows.optionalDouble(0, 1))
    }

    public func clearLoginFailures(key: String) throws(StoreError) {
        try connection.query("DELETE FROM login_failures WHERE key = $1", [key])
    }
}

/// A worker's wake-up on PostgreSQL: a connection of its own that LISTENs on
/// ``PostgresStore/channel``; responders on any host NOTIFY it when they queue jobs.
public final class PostgresNotificationListener: QueueWaiting {
    private let connection: PostgresConnection

    public init(url: String) throws(StoreError) {
        connection = try PostgresConnection(url: url)
        try connection.execute("LISTEN \(PostgresStore.channel)")
    }

    /// Waits for a notification. A lost connection (a server restart) is re-established, and
    /// until it is the wait lasts the whole timeout, so the worker falls back to polling.
    @discardableResult
    public func wait(timeout: Double) -> Bool {
        if let pending = connection.takeNotifications(), pending > 0 { return true }
        var descriptors = pollfd(fd: connection.socket, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptors, 1, Int32(max(0, timeout * 1000))) > 0 else { return false }
        if let pending = connection.takeNotifications() { return pending > 0 }
        if connection.reconnect(), (try? connection.execute("LISTEN \(PostgresStore.channel)")) != nil { return true }
        usleep(UInt32(max(0, timeout) * 1_000_000))
        return true  // a poll of the queue covers whatever was announced meanwhile
    }
}
