/// The history: an owner's applications newest first, filtered and searched, on both databases.
///
/// A search's text is looked up in the word index when each of its ways to match (see
/// ``TextQuery``) has a word that starts fewer than ``HistoryLimits/candidates`` of the owner's
/// words (a rare name, a client id): those applications are read and the other filters checked.
/// When a way has only frequent words (`maria`), and for filters without a text, the owner's
/// applications are read newest first through the index by owner, where frequent matches come
/// soon; such a page stops after ``HistoryLimits/scanBudget`` applications and says where to go on.
extension SQLStore {
    public func jobs(owner: Int64, matching query: HistoryQuery, limit: Int, before: String?) throws(StoreError) -> HistoryPage {
        var below = Int64.max
        if let before {
            let seq = try sql.query("SELECT seq FROM jobs WHERE id = ?1 AND owner = ?2", [.text(before), .integer(owner)]) {
                row throws(StoreError) in try row.int64(0)
            }
            guard let seq = seq.first else { return HistoryPage(jobs: [], next: nil) }  // another owner's cursor finds nothing
            below = seq
        }
        let search = HistorySearch(owner: owner, query: query, below: below, limit: limit)
        let found: (rows: [HistoryRow], next: HistoryRow?)
        if let text = query.text, let candidates = try indexedCandidates(text, search) {
            let rows = try matchingCandidates(candidates, search)
            found = (rows, rows.count == limit ? rows.last : nil)
        } else {
            found = try scan(search)
        }
        let jobs =
            found.rows.isEmpty
            ? []
            : try sql.query(
                "SELECT \(Self.jobColumns) FROM \(Self.jobTables) WHERE j.seq \(dialect.isIn("?1")) ORDER BY j.seq DESC",
                [.integers(found.rows.map(\.seq))], Self.readJob)
        return HistoryPage(jobs: jobs, next: found.next?.id)
    }

    // MARK: Through the word index

    /// The statement that gives the candidates of every way `text` can match, or nil when a way
    /// has no word rare enough (then every application is a candidate).
    private func indexedCandidates(_ text: TextQuery, _ search: HistorySearch) throws(StoreError) -> (sql: String, values: [SQLValue])? {
        var ranges: [WordRange] = []
        // The name's words (and the client id): the rarest word the index holds all of.
        var rarest: (range: WordRange, count: Int)?
        for word in text.words where SearchText.indexCovers(prefix: word) {
            let range = WordRange.words(startingWith: word)
            let count = try count(range, search)
            if count < (rarest?.count ?? historyLimits.candidates) { rarest = (range, count) }
        }
        guard let rarest else { return nil }
        ranges.append(rarest.range)
        for range in [text.compact.map(WordRange.words(startingWith:)), text.idPrefix.map(WordRange.ids(startingWith:))] {
            guard let range else { continue }
            guard try count(range, search) < historyLimits.candidates else { return nil }
            ranges.append(range)
        }
        var statement = SQLBuilder()
        let owner = statement.bind(.integer(search.owner)), below = statement.bind(.integer(search.below))
        // A job can hold two words of one range (`maria mariana`): each candidate once.
        let selects = ranges.map { range in range.select(owner: owner, below: below, distinct: ranges.count == 1, &statement) }
        return (selects.joined(separator: " UNION "), statement.values)
    }

    /// How many of the owner's applications older than the cursor `range` holds, counted up to
    /// the limit of candidates.
    private func count(_ range: WordRange, _ search: HistorySearch) throws(StoreError) -> Int {
        var statement = SQLBuilder()
        let select = range.select(
            owner: statement.bind(.integer(search.owner)), below: statement.bind(.integer(search.below)), distinct: false, &statement)
        let counted = try sql.query(
            "SELECT count(*) FROM (\(select) LIMIT \(statement.bind(.int(historyLimits.candidates)))) AS c", statement.values
        ) { row throws(StoreError) in try row.int(0) }
        return counted.first ?? 0
    }

