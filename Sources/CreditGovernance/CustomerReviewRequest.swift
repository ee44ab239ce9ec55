/// A customer's request for review of a decided application, as the officer records it: the
/// customer's own words and the documents they presented.
public struct CustomerReviewRequest: Sendable, Equatable {
    /// The customer's statement, trimmed (at most ``ReviewRules/maxStatementLength`` characters).
    public var statement: String
    public var documents: [ReviewDocument]
    /// Days the lender has to answer (`CREDIT_REVIEW_DAYS`): the round's due date is the request's
    /// time plus these days.
    public var reviewDays: Int

    public init(statement: String, documents: [ReviewDocument], reviewDays: Int) {
        self.statement = statement
        self.documents = documents
        self.reviewDays = reviewDays
    }
}
