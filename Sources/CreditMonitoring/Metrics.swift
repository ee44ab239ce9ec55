#if canImport(Glibc)
import Glibc
#endif

/// Discrimination and calibration measures for predicted default probabilities against 0/1 outcomes.
public enum Metrics {
    /// Area under the ROC curve; ties count one half. Returns 0.5 when a class is absent.
    public static func auc(_ scores: [Double], _ labels: [Int]) -> Double {
        precondition(scores.count == labels.count, "scores and labels differ in length")
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSumPositives = 0.0
        var positives = 0.0
        var index = 0
        while index < order.count {
            var end = index
            while end + 1 < order.count && scores[order[end + 1]] == scores[order[index]] { end += 1 }
            let averageRank = Double(index + end) / 2 + 1
            for position in index...end where labels[order[position]] == 1 {
                rankSumPositives += averageRank
                positives += 1
            }
            index = end + 1
        }
        let negatives = Double(scores.count) - positives
        guard positives > 0, negatives > 0 else { return 0.5 }
        return (rankSumPositives - positives * (positives + 1) / 2) / (positives * negatives)
    }

    /// Points of the ROC curve, (false positive rate, true positive rate), from (0,0) to (1,1),
    /// one point per distinct score.
    public static func rocCurve(_ scores: [Double], _ labels: [Int]) -> [(fpr: Double, tpr: Double)] {
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        let positives = Double(labels.reduce(0, +))
        let negatives = Double(labels.count) - positives
        guard positives > 0, negatives > 0 else { return [(0, 0), (1, 1)] }
        var points: [(fpr: Double, tpr: Double)] = [(0, 0)]
        var truePositives = 0.0
        var falsePositives = 0.0
        for (position, row) in order.enumerated() {
            if labels[row] == 1 { truePositives += 1 } else { falsePositives += 1 }
            let isLastOfTie = position + 1 == order.count || scores[order[position + 1]] != scores[row]
            if isLastOfTie { points.append((falsePositives / negatives, truePositives / positives)) }
        }
        return points
    }

    /// Kolmogorov–Smirnov statistic: the largest gap between the cumulative score distributions of bads and goods.
    public static func ks(_ scores: [Double], _ labels: [Int]) -> Double {
        rocCurve(scores, labels).reduce(0) { max($0, $1.tpr - $1.fpr) }
    }

    /// Mean squared error of the probabilities.
    public static func brier(_ probabilities: [Double], _ labels: [Int]) -> Double {
        guard !probabilities.isEmpty else { return 0 }
        var sum = 0.0
        for (probability, label) in zip(probabilities, labels) {
            let error = probability - Double(label)
            sum += error * error
        }
        return sum / Double(probabilities.count)
    }

    /// Mean negative log-likelihood, with probabilities clipped to [1e-15, 1 - 1e-15].
    public static func logLoss(_ probabilities: [Double], _ labels: [Int]) -> Double {
        guard !probabilities.isEmpty else { return 0 }
        var sum = 0.0
        for (probability, label) in zip(probabilities, labels) {
            let clipped = min(max(probability, 1e-15), 1 - 1e-15)
            sum -= label == 1 ? log(clipped) : log(1 - clipped)
        }
        return sum / Double(probabilities.count)
    }

    /// Rows grouped into `binCount` bins of equal size by predicted probability, with the mean prediction
    /// and the observed default rate of each bin (a reliability table; deciles by default).
    public static func calibrationTable(_ probabilities: [Double], _ labels: [Int], binCount: Int = 10) -> [CalibrationBin] {
        let order = probabilities.indices.sorted { probabilities[$0] < probabilities[$1] }
        guard !order.isEmpty else { return [] }
        let bins = max(1, min(binCount, order.count))
        return (0..<bins).map { bin in
            let start = bin * order.count / bins
            let end = (bin + 1) * order.count / bins
            let rows = order[start..<end]
            let predicted = rows.reduce(0.0) { $0 + probabilities[$1] } / Double(rows.count)
            let observed = Double(rows.reduce(0) { $0 + labels[$1] }) / Double(rows.count)
            return CalibrationBin(
                lower: probabilities[rows.first!], upper: probabilities[rows.last!],
                count: rows.count, meanPredicted: predicted, observedRate: observed)
        }
    }
}

/// One row of a reliability table.
public struct CalibrationBin: Codable, Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    public var count: Int
    public var meanPredicted: Double
    public var observedRate: Double

    enum CodingKeys: String, CodingKey {
        case lower, upper, count
        case meanPredicted = "mean_predicted"
        case observedRate = "observed_rate"
    }
}

/// The standard summary of a scored, labelled dataset.
public struct MetricSummary: Codable, Sendable, Equatable {
    public var rows: Int
    public var badRate: Double
    public var auc: Double
    public var gini: Double
    public var ks: Double
    public var brier: Double
    public var logloss: Double

    enum CodingKeys: String, CodingKey {
        case rows, auc, gini, ks, brier, logloss
        case badRate = "bad_rate"
    }

    /// Computes every measure for `probabilities` against `labels`.
    public init(probabilities: [Double], labels: [Int]) {
        rows = labels.count
        badRate = labels.isEmpty ? 0 : Double(labels.reduce(0, +)) / Double(labels.count)
        auc = Metrics.auc(probabilities, labels)
        gini = 2 * auc - 1
        ks = Metrics.ks(probabilities, labels)
        brier = Metrics.brier(probabilities, labels)
        logloss = Metrics.logLoss(probabilities, labels)
    }
}
