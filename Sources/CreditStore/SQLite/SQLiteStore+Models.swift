/// The model register and shadow results on SQLite.
extension SQLiteStore: ModelRegisterStore {
    public func modelAssignments() throws(StoreError) -> [ModelAssignment] {
        try database.prepare("SELECT seq, at, action, model, file, actor_name FROM model_assignments ORDER BY seq").rows { row in
            ModelAssignment(seq: row.int(0), at: row.double(1), action: ModelAssignmentAction(rawValue: row.string(2)) ?? .challenge,
                            model: row.optionalString(3), file: row.optionalString(4), actorName: row.string(5))
        }
    }

    @discardableResult
    public func assignModel(action: ModelAssignmentAction, version: ModelVersion?, actorName: String, expectedLastSeq: Int64,
                            audit: AuditEntry, now: Double) throws(StoreError) -> ModelAssignment {
        try database.transaction { () throws(StoreError) -> ModelAssignment in
            let last = try database.prepare("SELECT coalesce(max(seq), 0) FROM model_assignments").rows { $0.int(0) }.first ?? 0
            guard last == expectedLastSeq else { throw .conflict("the model register changed meanwhile; look again and retry") }
            let seq = try database.prepare("""
                INSERT INTO model_assignments (at, action, model, file, actor_name) VALUES (?, ?, ?, ?, ?) RETURNING seq
                """).rows([.real(now), .text(action.rawValue), version.map { .text($0.id) } ?? .null, version.map { .text($0.file) } ?? .null,
                           .text(actorName)]) { $0.int(0) }.first ?? 0
            try appendAuditInTransaction(audit, now: now)
            return ModelAssignment(seq: seq, at: now, action: action, model: version?.id, file: version?.file, actorName: actorName)
        }
    }

    /// Writes the challenger's result of a job just recorded (inside the caller's transaction).
    func recordShadow(seq: Int64, _ shadow: ShadowResult) throws(StoreError) {
        try database.prepare("""
            INSERT OR REPLACE INTO shadow_results (seq, champion_model, champion_pd, champion_decision, challenger_model, challenger_pd,
                                                   challenger_decision, challenger_result) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).run([.integer(seq), .text(shadow.championModel), .real(shadow.championPD), .text(shadow.championDecision),
                      .text(shadow.challengerModel), .real(shadow.challengerPD), .text(shadow.challengerDecision), .text(shadow.challengerResult)])
    }

    public func shadowComparison(champion: String, challenger: String) throws(StoreError) -> ShadowComparison {
        let models: [SQLiteValue] = [.text(challenger), .text(champion)]
        let summary = try database.prepare("""
            SELECT count(*), coalesce(avg(champion_decision = challenger_decision), 0), coalesce(avg(challenger_pd - champion_pd), 0),
                   coalesce(avg(abs(challenger_pd - champion_pd)), 0), coalesce(max(abs(challenger_pd - champion_pd)), 0)
            FROM shadow_results WHERE challenger_model = ? AND champion_model = ?
            """).rows(models) { ($0.int(0), $0.double(1), $0.double(2), $0.double(3), $0.double(4)) }[0]
        let decisions = try database.prepare("""
            SELECT champion_decision, challenger_decision, count(*) FROM shadow_results WHERE challenger_model = ? AND champion_model = ?
            GROUP BY champion_decision, challenger_decision ORDER BY count(*) DESC, champion_decision, challenger_decision
            """).rows(models) { ShadowComparison.DecisionChange(champion: $0.string(0), challenger: $0.string(1), count: Int($0.int(2))) }
        return ShadowComparison(championModel: champion, challengerModel: challenger, count: Int(summary.0), agreementRate: summary.1,
                                meanPDDifference: summary.2, meanAbsolutePDDifference: summary.3, maxAbsolutePDDifference: summary.4,
                                decisions: decisions)
    }

    public func shadowResult(jobID: String) throws(StoreError) -> ShadowResult? {
        try database.prepare("""
            SELECT s.champion_model, s.champion_pd, s.champion_decision, s.challenger_model, s.challenger_pd, s.challenger_decision,
                   coalesce(s.challenger_result, '') FROM shadow_results s JOIN jobs j ON j.seq = s.seq WHERE j.id = ?
            """).rows([.text(jobID)]) { row in
            ShadowResult(championModel: row.string(0), championPD: row.double(1), championDecision: row.string(2), challengerModel: row.string(3),
                         challengerPD: row.double(4), challengerDecision: row.string(5), challengerResult: row.string(6))
        }.first
    }

    public func scoredProbabilities(model: String, since: Double) throws(StoreError) -> [(at: Double, pd: Double)] {
        try database.prepare("""
            SELECT j.submitted_at, json_extract(r.result, '$.probability_of_default') FROM jobs j JOIN job_results r ON r.seq = j.seq
            WHERE j.status = 'done' AND j.submitted_at >= ? AND json_extract(r.result, '$.model') = ? ORDER BY j.seq
            """).rows([.real(since), .text(model)]) { (at: $0.double(0), pd: $0.double(1)) }
    }

    public func recordOutcomes(_ outcomes: [Outcome], audit: AuditEntry, now: Double) throws(StoreError) -> [Int] {
        try database.transaction { () throws(StoreError) -> [Int] in
            let byJob = try database.prepare("""
                INSERT OR REPLACE INTO outcomes (seq, defaulted, observed_at, recorded_at) SELECT seq, ?, ?, ? FROM jobs WHERE id = ? AND status = 'done'
                """)
            let byClient = try database.prepare("""
                INSERT OR REPLACE INTO outcomes (seq, defaulted, observed_at, recorded_at)
                SELECT seq, ?, ?, ? FROM jobs WHERE client_id = ? AND status = 'done'
                """)
            var matched: [Int] = []
            matched.reserveCapacity(outcomes.count)
            for outcome in outcomes {
                let (statement, key): (SQLiteStatement, String) = switch outcome.key {
                case .job(let id): (byJob, id)
                case .client(let id): (byClient, id)
                }
                try statement.run([.integer(outcome.defaulted ? 1 : 0), outcome.observedAt.map { .real($0) } ?? .null, .real(now), .text(key)])
                matched.append(database.changes)
            }
            try appendAuditInTransaction(audit, now: now)
            return matched
        }
    }

    public func scoredOutcomes(since: Double) throws(StoreError) -> [ScoredOutcome] {
        try database.prepare("""
            SELECT j.submitted_at, json_extract(r.result, '$.model'), json_extract(r.result, '$.probability_of_default'), o.defaulted
            FROM outcomes o JOIN jobs j ON j.seq = o.seq JOIN job_results r ON r.seq = o.seq
            WHERE j.submitted_at >= ? AND r.result IS NOT NULL ORDER BY j.seq
            """).rows([.real(since)]) { row in
            ScoredOutcome(submittedAt: row.double(0), model: row.string(1), probabilityOfDefault: row.double(2), defaulted: row.int(3) != 0)
        }
    }
}
