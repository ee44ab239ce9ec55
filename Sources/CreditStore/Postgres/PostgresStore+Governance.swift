/// Roles, reviews and the audit trail on PostgreSQL. Each change and its audit row share a
/// transaction; appends to the chain take an advisory lock so that writers on any host queue.
extension PostgresStore: GovernanceStore {
    /// The advisory lock that serialises appends to the audit chain.
    static let auditLockKey = "4242010003"

    // MARK: Accounts

    public func createUser(name: String, passwordHash: String, role: Role, mustChangePassword: Bool, audit: AuditEntry?,
                           now: Double) throws(StoreError) -> User {
        try connection.transaction { () throws(StoreError) -> User in
            let rows = try connection.query("""
                INSERT INTO users (name, password_hash, created_at, role, must_change_password) VALUES ($1, $2, $3::double precision, $4, $5::boolean)
                ON CONFLICT ((lower(name))) DO NOTHING RETURNING \(Self.userColumns)
                """, [name, passwordHash, PostgresText.number(now), role.rawValue, mustChangePassword ? "true" : "false"])
            guard rows.count == 1 else { throw .userExists(name) }
            if let audit { try appendAuditInTransaction([audit], now: now) }
            return Self.readUser(rows, 0)
        }
    }

    @discardableResult
    public func updateUser(name: String, change: AccountChange, audit: AuditEntry?, now: Double) throws(StoreError) -> User {
        try connection.transaction { () throws(StoreError) -> User in
            let rows: PostgresRows
            switch change {
            case .role(let role):
                rows = try connection.query("UPDATE users SET role = $1 WHERE lower(name) = lower($2) RETURNING \(Self.userColumns)", [role.rawValue, name])
            case .disabled(let disabled):
                rows = try connection.query("UPDATE users SET disabled = $1::boolean WHERE lower(name) = lower($2) RETURNING \(Self.userColumns)",
                                            [disabled ? "true" : "false", name])
            case .password(let hash, let mustChange):
                rows = try connection.query("""
                    UPDATE users SET password_hash = $1, must_change_password = $2::boolean, token_generation = token_generation + 1
                    WHERE lower(name) = lower($3) RETURNING \(Self.userColumns)
                    """, [hash, mustChange ? "true" : "false", name])
            }
            guard rows.count == 1 else { throw .noSuchUser(name) }
            if let audit { try appendAuditInTransaction([audit], now: now) }
            return Self.readUser(rows, 0)
        }
    }

    // MARK: Audit trail

    public func appendAudit(_ entry: AuditEntry, now: Double) throws(StoreError) {
        try connection.transaction { () throws(StoreError) in try appendAuditInTransaction([entry], now: now) }
    }

    /// Links rows to the last one, under the chain's lock (held to the end of the caller's
    /// transaction), in two round trips however many rows.
    func appendAuditInTransaction(_ entries: [AuditEntry], now: Double) throws(StoreError) {
        guard !entries.isEmpty else { return }
        let last = try connection.query("""
            SELECT pg_advisory_xact_lock($1::bigint), (SELECT seq FROM audit ORDER BY seq DESC LIMIT 1), (SELECT hash FROM audit ORDER BY seq DESC LIMIT 1)
            """, [Self.auditLockKey])
        var seq = last.isNull(0, 1) ? 0 : last.int(0, 1)
        var previous = last.isNull(0, 2) ? AuditChain.origin : last.string(0, 2)
        var columns: [[String?]] = Array(repeating: [], count: 9)
        for entry in entries {
            seq += 1
            let hash = AuditChain.hash(seq: seq, at: now, entry: entry, previousHash: previous)
            let row: [String?] = [String(seq), entry.actor.map { String($0) }, entry.actorName, entry.action.rawValue, entry.object, entry.detail,
                                  entry.address, previous, hash]
            for (index, value) in row.enumerated() { columns[index].append(value) }
            previous = hash
        }
        try connection.query("""
            INSERT INTO audit (seq, at, actor, actor_name, action, object, detail, address, previous_hash, hash)
            SELECT s, $1::double precision, a, n, act, o, d, ad, p, h
            FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
              AS t(s, a, n, act, o, d, ad, p, h)
            """, [PostgresText.number(now)] + columns.map { PostgresText.array($0) })
    }

