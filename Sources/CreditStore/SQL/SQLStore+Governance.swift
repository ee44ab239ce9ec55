import CreditGovernance

/// Accounts, the audit trail and reviews. Each change and its audit row share a transaction;
/// appends to the chain take ``SQLLock/audit``, so that writers on every host queue.
extension SQLStore: GovernanceStore {
    // MARK: Accounts

    public func createUser(
        name: String, passwordHash: String, role: Role, mustChangePassword: Bool, audit: AuditEntry?,
        now: Double
    ) throws(StoreError) -> User {
        try sql.transaction { () throws(StoreError) -> User in
            guard
                let user = try sql.query(
                    """
                    INSERT INTO users (name, password_hash, created_at, role, must_change_password) VALUES (?1, ?2, ?3, ?4, ?5)
                    ON CONFLICT DO NOTHING RETURNING \(Self.userColumns)
                    """, [.text(name), .text(passwordHash), .real(now), .text(role.rawValue), .boolean(mustChangePassword)], Self.readUser
                ).first
            else { throw .userExists(name) }
            if let audit { try appendAuditInTransaction([(audit, now)]) }
            return user
        }
    }

    @discardableResult
    public func updateUser(name: String, change: AccountChange, audit: AuditEntry?, now: Double) throws(StoreError) -> User {
        try sql.transaction { () throws(StoreError) -> User in
            let (assignments, values): (String, [SQLValue]) =
                switch change {
                case .role(let role): ("role = ?2", [.text(role.rawValue)])
                case .disabled(let disabled): ("disabled = ?2", [.boolean(disabled)])
                case .password(let hash, let mustChange):
                    ("password_hash = ?2, must_change_password = ?3, token_generation = token_generation + 1", [.text(hash), .boolean(mustChange)])
                }
            guard
                let user = try sql.query(
                    "UPDATE users SET \(assignments) WHERE \(sameName) RETURNING \(Self.userColumns)",
                    [.text(name)] + values, Self.readUser
                ).first
            else { throw .noSuchUser(name) }
            if let audit { try appendAuditInTransaction([(audit, now)]) }
            return user
        }
    }

    // MARK: Audit trail

    public func appendAudit(_ entry: AuditEntry, now: Double) throws(StoreError) {
        try sql.transaction { () throws(StoreError) in try appendAuditInTransaction([(entry, now)]) }
    }

    /// Links rows, in order, to the chain's last one, after one read of the chain's end (a group
    /// commit's submissions share it): inside the caller's write transaction, under the chain's
    /// lock, so no other writer can take the same place in the chain.
    func appendAuditInTransaction(_ entries: [(entry: AuditEntry, at: Double)]) throws(StoreError) {
        guard !entries.isEmpty else { return }
        try sql.lock(.audit)
        let last = try sql.query("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1") { row throws(StoreError) in
            (try row.int64(0), try row.string(1))
        }.first
        var seq = last?.0 ?? 0, previous = last?.1 ?? AuditChain.origin
        var rows: [[SQLValue]] = []
        rows.reserveCapacity(entries.count)
        for (entry, at) in entries {
            seq += 1
            let hash = AuditChain.hash(seq: seq, at: at, entry: entry, previousHash: previous)
            rows.append([
                .integer(seq), .real(at), .integer(entry.actor), .text(entry.actorName), .text(entry.action.rawValue), .text(entry.object),
                .text(entry.detail), .text(entry.address), .text(previous), .text(hash),
            ])
            previous = hash
        }
        try sql.insert(into: "audit", columns: Self.auditColumnNames, rows: rows)
    }

    private static let auditColumnNames = ["seq", "at", "actor", "actor_name", "action", "object", "detail", "address", "previous_hash", "hash"]
    private static let auditColumns = auditColumnNames.joined(separator: ", ")

