#if canImport(Glibc)
import Glibc
#endif

/// The system's two clocks, in seconds as `Double`: the one clock of the project.
public enum SystemClock {
    /// Seconds since 1970 (UTC), for times that are stored or shown.
    @Sendable public static func wall() -> Double { seconds(CLOCK_REALTIME) }
    /// Seconds on a clock that never goes back, for measuring how long something took.
    @Sendable public static func monotonic() -> Double { seconds(CLOCK_MONOTONIC) }

    private static func seconds(_ clock: clockid_t) -> Double {
        var now = timespec()
        clock_gettime(clock, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
