import CreditGovernance

/// Where a scoring job is in its life.
public enum JobStatus: String, Sendable, Codable, CaseIterable {
    case queued, running, done, failed
}

/// A scoring job: the submitted applicant, and the result or error once scored.
public struct Job: Sendable, Equatable {
    /// Public, unguessable identifier.
    public var id: String
    /// The user who submitted it.
    public var owner: Int64
    public var status: JobStatus
    /// The application as submitted (JSON text), kept only when it came without a `record`;
    /// empty otherwise, and after a retention purge. `CreditSchema`'s `storedApplication` gives
    /// the application as JSON from whichever is kept.
    public var payload: String
    /// The prediction (JSON text) once done.
    public var result: String?
    public var error: String?
    /// Times a worker has claimed it.
    public var attempts: Int
    public var idempotencyKey: String?
    /// Seconds since 1970.
    public var submittedAt: Double
    public var startedAt: Double?
    public var completedAt: Double?
    /// The earlier application this one re-scores after an edit, if any.
    public var rescoreOf: String? = nil
    /// The applicant's name and the lender's client id, kept beside the application so that a
    /// history page does not parse every application to show them (nil when not given).
    public var applicantName: String? = nil
    public var clientID: String? = nil
    /// The validated application in compact form (see ``Submission/record``), when it was stored
    /// so; nil for one stored as JSON and after a retention purge.
    public var record: String? = nil
}

/// One submission waiting to be stored.
public struct Submission: Sendable {
    public var owner: Int64
    public var payload: String
    public var idempotencyKey: String?
    /// A digest of the request body, stored with the idempotency key: the same key with another
    /// body is refused (``StoreError/idempotencyKeyReused(_:)``) instead of answered with the old job.
    public var requestHash: String?
    /// The earlier application of the same owner that this one re-scores after an edit.
    public var rescoreOf: String?
    /// The validated application in the compact form the worker reads without parsing JSON
    /// (`ApplicantRecord` in CreditSchema). When given, it is the application the store keeps,
    /// and `payload` is not stored: the application is kept once. Nil to store `payload`, which
    /// the worker then parses and validates.
    public var record: String?
    /// The JSON the store keeps: `payload` when there is no `record`, else nothing (the application is kept once).
    public var storedPayload: String { record == nil ? payload : "" }
    /// The generation of the token it came with: refused when the owner's password changed since.
    public var tokenGeneration: Int?
    /// Written to the audit trail with the job, its id as the object.
    public var audit: AuditEntry?
    /// The applicant's name and client id from the validated application (see ``Job/applicantName``).
    public var applicantName: String?
    public var clientID: String?
    public var now: Double

    public init(
        owner: Int64, payload: String, idempotencyKey: String?, requestHash: String? = nil, rescoreOf: String? = nil,
        record: String? = nil, tokenGeneration: Int? = nil, audit: AuditEntry? = nil, applicantName: String? = nil,
        clientID: String? = nil, now: Double
    ) {
        self.owner = owner
        self.applicantName = applicantName
        self.clientID = clientID
        self.tokenGeneration = tokenGeneration
        self.audit = audit
        self.payload = payload
        self.record = record
        self.idempotencyKey = idempotencyKey
        self.requestHash = requestHash
        self.rescoreOf = rescoreOf
        self.now = now
    }
}

/// The outcome of reserving a sign-in attempt before its password is checked.
public enum LoginReservation: Sendable, Equatable {
    /// The attempt may go ahead. It is already recorded as a failure under each key (these
    /// rows), so that parallel attempts see it; ``UserDirectory/confirmLogin(attempt:clearing:)``
    /// removes it when the password was right.
    case reserved(attempt: [Int64])
    /// A key is at its limit; the oldest failure leaves the window in this many seconds.
    case throttled(retryAfter: Double)
    /// The sign-in budget of the whole service is spent; retry after this many seconds.
    case busy(retryAfter: Double)
}

/// How many sign-ins the whole service checks: at most `attempts` in any `window` seconds, and
/// of those at most `unknownAttempts` for usernames that do not exist. Shared by every process
/// that uses the store.
public struct SignInBudget: Sendable, Equatable {
    public var attempts: Int
    public var unknownAttempts: Int
    public var window: Double

