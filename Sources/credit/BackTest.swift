import CreditAPI
import CreditGovernance
import CreditModel
import CreditStore
import CreditSystem
import Foundation

/// How well the models ranked and calibrated the applicants whose outcomes are known: AUC, KS,
/// bad rate against mean PD, and the reliability table, for each cohort (the month of
/// submission) and model. `credit monitor` prints it once outcomes are recorded.
struct BackTest {
    /// One month's applications scored by one model, with outcomes.
    struct Cohort {
        var month: String
        var model: String
        var applications: Int
        var badRate: Double
        var meanPD: Double
        /// Nil unless the cohort has both defaults and repayments.
        var auc: Double?
        var ks: Double?
        var calibration: [CalibrationBin]
    }

    var cohorts: [Cohort]

    init(_ outcomes: [ScoredOutcome]) {
        var groups: [String: [ScoredOutcome]] = [:], order: [String] = []
        for outcome in outcomes {
            let key = String(Timestamp.rfc3339(outcome.submittedAt).prefix(7)) + " " + outcome.model
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(outcome)
        }
        cohorts = order.sorted().map { key in
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
