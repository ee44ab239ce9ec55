/// Roles, reviews and the audit trail on SQLite. Each change and its audit row share a transaction.
extension SQLiteStore: GovernanceStore {
    // MARK: Accounts

    public func createUser(name: String, passwordHash: String, role: Role, mustChangePassword: Bool, audit: AuditEntry?,
                           now: Double) throws(StoreError) -> User {
        try database.transaction { () throws(StoreError) -> User in
            guard try user(named: name) == nil else { throw .userExists(name) }
            let user = try database.prepare("""
                INSERT INTO users (name, password_hash, created_at, role, must_change_password) VALUES (?, ?, ?, ?, ?) RETURNING \(Self.userColumns)
                """).rows([.text(name), .text(passwordHash), .real(now), .text(role.rawValue), .integer(mustChangePassword ? 1 : 0)], Self.readUser)[0]
            if let audit { try appendAuditInTransaction(audit, now: now) }
            return user
        }
    }

    @discardableResult
    public func updateUser(name: String, change: AccountChange, audit: AuditEntry?, now: Double) throws(StoreError) -> User {
        try database.transaction { () throws(StoreError) -> User in
            let statement: SQLiteStatement, values: [SQLiteValue]
            switch change {
            case .role(let role):
                statement = try database.prepare("UPDATE users SET role = ? WHERE name = ? RETURNING \(Self.userColumns)")
                values = [.text(role.rawValue), .text(name)]
            case .disabled(let disabled):
                statement = try database.prepare("UPDATE users SET disabled = ? WHERE name = ? RETURNING \(Self.userColumns)")
                values = [.integer(disabled ? 1 : 0), .text(name)]
            case .password(let hash, let mustChange):
                statement = try database.prepare("""
                    UPDATE users SET password_hash = ?, must_change_password = ?, token_generation = token_generation + 1
                    WHERE name = ? RETURNING \(Self.userColumns)
                    """)
                values = [.text(hash), .integer(mustChange ? 1 : 0), .text(name)]
            }
            guard let user = try statement.rows(values, Self.readUser).first else { throw .noSuchUser(name) }
            if let audit { try appendAuditInTransaction(audit, now: now) }
            return user
        }
    }

    // MARK: Audit trail

    public func appendAudit(_ entry: AuditEntry, now: Double) throws(StoreError) {
        try database.transaction { () throws(StoreError) in try appendAuditInTransaction(entry, now: now) }
    }

    /// Links a row to the last one: inside the caller's write transaction, so no other writer
    /// can take the same place in the chain.
    func appendAuditInTransaction(_ entry: AuditEntry, now: Double) throws(StoreError) {
        try appendAuditInTransaction([(entry, now)])
    }

