/// What a history page asks of the store besides its owner: a text, a decision, a span of
/// submission times and whether to show a batch's rows. Every filter given must hold.
public struct HistoryQuery: Sendable, Equatable {
    /// Whether applications scored as rows of a batch are shown.
    public enum Batches: String, Sendable, CaseIterable {
        /// Single applications and a batch's rows.
        case include
        /// Single applications only.
        case exclude
        /// A batch's rows only.
        case only
    }

    /// The model's decision, or none yet.
    public enum Decision: String, Sendable, CaseIterable {
        case approve, review, reject
        /// Not scored yet: queued or being scored (a failed application has no decision and matches none).
        case pending
    }

    public var text: TextQuery?
    public var decision: Decision?
    /// Submitted at or after (seconds since 1970).
    public var submittedFrom: Double?
    /// Submitted before (seconds since 1970).
    public var submittedBefore: Double?
    public var batches: Batches

    public init(
        text: TextQuery? = nil, decision: Decision? = nil, submittedFrom: Double? = nil, submittedBefore: Double? = nil,
        batches: Batches = .include
    ) {
        self.text = text
        self.decision = decision
        self.submittedFrom = submittedFrom
        self.submittedBefore = submittedBefore
        self.batches = batches
    }

    /// Whether a job must be read to know if it matches: the indexes by owner and time answer the
    /// days and `batches`, not the text or the decision.
    var readsRows: Bool { text != nil || decision != nil }
}
