/// The history: an owner's applications newest first (by submission time, then by row), filtered
/// and searched, on both databases.
///
/// A search's text is looked up in the word index when each of its ways to match (see
/// ``TextQuery``) has a word that starts fewer than ``HistoryLimits/candidates`` of the owner's
/// words (a rare name, a client id): those applications are read and the other filters checked.
/// When a way has only frequent words (`maria`), and for filters without a text, the owner's
/// applications are read newest first through the indexes by owner and submission time, from the
/// end of the days asked for, where frequent matches come soon; such a page stops after
/// ``HistoryLimits/scanBudget`` applications and says where to go on.
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
        let search = HistorySearch(owner: owner, query: query, end: end, limit: limit)
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
                "SELECT \(Self.jobColumns) FROM \(Self.jobTables) WHERE j.seq \(dialect.isIn("?1")) ORDER BY j.submitted_at DESC, j.seq DESC",
                [.integers(found.rows.map(\.position.seq))], Self.readJob)
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
            let count = try count(range, owner: search.owner)
            if count < (rarest?.count ?? historyLimits.candidates) { rarest = (range, count) }
        }
        guard let rarest else { return nil }
        ranges.append(rarest.range)
        for range in [text.compact.map(WordRange.words(startingWith:)), text.idPrefix.map(WordRange.ids(startingWith:))] {
            guard let range else { continue }
            guard try count(range, owner: search.owner) < historyLimits.candidates else { return nil }
            ranges.append(range)
        }
        var statement = SQLBuilder()
        let owner = statement.bind(.integer(search.owner))
        // A job can hold two words of one range (`maria mariana`): each candidate once.
        let selects = ranges.map { range in range.select(owner: owner, distinct: ranges.count == 1, &statement) }
        return (selects.joined(separator: " UNION "), statement.values)
    }

    /// How many of the owner's applications `range` holds, counted up to the limit of candidates.
    private func count(_ range: WordRange, owner: Int64) throws(StoreError) -> Int {
        var statement = SQLBuilder()
        let select = range.select(owner: statement.bind(.integer(owner)), distinct: false, &statement)
        let counted = try sql.query(
            "SELECT count(*) FROM (\(select) LIMIT \(statement.bind(.int(historyLimits.candidates)))) AS c", statement.values
        ) { row throws(StoreError) in try row.int(0) }
        return counted.first ?? 0
    }

    /// The newest candidates before the end that match every filter. (`CROSS JOIN` makes SQLite
    /// read the candidates first; PostgreSQL plans it as any join.)
    private func matchingCandidates(_ candidates: (sql: String, values: [SQLValue]), _ search: HistorySearch) throws(StoreError) -> [HistoryRow] {
        var statement = SQLBuilder(values: candidates.values)
        let conditions = search.conditions(&statement, dialect: dialect, batches: true)
        return try sql.query(
            """
            SELECT j.submitted_at, j.seq, j.id FROM (\(candidates.sql)) AS c CROSS JOIN jobs j
            WHERE j.seq = c.seq AND j.owner = \(statement.bind(.integer(search.owner))) AND \(conditions)
            ORDER BY j.submitted_at DESC, j.seq DESC LIMIT \(statement.bind(.int(search.limit)))
            """, statement.values, HistoryRow.read)
    }

    // MARK: Through the indexes by owner and time

    /// Single applications and a batch's rows each have an index by owner and time; with both
    /// shown, each is read as far as a page needs and the two merged, up to where both are complete.
    private func scan(_ search: HistorySearch) throws(StoreError) -> (rows: [HistoryRow], next: HistoryRow?) {
        let parts: [Bool] =
            switch search.query.batches {
            case .include: [false, true]
            case .exclude: [false]
            case .only: [true]
            }
        let scanned = try parts.map { (batchRows) throws(StoreError) in try scan(search, batchRows: batchRows) }
        // Past the newest point where a part stopped early, the parts are not known complete.
        let stop = scanned.compactMap(\.stop).max { $0.position < $1.position }
        let rows = scanned.flatMap(\.rows).filter { row in stop.map { row.position >= $0.position } ?? true }
        let page = Array(rows.sorted { $0.position > $1.position }.prefix(search.limit))
        return (page, page.count == search.limit ? page.last : stop)
    }

    /// One part's newest matches, and where it stopped short of its start: at its last row when
    /// the page is full, or at the last application the budget let it read.
    private func scan(_ search: HistorySearch, batchRows: Bool) throws(StoreError) -> (rows: [HistoryRow], stop: HistoryRow?) {
        // The partial indexes' own conditions, written out so that each database uses them.
        let part = batchRows ? "j.batch_seq IS NOT NULL" : "j.batch_seq IS NULL"
        var floor: HistoryRow?
        if search.query.readsRows {
            var statement = SQLBuilder()
            let range = search.range(&statement)
            floor = try sql.query(
                """
                SELECT j.submitted_at, j.seq, j.id FROM jobs j WHERE \(range) AND \(part)
                ORDER BY j.submitted_at DESC, j.seq DESC LIMIT 1 OFFSET \(statement.bind(.int(historyLimits.scanBudget - 1)))
                """, statement.values, HistoryRow.read
            ).first
        }
        var statement = SQLBuilder()
        let range = search.range(&statement)
        let start = floor?.position ?? HistoryPosition.start
        let after = "(j.submitted_at, j.seq) >= (\(statement.bind(.real(start.at))), \(statement.bind(.integer(start.seq))))"
        let conditions = search.conditions(&statement, dialect: dialect, batches: false)
        let rows = try sql.query(
            """
            SELECT j.submitted_at, j.seq, j.id FROM jobs j WHERE \(range) AND \(part) AND \(after) AND \(conditions)
            ORDER BY j.submitted_at DESC, j.seq DESC LIMIT \(statement.bind(.int(search.limit)))
            """, statement.values, HistoryRow.read)
        return (rows, rows.count == search.limit ? rows.last : floor)
    }
}

