/// The rules of review rounds, written once for the API, the command line and both stores.
public enum ReviewRules {
    /// The longest customer's statement, in characters.
    public static let maxStatementLength = 2000

    /// True when a final decision overrides the model: approving what it rejected, or declining
    /// what it approved. A decision on a referral (`review`) never does.
    public static func isOverride(modelDecision: String, finalDecision: FinalDecision) -> Bool {
        switch (modelDecision, finalDecision) {
        case ("reject", .approve), ("approve", .decline): true
        default: false
        }
    }

    /// When a customer's request made at `requestedAt` must be answered.
    public static func dueAt(requestedAt: Double, reviewDays: Int) -> Double {
        requestedAt + Double(reviewDays) * 86_400
    }

    /// True when an open round's due date has passed.
    public static func isOverdue(_ review: Review, now: Double) -> Bool {
        guard review.isOpen, let due = review.dueAt else { return false }
        return now > due
    }

    /// True when `reviewer` may decide `review`: a later round is never decided by the reviewer
    /// who decided the round before (a second look is another person's).
    public static func mayDecide(_ review: Review, reviewer: Int64) -> Bool {
        review.previousDeciderID != reviewer
    }

    /// Why ``mayDecide(_:reviewer:)`` refused, in words for the API's problem.
    public static let secondReviewRefusal =
        "You decided the previous review of this application; another reviewer must decide this one."

    /// The audit detail of a decision: the final decision, its reason and the model's decision.
    public static func auditDetail(_ decision: ReviewDecision, round: Int) -> String {
        "\(decision.decision.rawValue) \(decision.reasonCode) (model: \(decision.modelDecision))" + (round > 1 ? " round \(round)" : "")
    }
}