    private static let auditColumns = "seq, at, actor, actor_name, action, object, detail, address, previous_hash, hash"

    private static func readAudit(_ rows: PostgresRows, _ row: Int) -> AuditRecord {
        let entry = AuditEntry(actor: rows.isNull(row, 2) ? nil : rows.int(row, 2), actorName: rows.string(row, 3),
                               action: AuditAction(rawValue: rows.string(row, 4)) ?? .view, object: rows.string(row, 5),
                               detail: rows.string(row, 6), address: rows.string(row, 7))
        return AuditRecord(seq: rows.int(row, 0), at: rows.double(row, 1), entry: entry, previousHash: rows.string(row, 8), hash: rows.string(row, 9))
    }

    public func auditRecords(_ filter: AuditFilter, limit: Int) throws(StoreError) -> [AuditRecord] {
        // The action is written into the statement (one of a fixed set of names) so that the
        // planner sees it is not a submission and reads the partial indexes.
        let action = filter.action.map { "action = '\($0.rawValue)'" } ?? "true"
        let rows = try connection.query("""
            SELECT \(Self.auditColumns) FROM audit
            WHERE \(action) AND ($1::text IS NULL OR actor_name = $1) AND ($2::double precision IS NULL OR at >= $2)
              AND ($3::double precision IS NULL OR at < $3) AND ($4::bigint IS NULL OR seq < $4)
            ORDER BY seq DESC LIMIT $5::integer
            """, [filter.actorName, filter.since.map { PostgresText.number($0) }, filter.until.map { PostgresText.number($0) },
                  filter.before.map { PostgresText.number($0) }, PostgresText.number(limit)])
        return rows.map { Self.readAudit(rows, $0) }
    }

    public func auditChain(after seq: Int64, limit: Int) throws(StoreError) -> [AuditRecord] {
        let rows = try connection.query("SELECT \(Self.auditColumns) FROM audit WHERE seq > $1::bigint ORDER BY seq LIMIT $2::integer",
                                        [PostgresText.number(seq), PostgresText.number(limit)])
        return rows.map { Self.readAudit(rows, $0) }
    }

    // MARK: Reviews

    private static let reviewSelect = """
        SELECT j.id, j.owner, u.name, v.origin, v.request_note, v.opened_at, v.decision, v.reason_code, v.note, d.name, v.decided_at
        FROM reviews v JOIN jobs j ON j.seq = v.seq JOIN users u ON u.id = j.owner LEFT JOIN users d ON d.id = v.decided_by
        """

    private static func readReview(_ rows: PostgresRows, _ row: Int) -> Review {
        Review(jobID: rows.string(row, 0), owner: rows.int(row, 1), ownerName: rows.string(row, 2),
               origin: ReviewOrigin(rawValue: rows.string(row, 3)) ?? .model, requestNote: rows.optionalString(row, 4),
               openedAt: rows.double(row, 5), decision: rows.optionalString(row, 6).flatMap(FinalDecision.init(rawValue:)),
               reasonCode: rows.optionalString(row, 7), note: rows.optionalString(row, 8), decidedBy: rows.optionalString(row, 9),
               decidedAt: rows.optionalDouble(row, 10))
    }

    public func review(jobID: String) throws(StoreError) -> Review? {
        let rows = try connection.query("\(Self.reviewSelect) WHERE j.id = $1", [jobID])
        return rows.count == 0 ? nil : Self.readReview(rows, 0)
    }

