import CreditGovernance

/// Batches of applications: created empty, filled in chunks, then marked loaded.
extension SQLStore: BatchStore {
    /// A batch's columns with its progress (alias b).
    private static let batchColumns = """
        b.id, b.owner, b.name, b.rows, b.created_at, b.loaded, b.dialect,
        (SELECT count(*) FROM jobs WHERE batch_seq = b.seq AND status = 'queued'),
        (SELECT count(*) FROM jobs WHERE batch_seq = b.seq AND status = 'running'),
        (SELECT count(*) FROM jobs WHERE batch_seq = b.seq AND status = 'done'),
        (SELECT count(*) FROM jobs WHERE batch_seq = b.seq AND status = 'failed')
        """

    private static func readBatch(_ row: any SQLRow) throws(StoreError) -> Batch {
        var batch = Batch(
            id: try row.string(0), owner: try row.int64(1), name: try row.string(2), rows: try row.int(3), createdAt: try row.double(4),
            loaded: try row.bool(5), dialect: try row.optionalString(6))
        (batch.queued, batch.running, batch.done, batch.failed) = (try row.int(7), try row.int(8), try row.int(9), try row.int(10))
        return batch
    }

    public func createBatch(owner: Int64, name: String, rows: Int, dialect: String?, now: Double) throws(StoreError) -> Batch {
        let id = JobID.new(now: now)
        let created = try sql.execute(
            """
            INSERT INTO batches (id, owner, name, rows, created_at, dialect)
            SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM users WHERE id = ?2 AND NOT disabled)
            """, [.text(id), .integer(owner), .text(name), .int(rows), .real(now), .text(dialect)])
        guard created == 1 else { throw .ownerInactive(owner) }
        return Batch(id: id, owner: owner, name: name, rows: rows, createdAt: now, loaded: false, dialect: dialect)
    }

    public func markBatchLoaded(batch id: String, owner: Int64) throws(StoreError) {
        try sql.execute("UPDATE batches SET loaded = ?3 WHERE id = ?1 AND owner = ?2", [.text(id), .integer(owner), .boolean(true)])
    }

    public func batch(id: String, owner: Int64) throws(StoreError) -> Batch? {
        try sql.query("SELECT \(Self.batchColumns) FROM batches b WHERE b.id = ?1 AND b.owner = ?2", [.text(id), .integer(owner)], Self.readBatch)
            .first
    }

    public func batches(owner: Int64, limit: Int) throws(StoreError) -> [Batch] {
        try sql.query(
            "SELECT \(Self.batchColumns) FROM batches b WHERE b.owner = ?1 ORDER BY b.seq DESC LIMIT ?2", [.integer(owner), .int(limit)],
            Self.readBatch)
    }

    public func batchResults(batch id: String, owner: Int64, afterLine: Int, limit: Int) throws(StoreError) -> [BatchResult] {
        try sql.query(
            """
            SELECT j.batch_line, j.id, j.client_id, j.status, r.result, r.error, j.applicant_name, v.origin, v.decision
            FROM jobs j LEFT JOIN job_results r ON r.seq = j.seq LEFT JOIN reviews v ON v.seq = j.seq
              AND v.round = (SELECT max(x.round) FROM reviews x WHERE x.seq = j.seq)
            WHERE j.batch_seq = (SELECT seq FROM batches WHERE id = ?1 AND owner = ?2) AND j.batch_line > ?3 ORDER BY j.batch_line LIMIT ?4
            """, [.text(id), .integer(owner), .int(afterLine), .int(limit)]
        ) { row throws(StoreError) in
            BatchResult(
                line: try row.int(0), jobID: try row.string(1), clientID: try row.optionalString(2), status: try row.decode(JobStatus.self, 3),
                result: try row.optionalString(4), error: try row.optionalString(5), applicantName: try row.optionalString(6),
                reviewOrigin: try row.optionalDecode(ReviewOrigin.self, 7), finalDecision: try row.optionalDecode(FinalDecision.self, 8))
        }
    }
}
