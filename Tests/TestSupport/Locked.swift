import Synchronization

/// A value that several test threads change and the test then reads, behind a
/// `Synchronization.Mutex` like the product's own shared state.
public final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    public init(_ value: Value) { mutex = Mutex(value) }

    /// A copy of the value now.
    public var value: Value { mutex.withLock { $0 } }

    /// Changes the value with the lock held.
    public func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result {
        mutex.withLock { value in body(&value) }
    }
}