    /// Several rows, in order, after one read of the chain's end (a group commit's submissions).
    func appendAuditInTransaction(_ entries: [(entry: AuditEntry, at: Double)]) throws(StoreError) {
        guard !entries.isEmpty else { return }
        let last = try database.prepare("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").rows { ($0.int(0), $0.string(1)) }.first
        var seq = last?.0 ?? 0, previous = last?.1 ?? AuditChain.origin
        let insert = try database.prepare("""
            INSERT INTO audit (seq, at, actor, actor_name, action, object, detail, address, previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (entry, at) in entries {
            seq += 1
            let hash = AuditChain.hash(seq: seq, at: at, entry: entry, previousHash: previous)
            try insert.run([.integer(seq), .real(at), entry.actor.map { .integer($0) } ?? .null, .text(entry.actorName), .text(entry.action.rawValue),
                            .text(entry.object), .text(entry.detail), .text(entry.address), .text(previous), .text(hash)])
            previous = hash
        }
    }

    private static let auditColumns = "seq, at, actor, actor_name, action, object, detail, address, previous_hash, hash"

    private static func readAudit(_ row: SQLiteStatement) -> AuditRecord {
        let entry = AuditEntry(actor: row.isNull(2) ? nil : row.int(2), actorName: row.string(3),
                               action: AuditAction(rawValue: row.string(4)) ?? .view, object: row.string(5), detail: row.string(6), address: row.string(7))
        return AuditRecord(seq: row.int(0), at: row.double(1), entry: entry, previousHash: row.string(8), hash: row.string(9))
    }

    public func auditRecords(_ filter: AuditFilter, limit: Int) throws(StoreError) -> [AuditRecord] {
        // The action is written into the statement (it is one of a fixed set of names), so that
        // SQLite sees it is not a submission and reads the partial indexes.
        let action = filter.action.map { "action = '\($0.rawValue)'" } ?? "1"
        return try database.prepare("""
            SELECT \(Self.auditColumns) FROM audit
            WHERE \(action) AND (?1 IS NULL OR actor_name = ?1) AND (?2 IS NULL OR at >= ?2) AND (?3 IS NULL OR at < ?3) AND (?4 IS NULL OR seq < ?4)
            ORDER BY seq DESC LIMIT ?5
            """).rows([filter.actorName.map { .text($0) } ?? .null, filter.since.map { .real($0) } ?? .null, filter.until.map { .real($0) } ?? .null,
                       filter.before.map { .integer($0) } ?? .null, .integer(Int64(limit))], Self.readAudit)
    }

    public func auditChain(after seq: Int64, limit: Int) throws(StoreError) -> [AuditRecord] {
        try database.prepare("SELECT \(Self.auditColumns) FROM audit WHERE seq > ? ORDER BY seq LIMIT ?")
            .rows([.integer(seq), .integer(Int64(limit))], Self.readAudit)
    }

    // MARK: Reviews

    private static let reviewSelect = """
        SELECT j.id, j.owner, u.name, v.origin, v.request_note, v.opened_at, v.decision, v.reason_code, v.note, d.name, v.decided_at
        FROM reviews v JOIN jobs j ON j.seq = v.seq JOIN users u ON u.id = j.owner LEFT JOIN users d ON d.id = v.decided_by
        """

    private static func readReview(_ row: SQLiteStatement) -> Review {
        Review(jobID: row.string(0), owner: row.int(1), ownerName: row.string(2), origin: ReviewOrigin(rawValue: row.string(3)) ?? .model,
               requestNote: row.optionalString(4), openedAt: row.double(5), decision: row.optionalString(6).flatMap(FinalDecision.init(rawValue:)),
               reasonCode: row.optionalString(7), note: row.optionalString(8), decidedBy: row.optionalString(9), decidedAt: row.optionalDouble(10))
    }

    public func review(jobID: String) throws(StoreError) -> Review? {
        try database.prepare("\(Self.reviewSelect) WHERE j.id = ?").rows([.text(jobID)], Self.readReview).first
    }

    public func reviews(open: Bool, limit: Int, after: String?) throws(StoreError) -> [Review] {
        let after: SQLiteValue = after.map { .text($0) } ?? .null
        if open {
            return try database.prepare("""
                \(Self.reviewSelect) WHERE v.decision IS NULL AND (?1 IS NULL OR v.seq > (SELECT seq FROM jobs WHERE id = ?1)) ORDER BY v.seq LIMIT ?2
                """).rows([after, .integer(Int64(limit))], Self.readReview)
        }
        return try database.prepare("""
            \(Self.reviewSelect) WHERE v.decision IS NOT NULL AND (?1 IS NULL OR v.decided_at < (SELECT decided_at FROM reviews WHERE seq = (SELECT seq FROM jobs WHERE id = ?1)))
            ORDER BY v.decided_at DESC LIMIT ?2
            """).rows([after, .integer(Int64(limit))], Self.readReview)
    }

    public func requestReview(jobID: String, requester: User, note: String, address: String, now: Double) throws(StoreError) -> Review {
        try database.transaction { () throws(StoreError) -> Review in
            guard let seq = try database.prepare("SELECT seq FROM jobs WHERE id = ? AND owner = ? AND status = 'done'")
                .rows([.text(jobID), .integer(requester.id)], { $0.int(0) }).first else { throw .noSuchJob(jobID) }
            if let existing = try review(jobID: jobID) {
                throw .conflict(existing.isOpen ? "This application is in the review queue already." : "This application has a final decision already.")
            }
            try database.prepare("INSERT INTO reviews (seq, origin, request_note, opened_at) VALUES (?, 'officer', ?, ?)")
                .run([.integer(seq), .text(note), .real(now)])
            try appendAuditInTransaction(AuditEntry(actor: requester.id, actorName: requester.name, action: .reviewRequested, object: jobID,
                                                    address: address), now: now)
            return try review(jobID: jobID)!
        }
    }

    public func decide(jobID: String, decision: ReviewDecision, reviewer: User, address: String, now: Double) throws(StoreError) -> Review {
        try database.transaction { () throws(StoreError) -> Review in
            guard let seq = try database.prepare("SELECT seq FROM jobs WHERE id = ? AND status = 'done'")
                .rows([.text(jobID)], { $0.int(0) }).first else { throw .noSuchJob(jobID) }
            let existing = try review(jobID: jobID)
            if let existing, !existing.isOpen { throw .conflict("This application was decided already (\(existing.decision!.rawValue)).") }
            if existing == nil {
                // Not referred and not sent to review: deciding it overrides the model.
                try database.prepare("INSERT INTO reviews (seq, origin, opened_at) VALUES (?, 'override', ?)").run([.integer(seq), .real(now)])
            }
            try database.prepare("""
                UPDATE reviews SET decision = ?, reason_code = ?, note = ?, decided_by = ?, decided_at = ? WHERE seq = ? AND decision IS NULL
                """).run([.text(decision.decision.rawValue), .text(decision.reasonCode), .text(decision.note), .integer(reviewer.id), .real(now), .integer(seq)])
            let overrides = decision.modelDecision != "review" && existing?.origin != .officer
            try appendAuditInTransaction(AuditEntry(actor: reviewer.id, actorName: reviewer.name, action: overrides ? .override : .decision,
                                                    object: jobID, detail: "\(decision.decision.rawValue) \(decision.reasonCode) (model: \(decision.modelDecision))",
                                                    address: address), now: now)
            return try review(jobID: jobID)!
        }
    }

    public func job(id: String) throws(StoreError) -> Job? {
        try database.prepare("SELECT \(Self.jobColumns) FROM \(Self.jobTables) WHERE j.id = ?").rows([.text(id)], Self.readJob).first
    }

    public func allJobs(after: String?, limit: Int) throws(StoreError) -> [Job] {
        try database.prepare("""
            SELECT \(Self.jobColumns) FROM \(Self.jobTables) WHERE (?1 IS NULL OR j.seq > (SELECT seq FROM jobs WHERE id = ?1)) ORDER BY j.seq LIMIT ?2
            """).rows([after.map { .text($0) } ?? .null, .integer(Int64(limit))], Self.readJob)
    }
}