    public init(attempts: Int, unknownAttempts: Int, window: Double) {
        self.attempts = attempts
        self.unknownAttempts = unknownAttempts
        self.window = window
    }
}

/// A job handed to a worker, with the attempt number that identifies this claim.
public struct ClaimedJob: Sendable, Equatable {
    public var id: String
    public var owner: Int64
    /// The application as submitted (JSON); empty when `record` is given, which the worker reads instead.
    public var payload: String
    public var attempt: Int
    /// The validated application in compact form, when the submission stored one.
    public var record: String? = nil
    /// The store's row number for the job, when it reports one: recording by it saves a lookup by id.
    public var seq: Int64? = nil
}

extension Submission {
    /// The audit rows of the submissions a group commit stored (not the refused or replayed
    /// ones), each naming its job, with its time.
    static func auditRows(_ batch: [Submission], _ results: [Result<EnqueueResult, StoreError>]) -> [(entry: AuditEntry, at: Double)] {
        zip(batch, results).compactMap { submission, result in
            guard var audit = submission.audit, case .success(let stored) = result, stored.created else { return nil }
            audit.object = stored.job.id
            return (audit, submission.now)
        }
    }
}

/// The outcome of a submission: the job, and whether it was new (false when an idempotency key matched).
public struct EnqueueResult: Sendable, Equatable {
    public var job: Job
    public var created: Bool
}

/// What a worker reports when it finishes a claimed job.
public enum JobOutcome: Sendable, Equatable {
    /// Scored: the result JSON; `referred` when the model's decision is to review it (the
    /// application then enters the review queue in the same transaction).
    /// `shadow`: the challenger's result for the same application, when one is being tried.
    case done(result: String, referred: Bool = false, shadow: ShadowResult? = nil)
    /// Cannot ever be scored (a payload the model rejects): failed at once.
    case failed(error: String)
}

/// The state of the queue, for health checks.
public struct QueueHealth: Sendable, Equatable {
    public var queued: Int
    public var running: Int
    /// Seconds the oldest queued job has waited, or nil when none is queued.
    public var oldestQueuedAge: Double?
    /// Seconds since any worker's last heartbeat, or nil when none has ever beaten.
    public var lastHeartbeatAge: Double?
    /// The model the most recent worker reported.
    public var workerModel: String?
    /// How the most recent worker runs: ``WorkerMode/resident`` or ``WorkerMode/drain`` (cron).
    public var workerMode: WorkerMode?

    public init(queued: Int, running: Int, oldestQueuedAge: Double?, lastHeartbeatAge: Double?, workerModel: String?, workerMode: WorkerMode?) {
        self.queued = queued
        self.running = running
        self.oldestQueuedAge = oldestQueuedAge
        self.lastHeartbeatAge = lastHeartbeatAge
        self.workerModel = workerModel
        self.workerMode = workerMode
    }
}

/// How a scoring worker runs, as its heartbeat records it.
public enum WorkerMode: String, Sendable, Equatable {
    /// A resident process that beats every second.
    case resident
    /// `credit-worker --drain` from cron: beats once per run.
    case drain
}

/// A user account.
public struct User: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var passwordHash: String
    public var disabled: Bool
    public var createdAt: Double
    public var role: Role = .officer
    /// Moves on at every password change: tokens carry the generation they were issued in, and
    /// one from an earlier generation is refused.
    public var tokenGeneration: Int = 0
    /// A one-time password set by an administrator: the user must choose their own before anything else.
    public var mustChangePassword: Bool = false
    /// The language the person chose for the site (`pt-BR`, `en`), or nil for none yet.
    public var language: String? = nil
}

