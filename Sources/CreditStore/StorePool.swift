/// Hands out SQLite connections to concurrent threads: each caller gets a connection of its
/// own for the duration of `withStore`, and connections are reused afterwards.
public final class StorePool: @unchecked Sendable {
    private let path: String
    private let lock = ConditionLock()
    private var idle: [SQLiteStore] = []
    private let commits = ConditionLock()
    private var waiting: [SubmissionTicket] = []
    private var committing = false
    /// Called once after each committed group of submissions (to wake the worker).
    private let afterCommit: @Sendable () -> Void

    /// The worker copies the WAL back into the database (at SQLite's default 1000 pages, outside
    /// any request); the responder does it only if the log grows far past that (no worker
    /// running), so that request threads rarely wait behind a checkpoint.
    static let autoCheckpointPages = 8000

    /// Opens one connection at once (which migrates the schema) so that errors surface at start-up.
    /// `afterCommit` runs once after each commit that stored submissions.
    public init(path: String, afterCommit: @escaping @Sendable () -> Void = {}) throws(StoreError) {
        self.path = path
        self.afterCommit = afterCommit
        idle.append(try SQLiteStore(path: path, autoCheckpointPages: Self.autoCheckpointPages))
    }

    /// Runs `body` with a connection no other thread is using.
    public func withStore<T>(_ body: (SQLiteStore) throws -> T) throws -> T {
        let store = lock.withLock { idle.popLast() }
        let connection = try store ?? SQLiteStore(path: path, autoCheckpointPages: Self.autoCheckpointPages)
        defer { lock.withLock { idle.append(connection) } }
        return try body(connection)
    }

    /// Stores a submission durably, sharing the commit with submissions arriving from other
    /// threads at the same moment (group commit): the first waiting thread commits everything
    /// queued so far in one transaction while the others wait. Returns only once this
    /// submission's transaction has committed.
    public func enqueue(_ submission: Submission) throws(StoreError) -> EnqueueResult {
        let ticket = SubmissionTicket(submission)
        commits.lock()
        waiting.append(ticket)
        while ticket.result == nil {
            if committing {
                commits.wait()
                continue
            }
            committing = true
            let batch = waiting
            waiting.removeAll()
            commits.unlock()
            let results: [Result<EnqueueResult, StoreError>]
            do {
                results = try withStore { store in try store.enqueue(batch: batch.map(\.submission)) }
            } catch let error as StoreError {
                results = Array(repeating: .failure(error), count: batch.count)
            } catch {
                results = Array(repeating: .failure(.invalid("\(error)")), count: batch.count)
            }
            if results.contains(where: { if case .success(let outcome) = $0 { outcome.created } else { false } }) { afterCommit() }
            commits.lock()
            for (waiter, result) in zip(batch, results) { waiter.result = result }
            committing = false
            commits.broadcast()
        }
        commits.unlock()
        return try ticket.result!.get()
    }
}

/// A submission and, once committed, its outcome (guarded by the pool's condition lock).
final class SubmissionTicket: @unchecked Sendable {
    let submission: Submission
    var result: Result<EnqueueResult, StoreError>?

    init(_ submission: Submission) {
        self.submission = submission
    }
}
