/// The model register and shadow results on PostgreSQL.
extension PostgresStore: ModelRegisterStore {
    /// The advisory lock that serialises changes to the model register.
    static let modelRegisterLockKey = "4242010004"

    public func modelAssignments() throws(StoreError) -> [ModelAssignment] {
        let rows = try connection.query("SELECT seq, at, action, model, file, actor_name FROM model_assignments ORDER BY seq")
        return rows.map { row in
            ModelAssignment(seq: rows.int(row, 0), at: rows.double(row, 1), action: ModelAssignmentAction(rawValue: rows.string(row, 2)) ?? .challenge,
                            model: rows.optionalString(row, 3), file: rows.optionalString(row, 4), actorName: rows.string(row, 5))
        }
    }

    @discardableResult
    public func assignModel(action: ModelAssignmentAction, version: ModelVersion?, actorName: String, expectedLastSeq: Int64,
                            audit: AuditEntry, now: Double) throws(StoreError) -> ModelAssignment {
        try connection.transaction { () throws(StoreError) -> ModelAssignment in
            let last = try connection.query("SELECT pg_advisory_xact_lock($1::bigint), (SELECT coalesce(max(seq), 0) FROM model_assignments)",
                                            [Self.modelRegisterLockKey]).int(0, 1)
            guard last == expectedLastSeq else { throw .conflict("the model register changed meanwhile; look again and retry") }
            let seq = try connection.query("""
                INSERT INTO model_assignments (at, action, model, file, actor_name) VALUES ($1::double precision, $2, $3, $4, $5) RETURNING seq
                """, [PostgresText.number(now), action.rawValue, version?.id, version?.file, actorName]).int(0, 0)
            try appendAuditInTransaction([audit], now: now)
            return ModelAssignment(seq: seq, at: now, action: action, model: version?.id, file: version?.file, actorName: actorName)
        }
    }

    /// Writes the challengers' results of jobs just recorded by `worker` (inside the caller's transaction).
    func recordShadows(_ shadows: [(id: String, result: ShadowResult)], worker: String) throws(StoreError) {
        func column(_ value: (ShadowResult) -> String) -> String? { PostgresText.array(shadows.map { value($0.result) }) }
        try connection.query("""
            INSERT INTO shadow_results (seq, champion_model, champion_pd, champion_decision, challenger_model, challenger_pd, challenger_decision, challenger_result)
            SELECT j.seq, s.champion_model, s.champion_pd, s.champion_decision, s.challenger_model, s.challenger_pd, s.challenger_decision, s.challenger_result
            FROM unnest($1::text[], $2::text[], $3::double precision[], $4::text[], $5::text[], $6::double precision[], $7::text[], $8::text[])
              AS s(id, champion_model, champion_pd, champion_decision, challenger_model, challenger_pd, challenger_decision, challenger_result)
            JOIN jobs j ON j.id = s.id AND j.status = 'done' AND j.worker = $9
            ON CONFLICT (seq) DO UPDATE SET champion_model = excluded.champion_model, champion_pd = excluded.champion_pd,
              champion_decision = excluded.champion_decision, challenger_model = excluded.challenger_model, challenger_pd = excluded.challenger_pd,
              challenger_decision = excluded.challenger_decision, challenger_result = excluded.challenger_result
            """, [PostgresText.array(shadows.map { $0.id }), column { $0.championModel }, column { PostgresText.number($0.championPD) },
                  column { $0.championDecision }, column { $0.challengerModel }, column { PostgresText.number($0.challengerPD) },
                  column { $0.challengerDecision }, column { $0.challengerResult }, worker])
    }

    public func shadowComparison(champion: String, challenger: String) throws(StoreError) -> ShadowComparison {
        let summary = try connection.query("""
            SELECT count(*), coalesce(avg((champion_decision = challenger_decision)::int), 0), coalesce(avg(challenger_pd - champion_pd), 0),
                   coalesce(avg(abs(challenger_pd - champion_pd)), 0), coalesce(max(abs(challenger_pd - champion_pd)), 0)
            FROM shadow_results WHERE challenger_model = $1 AND champion_model = $2
            """, [challenger, champion])
        let decisions = try connection.query("""
            SELECT champion_decision, challenger_decision, count(*) FROM shadow_results WHERE challenger_model = $1 AND champion_model = $2
            GROUP BY champion_decision, challenger_decision ORDER BY count(*) DESC, champion_decision, challenger_decision
            """, [challenger, champion])
        return ShadowComparison(championModel: champion, challengerModel: challenger, count: Int(summary.int(0, 0)),
                                agreementRate: summary.double(0, 1), meanPDDifference: summary.double(0, 2),
                                meanAbsolutePDDifference: summary.double(0, 3), maxAbsolutePDDifference: summary.double(0, 4),
                                decisions: decisions.map { row in
                                    ShadowComparison.DecisionChange(champion: decisions.string(row, 0), challenger: decisions.string(row, 1),
                                                                    count: Int(decisions.int(row, 2)))
                                })
    }