    private static func readAudit(_ row: any SQLRow) throws(StoreError) -> AuditRecord {
        let entry = AuditEntry(
            actor: try row.optionalInt64(2), actorName: try row.string(3), action: try row.decode(AuditAction.self, 4),
            object: try row.string(5), detail: try row.string(6), address: try row.string(7))
        return AuditRecord(seq: try row.int64(0), at: try row.double(1), entry: entry, previousHash: try row.string(8), hash: try row.string(9))
    }

    public func auditRecords(_ filter: AuditFilter, limit: Int) throws(StoreError) -> [AuditRecord] {
        // The action is written into the statement (it is one of a fixed set of names), so that
        // the planner sees it is not a submission and reads the partial indexes.
        let action = filter.action.map { "action = '\($0.rawValue)'" } ?? "1 = 1"
        return try sql.query(
            """
            SELECT \(Self.auditColumns) FROM audit
            WHERE \(action) AND (?1 IS NULL OR actor_name = ?1) AND (?2 IS NULL OR at >= ?2) AND (?3 IS NULL OR at < ?3) AND (?4 IS NULL OR seq < ?4)
            ORDER BY seq DESC LIMIT ?5
            """, [.text(filter.actorName), .real(filter.since), .real(filter.until), .integer(filter.before), .int(limit)], Self.readAudit)
    }

    public func auditChain(after seq: Int64, limit: Int) throws(StoreError) -> [AuditRecord] {
        try sql.query("SELECT \(Self.auditColumns) FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2", [.integer(seq), .int(limit)], Self.readAudit)
    }

    // MARK: Reviews

    private static let reviewSelect = """
        SELECT j.id, j.owner, u.name, v.origin, v.request_note, v.opened_at, v.decision, v.reason_code, v.note, d.name, v.decided_at
        FROM reviews v JOIN jobs j ON j.seq = v.seq JOIN users u ON u.id = j.owner LEFT JOIN users d ON d.id = v.decided_by
        """

    private static func readReview(_ row: any SQLRow) throws(StoreError) -> Review {
        Review(
            jobID: try row.string(0), owner: try row.int64(1), ownerName: try row.string(2), origin: try row.decode(ReviewOrigin.self, 3),
            requestNote: try row.optionalString(4), openedAt: try row.double(5), decision: try row.optionalDecode(FinalDecision.self, 6),
            reasonCode: try row.optionalString(7), note: try row.optionalString(8), decidedBy: try row.optionalString(9),
            decidedAt: try row.optionalDouble(10))
    }

    public func setLanguage(userID: Int64, language: String) throws(StoreError) {
        try sql.execute("UPDATE users SET language = ?2 WHERE id = ?1", [.integer(userID), .text(language)])
    }

    public func review(jobID: String) throws(StoreError) -> Review? {
        try sql.query("\(Self.reviewSelect) WHERE j.id = ?1", [.text(jobID)], Self.readReview).first
    }

    public func reviews(jobIDs: [String]) throws(StoreError) -> [Review] {
        guard !jobIDs.isEmpty else { return [] }
        let placeholders = jobIDs.indices.map { "?\($0 + 1)" }.joined(separator: ", ")
        return try sql.query("\(Self.reviewSelect) WHERE j.id IN (\(placeholders))", jobIDs.map { .text($0) }, Self.readReview)
    }

    public func reviews(open: Bool, limit: Int, after: String?) throws(StoreError) -> [Review] {
        let page =
            open
            // Oldest first by when each came to review (an officer may send an old application today).
            ? """
            v.decision IS NULL AND (?1 IS NULL OR (v.opened_at, v.seq) > (SELECT r.opened_at, r.seq FROM reviews r JOIN jobs k ON k.seq = r.seq WHERE k.id = ?1))
            ORDER BY v.opened_at, v.seq
            """
            : """
            v.decision IS NOT NULL AND (?1 IS NULL OR v.decided_at < (SELECT decided_at FROM reviews WHERE seq = (SELECT seq FROM jobs WHERE id = ?1)))
            ORDER BY v.decided_at DESC
            """
        return try sql.query("\(Self.reviewSelect) WHERE \(page) LIMIT ?2", [.text(after), .int(limit)], Self.readReview)
    }

