/// The stability of scored PDs against a model's validation deciles: overall and for each week
/// (from Monday, UTC) with enough applications to read. `credit monitor` and `GET /api/monitoring`
/// report it, so both say the same.
public struct WeeklyStability: Sendable, Equatable {
    /// One week's applications and their PSI (nil below the minimum count).
    public struct Week: Sendable, Equatable {
        /// The week's Monday, 00:00 UTC, in seconds since 1970.
        public var start: Double
        public var applications: Int
        public var psi: Double?
    }

    /// Applications counted.
    public var applications: Int
    /// The PSI of them all (0 when there are none).
    public var psi: Double
    /// Every week with at least one application, oldest first.
    public var weeks: [Week]

    /// Fewer applications than this in a week give no PSI: ten bins need tens of rows each.
    public static let minimumPerWeek = 50

    /// From `(submitted at, PD)` pairs and the reference PD bins.
    public init(_ scored: [(at: Double, pd: Double)], reference: BinnedShares, minimumPerWeek: Int = WeeklyStability.minimumPerWeek) {
        var all: [Int] = [], byWeek: [Int: [Int]] = [:]
        all.reserveCapacity(scored.count)
        for (at, pd) in scored {
            let bin = reference.bin(pd)
            all.append(bin)
            byWeek[Self.week(of: at), default: []].append(bin)
        }
        applications = all.count
        psi = all.isEmpty ? 0 : reference.stability(of: reference.shares(of: all))
        weeks = byWeek.keys.sorted().map { week in
            let bins = byWeek[week]!
            return Week(
                start: Double(week * 7 - 3) * 86_400, applications: bins.count,
                psi: bins.count >= minimumPerWeek ? reference.stability(of: reference.shares(of: bins)) : nil)
        }
    }

    /// Weeks since the Monday before 1970-01-01 (a Thursday).
    static func week(of seconds: Double) -> Int {
        Int(((seconds / 86_400) + 3).rounded(.down) / 7)
    }

    /// The usual reading of a stability index.
    public static func band(_ index: Double) -> String { index < 0.1 ? "stable" : index < 0.25 ? "shift" : "major shift" }
}
