#if canImport(Glibc)
import Glibc
#endif

/// A value of each thread's own (a POSIX thread-specific key): no lock to read or write it.
/// Each thread's value is released when the thread exits, and every thread's when this is freed
/// (the key is deleted; values of threads still running are released as they exit).
public final class ThreadLocal<Value: AnyObject>: @unchecked Sendable {
    private var key = pthread_key_t()

    public init() {
        let created = pthread_key_create(&key) { value in
            guard let value else { return }
            Unmanaged<AnyObject>.fromOpaque(value).release()
        }
        precondition(created == 0, "no thread-specific key left (pthread_key_create: \(created))")
    }

    deinit { pthread_key_delete(key) }

    /// The calling thread's value; nil until it sets one.
    public var value: Value? {
        get { pthread_getspecific(key).map { Unmanaged<AnyObject>.fromOpaque($0).takeUnretainedValue() as! Value } }
        set {
            if let old = pthread_getspecific(key) { Unmanaged<AnyObject>.fromOpaque(old).release() }
            pthread_setspecific(key, newValue.map { Unmanaged.passRetained($0 as AnyObject).toOpaque() })
        }
    }
}
