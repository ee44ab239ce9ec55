import Foundation

/// Hands out SQLite connections to concurrent threads: each caller gets a connection of its
/// own for the duration of `withStore`, and connections are reused afterwards.
public final class StorePool: @unchecked Sendable {
    private let path: String
    private let lock = NSLock()
    private var idle: [SQLiteStore] = []

    /// Opens one connection at once (which migrates the schema) so that errors surface at start-up.
    public init(path: String) throws(StoreError) {
        self.path = path
        idle.append(try SQLiteStore(path: path))
    }

    /// Runs `body` with a connection no other thread is using.
    public func withStore<T>(_ body: (SQLiteStore) throws -> T) throws -> T {
        lock.lock()
        let store = idle.popLast()
        lock.unlock()
        let connection = try store ?? SQLiteStore(path: path)
        defer {
            lock.lock()
            idle.append(connection)
            lock.unlock()
        }
        return try body(connection)
    }
}
