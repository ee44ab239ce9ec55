import CreditGovernance

/// Roles, reviews and the audit trail: what a lender needs to run its decisions on the service.
/// Every change here writes its audit row in the same transaction as the change.
public protocol GovernanceStore: AnyObject {
    /// Creates an account with a role; `audit` (account creation) is written with it.
    func createUser(
        name: String, passwordHash: String, role: Role, mustChangePassword: Bool, audit: AuditEntry?, now: Double
    ) throws(StoreError) -> User
    /// Changes an account and writes `audit` with it. Throws ``StoreError/noSuchUser(_:)``.
    @discardableResult
    func updateUser(name: String, change: AccountChange, audit: AuditEntry?, now: Double) throws(StoreError) -> User
    /// Remembers the language `userID` chose for the site (not audited: it changes no right).
    func setLanguage(userID: Int64, language: String) throws(StoreError)

    /// Appends one row to the audit trail (in its own transaction).
    func appendAudit(_ entry: AuditEntry, now: Double) throws(StoreError)
    /// Audit rows matching `filter`, newest first.
    func auditRecords(_ filter: AuditFilter, limit: Int) throws(StoreError) -> [AuditRecord]
    /// Audit rows after `seq` in chain order (oldest first), for verifying and exporting.
    func auditChain(after seq: Int64, limit: Int) throws(StoreError) -> [AuditRecord]

    /// Sends a finished application of `requester` to review with a note. Throws
    /// ``StoreError/conflict(_:)`` when it is in review or decided already.
    func requestReview(jobID: String, requester: User, note: String, address: String, now: Double) throws(StoreError) -> Review
    /// Records a customer's request for review of a finished application of `requester` (any
    /// decision, or one decided by a reviewer already): a new round of origin `customer`, due
    /// ``CustomerReviewRequest/reviewDays`` after `now`. Throws ``StoreError/conflict(_:)`` when a
    /// round is open, ``StoreError/noSuchJob(_:)`` when not one of `requester`'s scored applications.
    func requestCustomerReview(
        jobID: String, requester: User, request: CustomerReviewRequest, address: String, now: Double
    ) throws(StoreError) -> Review
    /// Queues `rescore` (the application with inputs a reviewer verified from the customer's
    /// documents; its officer's, naming `jobID` in `rescoreOf`) and links it to the open round,
    /// so that it stays out of the queue; `fields` (their names) are audited. Throws
    /// ``StoreError/conflict(_:)`` when no round is open.
    func correctInputs(jobID: String, rescore: Submission, fields: [String], reviewer: User, address: String, now: Double) throws(StoreError) -> Job
    /// The application's latest review round, if it has one.
    func review(jobID: String) throws(StoreError) -> Review?
    /// Every review round of the application, first to latest.
    func reviewRounds(jobID: String) throws(StoreError) -> [Review]
    /// Customers' requests: open ones by due date, or decided ones newest first.
    func reviewRequests(open: Bool, limit: Int) throws(StoreError) -> [Review]
    /// How many customers' requests are open past their due date.
    func overdueReviewRequests(now: Double) throws(StoreError) -> Int
    /// The reviews of those of `jobIDs` that have one (a history page's final decisions), in no order.
    func reviews(jobIDs: [String]) throws(StoreError) -> [Review]
    /// Open rounds (`open`): customers' requests by due date, then the others oldest first; or
    /// decided rounds newest first. `after` pages on by job id.
    func reviews(open: Bool, limit: Int, after: String?) throws(StoreError) -> [Review]
    /// Records the final decision on a finished application's open round (or on one with no
    /// review: a round of origin `override`), audited as an override when ``ReviewRules`` says so.
    /// Throws ``StoreError/conflict(_:)`` when it was decided already and
    /// ``StoreError/refused(_:)`` when `reviewer` decided the round before.
    func decide(jobID: String, decision: ReviewDecision, reviewer: User, address: String, now: Double) throws(StoreError) -> Review
    /// Any user's application by id (for reviewers and administrators; the caller checks the role).
    func job(id: String) throws(StoreError) -> Job?
    /// Every application in submission order after the one with id `after`, for archiving.
    func allJobs(after: String?, limit: Int) throws(StoreError) -> [Job]
}
