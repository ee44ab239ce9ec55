import Synchronization

/// Admission for sign-ins, each of which costs a slow password hash (about 130 ms of one core).
///
/// A flood of sign-ins must not take the threads or the CPU that signed-in users need, so a
/// sign-in is admitted only while
/// - the global budget has a token (a bucket refilled at `rate` per second, holding `burst`);
/// - for a username that does not exist, a smaller budget has one too (`unknownRate`), so that
///   guessed or random names, which cost a hash like real ones, cannot use up the global budget;
/// - fewer than `maxInFlight` sign-ins are hashing or waiting for a hashing slot.
///
/// Anything else is refused at once (503 with `Retry-After`), holding no thread.
public final class SignInGate: Sendable {
    /// A refused sign-in: retry after this many seconds (at least 1).
    public struct Busy: Error, Sendable, Equatable {
        public var retryAfter: Int
    }

    private struct Bucket {
        var tokens: Double
        var updated: Double
        let rate: Double
        let burst: Double

        mutating func refill(now: Double) {
            tokens = min(burst, tokens + max(0, now - updated) * rate)
            updated = now
        }

        /// Seconds until a whole token is there.
        func wait() -> Double { tokens >= 1 ? 0 : (1 - tokens) / rate }
    }

    private struct State {
        var all: Bucket
        var unknown: Bucket
        var inFlight = 0
    }

    private let state: Mutex<State>
    public let maxInFlight: Int

    public init(rate: Double, burst: Double, unknownRate: Double, unknownBurst: Double, maxInFlight: Int) {
        state = Mutex(
            State(
                all: Bucket(tokens: burst, updated: 0, rate: rate, burst: burst),
                unknown: Bucket(tokens: unknownBurst, updated: 0, rate: unknownRate, burst: unknownBurst)))
        self.maxInFlight = maxInFlight
    }

    /// Admits one sign-in or throws ``Busy``. An admitted sign-in must call ``finish()``.
    public func admit(knownUser: Bool, now: Double) throws(Busy) {
        let refusal: Double? = state.withLock { state in
            if state.all.updated == 0 { state.all.updated = now; state.unknown.updated = now }
            state.all.refill(now: now)
            state.unknown.refill(now: now)
            guard state.inFlight < maxInFlight else { return 1 }
            var wait = state.all.wait()
            if !knownUser { wait = max(wait, state.unknown.wait()) }
            guard wait == 0 else { return wait }
            state.all.tokens -= 1
            if !knownUser { state.unknown.tokens -= 1 }
            state.inFlight += 1
            return nil
        }
        if let refusal { throw Busy(retryAfter: max(1, Int(refusal.rounded(.up)))) }
    }

    /// An admitted sign-in is over (its hash done or skipped).
    public func finish() {
        state.withLock { $0.inFlight -= 1 }
    }
}