    /// The newest candidates that match every filter. (`CROSS JOIN` makes SQLite read the
    /// candidates first; PostgreSQL plans it as any join.)
    private func matchingCandidates(_ candidates: (sql: String, values: [SQLValue]), _ search: HistorySearch) throws(StoreError) -> [HistoryRow] {
        var statement = SQLBuilder(values: candidates.values)
        let filters = search.filters(&statement, dialect: dialect, batches: true)
        return try sql.query(
            """
            SELECT j.seq, j.id FROM (\(candidates.sql)) AS c CROSS JOIN jobs j
            WHERE j.seq = c.seq AND j.owner = \(statement.bind(.integer(search.owner))) AND \(filters)
            ORDER BY j.seq DESC LIMIT \(statement.bind(.int(search.limit)))
            """, statement.values, HistoryRow.read)
    }

    // MARK: Through the index by owner

    /// Single applications and a batch's rows each have an index by owner; with both shown, each
    /// is read as far as a page needs and the two merged, up to where both are complete.
    private func scan(_ search: HistorySearch) throws(StoreError) -> (rows: [HistoryRow], next: HistoryRow?) {
        let parts: [Bool] =
            switch search.query.batches {
            case .include: [false, true]
            case .exclude: [false]
            case .only: [true]
            }
        let scanned = try parts.map { (batchRows) throws(StoreError) in try scan(search, batchRows: batchRows) }
        // Below the highest point where a part stopped early, the parts are not known complete.
        let stop = scanned.compactMap(\.stop).max { $0.seq < $1.seq }
        let rows = Array(scanned.flatMap(\.rows).filter { $0.seq >= stop?.seq ?? 0 }.sorted { $0.seq > $1.seq }.prefix(search.limit))
        return (rows, rows.count == search.limit ? rows.last : stop)
    }

    /// One part's newest matches, and where it stopped short of its end: at its last row when
    /// the page is full, or at the last application the budget let it read.
    private func scan(_ search: HistorySearch, batchRows: Bool) throws(StoreError) -> (rows: [HistoryRow], stop: HistoryRow?) {
        // The partial indexes' own conditions, written out so that each database uses them.
        let part = batchRows ? "batch_seq IS NOT NULL" : "batch_seq IS NULL"
        var floor: HistoryRow?
        if search.query.filtersRows {
            floor = try sql.query(
                "SELECT seq, id FROM jobs WHERE owner = ?1 AND \(part) AND seq < ?2 ORDER BY seq DESC LIMIT 1 OFFSET ?3",
                [.integer(search.owner), .integer(search.below), .int(historyLimits.scanBudget - 1)], HistoryRow.read
            ).first
        }
        var statement = SQLBuilder()
        let owner = statement.bind(.integer(search.owner)), below = statement.bind(.integer(search.below))
        let lowest = statement.bind(.integer(floor?.seq ?? 0))
        let filters = search.filters(&statement, dialect: dialect, batches: false)
        let rows = try sql.query(
            """
            SELECT j.seq, j.id FROM jobs j WHERE j.owner = \(owner) AND j.\(part) AND j.seq < \(below) AND j.seq >= \(lowest) AND \(filters)
            ORDER BY j.seq DESC LIMIT \(statement.bind(.int(search.limit)))
            """, statement.values, HistoryRow.read)
        return (rows, rows.count == search.limit ? rows.last : floor)
    }
}

/// Where the history changes ways (see ``SQLStore/jobs(owner:matching:limit:before:)``); the
/// tests lower them to take each way on a few jobs.
struct HistoryLimits: Sendable {
    /// The most applications one word of a search may start for the word index to be used.
    var candidates = 5000
    /// The most applications a page with filters reads through the index by owner.
    var scanBudget = 20_000
}

/// A job of a history page before it is read: its row number and id.
private struct HistoryRow {
    var seq: Int64
    var id: String

    static func read(_ row: any SQLRow) throws(StoreError) -> HistoryRow { HistoryRow(seq: try row.int64(0), id: try row.string(1)) }
}

