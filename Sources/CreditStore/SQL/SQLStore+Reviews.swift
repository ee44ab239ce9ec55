import CreditGovernance

/// Review rounds: the queue, customers' requests for review, verified inputs and final
/// decisions. An application has one row per round; the latest is its review. Each change and
/// its audit row share a transaction. The rules (override, who may decide, due dates) are
/// ``ReviewRules``'s.
extension SQLStore {
    /// A round with its application's owner, its decider, its re-score and the decider of the round before.
    private static let reviewSelect = """
        SELECT j.id, j.owner, u.name, v.origin, v.request_note, v.opened_at, v.decision, v.reason_code, v.note, d.name, v.decided_at,
               v.round, v.statement, v.documents, v.due_at, rj.id, p.decided_by, pd.name
        FROM reviews v JOIN jobs j ON j.seq = v.seq JOIN users u ON u.id = j.owner LEFT JOIN users d ON d.id = v.decided_by
        LEFT JOIN jobs rj ON rj.seq = v.rescore_seq
        LEFT JOIN reviews p ON p.seq = v.seq AND p.round = v.round - 1 LEFT JOIN users pd ON pd.id = p.decided_by
        """

    /// Keeps each application's latest round.
    private static let latestRound = "v.round = (SELECT max(x.round) FROM reviews x WHERE x.seq = v.seq)"

    private static func readReview(_ row: any SQLRow) throws(StoreError) -> Review {
        var review = Review(
            jobID: try row.string(0), owner: try row.int64(1), ownerName: try row.string(2), origin: try row.decode(ReviewOrigin.self, 3),
            requestNote: try row.optionalString(4), openedAt: try row.double(5), decision: try row.optionalDecode(FinalDecision.self, 6),
            reasonCode: try row.optionalString(7), note: try row.optionalString(8), decidedBy: try row.optionalString(9),
            decidedAt: try row.optionalDouble(10))
        review.round = try row.int(11)
        review.statement = try row.optionalString(12)
        review.documents = ReviewDocument.list(try row.optionalString(13))
        review.dueAt = try row.optionalDouble(14)
        review.rescoreID = try row.optionalString(15)
        review.previousDeciderID = try row.optionalInt64(16)
        review.previousDecidedBy = try row.optionalString(17)
        return review
    }

    public func review(jobID: String) throws(StoreError) -> Review? {
        try sql.query("\(Self.reviewSelect) WHERE j.id = ?1 ORDER BY v.round DESC LIMIT 1", [.text(jobID)], Self.readReview).first
    }

    public func reviewRounds(jobID: String) throws(StoreError) -> [Review] {
        try sql.query("\(Self.reviewSelect) WHERE j.id = ?1 ORDER BY v.round", [.text(jobID)], Self.readReview)
    }

    public func reviews(jobIDs: [String]) throws(StoreError) -> [Review] {
        guard !jobIDs.isEmpty else { return [] }
        let placeholders = jobIDs.indices.map { "?\($0 + 1)" }.joined(separator: ", ")
        return try sql.query(
            "\(Self.reviewSelect) WHERE j.id IN (\(placeholders)) AND \(Self.latestRound)", jobIDs.map { .text($0) }, Self.readReview)
    }

    /// Customers' requests first, by due date; then the others oldest first by when each came to
    /// review (an officer may send an old application today). The same key pages on.
    private static func urgency(_ alias: String) -> String {
        "CASE WHEN \(alias).due_at IS NULL THEN 1 ELSE 0 END, coalesce(\(alias).due_at, 0), \(alias).opened_at, \(alias).seq"
    }

    public func reviews(open: Bool, limit: Int, after: String?) throws(StoreError) -> [Review] {
        let page =
            open
            ? """
            v.decision IS NULL AND (?1 IS NULL OR (\(Self.urgency("v"))) >
              (SELECT \(Self.urgency("r")) FROM reviews r JOIN jobs k ON k.seq = r.seq WHERE k.id = ?1 AND r.decision IS NULL))
            ORDER BY \(Self.urgency("v"))
            """
            : """
            v.decision IS NOT NULL
            AND (?1 IS NULL OR v.decided_at < (SELECT max(decided_at) FROM reviews WHERE seq = (SELECT seq FROM jobs WHERE id = ?1)))
            ORDER BY v.decided_at DESC
            """
        return try sql.query("\(Self.reviewSelect) WHERE \(page) LIMIT ?2", [.text(after), .int(limit)], Self.readReview)
    }

    public func reviewRequests(open: Bool, limit: Int) throws(StoreError) -> [Review] {
        let order = open ? "v.decision IS NULL ORDER BY v.due_at, v.seq" : "v.decision IS NOT NULL ORDER BY v.decided_at DESC"
        return try sql.query("\(Self.reviewSelect) WHERE v.origin = 'customer' AND \(order) LIMIT ?1", [.int(limit)], Self.readReview)
    }

