import Foundation

/// A clock the tests move by hand (seconds since 1970), readable from any thread.
public final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Double

    public init(start: Double) { value = start }

    public var now: Double {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }

    /// Moves the clock forward.
    public func advance(by seconds: Double) { lock.withLock { value += seconds } }
}