/// Where the history changes ways (see ``SQLStore/jobs(owner:matching:limit:before:)``); the
/// tests lower them to take each way on a few jobs.
struct HistoryLimits: Sendable {
    /// The most applications one word of a search may start for the word index to be used.
    var candidates = 5000
    /// The most applications a page with filters reads through the indexes by owner and time.
    var scanBudget = 20_000
}

/// Where a job stands in a history: its submission time, then its row number.
private struct HistoryPosition: Comparable {
    var at: Double
    var seq: Int64

    /// Before every job, and after every job.
    static let start = HistoryPosition(at: -.greatestFiniteMagnitude, seq: .min)
    static let end = HistoryPosition(at: .greatestFiniteMagnitude, seq: .max)

    static func < (left: HistoryPosition, right: HistoryPosition) -> Bool { (left.at, left.seq) < (right.at, right.seq) }
}

/// A job of a history page before it is read: where it stands, and its id.
private struct HistoryRow {
    var position: HistoryPosition
    var id: String

    static func read(_ row: any SQLRow) throws(StoreError) -> HistoryRow {
        HistoryRow(position: HistoryPosition(at: try row.double(0), seq: try row.int64(1)), id: try row.string(2))
    }
}

/// One page's request.
private struct HistorySearch {
    var owner: Int64
    var query: HistoryQuery
    /// The page holds jobs before this (the cursor, or the end of the last day asked for).
    var end: HistoryPosition
    var limit: Int

    /// The owner's jobs from the first day asked for to the end, as one condition on the job `j`
    /// that an index by owner and time reads as a range.
    func range(_ statement: inout SQLBuilder) -> String {
        let from = query.submittedFrom ?? -.greatestFiniteMagnitude
        return """
            j.owner = \(statement.bind(.integer(owner))) AND j.submitted_at >= \(statement.bind(.real(from))) \
            AND (j.submitted_at, j.seq) < (\(statement.bind(.real(end.at))), \(statement.bind(.integer(end.seq))))
            """
    }

    /// The filters as one condition on the job `j`, binding their values; with `batches`, also the
    /// range and whether it is a batch's row (a scan reads these from its index).
    func conditions(_ statement: inout SQLBuilder, dialect: SQLDialect, batches: Bool) -> String {
        var terms = ["1 = 1"]
        if batches {
            terms.append(range(&statement))
            if query.batches != .include { terms.append(query.batches == .only ? "j.batch_seq IS NOT NULL" : "j.batch_seq IS NULL") }
        }
        if let text = query.text { terms.append(Self.matches(text, &statement)) }
        switch query.decision {
        case nil: break
        case .pending: terms.append("j.status IN ('queued', 'running')")
        case let decision?:
            // Last: the result is read (and its JSON parsed) only for a scored job that matched the rest.
            terms.append(
                "j.status = 'done' AND (SELECT \(dialect.jsonText("r.result", "decision")) FROM job_results r WHERE r.seq = j.seq) = "
                    + statement.bind(.text(decision.rawValue)))
        }
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

    /// The owner's jobs in the range (`distinct`: each once).
    func select(owner: String, distinct: Bool, _ statement: inout SQLBuilder) -> String {
        switch index {
        case .words:
            "SELECT \(distinct ? "DISTINCT " : "")seq FROM search_words WHERE owner = \(owner) AND word >= \(statement.bind(.text(low))) AND word < \(statement.bind(.text(high)))"
        case .ids:
            "SELECT seq FROM jobs WHERE id BETWEEN \(statement.bind(.text(low))) AND \(statement.bind(.text(high))) AND owner = \(owner)"
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
