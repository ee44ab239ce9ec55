import CreditSystem

/// How well the models ranked and calibrated the applicants whose outcomes are known: AUC, KS,
/// bad rate against mean PD, and the reliability table, for each cohort (the month of
/// submission) and model. `credit monitor` prints it and `/api/monitoring` serves it once
/// outcomes are recorded.
public struct BackTest: Sendable {
    /// One month's applications scored by one model, with outcomes.
    public struct Cohort: Sendable {
        /// `YYYY-MM`.
        public var month: String
        public var model: String
        public var applications: Int
        public var badRate: Double
        public var meanPD: Double
        /// Nil unless the cohort has both defaults and repayments.
        public var auc: Double?
        public var ks: Double?
        public var calibration: [CalibrationBin]
    }

    /// By month, then model.
    public var cohorts: [Cohort]

    public init<Case: ScoredCase>(_ cases: [Case]) {
        var groups: [String: [Case]] = [:]
        for item in cases {
            groups[String(Timestamp.rfc3339(item.submittedAt).prefix(7)) + " " + item.model, default: []].append(item)
        }
        cohorts = groups.keys.sorted().map { key in
            let rows = groups[key]!
            let scores = rows.map(\.probabilityOfDefault), labels = rows.map { $0.defaulted ? 1 : 0 }
            let bad = labels.reduce(0, +)
            let ranked = bad > 0 && bad < rows.count
            return Cohort(
                month: String(key.prefix(7)), model: String(key.dropFirst(8)), applications: rows.count,
                badRate: Double(bad) / Double(rows.count), meanPD: scores.reduce(0, +) / Double(rows.count),
                auc: ranked ? Metrics.auc(scores, labels) : nil, ks: ranked ? Metrics.ks(scores, labels) : nil,
                calibration: Metrics.calibrationTable(scores, labels))
        }
    }
}

/// One scored application whose outcome is known, as the back-test reads it.
public protocol ScoredCase {
    var submittedAt: Double { get }
    var model: String { get }
    var probabilityOfDefault: Double { get }
    var defaulted: Bool { get }
}