/// One page's request.
private struct HistorySearch {
    var owner: Int64
    var query: HistoryQuery
    /// The cursor's row number (the page holds older jobs only).
    var below: Int64
    var limit: Int

    /// The filters as one condition on the job `j`, binding their values; `batches` also checks
    /// whether it is a batch's row (the scan reads one kind at a time and need not).
    func filters(_ statement: inout SQLBuilder, dialect: SQLDialect, batches: Bool) -> String {
        var terms = ["1 = 1"]
        if let from = query.submittedFrom { terms.append("j.submitted_at >= \(statement.bind(.real(from)))") }
        if let until = query.submittedBefore { terms.append("j.submitted_at < \(statement.bind(.real(until)))") }
        switch query.decision {
        case nil: break
        case .pending: terms.append("j.status IN ('queued', 'running')")
        case let decision?:
            // The result is read only for a scored job, and only when the cheaper terms held.
            terms.append(
                "j.status = 'done' AND (SELECT \(dialect.jsonText("r.result", "decision")) FROM job_results r WHERE r.seq = j.seq) = "
                    + statement.bind(.text(decision.rawValue)))
        }
        if batches, query.batches != .include {
            terms.append(query.batches == .only ? "j.batch_seq IS NOT NULL" : "j.batch_seq IS NULL")
        }
        if let text = query.text { terms.append(Self.matches(text, &statement)) }
        return terms.joined(separator: " AND ")
    }

    /// Whether the job `j` matches `text` in one of its ways (see ``TextQuery``), from its stored key.
    private static func matches(_ text: TextQuery, _ statement: inout SQLBuilder) -> String {
        let words = text.words.map { word in
            "(j.search_name LIKE \(statement.bind(.text("% \(word)%"))) OR j.search_client LIKE \(statement.bind(.text("\(word)%"))))"
        }
        var ways = ["(" + words.joined(separator: " AND ") + ")"]
        if let compact = text.compact { ways.append("j.search_client LIKE \(statement.bind(.text("\(compact)%")))") }
        if let prefix = text.idPrefix {
            let range = WordRange.ids(startingWith: prefix)
            ways.append("j.id BETWEEN \(statement.bind(.text(range.low))) AND \(statement.bind(.text(range.high)))")
        }
        return "(" + ways.joined(separator: " OR ") + ")"
    }
}

/// A range of an index that a query word stands for.
private struct WordRange {
    enum Index { case words, ids }
    var index: Index
    var low: String
    /// Exclusive for words, inclusive for ids.
    var high: String

    /// The words of `search_words` that start with `prefix`.
    static func words(startingWith prefix: String) -> WordRange {
        WordRange(index: .words, low: prefix, high: SearchText.upperBound(prefix: prefix))
    }

    /// The job ids that start with `prefix`: as long as an id and of its digits only, so that the
    /// bounds compare alike in any PostgreSQL locale.
    static func ids(startingWith prefix: String) -> WordRange {
        let rest = 32 - prefix.utf8.count
        return WordRange(
            index: .ids, low: prefix + String(repeating: "0", count: rest), high: prefix + String(repeating: "f", count: rest))
    }

    /// The owner's jobs in the range, older than the cursor (`distinct`: each once).
    func select(owner: String, below: String, distinct: Bool, _ statement: inout SQLBuilder) -> String {
        switch index {
        case .words:
            "SELECT \(distinct ? "DISTINCT " : "")seq FROM search_words WHERE owner = \(owner) AND word >= \(statement.bind(.text(low))) AND word < \(statement.bind(.text(high))) AND seq < \(below)"
        case .ids:
            "SELECT seq FROM jobs WHERE id BETWEEN \(statement.bind(.text(low))) AND \(statement.bind(.text(high))) AND owner = \(owner) AND seq < \(below)"
        }
    }
}

/// A statement being written, its placeholders numbered in the order its values are bound.
private struct SQLBuilder {
    var values: [SQLValue] = []

    /// The placeholder of `value`, added to the statement's values.
    mutating func bind(_ value: SQLValue) -> String {
        values.append(value)
        return "?\(values.count)"
    }
}