/// The queue of scoring jobs. Handlers and workers use only this, so a server database can
/// replace SQLite without touching them.
public protocol JobQueue: AnyObject {
    /// Takes up to `limit` queued jobs for `worker` under a lease of `lease` seconds. Jobs whose
    /// lease ran out go back to the queue first, or fail after `maxAttempts` claims.
    func claim(worker: String, limit: Int, lease: Double, maxAttempts: Int, now: Double) throws(StoreError) -> [ClaimedJob]
    /// Records outcomes of claimed jobs in one transaction; outcomes for claims that are no
    /// longer current (the lease ran out and someone else took the job) are ignored.
    /// Returns how many were recorded.
    @discardableResult
    func finish(worker: String, outcomes: [(job: ClaimedJob, outcome: JobOutcome)], now: Double) throws(StoreError) -> Int
    /// Records the outcomes of the previous batch and claims the next one in one step (one
    /// transaction in SQLite), so a busy worker commits once per batch instead of twice.
    func finishAndClaim(
        worker: String, outcomes: [(job: ClaimedJob, outcome: JobOutcome)], limit: Int, lease: Double,
        maxAttempts: Int, now: Double
    ) throws(StoreError) -> [ClaimedJob]
    /// One of `owner`'s jobs, or nil (another user's job is nil too).
    func job(id: String, owner: Int64) throws(StoreError) -> Job?
    /// `owner`'s jobs that match `query`, newest first, older than the job `before` when given
    /// (another owner's job as `before` gives an empty page). See ``HistoryPage`` for `next`.
    func jobs(owner: Int64, matching query: HistoryQuery, limit: Int, before: String?) throws(StoreError) -> HistoryPage
    /// Queue depth, oldest job and worker heartbeat.
    func health(now: Double) throws(StoreError) -> QueueHealth
    /// Writes one row (to a table of its own) and commits it, so that a read-only or full
    /// database fails here; returns the schema version found and the one this program writes.
    func readinessProbe(now: Double) throws(StoreError) -> (schema: Int, latest: Int)
    /// Jobs by status, and the mean seconds from claim to result of the last 1,000 scored (for metrics).
    func jobStatistics() throws(StoreError) -> (byStatus: [String: Int], recentMeanSeconds: Double?)
    /// Records that `worker` is alive, which model it serves and how it runs.
    func heartbeat(worker: String, model: String, mode: WorkerMode, now: Double) throws(StoreError)
    /// Deletes finished jobs completed before `cutoff`; returns how many.
    @discardableResult
    func pruneFinished(before cutoff: Double) throws(StoreError) -> Int
}

extension JobQueue {
    /// Two steps for stores that cannot do both at once.
    public func finishAndClaim(
        worker: String, outcomes: [(job: ClaimedJob, outcome: JobOutcome)], limit: Int, lease: Double,
        maxAttempts: Int, now: Double
    ) throws(StoreError) -> [ClaimedJob] {
        try finish(worker: worker, outcomes: outcomes, now: now)
        return try claim(worker: worker, limit: limit, lease: lease, maxAttempts: maxAttempts, now: now)
    }
}

/// How the API reaches the store: a connection of its own for the length of a call, and
/// submissions that may share a commit. ``StorePool`` provides it for SQLite; a server database
/// would provide its own, and the handlers would not change.
public protocol StoreProvider: Sendable {
    /// Runs `body` with a store no other thread is using.
    func withStore<T>(
        _ body: (any JobQueue & UserDirectory & BatchStore & GovernanceStore & ModelRegisterStore & APIKeyStore) throws -> T
    ) throws -> T
    /// Stores a submission durably (see ``StoreConnection/enqueue(batch:)``); returns once it is committed.
    func enqueue(_ submission: Submission) throws(StoreError) -> EnqueueResult
    /// Wakes the workers after jobs were queued some other way (a chunk of a batch).
    func notifyWorkers()
}

/// User accounts and login throttling.
public protocol UserDirectory: AnyObject {
    func user(named name: String) throws(StoreError) -> User?
    func user(id: Int64) throws(StoreError) -> User?
    func users() throws(StoreError) -> [User]
    /// Replaces a password's hash with a stronger one of the same password (after a sign-in with
    /// older settings); not a password change, so tokens stay valid. Throws ``StoreError/noSuchUser(_:)``.
    func setPasswordHash(name: String, passwordHash: String) throws(StoreError)
    /// In one transaction: checks that no key has reached its limit of failures since
    /// `now - window`, and records this attempt as a failure under every key. So however many
    /// attempts run in parallel, no more than a key's limit are ever let through to the hash.
    /// With a `budget`, the attempt also needs room in it (``LoginReservation/busy(retryAfter:)``).
    func reserveLoginAttempt(
        limits: [(key: String, limit: Int)], window: Double, budget: SignInBudget?, knownUser: Bool,
        now: Double
    ) throws(StoreError) -> LoginReservation
    /// A reserved attempt succeeded: removes its rows and forgets the failures under `key`.
    func confirmLogin(attempt: [Int64], clearing key: String) throws(StoreError)
    /// Failed logins for `key` since `since`.
    func loginFailures(key: String, since: Double) throws(StoreError) -> (count: Int, oldest: Double?)
    /// Forgets failures for `key` (after a successful login).
    func clearLoginFailures(key: String) throws(StoreError)
}

