/// The history: an owner's applications newest first (by submission time, then by row), filtered
/// and searched, on both databases.
///
/// Each way a search's text can match (``SearchWay``) is looked up on its own. A way with a word
/// that starts fewer than ``HistoryLimits/candidates`` of the owner's words (a rare name, a client
/// id) is looked up in the word index (an id in the id index): those applications are read and
/// the other filters checked. A way with only frequent words (`maria`), and filters without a
/// text, read the owner's applications newest first through the index by owner and submission
/// time, from the end of the days asked for (for an id's first digits, of the span of time they
/// give), where frequent matches come soon; such a read stops after ``HistoryLimits/scanBudget``
/// applications a page and says where to go on. What each way found is merged.
extension SQLStore {
    public func jobs(owner: Int64, matching query: HistoryQuery, limit: Int, before: String?) throws(StoreError) -> HistoryPage {
        var end = HistoryPosition.end
        if let before {
            let cursor = try sql.query("SELECT submitted_at, seq FROM jobs WHERE id = ?1 AND owner = ?2", [.text(before), .integer(owner)]) {
                row throws(StoreError) in HistoryPosition(at: try row.double(0), seq: try row.int64(1))
            }
            guard let cursor = cursor.first else { return HistoryPage(jobs: [], next: nil) }  // another owner's cursor finds nothing
            end = cursor
        }
        // The days asked for end the history as a cursor does: before their end, all of it.
        if let until = query.submittedBefore { end = min(end, HistoryPosition(at: until, seq: .min)) }
        let start = query.submittedFrom.map { HistoryPosition(at: $0, seq: .min) } ?? .start
        let search = HistorySearch(owner: owner, query: query, start: start, end: end, limit: limit)
        var findings: [HistoryFinding] = []
        if let text = query.text {
            var indexed: [(way: SearchWay, driver: [WordRange])] = []
            for way in SearchWay.ways(text) {
                if let driver = try rarestDriver(of: way, owner: owner) {
                    indexed.append((way, driver))
                } else {
                    findings.append(try scan(search.narrowed(to: way.times), ways: [way]))
                }
            }
            if !indexed.isEmpty { findings.append(try matchingCandidates(indexed, search)) }
        } else {
            findings = [try scan(search, ways: [])]
        }
        let found = HistoryFinding.merge(findings, limit: limit)
        let jobs =
            found.rows.isEmpty
            ? []
            : try sql.query(
                "SELECT \(Self.jobColumns) FROM \(Self.jobTables) WHERE j.seq \(dialect.isIn("?1")) ORDER BY j.submitted_at DESC, j.seq DESC",
                [.integers(found.rows.map(\.position.seq))], Self.readJob)
        return HistoryPage(jobs: jobs, next: found.next?.id)
    }

    // MARK: Through the word index

    /// The driver (see ``SearchWay/drivers``) whose ranges hold the fewest jobs, when that is
    /// fewer than the limit of candidates; nil when the way is frequent.
    private func rarestDriver(of way: SearchWay, owner: Int64) throws(StoreError) -> [WordRange]? {
        var rarest: (driver: [WordRange], count: Int)?
        for driver in way.drivers {
            var count = 0
            for range in driver where count < historyLimits.candidates {
                var statement = SQLBuilder()
                let sql = range.count(owner: owner, limit: historyLimits.candidates, &statement)
                count += try self.sql.query(sql, statement.values) { row throws(StoreError) in try row.int(0) }.first ?? 0
            }
            if count < (rarest?.count ?? historyLimits.candidates) { rarest = (driver, count) }
        }
        return rarest?.driver
    }

    /// The newest jobs of the drivers' ranges that match one of their ways and every filter. (`CROSS
    /// JOIN` makes SQLite read the candidates first; PostgreSQL plans it as any join.)
    private func matchingCandidates(_ indexed: [(way: SearchWay, driver: [WordRange])], _ search: HistorySearch) throws(StoreError) -> HistoryFinding
    {
        var statement = SQLBuilder()
        let owner = statement.bind(.integer(search.owner))
        // A job can hold two words of one range (`maria mariana`): each candidate once.
        let ranges = indexed.flatMap(\.driver)
        let candidates = ranges.map { $0.select(owner: owner, distinct: ranges.count == 1, &statement) }.joined(separator: " UNION ")
        let bounds = search.bounds(&statement)
        let filters = search.filters(&statement, ways: indexed.map(\.way), dialect: dialect)
        let rows = try sql.query(
            """
            SELECT j.submitted_at, j.seq, j.id FROM (\(candidates)) AS c CROSS JOIN jobs j WHERE j.seq = c.seq AND \(bounds) AND \(filters)
            ORDER BY j.submitted_at DESC, j.seq DESC LIMIT \(statement.bind(.int(search.limit)))
            """, statement.values, HistoryRow.read)
        return HistoryFinding(rows: rows, stop: rows.count == search.limit ? rows.last : nil)
    }

    // MARK: Through the index by owner and time

    /// The newest jobs that match `ways` (none: any) and the other filters, read newest first.
    /// Read whole when the index answers every filter; else at most the budget of jobs, the first
    /// few (a page of frequent matches) before the rest.
    private func scan(_ search: HistorySearch, ways: [SearchWay]) throws(StoreError) -> HistoryFinding {
        let readsRows = !ways.isEmpty || search.query.decision != nil
        let budget = max(1, historyLimits.scanBudget)
        var rows: [HistoryRow] = [], search = search, left = budget
        while true {
            var floor: HistoryRow?
            // A first look at the newest few, where frequent matches fill a page; then the rest.
            let window = left == budget ? min(left, search.limit * 50) : left
            if readsRows {
                var statement = SQLBuilder()
                floor = try sql.query(
                    """
                    SELECT j.submitted_at, j.seq, j.id FROM jobs j WHERE \(search.bounds(&statement))
                    ORDER BY j.submitted_at DESC, j.seq DESC LIMIT 1 OFFSET \(statement.bind(.int(window - 1)))
                    """, statement.values, HistoryRow.read
                ).first
            }
            var statement = SQLBuilder()
            let bounds = search.bounds(&statement, from: floor?.position)
            let filters = search.filters(&statement, ways: ways, dialect: dialect)
            rows += try sql.query(
                """
                SELECT j.submitted_at, j.seq, j.id FROM jobs j WHERE \(bounds) AND \(filters)
                ORDER BY j.submitted_at DESC, j.seq DESC LIMIT \(statement.bind(.int(search.limit - rows.count)))
                """, statement.values, HistoryRow.read)
            if rows.count == search.limit { return HistoryFinding(rows: rows, stop: rows.last) }
            guard let floor else { return HistoryFinding(rows: rows, stop: nil) }
            left -= window
            if left <= 0 { return HistoryFinding(rows: rows, stop: floor) }
            search.end = floor.position  // the floor itself was read
        }
    }
}
