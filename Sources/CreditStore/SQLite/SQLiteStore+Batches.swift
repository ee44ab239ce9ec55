extension SQLiteStore {
    /// A batch's columns with its progress (alias b).
    private static let batchColumns = """
        b.id, b.owner, b.name, b.rows, b.created_at, b.loaded,
        (SELECT count(*) FROM jobs WHERE batch_seq = b.seq AND status = 'queued'),
        (SELECT count(*) FROM jobs WHERE batch_seq = b.seq AND status = 'running'),
        (SELECT count(*) FROM jobs WHERE batch_seq = b.seq AND status = 'done'),
        (SELECT count(*) FROM jobs WHERE batch_seq = b.seq AND status = 'failed')
        """

    private static func readBatch(_ row: SQLiteStatement) -> Batch {
        var batch = Batch(id: row.string(0), owner: row.int(1), name: row.string(2), rows: Int(row.int(3)), createdAt: row.double(4),
                          loaded: row.int(5) != 0)
        (batch.queued, batch.running, batch.done, batch.failed) = (Int(row.int(6)), Int(row.int(7)), Int(row.int(8)), Int(row.int(9)))
        return batch
    }

    public func createBatch(owner: Int64, name: String, rows: Int, now: Double) throws(StoreError) -> Batch {
        let id = JobID.new(now: now)
        try database.prepare("""
            INSERT INTO batches (id, owner, name, rows, created_at) SELECT ?1, ?2, ?3, ?4, ?5
            WHERE EXISTS (SELECT 1 FROM users WHERE id = ?2 AND disabled = 0)
            """).run([.text(id), .integer(owner), .text(name), .integer(Int64(rows)), .real(now)])
        guard database.changes == 1 else { throw .ownerInactive(owner) }
        return Batch(id: id, owner: owner, name: name, rows: rows, createdAt: now, loaded: false)
    }

    public func addBatchRows(batch id: String, owner: Int64, rows: [BatchRow], now: Double) throws(StoreError) {
        try database.transaction { () throws(StoreError) in
            guard let seq = try database.prepare("SELECT seq FROM batches WHERE id = ? AND owner = ?")
                .rows([.text(id), .integer(owner)], { $0.int(0) }).first else { throw .invalid("no batch \(id)") }
            let job = try database.prepare("""
                INSERT INTO jobs (id, owner, status, submitted_at, batch_seq, batch_line, client_id, applicant_name) VALUES (?, ?, 'queued', ?, ?, ?, ?, ?)
                """)
            let payload = try database.prepare("INSERT INTO job_payloads (seq, payload, record) VALUES (?, ?, ?)")
            for row in rows {
                try job.run([.text(JobID.new(now: now)), .integer(owner), .real(now), .integer(seq), .integer(Int64(row.line)),
                             row.clientID.map { .text($0) } ?? .null, row.applicantName.map { .text($0) } ?? .null])
                try payload.run([.integer(database.lastInsertedRow), .text(""), .text(row.record)])
            }
        }
    }

    public func markBatchLoaded(batch id: String, owner: Int64) throws(StoreError) {
        try database.prepare("UPDATE batches SET loaded = 1 WHERE id = ? AND owner = ?").run([.text(id), .integer(owner)])
    }

    public func batch(id: String, owner: Int64) throws(StoreError) -> Batch? {
        try database.prepare("SELECT \(Self.batchColumns) FROM batches b WHERE b.id = ? AND b.owner = ?")
            .rows([.text(id), .integer(owner)], Self.readBatch).first
    }

    public func batches(owner: Int64, limit: Int) throws(StoreError) -> [Batch] {
        try database.prepare("SELECT \(Self.batchColumns) FROM batches b WHERE b.owner = ? ORDER BY b.seq DESC LIMIT ?")
            .rows([.integer(owner), .integer(Int64(limit))], Self.readBatch)
    }

    public func batchResults(batch id: String, owner: Int64, afterLine: Int, limit: Int) throws(StoreError) -> [BatchResult] {
        try database.prepare("""
            SELECT j.batch_line, j.id, j.client_id, j.status, r.result, r.error FROM jobs j LEFT JOIN job_results r ON r.seq = j.seq
            WHERE j.batch_seq = (SELECT seq FROM batches WHERE id = ? AND owner = ?) AND j.batch_line > ? ORDER BY j.batch_line LIMIT ?
            """).rows([.text(id), .integer(owner), .integer(Int64(afterLine)), .integer(Int64(limit))]) { row in
            BatchResult(line: Int(row.int(0)), jobID: row.string(1), clientID: row.optionalString(2),
                        status: JobStatus(rawValue: row.string(3)) ?? .failed, result: row.optionalString(4), error: row.optionalString(5))
        }
    }
}