/// A file of applications uploaded together and scored as one batch.
public struct Batch: Sendable, Equatable {
    /// Public, unguessable identifier (like a job's).
    public var id: String
    public var owner: Int64
    /// The uploaded file's name, as the user gave it.
    public var name: String
    /// Applications in the file.
    public var rows: Int
    public var createdAt: Double
    /// True once every row is stored (until then the upload is still being written).
    public var loaded: Bool
    /// How the uploaded CSV file wrote its cells (`semicolon` or `comma`, a `CSVDialect`), so that
    /// its results come back the same way; nil for JSON lines and batches stored before.
    public var dialect: String?
    /// Rows by state.
    public var queued = 0, running = 0, done = 0, failed = 0

    public init(id: String, owner: Int64, name: String, rows: Int, createdAt: Double, loaded: Bool, dialect: String? = nil) {
        self.id = id
        self.owner = owner
        self.name = name
        self.rows = rows
        self.createdAt = createdAt
        self.loaded = loaded
        self.dialect = dialect
    }

    /// Every row is scored or failed.
    public var finished: Bool { loaded && done + failed == rows }
}

/// One validated row of a batch, ready to queue.
public struct BatchRow: Sendable, Equatable {
    /// The row's line in the uploaded file (1-based, the CSV header being line 1).
    public var line: Int
    /// The lender's own reference for the applicant, if the file has a `client_id` column.
    public var clientID: String?
    /// The validated application in compact form (see ``Submission/record``): what is stored.
    public var record: String
    /// The applicant's name, if the row gives one (see ``Job/applicantName``).
    public var applicantName: String?

    public init(line: Int, clientID: String?, record: String, applicantName: String? = nil) {
        self.line = line
        self.applicantName = applicantName
        self.clientID = clientID
        self.record = record
    }
}

/// One row of a batch with its outcome so far.
public struct BatchResult: Sendable, Equatable {
    public var line: Int
    public var jobID: String
    public var clientID: String?
    public var status: JobStatus
    public var result: String?
    public var error: String?
    /// The applicant's name, if the row gave one.
    public var applicantName: String? = nil
    /// How the row came to a reviewer, and the final decision once one is recorded (nil: none).
    public var reviewOrigin: ReviewOrigin? = nil
    public var finalDecision: FinalDecision? = nil
}

extension BatchStore {
    /// A new, empty batch of a file with no CSV dialect to remember (JSON lines, PAKDD).
    public func createBatch(owner: Int64, name: String, rows: Int, now: Double) throws(StoreError) -> Batch {
        try createBatch(owner: owner, name: name, rows: rows, dialect: nil, now: now)
    }
}

/// Batches of applications: created empty, filled in chunks (each its own transaction, so
/// single submissions are never held up behind a large file), then marked loaded.
public protocol BatchStore: AnyObject {
    /// A new, empty batch of `rows` rows from a file written in `dialect` (see ``Batch/dialect``).
    /// Throws ``StoreError/ownerInactive(_:)`` for a disabled owner.
    func createBatch(owner: Int64, name: String, rows: Int, dialect: String?, now: Double) throws(StoreError) -> Batch
    /// Queues a chunk of the batch's rows in one transaction.
    func addBatchRows(batch id: String, owner: Int64, rows: [BatchRow], now: Double) throws(StoreError)
    /// Records that every row is stored.
    func markBatchLoaded(batch id: String, owner: Int64) throws(StoreError)
    /// One of `owner`'s batches with its progress, or nil.
    func batch(id: String, owner: Int64) throws(StoreError) -> Batch?
    /// `owner`'s batches, newest first, with their progress.
    func batches(owner: Int64, limit: Int) throws(StoreError) -> [Batch]
    /// The batch's rows in file order, from the line after `afterLine`, with their final decisions.
    func batchResults(batch id: String, owner: Int64, afterLine: Int, limit: Int) throws(StoreError) -> [BatchResult]
}
