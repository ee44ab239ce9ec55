/// The final decision a reviewer records.
public enum FinalDecision: String, Sendable, Equatable, CaseIterable {
    case approve, decline
}

/// How an application came to a reviewer.
public enum ReviewOrigin: String, Sendable, Equatable {
    /// The model referred it (its decision was `review`).
    case model
    /// Its officer sent it to review with a note.
    case officer
    /// A reviewer decided an application the model approved or rejected.
    case override
    /// The customer asked for a review of a decided application (LGPD Art. 20): its officer
    /// recorded the request with the customer's statement and documents; it has a due date.
    case customer
}

/// One review round of an application: why it is in the queue and, once decided, the final
/// decision. An application has rounds over time: a customer may ask for a review of one decided
/// already, which opens the next round.
public struct Review: Sendable, Equatable {
    public var jobID: String
    /// 1 for the first review of the application, 2 for the next, and so on.
    public var round: Int = 1
    public var owner: Int64
    public var ownerName: String
    public var origin: ReviewOrigin
    /// The officer's note when they asked for the review.
    public var requestNote: String?
    public var openedAt: Double
    public var decision: FinalDecision?
    /// A code from the configured list (`CREDIT_REVIEW_REASONS`).
    public var reasonCode: String?
    public var note: String?
    public var decidedBy: String?
    public var decidedAt: Double?
    /// A customer's request: their statement and the documents they presented.
    public var statement: String? = nil
    public var documents: [ReviewDocument] = []
    /// When a customer's request must be answered (nil for the other origins).
    public var dueAt: Double? = nil
    /// The application that re-scores this one with inputs a reviewer corrected from the documents.
    public var rescoreID: String? = nil
    /// Who decided the round before (nil in the first round): not the one to decide this round.
    public var previousDeciderID: Int64? = nil
    public var previousDecidedBy: String? = nil

    public init(
        jobID: String, owner: Int64, ownerName: String, origin: ReviewOrigin, requestNote: String?, openedAt: Double,
        decision: FinalDecision? = nil, reasonCode: String? = nil, note: String? = nil, decidedBy: String? = nil, decidedAt: Double? = nil
    ) {
        self.jobID = jobID
        self.owner = owner
        self.ownerName = ownerName
        self.origin = origin
        self.requestNote = requestNote
        self.openedAt = openedAt
        self.decision = decision
        self.reasonCode = reasonCode
        self.note = note
        self.decidedBy = decidedBy
        self.decidedAt = decidedAt
    }

    public var isOpen: Bool { decision == nil }
}

/// A reviewer's decision, as the store records it.
public struct ReviewDecision: Sendable, Equatable {
    public var decision: FinalDecision
    public var reasonCode: String
    public var note: String
    /// The model's own decision on the application (`approve`, `review` or `reject`): deciding an
    /// application the model did not refer is an override.
    public var modelDecision: String

    public init(decision: FinalDecision, reasonCode: String, note: String, modelDecision: String) {
        self.decision = decision
        self.reasonCode = reasonCode
        self.note = note
        self.modelDecision = modelDecision
    }
}

/// A change to an account, made by an administrator or (for the password) its own user.
public enum AccountChange: Sendable, Equatable {
    case role(Role)
    case disabled(Bool)
    /// A new password hash; `mustChange` for a one-time password set by an administrator. Every
    /// token issued before stops working (the account's token generation moves on).
    case password(hash: String, mustChange: Bool)
}
