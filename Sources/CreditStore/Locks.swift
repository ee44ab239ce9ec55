#if canImport(Glibc)
import Glibc
#endif

/// A pthread mutex with a condition variable, for the few places that wait for one another
/// (the process-wide write lock, the connection pool, group commit).
final class ConditionLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
    /// Waits for ``broadcast()``; call with the lock held.
    func wait() { pthread_cond_wait(condition, mutex) }
    /// Wakes every waiter; call with the lock held.
    func broadcast() { pthread_cond_broadcast(condition) }

    /// Runs `body` with the lock held.
    func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}