    public func shadowResult(jobID: String) throws(StoreError) -> ShadowResult? {
        let rows = try connection.query("""
            SELECT s.champion_model, s.champion_pd, s.champion_decision, s.challenger_model, s.challenger_pd, s.challenger_decision,
                   coalesce(s.challenger_result, '') FROM shadow_results s JOIN jobs j ON j.seq = s.seq WHERE j.id = $1
            """, [jobID])
        guard rows.count > 0 else { return nil }
        return ShadowResult(championModel: rows.string(0, 0), championPD: rows.double(0, 1), championDecision: rows.string(0, 2),
                            challengerModel: rows.string(0, 3), challengerPD: rows.double(0, 4), challengerDecision: rows.string(0, 5),
                            challengerResult: rows.string(0, 6))
    }

    public func scoredProbabilities(model: String, since: Double) throws(StoreError) -> [(at: Double, pd: Double)] {
        let rows = try connection.query("""
            SELECT j.submitted_at, (r.result::jsonb ->> 'probability_of_default')::double precision FROM jobs j JOIN job_results r ON r.seq = j.seq
            WHERE j.status = 'done' AND j.submitted_at >= $1::double precision AND r.result::jsonb ->> 'model' = $2 ORDER BY j.seq
            """, [PostgresText.number(since), model])
        return rows.map { (at: rows.double($0, 0), pd: rows.double($0, 1)) }
    }

    public func recordOutcomes(_ outcomes: [Outcome], audit: AuditEntry, now: Double) throws(StoreError) -> [Int] {
        try connection.transaction { () throws(StoreError) -> [Int] in
            var kinds: [String?] = [], keys: [String?] = [], flags: [String?] = [], times: [String?] = []
            for outcome in outcomes {
                switch outcome.key {
                case .job(let id): kinds.append("job"); keys.append(id)
                case .client(let id): kinds.append("client"); keys.append(id)
                }
                flags.append(outcome.defaulted ? "true" : "false")
                times.append(outcome.observedAt.map(PostgresText.number))
            }
            // Every outcome in one statement; `ord` keeps the file's order for the counts.
            let rows = try connection.query("""
                WITH given AS (
                  SELECT * FROM unnest($1::text[], $2::text[], $3::boolean[], $4::double precision[]) WITH ORDINALITY AS g(kind, key, defaulted, observed_at, ord)),
                matched AS (
                  SELECT g.ord, j.seq, g.defaulted, g.observed_at FROM given g
                  JOIN jobs j ON j.status = 'done' AND ((g.kind = 'job' AND j.id = g.key) OR (g.kind = 'client' AND j.client_id = g.key))),
                latest AS (SELECT DISTINCT ON (seq) * FROM matched ORDER BY seq, ord DESC),
                stored AS (
                  INSERT INTO outcomes (seq, defaulted, observed_at, recorded_at) SELECT seq, defaulted, observed_at, $5::double precision FROM latest
                  ON CONFLICT (seq) DO UPDATE SET defaulted = excluded.defaulted, observed_at = excluded.observed_at, recorded_at = excluded.recorded_at)
                SELECT g.ord, count(m.seq) FROM given g LEFT JOIN matched m ON m.ord = g.ord GROUP BY g.ord ORDER BY g.ord
                """, [PostgresText.array(kinds), PostgresText.array(keys), PostgresText.array(flags), PostgresText.array(times), PostgresText.number(now)])
            try appendAuditInTransaction([audit], now: now)
            return rows.map { Int(rows.int($0, 1)) }
        }
    }

    public func scoredOutcomes(since: Double) throws(StoreError) -> [ScoredOutcome] {
        let rows = try connection.query("""
            SELECT j.submitted_at, r.result::jsonb ->> 'model', (r.result::jsonb ->> 'probability_of_default')::double precision, o.defaulted
            FROM outcomes o JOIN jobs j ON j.seq = o.seq JOIN job_results r ON r.seq = o.seq
            WHERE j.submitted_at >= $1::double precision AND r.result IS NOT NULL ORDER BY j.seq
            """, [PostgresText.number(since)])
        return rows.map { row in
            ScoredOutcome(submittedAt: rows.double(row, 0), model: rows.string(row, 1), probabilityOfDefault: rows.double(row, 2), defaulted: rows.bool(row, 3))
        }
    }
}
