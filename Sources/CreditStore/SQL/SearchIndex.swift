/// The history search's stored data, kept by the store itself: each job's ``SearchKey`` in
/// `jobs.search_name` and `jobs.search_client`, and its words in `search_words` (a B-tree on
/// owner, word and job, so the jobs whose word starts with a query word are one range scan).
/// Written with every job, filled in by the migration that made it, cleared of names by a
/// retention purge.
enum SearchIndex {
    private static let wordColumns = ["owner", "word", "seq"]

    /// Indexes the words of a job just stored.
    static func add(_ key: SearchKey, owner: Int64, seq: Int64, _ sql: any SQLConnection) throws(StoreError) {
        try sql.insert(into: "search_words", columns: wordColumns, rows: key.words.map { [.integer(owner), .text($0), .integer(seq)] })
    }

    /// Migration `history-search`: the key and words of every job stored before it, 5,000 jobs a
    /// statement (one round trip each on PostgreSQL), inside the migration's transaction.
    static func fill(_ sql: any SQLConnection) throws(StoreError) {
        try sql.executeScript("CREATE TEMP TABLE search_fill (seq bigint PRIMARY KEY, name text, client text)")
        var after: Int64 = 0
        while true {
            let jobs = try sql.query(
                """
                SELECT seq, owner, applicant_name, client_id FROM jobs
                WHERE seq > ?1 AND (applicant_name IS NOT NULL OR client_id IS NOT NULL) ORDER BY seq LIMIT 5000
                """, [.integer(after)]
            ) { row throws(StoreError) in
                (seq: try row.int64(0), owner: try row.int64(1), key: SearchKey(name: try row.optionalString(2), clientID: try row.optionalString(3)))
            }
            guard let last = jobs.last else { break }
            after = last.seq
            try sql.insert(
                into: "search_words", columns: wordColumns,
                rows: jobs.flatMap { job in job.key.words.map { [.integer(job.owner), .text($0), .integer(job.seq)] } })
            try sql.insert(
                into: "search_fill", columns: ["seq", "name", "client"],
                rows: jobs.map { [.integer($0.seq), .text($0.key.name), .text($0.key.client)] })
        }
        try sql.execute("UPDATE jobs SET search_name = f.name, search_client = f.client FROM search_fill f WHERE jobs.seq = f.seq")
        try sql.executeScript("DROP TABLE search_fill")
    }

    /// A retention purge: the name's words of the jobs `finished` selects (SQL with `?1`, bound to
    /// `cutoff`) leave the index, and their `search_name` goes. Their client key stays, as the
    /// client id does. Call inside the purge's transaction.
    static func forgetNames(of finished: String, cutoff: Double, _ sql: any SQLConnection) throws(StoreError) {
        let named = try sql.query(
            "SELECT seq, owner, search_name, search_client FROM jobs WHERE search_name IS NOT NULL AND seq IN (\(finished))", [.real(cutoff)]
        ) { row throws(StoreError) in
            (seq: try row.int64(0), owner: try row.int64(1), key: SearchKey(name: try row.optionalString(2), clientID: try row.optionalString(3)))
        }
        guard !named.isEmpty else { return }
        // By their exact keys: a delete by job alone would read the whole index.
        try sql.delete(
            from: "search_words", keys: wordColumns,
            rows: named.flatMap { job in job.key.nameOnlyWords.map { [.integer(job.owner), .text($0), .integer(job.seq)] } })
        try sql.execute("UPDATE jobs SET search_name = NULL WHERE search_name IS NOT NULL AND seq IN (\(finished))", [.real(cutoff)])
    }
}
