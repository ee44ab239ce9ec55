import CreditConfig

/// One connection to a store, whichever the backend: the queue, the users, group commit and the
/// schema version. ``SQLiteStore`` and ``PostgresStore`` implement it; ``StorePool`` hands
/// connections to threads and shares commits between them.
public protocol StoreConnection: JobQueue, UserDirectory, BatchStore, GovernanceStore, ModelRegisterStore, APIKeyStore {
    /// Stores several submissions in one transaction (group commit); each gets its own outcome.
    /// If the commit fails, every submission gets that error.
    func enqueue(batch: [Submission]) throws(StoreError) -> [Result<EnqueueResult, StoreError>]
    /// The schema version the database is at.
    func schemaVersion() throws(StoreError) -> Int
    /// The schema version this program writes.
    var latestSchemaVersion: Int { get }
    /// Where the data lives, for messages (a file path, or a URL without its password).
    var location: String { get }
}

/// How a store location is opened: one connection, a pool, or a worker's wake-up channel.
extension StoreLocation {
    /// Opens one connection (migrating the schema if needed). `checkpointPages`: for SQLite, the
    /// WAL size at which a commit through this connection copies the log back into the database.
    public func open(checkpointPages: Int = 1000) throws(StoreError) -> any StoreConnection {
        switch self {
        case .sqlite(let path): try SQLiteStore(path: path, autoCheckpointPages: checkpointPages)
        case .postgres(let url): try PostgresStore(url: url)
        }
    }

    /// A pool for a multi-threaded process; `afterCommit` runs after each commit that stored
    /// submissions (SQLite wakes the worker with it; PostgreSQL notifies inside the transaction).
    public func pool(afterCommit: @escaping @Sendable () -> Void = {}) throws(StoreError) -> any StoreProvider {
        switch self {
        case .sqlite(let path): try StorePool(path: path, afterCommit: afterCommit)
        case .postgres(let url): try StorePool(opening: { () throws(StoreError) in try PostgresStore(url: url) })
        }
    }

    /// How a resident worker waits for new jobs: the wake-up socket beside an SQLite file, or
    /// PostgreSQL's LISTEN on a connection of its own. Nil when that cannot be set up (the
    /// worker then polls every second).
    public func wakeupListener(socket: String) -> (any QueueWaiting)? {
        switch self {
        case .sqlite: try? QueueWakeupListener(path: socket)
        case .postgres(let url): try? PostgresNotificationListener(url: url)
        }
    }
}

/// Blocks a worker until new jobs may be waiting.
public protocol QueueWaiting: AnyObject {
    /// Waits up to `timeout` seconds for a wake-up; returns true if one came.
    @discardableResult
    func wait(timeout: Double) -> Bool
    /// The wake-ups that came since the last look, without waiting: each is a commit that queued
    /// at least one job (several commits may be told as one on PostgreSQL).
    func arrivals() -> Int
}

extension QueueWakeupListener: QueueWaiting {}
