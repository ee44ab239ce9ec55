extension PostgresStore {
    /// A batch's columns with its progress (alias b).
    private static let batchColumns = """
        b.id, b.owner, b.name, b.rows, b.created_at, b.loaded,
        count(*) FILTER (WHERE j.status = 'queued'), count(*) FILTER (WHERE j.status = 'running'),
        count(*) FILTER (WHERE j.status = 'done'), count(*) FILTER (WHERE j.status = 'failed')
        """
    private static let batchTables = "batches b LEFT JOIN jobs j ON j.batch_seq = b.seq"
    private static let batchGroup = "GROUP BY b.seq"

    private static func readBatch(_ rows: PostgresRows, _ row: Int) -> Batch {
        var batch = Batch(id: rows.string(row, 0), owner: rows.int(row, 1), name: rows.string(row, 2), rows: Int(rows.int(row, 3)),
                          createdAt: rows.double(row, 4), loaded: rows.bool(row, 5))
        (batch.queued, batch.running, batch.done, batch.failed) = (Int(rows.int(row, 6)), Int(rows.int(row, 7)), Int(rows.int(row, 8)), Int(rows.int(row, 9)))
        return batch
    }

    public func createBatch(owner: Int64, name: String, rows: Int, now: Double) throws(StoreError) -> Batch {
        let id = JobID.new(now: now)
        let inserted = try connection.query("""
            INSERT INTO batches (id, owner, name, rows, created_at) SELECT $1, $2::bigint, $3, $4::integer, $5::double precision
            WHERE EXISTS (SELECT 1 FROM users WHERE id = $2::bigint AND NOT disabled)
            """, [id, PostgresText.number(owner), name, PostgresText.number(rows), PostgresText.number(now)])
        guard inserted.changed == 1 else { throw .ownerInactive(owner) }
        return Batch(id: id, owner: owner, name: name, rows: rows, createdAt: now, loaded: false)
    }

    /// The chunk in one statement: arrays of the rows' columns, unnested into jobs and applications.
    public func addBatchRows(batch id: String, owner: Int64, rows: [BatchRow], now: Double) throws(StoreError) {
        guard !rows.isEmpty else { return }
        try connection.transaction { () throws(StoreError) in
            let inserted = try connection.query("""
                WITH input AS (
                  SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[], $8::text[])
                    AS i(id, line, client_id, record, applicant_name)),
                job AS (
                  INSERT INTO jobs (id, owner, status, submitted_at, batch_seq, batch_line, client_id, applicant_name)
                  SELECT i.id, $5::bigint, 'queued', $6::double precision, b.seq, i.line, i.client_id, i.applicant_name
                  FROM input i JOIN batches b ON b.id = $7 AND b.owner = $5::bigint ORDER BY i.line
                  RETURNING seq, id)
                INSERT INTO job_payloads (seq, payload, record) SELECT job.seq, '', i.record FROM job JOIN input i ON i.id = job.id
                """, [PostgresText.array(rows.map { _ in JobID.new(now: now) }), PostgresText.array(rows.map { String($0.line) }),
                      PostgresText.array(rows.map(\.clientID)), PostgresText.array(rows.map(\.record)),
                      PostgresText.number(owner), PostgresText.number(now), id, PostgresText.array(rows.map(\.applicantName))])
            guard inserted.changed == rows.count else { throw .invalid("no batch \(id)") }
            try connection.query("SELECT pg_notify($1, '')", [Self.channel])
        }
    }

    public func markBatchLoaded(batch id: String, owner: Int64) throws(StoreError) {
        try connection.query("UPDATE batches SET loaded = true WHERE id = $1 AND owner = $2::bigint", [id, PostgresText.number(owner)])
    }

    public func batch(id: String, owner: Int64) throws(StoreError) -> Batch? {
        let rows = try connection.query("SELECT \(Self.batchColumns) FROM \(Self.batchTables) WHERE b.id = $1 AND b.owner = $2::bigint \(Self.batchGroup)",
                                        [id, PostgresText.number(owner)])
        return rows.count == 0 ? nil : Self.readBatch(rows, 0)
    }

    public func batches(owner: Int64, limit: Int) throws(StoreError) -> [Batch] {
        let rows = try connection.query("""
            SELECT \(Self.batchColumns) FROM \(Self.batchTables) WHERE b.owner = $1::bigint \(Self.batchGroup) ORDER BY b.seq DESC LIMIT $2::integer
            """, [PostgresText.number(owner), PostgresText.number(limit)])
        return rows.map { Self.readBatch(rows, $0) }
    }

    public func batchResults(batch id: String, owner: Int64, afterLine: Int, limit: Int) throws(StoreError) -> [BatchResult] {
        let rows = try connection.query("""
            SELECT j.batch_line, j.id, j.client_id, j.status, r.result, r.error FROM jobs j LEFT JOIN job_results r ON r.seq = j.seq
            WHERE j.batch_seq = (SELECT seq FROM batches WHERE id = $1 AND owner = $2::bigint) AND j.batch_line > $3::integer
            ORDER BY j.batch_line LIMIT $4::integer
            """, [id, PostgresText.number(owner), PostgresText.number(afterLine), PostgresText.number(limit)])
        return rows.map { row in
            BatchResult(line: Int(rows.int(row, 0)), jobID: rows.string(row, 1), clientID: rows.optionalString(row, 2),
                        status: JobStatus(rawValue: rows.string(row, 3)) ?? .failed, result: rows.optionalString(row, 4), error: rows.optionalString(row, 5))
        }
    }
}
