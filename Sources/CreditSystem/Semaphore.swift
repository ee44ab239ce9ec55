#if canImport(Glibc)
import Glibc
#endif

/// A counting semaphore (POSIX `sem_t`): one thread waits until another signals. It hands over
/// work and wakes the thread whose work is done (group commit, the hashing threads); the state
/// they share stays behind a `Synchronization.Mutex`.
public final class Semaphore: @unchecked Sendable {
    private let semaphore = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)

    public init(value: UInt32 = 0) {
        sem_init(semaphore, 0, value)
    }

    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }

    /// Waits until the count is above zero, then takes one (a signal does not interrupt it).
    public func wait() {
        while sem_wait(semaphore) != 0 && errno == EINTR {}
    }

    /// Adds one to the count, waking one waiting thread.
    public func signal() {
        sem_post(semaphore)
    }
}
