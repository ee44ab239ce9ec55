import Foundation

/// What the model recommends for an application.
public enum Decision: String, Codable, Sendable, CaseIterable {
    case approve
    case review
    case reject
}

/// PD cut-offs for approve / review / reject, chosen on the validation set.
///
/// The rule: approve the `approveShare` of applicants with the lowest PD, reject the `rejectShare`
/// with the highest, and send the rest to a loan officer for review. The cut-offs are the PD
/// quantiles on the validation set, so the shares hold for a population like it.
public struct DecisionPolicy: Codable, Sendable, Equatable {
    /// PDs below this are approved.
    public var approveBelow: Double
    /// PDs at or above this are rejected.
    public var rejectFrom: Double
    public var approveShare: Double
    public var rejectShare: Double
    /// The rule in words, for the model card.
    public var rule: String

    enum CodingKeys: String, CodingKey {
        case approveBelow = "approve_below", rejectFrom = "reject_from"
        case approveShare = "approve_share", rejectShare = "reject_share", rule
    }

    /// The decision for a probability of default.
    @inlinable public func decision(probability: Double) -> Decision {
        if probability < approveBelow { return .approve }
        if probability >= rejectFrom { return .reject }
        return .review
    }

    /// Chooses cut-offs from validation PDs.
    public static func fromShares(
        validationProbabilities pds: [Double], approveShare: Double, rejectShare: Double
    ) throws(ModelError) -> DecisionPolicy {
        guard approveShare >= 0, rejectShare >= 0, approveShare + rejectShare <= 1, !pds.isEmpty else {
            throw .invalidOption("approve and reject shares must be between 0 and 1 and add up to at most 1")
        }
        let sorted = pds.sorted()
        func quantile(_ share: Double) -> Double {
            let index = Int((share * Double(sorted.count)).rounded())
            if index <= 0 { return sorted[0] }
            if index >= sorted.count { return sorted[sorted.count - 1].nextUp }
            return (sorted[index - 1] + sorted[index]) / 2
        }
        let approveBelow = approveShare == 0 ? 0 : quantile(approveShare)
        let rejectFrom = rejectShare == 0 ? 1.0.nextUp : quantile(1 - rejectShare)
        let rule =
            "Approve the \(percent(approveShare)) of applicants with the lowest PD (PD < \(percent(approveBelow, digits: 1))), "
            + "reject the \(percent(rejectShare)) with the highest (PD ≥ \(percent(rejectFrom, digits: 1))), "
            + "and refer the rest to a loan officer; shares measured on the validation set."
        return DecisionPolicy(
            approveBelow: approveBelow, rejectFrom: max(rejectFrom, approveBelow), approveShare: approveShare,
            rejectShare: rejectShare, rule: rule)
    }
}

/// A points score on the usual scorecard scale: `baseScore` points at good:bad odds of `baseOdds`,
/// and `pointsToDoubleOdds` more points each time the odds double.
public struct ScoreScale: Codable, Sendable, Equatable {
    public var baseScore: Double = 600
    public var baseOdds: Double = 50
    public var pointsToDoubleOdds: Double = 20

    enum CodingKeys: String, CodingKey {
        case baseScore = "base_score", baseOdds = "base_odds", pointsToDoubleOdds = "points_to_double_odds"
    }

    public init() {}

    /// The score for a probability of default, rounded and kept within 0...1000.
    public func score(probability: Double) -> Int {
        let pd = min(max(probability, 1e-9), 1 - 1e-9)
        let odds = (1 - pd) / pd
        let points = baseScore + pointsToDoubleOdds / log(2) * log(odds / baseOdds)
        return Int(min(max(points.rounded(), 0), 1000))
    }
}

package func percent(_ share: Double, digits: Int = 0) -> String {
    let scaled = share * 100
    if digits == 0 { return "\(Int(scaled.rounded()))%" }
    let factor = pow(10.0, Double(digits))
    return "\((scaled * factor).rounded() / factor)%"
}
