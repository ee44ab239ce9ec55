import CreditConfig
import CreditGovernance
import CreditJSON
import CreditText

/// What a customer's decision letter says, taken from a scored application, its reviews and the
/// lender's settings. Only what the customer may read is kept: the decision in words, the reasons'
/// and the recourse's wording in the customer's language; never the probability of default, the
/// score, the model, a user's name or a note.
struct DecisionLetter: Sendable, Equatable {
    /// The decision that stands, in the customer's terms.
    enum Outcome: Sendable, Equatable {
        case approved, notApproved, underAnalysis
    }

    var language: Language
    var lender: Lender
    var applicantName: String?
    /// The application's id.
    var reference: String
    /// The day of issue, already written for the language (`08/12/2026`).
    var date: String
    var outcome: Outcome
    /// The adverse reasons (not approved) or the favourable factors (approved); none under analysis.
    var reasons: [String]
    /// What could change the decision (not for an approval).
    var recourse: [String]
    /// Days within which the lender answers a request for review (`CREDIT_REVIEW_DAYS`).
    var reviewDays: Int

    /// At most this many reasons, and recourse lines, are printed.
    static let maximumReasons = 4
    static let maximumRecourse = 3

    /// The letter for a scored application: `result` is the worker's result JSON, `reviews` its
    /// review rounds (the latest decided one's decision stands over the model's).
    init(
        reference: String, applicantName: String?, result: JSONValue, reviews: [Review], language: Language, lender: Lender, date: String,
        reviewDays: Int
    ) {
        self.language = language
        self.lender = lender
        self.applicantName = applicantName.flatMap { $0.isEmpty ? nil : $0 }
        self.reference = reference
        self.date = date
        self.reviewDays = reviewDays
        let final = reviews.filter { $0.decision != nil }.max { ($0.decidedAt ?? 0) < ($1.decidedAt ?? 0) }?.decision
        switch (final, result["decision"]?.stringValue) {
        case (.approve?, _), (nil, "approve"?): outcome = .approved
        case (.decline?, _), (nil, "reject"?): outcome = .notApproved
        default: outcome = .underAnalysis
        }
        func texts(_ key: String, _ limit: Int) -> [String] {
            guard case .array(let items)? = result[key] else { return [] }
            return items.prefix(limit).compactMap { item in
                item["texts"]?[language.rawValue]?.stringValue ?? item["text"]?.stringValue
            }.filter { !$0.isEmpty }
        }
        switch outcome {
        case .approved: reasons = texts("strengths", Self.maximumReasons)
        case .notApproved: reasons = texts("reasons", Self.maximumReasons)
        case .underAnalysis: reasons = []
        }
        recourse = outcome == .approved ? [] : texts("recourse", Self.maximumRecourse)
    }
}
