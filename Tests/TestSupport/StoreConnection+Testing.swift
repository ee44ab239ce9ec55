import CreditStore

/// Shortcuts for tests that need accounts and jobs without the audit trail's actors. The product
/// has only the audited calls; these call them with no audit row.
extension StoreConnection {
    /// An officer account.
    public func createUser(name: String, passwordHash: String, now: Double) throws(StoreError) -> User {
        try createUser(name: name, passwordHash: passwordHash, role: .officer, mustChangePassword: false, audit: nil, now: now)
    }

    public func setDisabled(name: String, disabled: Bool) throws(StoreError) {
        try updateUser(name: name, change: .disabled(disabled), audit: nil, now: 0)
    }

    /// One submission through the group-commit path.
    public func enqueue(owner: Int64, payload: String, idempotencyKey: String?, now: Double) throws(StoreError) -> EnqueueResult {
        try enqueue(batch: [Submission(owner: owner, payload: payload, idempotencyKey: idempotencyKey, now: now)])[0].get()
    }

    /// The owner's single applications (not a batch's rows), newest first: the history before it had filters.
    public func jobs(owner: Int64, limit: Int, before: String?) throws(StoreError) -> [Job] {
        try jobs(owner: owner, matching: HistoryQuery(batches: .exclude), limit: limit, before: before).jobs
    }
}