    public func overdueReviewRequests(now: Double) throws(StoreError) -> Int {
        try sql.query(
            "SELECT count(*) FROM reviews WHERE decision IS NULL AND origin = 'customer' AND due_at < ?1", [.real(now)],
            { row throws(StoreError) in try row.int(0) }
        ).first ?? 0
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

    /// The application's latest round, refused when it is still open.
    private func closedRound(_ jobID: String) throws(StoreError) -> Review? {
        let existing = try review(jobID: jobID)
        if let existing, existing.isOpen { throw .conflict("This application is in the review queue already.") }
        return existing
    }

    /// The review just written, read back.
    private func written(_ jobID: String) throws(StoreError) -> Review {
        guard let review = try review(jobID: jobID) else { throw .noSuchJob(jobID) }
        return review
    }

    public func requestReview(jobID: String, requester: User, note: String, address: String, now: Double) throws(StoreError) -> Review {
        try sql.transaction { () throws(StoreError) -> Review in
            let seq = try finishedJob(jobID, owner: requester.id)
            if try closedRound(jobID) != nil { throw .conflict("This application has a final decision already.") }
            try sql.execute(
                "INSERT INTO reviews (seq, origin, request_note, opened_at) VALUES (?1, 'officer', ?2, ?3)",
                [.integer(seq), .text(note), .real(now)])
            try appendAuditInTransaction([
                (AuditEntry(actor: requester.id, actorName: requester.name, action: .reviewRequested, object: jobID, address: address), now)
            ])
            return try written(jobID)
        }
    }

    public func requestCustomerReview(
        jobID: String, requester: User, request: CustomerReviewRequest, address: String, now: Double
    ) throws(StoreError) -> Review {
        try sql.transaction { () throws(StoreError) -> Review in
            let seq = try finishedJob(jobID, owner: requester.id)
            let round = (try closedRound(jobID)?.round ?? 0) + 1
            let documents = ReviewDocument.stored(request.documents)
            try sql.execute(
                """
                INSERT INTO reviews (seq, round, origin, opened_at, statement, documents, due_at) VALUES (?1, ?2, 'customer', ?3, ?4, ?5, ?6)
                """,
                [
                    .integer(seq), .int(round), .real(now), .text(request.statement), .text(documents),
                    .real(ReviewRules.dueAt(requestedAt: now, reviewDays: request.reviewDays)),
                ])
            // The documents' codes, never the customer's words: the statement stays with the round.
            try appendAuditInTransaction([
                (
                    AuditEntry(
                        actor: requester.id, actorName: requester.name, action: .customerReviewRequested, object: jobID,
                        detail: "round \(round); documents: \(documents.isEmpty ? "none" : documents)", address: address), now
                )
            ])
            return try written(jobID)
        }
    }

    public func correctInputs(
        jobID: String, rescore: Submission, fields: [String], reviewer: User, address: String, now: Double
    ) throws(StoreError) -> Job {
        try sql.transaction { () throws(StoreError) -> Job in
            let seq = try finishedJob(jobID, owner: nil)
            guard let current = try review(jobID: jobID), current.isOpen else {
                throw .conflict("Inputs can be corrected only while the application is in the review queue.")
            }
            guard rescore.rescoreOf == jobID, rescore.owner == current.owner else {
                throw .invalid("a re-score with verified inputs belongs to the application's officer and names the application")
            }
            let job = try insertJob(rescore).job
            try sql.execute(
                "UPDATE reviews SET rescore_seq = (SELECT seq FROM jobs WHERE id = ?2) WHERE seq = ?1 AND decision IS NULL",
                [.integer(seq), .text(job.id)])
            // The fields' names, never their values (the values stay in the applications).
            try appendAuditInTransaction([
                (
                    AuditEntry(
                        actor: reviewer.id, actorName: reviewer.name, action: .inputsCorrected, object: jobID,
                        detail: "rescore \(job.id); fields: \(fields.sorted().joined(separator: ", "))", address: address), now
                )
            ])
            try jobsQueuedInTransaction()
            return job
        }
    }

    public func decide(jobID: String, decision: ReviewDecision, reviewer: User, address: String, now: Double) throws(StoreError) -> Review {
        try sql.transaction { () throws(StoreError) -> Review in
            let seq = try finishedJob(jobID, owner: nil)
            let existing = try review(jobID: jobID)
            if let existing, let decided = existing.decision { throw .conflict("This application was decided already (\(decided.rawValue)).") }
            if let existing, !ReviewRules.mayDecide(existing, reviewer: reviewer.id) { throw .refused(ReviewRules.secondReviewRefusal) }
            if existing == nil {
                // Not referred and not sent to review: a reviewer decides it on their own.
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
            let overrides = ReviewRules.isOverride(modelDecision: decision.modelDecision, finalDecision: decision.decision)
            try appendAuditInTransaction([
                (
                    AuditEntry(
                        actor: reviewer.id, actorName: reviewer.name, action: overrides ? .override : .decision, object: jobID,
                        detail: ReviewRules.auditDetail(decision, round: existing?.round ?? 1), address: address), now
                )
            ])
            return try written(jobID)
        }
    }
}
