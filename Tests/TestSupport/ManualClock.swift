import Synchronization

/// A clock the tests move by hand (seconds since 1970), readable from any thread.
public final class ManualClock: Sendable {
    private let time: Mutex<Double>

    public init(start: Double) { time = Mutex(start) }

    public var now: Double {
        get { time.withLock { $0 } }
        set { time.withLock { $0 = newValue } }
    }

    /// Moves the clock forward.
    public func advance(by seconds: Double) { time.withLock { $0 += seconds } }
}
