import CreditGovernance
import CreditJSON
import CreditStore
import CreditSystem

extension CreditService {
    /// A review round as the API shows it. With its application (`job`), it says whether the final
    /// decision overrides the model's (``ReviewRules/isOverride(modelDecision:finalDecision:)``);
    /// a customer's request carries its due date and whether it is `overdue` at `now`.
    static func representation(of review: Review, job: Job?, now: Double) -> JSONOutput {
        func text(_ value: String?) -> JSONOutput { value.map { .string($0) } ?? .null }
        func time(_ value: Double?) -> JSONOutput { value.map { .string(Timestamp.rfc3339($0)) } ?? .null }
        let modelDecision = job?.result.map(modelDecision)
        let overrides = review.decision.map { ReviewRules.isOverride(modelDecision: modelDecision ?? "", finalDecision: $0) } ?? false
        return .object([
            "status": .string(review.isOpen ? "open" : "decided"), "origin": .string(review.origin.rawValue), "round": .number(Double(review.round)),
            "request_note": text(review.requestNote), "opened_at": time(review.openedAt),
            "decision": text(review.decision?.rawValue), "reason_code": text(review.reasonCode), "note": text(review.note),
            "decided_by": text(review.decidedBy), "decided_at": time(review.decidedAt), "officer": .string(review.ownerName),
            "override": .bool(overrides), "statement": text(review.statement),
            "documents": .array(review.documents.map { .string($0.rawValue) }), "due_at": time(review.dueAt),
            "overdue": .bool(ReviewRules.isOverdue(review, now: now)), "rescore_id": text(review.rescoreID),
            "previous_decided_by": text(review.previousDecidedBy),
        ])
    }
}