    public func reviews(open: Bool, limit: Int, after: String?) throws(StoreError) -> [Review] {
        let rows = open
            ? try connection.query("""
                \(Self.reviewSelect) WHERE v.decision IS NULL AND ($1::text IS NULL OR v.seq > (SELECT seq FROM jobs WHERE id = $1)) ORDER BY v.seq LIMIT $2::integer
                """, [after, PostgresText.number(limit)])
            : try connection.query("""
                \(Self.reviewSelect) WHERE v.decision IS NOT NULL
                  AND ($1::text IS NULL OR v.decided_at < (SELECT decided_at FROM reviews WHERE seq = (SELECT seq FROM jobs WHERE id = $1)))
                ORDER BY v.decided_at DESC LIMIT $2::integer
                """, [after, PostgresText.number(limit)])
        return rows.map { Self.readReview(rows, $0) }
    }

    public func requestReview(jobID: String, requester: User, note: String, address: String, now: Double) throws(StoreError) -> Review {
        try connection.transaction { () throws(StoreError) -> Review in
            let job = try connection.query("SELECT seq FROM jobs WHERE id = $1 AND owner = $2::bigint AND status = 'done' FOR UPDATE",
                                           [jobID, PostgresText.number(requester.id)])
            guard job.count == 1 else { throw .noSuchJob(jobID) }
            if let existing = try review(jobID: jobID) {
                throw .conflict(existing.isOpen ? "This application is in the review queue already." : "This application has a final decision already.")
            }
            try connection.query("INSERT INTO reviews (seq, origin, request_note, opened_at) VALUES ($1::bigint, 'officer', $2, $3::double precision)",
                                 [job.string(0, 0), note, PostgresText.number(now)])
            try appendAuditInTransaction([AuditEntry(actor: requester.id, actorName: requester.name, action: .reviewRequested, object: jobID,
                                                     address: address)], now: now)
            return try review(jobID: jobID)!
        }
    }

    public func decide(jobID: String, decision: ReviewDecision, reviewer: User, address: String, now: Double) throws(StoreError) -> Review {
        try connection.transaction { () throws(StoreError) -> Review in
            // The job's row lock makes two reviewers deciding at once take turns; the second finds it decided.
            let job = try connection.query("SELECT seq FROM jobs WHERE id = $1 AND status = 'done' FOR UPDATE", [jobID])
            guard job.count == 1 else { throw .noSuchJob(jobID) }
            let seq = job.string(0, 0)
            let existing = try review(jobID: jobID)
            if let existing, !existing.isOpen { throw .conflict("This application was decided already (\(existing.decision!.rawValue)).") }
            if existing == nil {
                try connection.query("INSERT INTO reviews (seq, origin, opened_at) VALUES ($1::bigint, 'override', $2::double precision)",
                                     [seq, PostgresText.number(now)])
            }
            try connection.query("""
                UPDATE reviews SET decision = $1, reason_code = $2, note = $3, decided_by = $4::bigint, decided_at = $5::double precision
                WHERE seq = $6::bigint AND decision IS NULL
                """, [decision.decision.rawValue, decision.reasonCode, decision.note, PostgresText.number(reviewer.id), PostgresText.number(now), seq])
            let overrides = decision.modelDecision != "review" && existing?.origin != .officer
            try appendAuditInTransaction([AuditEntry(actor: reviewer.id, actorName: reviewer.name, action: overrides ? .override : .decision,
                                                     object: jobID, detail: "\(decision.decision.rawValue) \(decision.reasonCode) (model: \(decision.modelDecision))",
                                                     address: address)], now: now)
            return try review(jobID: jobID)!
        }
    }

    public func job(id: String) throws(StoreError) -> Job? {
        let rows = try connection.query("SELECT \(Self.jobColumns) FROM \(Self.jobTables) WHERE j.id = $1", [id])
        return rows.count == 0 ? nil : Self.readJob(rows, 0)
    }

    public func allJobs(after: String?, limit: Int) throws(StoreError) -> [Job] {
        let rows = try connection.query("""
            SELECT \(Self.jobColumns) FROM \(Self.jobTables) WHERE ($1::text IS NULL OR j.seq > (SELECT seq FROM jobs WHERE id = $1)) ORDER BY j.seq LIMIT $2::integer
            """, [after, PostgresText.number(limit)])
        return rows.map { Self.readJob(rows, $0) }
    }
}
