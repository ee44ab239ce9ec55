import CreditGovernance

/// The model register, shadow results and outcomes.
extension SQLStore: ModelRegisterStore {
    public func modelAssignments() throws(StoreError) -> [ModelAssignment] {
        try sql.query("SELECT seq, at, action, model, file, actor_name FROM model_assignments ORDER BY seq") { row throws(StoreError) in
            ModelAssignment(
                seq: try row.int64(0), at: try row.double(1), action: try row.decode(ModelAssignmentAction.self, 2),
                model: try row.optionalString(3), file: try row.optionalString(4), actorName: try row.string(5))
        }
    }

    @discardableResult
    public func assignModel(
        action: ModelAssignmentAction, version: ModelVersion?, actorName: String, expectedLastSeq: Int64,
        audit: AuditEntry, now: Double
    ) throws(StoreError) -> ModelAssignment {
        try sql.transaction { () throws(StoreError) -> ModelAssignment in
            try sql.lock(.modelRegister)
            let last = try sql.query("SELECT coalesce(max(seq), 0) FROM model_assignments") { row throws(StoreError) in try row.int64(0) }.first
            guard last == expectedLastSeq else { throw .conflict("the model register changed meanwhile; look again and retry") }
            guard
                let seq = try sql.query(
                    """
                    INSERT INTO model_assignments (at, action, model, file, actor_name) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING seq
                    """, [.real(now), .text(action.rawValue), .text(version?.id), .text(version?.file), .text(actorName)],
                    {
                        row throws(StoreError) in try row.int64(0)
                    }
                ).first
            else { throw .invalid("the model register did not take the change") }
            try appendAuditInTransaction([(audit, now)])
            return ModelAssignment(seq: seq, at: now, action: action, model: version?.id, file: version?.file, actorName: actorName)
        }
    }

    /// Writes the challenger's result of a job just recorded (inside the caller's transaction).
    func recordShadow(seq: Int64, _ shadow: ShadowResult) throws(StoreError) {
        try sql.execute(
            """
            INSERT INTO shadow_results (seq, champion_model, champion_pd, champion_decision, challenger_model, challenger_pd, challenger_decision,
                                        challenger_result) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            ON CONFLICT (seq) DO UPDATE SET champion_model = excluded.champion_model, champion_pd = excluded.champion_pd,
              champion_decision = excluded.champion_decision, challenger_model = excluded.challenger_model, challenger_pd = excluded.challenger_pd,
              challenger_decision = excluded.challenger_decision, challenger_result = excluded.challenger_result
            """,
            [
                .integer(seq), .text(shadow.championModel), .real(shadow.championPD), .text(shadow.championDecision), .text(shadow.challengerModel),
                .real(shadow.challengerPD), .text(shadow.challengerDecision), .text(shadow.challengerResult),
            ])
    }

    public func shadowComparison(champion: String, challenger: String) throws(StoreError) -> ShadowComparison {
        let models: [SQLValue] = [.text(challenger), .text(champion)]
        let summary = try sql.query(
            """
            SELECT count(*), coalesce(avg(CASE WHEN champion_decision = challenger_decision THEN 1.0 ELSE 0.0 END), 0),
                   coalesce(avg(challenger_pd - champion_pd), 0), coalesce(avg(abs(challenger_pd - champion_pd)), 0),
                   coalesce(max(abs(challenger_pd - champion_pd)), 0)
            FROM shadow_results WHERE challenger_model = ?1 AND champion_model = ?2
            """, models
        ) { row throws(StoreError) in
            (try row.int(0), try row.double(1), try row.double(2), try row.double(3), try row.double(4))
        }[0]
        let decisions = try sql.query(
            """
            SELECT champion_decision, challenger_decision, count(*) FROM shadow_results WHERE challenger_model = ?1 AND champion_model = ?2
            GROUP BY champion_decision, challenger_decision ORDER BY count(*) DESC, champion_decision, challenger_decision
            """, models
        ) { row throws(StoreError) in
            ShadowComparison.DecisionChange(champion: try row.string(0), challenger: try row.string(1), count: try row.int(2))
        }
        return ShadowComparison(
            championModel: champion, challengerModel: challenger, count: summary.0, agreementRate: summary.1,
            meanPDDifference: summary.2, meanAbsolutePDDifference: summary.3, maxAbsolutePDDifference: summary.4,
            decisions: decisions)
    }

    public func shadowResult(jobID: String) throws(StoreError) -> ShadowResult? {
        try sql.query(
            """
            SELECT s.champion_model, s.champion_pd, s.champion_decision, s.challenger_model, s.challenger_pd, s.challenger_decision,
                   coalesce(s.challenger_result, '') FROM shadow_results s JOIN jobs j ON j.seq = s.seq WHERE j.id = ?1
            """, [.text(jobID)]
        ) { row throws(StoreError) in
            ShadowResult(
                championModel: try row.string(0), championPD: try row.double(1), championDecision: try row.string(2),
                challengerModel: try row.string(3), challengerPD: try row.double(4), challengerDecision: try row.string(5),
                challengerResult: try row.string(6))
        }.first
    }

    public func scoredProbabilities(model: String, since: Double) throws(StoreError) -> [(at: Double, pd: Double)] {
        try sql.query(
            """
            SELECT j.submitted_at, \(dialect.jsonNumber("r.result", "probability_of_default")) FROM jobs j JOIN job_results r ON r.seq = j.seq
            WHERE j.status = 'done' AND j.submitted_at >= ?1 AND \(dialect.jsonText("r.result", "model")) = ?2 ORDER BY j.seq
            """, [.real(since), .text(model)]
        ) { row throws(StoreError) in (at: try row.double(0), pd: try row.double(1)) }
    }

    public func recentScoredJobs(model: String, since: Double, limit: Int) throws(StoreError) -> [Job] {
        try sql.query(
            """
            SELECT \(Self.jobColumns) FROM \(Self.jobTables)
            WHERE j.status = 'done' AND j.submitted_at >= ?1 AND \(dialect.jsonText("r.result", "model")) = ?2 ORDER BY j.seq DESC LIMIT ?3
            """, [.real(since), .text(model), .int(limit)], Self.readJob)
    }

    public func scoredOutcomes(since: Double) throws(StoreError) -> [ScoredOutcome] {
        try sql.query(
            """
            SELECT j.submitted_at, \(dialect.jsonText("r.result", "model")), \(dialect.jsonNumber("r.result", "probability_of_default")), o.defaulted
            FROM outcomes o JOIN jobs j ON j.seq = o.seq JOIN job_results r ON r.seq = o.seq
            WHERE j.submitted_at >= ?1 AND r.result IS NOT NULL ORDER BY j.seq
            """, [.real(since)]
        ) { row throws(StoreError) in
            ScoredOutcome(
                submittedAt: try row.double(0), model: try row.string(1), probabilityOfDefault: try row.double(2), defaulted: try row.bool(3))
        }
    }
}
