import CreditSystem
import Synchronization

/// Hands out store connections to concurrent threads: each caller gets a connection of its
/// own for the duration of `withStore`, and connections are reused afterwards. Submissions
/// arriving at the same moment share one commit (``enqueue(_:)``), on SQLite and PostgreSQL alike.
public final class StorePool: StoreProvider, @unchecked Sendable {
    private let open: () throws(StoreError) -> any StoreConnection
    /// True while a commit cannot finish because another process holds the write lock (SQLite).
    private let writeLockIsStuck: @Sendable () -> Bool
    /// Connections not in use.
    private let idle = Mutex<[IdleConnection]>([])
    private let commits = Mutex(CommitQueue())
    /// Called once after each committed group of submissions (to wake the worker).
    private let afterCommit: @Sendable () -> Void

    /// The worker copies the WAL back into the database (at SQLite's default 1000 pages, outside
    /// any request); the responder does it only if the log grows far past that (no worker
    /// running), so that request threads rarely wait behind a checkpoint.
    static let autoCheckpointPages = 8000
    /// Each responder thread keeps a connection of its own, and every write by another
    /// connection empties its page cache anyway: a small cache each keeps the responder's memory flat.
    static let cacheKiB = 128
    /// Submissions that may wait for their commit at once while the write lock is stuck (see ``enqueue(_:)``).
    static let maxWaitingSubmissions = 6

    /// A pool of SQLite connections to the file at `path`. Opens one connection at once (which
    /// migrates the schema) so that errors surface at start-up. `afterCommit` runs once after
    /// each commit that stored submissions.
    public convenience init(path: String, afterCommit: @escaping @Sendable () -> Void = {}) throws(StoreError) {
        try self.init(
            opening: { () throws(StoreError) in try SQLiteStore(path: path, autoCheckpointPages: Self.autoCheckpointPages, cacheKiB: Self.cacheKiB) },
            writeLockIsStuck: { SQLiteDatabase.writeLockIsStuck }, afterCommit: afterCommit)
    }

    /// A pool of connections made by `opening` (one is opened at once, so errors surface at start-up).
    public init(
        opening: @escaping () throws(StoreError) -> any StoreConnection, writeLockIsStuck: @escaping @Sendable () -> Bool = { false },
        afterCommit: @escaping @Sendable () -> Void = {}
    ) throws(StoreError) {
        open = opening
        self.writeLockIsStuck = writeLockIsStuck
        self.afterCommit = afterCommit
        let first = try opening()
        idle.withLock { $0.append(IdleConnection(connection: first)) }
    }

    /// Closes the threads' own connections: no thread can be using the pool now.
    deinit { ownedSlots.withLock { slots in for slot in slots { slot.connection = nil } } }

    public func notifyWorkers() { afterCommit() }

    /// Runs `body` with a connection no other thread is using.
    public func withStore<T>(
        _ body: (any JobQueue & UserDirectory & BatchStore & GovernanceStore & ModelRegisterStore & APIKeyStore) throws -> T
    ) throws -> T {
        try withConnection(body)
    }

    /// The first ``maxOwners`` threads keep the connection they first used: their requests take
    /// no lock to find one (a shared list behind a lock cost a responder under 16 threads a third
    /// of its CPU on a status poll, in contention). Other threads, and a thread already using its
    /// own (a nested call), borrow one from the shared list of idle connections.
    private let ownConnection = ThreadLocal<ConnectionSlot>()
    /// Threads that keep a connection of their own; past ``maxOwners``, threads share the idle
    /// list (each connection holds its page cache and statements: a responder stays within 20 MB).
    private let owners = Mutex(0)
    /// Every thread's own connection, so that they are closed when the pool goes (a thread's
    /// slot outlives the pool until that thread exits).
    private let ownedSlots = Mutex<[ConnectionSlot]>([])
    static let maxOwners = 4

    /// Counts one more owner if there is room for it.
    private static func take(_ owners: inout Int) -> Bool {
        guard owners < maxOwners else { return false }
        owners += 1
        return true
    }

    private func withConnection<T>(_ body: (any StoreConnection) throws -> T) throws -> T {
        if let own = ownConnection.value, !own.inUse {
            own.inUse = true
            defer { own.inUse = false }
            return try body(own.connection)
        }
        let store = idle.withLock { $0.popLast() }
        let connection = try store?.connection ?? open()
        if ownConnection.value == nil, owners.withLock({ count in Self.take(&count) }) {
            let own = ConnectionSlot(connection)
            ownConnection.value = own
            ownedSlots.withLock { $0.append(own) }
            own.inUse = true
            defer { own.inUse = false }
            return try body(connection)
        }
        defer { idle.withLock { $0.append(IdleConnection(connection: connection)) } }
        return try body(connection)
    }

