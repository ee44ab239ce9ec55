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

    // MARK: Accounts' language

    public func setLanguage(userID: Int64, language: String) throws(StoreError) {
        try sql.execute("UPDATE users SET language = ?2 WHERE id = ?1", [.integer(userID), .text(language)])
    }

    // MARK: Applications for reviewers

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
