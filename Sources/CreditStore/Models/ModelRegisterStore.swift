import CreditGovernance

/// The model register (champion and challenger), the challenger's shadow results, and what
/// monitoring reads: the scored PDs, and the outcomes recorded against them for back-tests.
public protocol ModelRegisterStore: AnyObject {
    /// Every row of the register, oldest first (a handful: one per promotion).
    func modelAssignments() throws(StoreError) -> [ModelAssignment]
    /// Appends a row and its audit row in one transaction, provided the register's last row is
    /// still `expectedLastSeq` (else ``StoreError/conflict(_:)``: someone moved a model meanwhile).
    @discardableResult
    func assignModel(
        action: ModelAssignmentAction, version: ModelVersion?, actorName: String, expectedLastSeq: Int64,
        audit: AuditEntry, now: Double
    ) throws(StoreError) -> ModelAssignment
    /// The challenger's results against the champion's, over every application both scored.
    func shadowComparison(champion: String, challenger: String) throws(StoreError) -> ShadowComparison
    /// The challenger's result for one application, if it was scored in the shadow.
    func shadowResult(jobID: String) throws(StoreError) -> ShadowResult?
    /// The submission time and PD of every application `model` scored, submitted at or after
    /// `since`, in submission order.
    func scoredProbabilities(model: String, since: Double) throws(StoreError) -> [(at: Double, pd: Double)]
    /// The newest `limit` applications `model` scored, submitted at or after `since` (for the
    /// inputs' stability), newest first.
    func recentScoredJobs(model: String, since: Double, limit: Int) throws(StoreError) -> [Job]
    /// Records outcomes against the scored applications they name (replacing earlier ones) and
    /// writes `audit` in the same transaction. Returns how many applications each outcome
    /// matched, in order (0: no scored application has that id).
    func recordOutcomes(_ outcomes: [Outcome], audit: AuditEntry, now: Double) throws(StoreError) -> [Int]
    /// Every scored application with an outcome, submitted at or after `since`, in submission order.
    func scoredOutcomes(since: Double) throws(StoreError) -> [ScoredOutcome]
}

extension ModelRegisterStore {
    /// The champion and challenger in force.
    public func modelRegister() throws(StoreError) -> ModelRegister {
        ModelRegister(try modelAssignments())
    }
}