    /// Stores a submission durably, sharing the commit with submissions arriving from other
    /// threads at the same moment (group commit). One thread at a time leads: it commits
    /// everything queued so far in one transaction, hands each waiter its outcome, and passes
    /// the lead to the first submission that arrived meanwhile. Each waiter sleeps on a
    /// semaphore of its own, so a commit wakes exactly the threads it concerns. Returns only
    /// once this submission's transaction has committed.
    public func enqueue(_ submission: Submission) throws(StoreError) -> EnqueueResult {
        let ticket = SubmissionTicket(submission)
        let leads: Bool? = commits.withLock { queue in
            // A commit that cannot finish (a write lock held by another process) must not collect
            // every thread of the responder: past this many submissions in progress (being
            // committed or waiting for the next commit), more fail at once.
            if queue.pending >= Self.maxWaitingSubmissions && writeLockIsStuck() { return nil }
            queue.pending += 1
            queue.waiting.append(ticket)
            if queue.committing { return false }
            queue.committing = true
            return true
        }
        guard let leads else { throw .busy("too many submissions are waiting for the database") }
        defer { commits.withLock { $0.pending -= 1 } }
        if !leads {
            ticket.wait()
            // Woken either with an outcome, or to lead the next commit.
            if let result = ticket.result { return try result.get() }
        }
        // Lead: commit everything waiting (this submission included).
        let batch: [SubmissionTicket] = commits.withLock { queue in
            defer { queue.waiting.removeAll(keepingCapacity: true) }
            return queue.waiting
        }
        let results = commit(batch)
        var own: Result<EnqueueResult, StoreError> = .failure(.invalid("the submission was not committed"))
        for (waiter, result) in zip(batch, results) {
            if waiter === ticket { own = result; continue }
            waiter.result = result
            waiter.signal()
        }
        // The database stayed locked for the whole busy timeout: the submissions that arrived
        // meanwhile would only wait as long again. They get the same answer now.
        var busy: StoreError?
        if case .failure(let error) = own, error.isBusy { busy = error }
        let next: SubmissionTicket? = commits.withLock { queue in
            if let busy {
                for waiter in queue.waiting {
                    waiter.result = .failure(busy)
                    waiter.signal()
                }
                queue.waiting.removeAll(keepingCapacity: true)
            }
            if let first = queue.waiting.first { return first }
            queue.committing = false
            return nil
        }
        next?.signal()  // it finds no outcome, so it leads the next commit
        return try own.get()
    }

    /// Commits a batch in one transaction; every submission gets its outcome (or the batch's error).
    private func commit(_ batch: [SubmissionTicket]) -> [Result<EnqueueResult, StoreError>] {
        let results: [Result<EnqueueResult, StoreError>]
        do {
            results = try withConnection { store in try store.enqueue(batch: batch.map(\.submission)) }
        } catch let error as StoreError {
            results = Array(repeating: .failure(error), count: batch.count)
        } catch {
            results = Array(repeating: .failure(.invalid("\(error)")), count: batch.count)
        }
        if results.contains(where: { if case .success(let outcome) = $0 { outcome.created } else { false } }) { afterCommit() }
        return results
    }
}

/// The submissions waiting for a commit, and whether one is under way.
private struct CommitQueue {
    var waiting: [SubmissionTicket] = []
    var committing = false
    /// Submissions between arrival and answer.
    var pending = 0
}

/// A connection in the pool, between two uses. A connection is used by one thread at a time,
/// and only the pool's lock hands it from one to the next.
/// A thread's own connection, and whether that thread is using it now (read and written by that thread only).
private final class ConnectionSlot: @unchecked Sendable {
    /// Nil once the pool has gone (the connection is closed then).
    var connection: (any StoreConnection)!
    var inUse = false
    init(_ connection: any StoreConnection) { self.connection = connection }
}

private struct IdleConnection: @unchecked Sendable {
    let connection: any StoreConnection
}

/// A submission waiting for its commit: its outcome once committed, and the semaphore its
/// thread sleeps on. The outcome is written before ``signal()`` and read after ``wait()``.
final class SubmissionTicket: @unchecked Sendable {
    let submission: Submission
    var result: Result<EnqueueResult, StoreError>?
    private let semaphore = Semaphore()

    init(_ submission: Submission) {
        self.submission = submission
    }

    func wait() { semaphore.wait() }
    func signal() { semaphore.signal() }
}