    /// The row number of a finished application (of `owner`, when given), locked for this
    /// transaction: two reviewers deciding at once take turns, and the second finds it decided.
    private func finishedJob(_ jobID: String, owner: Int64?) throws(StoreError) -> Int64 {
        guard
            let seq = try sql.query(
                "SELECT seq FROM jobs WHERE id = ?1 AND (?2 IS NULL OR owner = ?2) AND status = 'done'\(dialect.forUpdate)",
                [.text(jobID), .integer(owner)], { row throws(StoreError) in try row.int64(0) }
            ).first
        else { throw .noSuchJob(jobID) }
        return seq
    }

    public func requestReview(jobID: String, requester: User, note: String, address: String, now: Double) throws(StoreError) -> Review {
        try sql.transaction { () throws(StoreError) -> Review in
            let seq = try finishedJob(jobID, owner: requester.id)
            if let existing = try review(jobID: jobID) {
                throw .conflict(
                    existing.isOpen ? "This application is in the review queue already." : "This application has a final decision already.")
            }
            try sql.execute(
                "INSERT INTO reviews (seq, origin, request_note, opened_at) VALUES (?1, 'officer', ?2, ?3)",
                [.integer(seq), .text(note), .real(now)])
            try appendAuditInTransaction([
                (
                    AuditEntry(
                        actor: requester.id, actorName: requester.name, action: .reviewRequested, object: jobID,
                        address: address), now
                )
            ])
            guard let review = try review(jobID: jobID) else { throw .noSuchJob(jobID) }
            return review
        }
    }

    public func decide(jobID: String, decision: ReviewDecision, reviewer: User, address: String, now: Double) throws(StoreError) -> Review {
        try sql.transaction { () throws(StoreError) -> Review in
            let seq = try finishedJob(jobID, owner: nil)
            let existing = try review(jobID: jobID)
            if let existing, let decided = existing.decision { throw .conflict("This application was decided already (\(decided.rawValue)).") }
            if existing == nil {
                // Not referred and not sent to review: deciding it overrides the model.
                try sql.execute("INSERT INTO reviews (seq, origin, opened_at) VALUES (?1, 'override', ?2)", [.integer(seq), .real(now)])
            }
            try sql.execute(
                """
                UPDATE reviews SET decision = ?1, reason_code = ?2, note = ?3, decided_by = ?4, decided_at = ?5 WHERE seq = ?6 AND decision IS NULL
                """,
                [
                    .text(decision.decision.rawValue), .text(decision.reasonCode), .text(decision.note), .integer(reviewer.id), .real(now),
                    .integer(seq),
                ])
            let overrides = decision.modelDecision != "review" && existing?.origin != .officer
            try appendAuditInTransaction([
                (
                    AuditEntry(
                        actor: reviewer.id, actorName: reviewer.name, action: overrides ? .override : .decision,
                        object: jobID,
                        detail: "\(decision.decision.rawValue) \(decision.reasonCode) (model: \(decision.modelDecision))",
                        address: address), now
                )
            ])
            guard let review = try review(jobID: jobID) else { throw .noSuchJob(jobID) }
            return review
        }
    }

    public func job(id: String) throws(StoreError) -> Job? {
        try sql.query("SELECT \(Self.jobColumns) FROM \(Self.jobTables) WHERE j.id = ?1", [.text(id)], Self.readJob).first
    }

    public func allJobs(after: String?, limit: Int) throws(StoreError) -> [Job] {
        try sql.query(
            """
            SELECT \(Self.jobColumns) FROM \(Self.jobTables) WHERE (?1 IS NULL OR j.seq > (SELECT seq FROM jobs WHERE id = ?1)) ORDER BY j.seq LIMIT ?2
            """, [.text(after), .int(limit)], Self.readJob)
    }
}
