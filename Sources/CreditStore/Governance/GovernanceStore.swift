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
    /// The application's review, if it has one.
    func review(jobID: String) throws(StoreError) -> Review?
    /// The reviews of those of `jobIDs` that have one (a history page's final decisions), in no order.
    func reviews(jobIDs: [String]) throws(StoreError) -> [Review]
    /// Open reviews oldest first (`open`), or decided ones newest first; `after` pages on by job id.
    func reviews(open: Bool, limit: Int, after: String?) throws(StoreError) -> [Review]
    /// Records the final decision on a finished application. Throws ``StoreError/conflict(_:)``
    /// when it was decided already.
    func decide(jobID: String, decision: ReviewDecision, reviewer: User, address: String, now: Double) throws(StoreError) -> Review
    /// Any user's application by id (for reviewers and administrators; the caller checks the role).
    func job(id: String) throws(StoreError) -> Job?
    /// Every application in submission order after the one with id `after`, for archiving.
    func allJobs(after: String?, limit: Int) throws(StoreError) -> [Job]
}
