/// One history page's request as the store reads it (see ``SQLStore/jobs(owner:matching:limit:before:)``):
/// the owner, the filters and the span of positions the page may hold.
struct HistorySearch {
    var owner: Int64
    var query: HistoryQuery
    /// The page holds jobs from this on: the start of the first day asked for.
    var start: HistoryPosition
    /// The page holds jobs before this: the cursor, or the end of the last day asked for.
    var end: HistoryPosition
    var limit: Int

    /// The same page within `times` as well.
    func narrowed(to times: (from: Double, before: Double)?) -> HistorySearch {
        guard let times else { return self }
        var narrowed = self
        narrowed.start = max(start, HistoryPosition(at: times.from, seq: .min))
        narrowed.end = min(end, HistoryPosition(at: times.before, seq: .min))
        return narrowed
    }

    /// The owner's jobs from `start` (or `from`, when later) to the end, of the kind asked for (a
    /// batch's rows or not), as one condition on the job `j` that the index by owner and time
    /// (`jobs_by_owner_time`, which holds `batch_seq` too) reads as one range.
    func bounds(_ statement: inout SQLBuilder, from: HistoryPosition? = nil) -> String {
        let start = max(start, from ?? start)
        var bounds = """
            j.owner = \(statement.bind(.integer(owner))) \
            AND (j.submitted_at, j.seq) >= (\(statement.bind(.real(start.at))), \(statement.bind(.integer(start.seq)))) \
            AND (j.submitted_at, j.seq) < (\(statement.bind(.real(end.at))), \(statement.bind(.integer(end.seq))))
            """
        if query.batches != .include { bounds += query.batches == .only ? " AND j.batch_seq IS NOT NULL" : " AND j.batch_seq IS NULL" }
        return bounds
    }

    /// The filters the job `j` itself must be read for, as one condition: one of `ways` (none:
    /// any job) and the decision.
    func filters(_ statement: inout SQLBuilder, ways: [SearchWay], dialect: SQLDialect) -> String {
        var terms = ["1 = 1"]
        if !ways.isEmpty { terms.append("(" + ways.map { $0.condition(&statement) }.joined(separator: " OR ") + ")") }
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
}

/// One way a search's text matches a job (see ``TextQuery``), with the index ranges that hold
/// its jobs.
enum SearchWay {
    /// Every word starts a word of the name or the client id.
    case words([String])
    /// The words run together start the client id.
    case client(String)
    /// The word starts the application id.
    case id(String)

    static func ways(_ text: TextQuery) -> [SearchWay] {
        [.words(text.words)] + (text.compact.map { [.client($0)] } ?? []) + (text.idPrefix.map { [.id($0)] } ?? [])
    }

    /// Whether the job `j` matches this way, from its stored search key.
    func condition(_ statement: inout SQLBuilder) -> String {
        switch self {
        case .words(let words):
            "("
                + words.map { word in
                    "(j.search_name LIKE \(statement.bind(.text("% \(word)%"))) OR j.search_client LIKE \(statement.bind(.text("\(word)%"))))"
                }.joined(separator: " AND ") + ")"
        case .client(let compact): "j.search_client LIKE \(statement.bind(.text("\(compact)%")))"
        case .id(let prefix):
            "j.id BETWEEN \(statement.bind(.text(WordRange.ids(startingWith: prefix).low))) AND \(statement.bind(.text(WordRange.ids(startingWith: prefix).high ?? "")))"
        }
    }

    /// The ways to find every job of this way through indexes: each a set of ranges that holds
    /// them all between them. One for each word the word index holds all of (none for `mar`,
    /// which the commonest names start), with the range of client ids for digits; one for the
    /// client id; one for the id.
    var drivers: [[WordRange]] {
        func word(_ word: String) -> [WordRange] {
            [WordRange.words(startingWith: word)] + (SearchText.isDigits(word) ? [WordRange.clients(startingWith: word)] : [])
        }
        switch self {
        case .words(let words): return words.filter(SearchText.indexCovers(prefix:)).map(word)
        case .client(let compact): return [word(compact)]
        case .id(let prefix): return [[WordRange.ids(startingWith: prefix)]]
        }
    }

    /// The submission times this way's jobs lie in, when narrower than all: an id begins with its
    /// submission time in milliseconds (``JobID``), so its first digits name a span of time (a
    /// millisecond more each side, for the rounding of times to milliseconds).
    var times: (from: Double, before: Double)? {
        guard case .id(let prefix) = self else { return nil }
        let digits = prefix.prefix(12), rest = 12 - digits.count
        guard let low = UInt64(digits + String(repeating: "0", count: rest), radix: 16),
            let high = UInt64(digits + String(repeating: "f", count: rest), radix: 16)
        else { return nil }
        return (Double(low) / 1000 - 0.001, Double(high + 1) / 1000 + 0.001)
    }
}

/// A range of an index that a query word stands for.
struct WordRange {
    enum Index {
        /// `search_words`, by owner.
        case words
        /// The ids, of every owner.
        case ids
        /// The client ids as given (`jobs_by_client`), of every owner.
        case clients
    }
    var index: Index
    var low: String
    /// Exclusive for words and client ids (nil: none), inclusive for ids.
    var high: String?

    /// The words of `search_words` that start with `prefix`.
    static func words(startingWith prefix: String) -> WordRange {
        WordRange(index: .words, low: prefix, high: SearchText.upperBound(prefix: prefix))
    }

    /// The job ids that start with `prefix`: as long as an id and of its digits only, so that the
    /// bounds compare alike in any PostgreSQL locale.
    static func ids(startingWith prefix: String) -> WordRange {
        let rest = 32 - prefix.utf8.count
        return WordRange(index: .ids, low: prefix + String(repeating: "0", count: rest), high: prefix + String(repeating: "f", count: rest))
    }

    /// The client ids given as digits that start with the digits `prefix` (others may fall in the
    /// range too; the search checks each job it finds).
    static func clients(startingWith prefix: String) -> WordRange {
        WordRange(index: .clients, low: prefix, high: SearchText.digitsUpperBound(prefix: prefix))
    }

    /// The owner's jobs in the range (`distinct`: each once). For ids and client ids, `+owner`
    /// keeps SQLite from reading the owner's whole index instead of this range (it has no
    /// statistics to tell which is smaller); to PostgreSQL it is the same column.
    func select(owner: String, distinct: Bool, _ statement: inout SQLBuilder) -> String {
        switch index {
        case .words:
            return
                "SELECT \(distinct ? "DISTINCT " : "")seq FROM search_words WHERE owner = \(owner) AND word >= \(statement.bind(.text(low))) AND word < \(statement.bind(.text(high)))"
        case .ids:
            return "SELECT seq FROM jobs WHERE id BETWEEN \(statement.bind(.text(low))) AND \(statement.bind(.text(high))) AND +owner = \(owner)"
        case .clients:
            return "SELECT seq FROM jobs WHERE \(clientRange(&statement)) AND +owner = \(owner)"
        }
    }

    /// How many jobs of the range there are, counted up to `limit`: the owner's for words; every
    /// owner's for ids and client ids, read from their index alone (a range of few is one of few
    /// of the owner's).
    func count(owner: Int64, limit: Int, _ statement: inout SQLBuilder) -> String {
        let select =
            switch index {
            case .words: self.select(owner: statement.bind(.integer(owner)), distinct: false, &statement)
            case .ids: "SELECT 1 FROM jobs WHERE id BETWEEN \(statement.bind(.text(low))) AND \(statement.bind(.text(high)))"
            case .clients: "SELECT 1 FROM jobs WHERE \(clientRange(&statement))"
            }
        return "SELECT count(*) FROM (\(select) LIMIT \(statement.bind(.int(limit)))) AS c"
    }

    private func clientRange(_ statement: inout SQLBuilder) -> String {
        "client_id >= \(statement.bind(.text(low)))" + (high.map { " AND client_id < \(statement.bind(.text($0)))" } ?? "")
    }
}

/// Where a job stands in a history: its submission time, then its row number.
struct HistoryPosition: Comparable {
    var at: Double
    var seq: Int64

    /// Before every job, and after every job.
    static let start = HistoryPosition(at: -.greatestFiniteMagnitude, seq: .min)
    static let end = HistoryPosition(at: .greatestFiniteMagnitude, seq: .max)

    static func < (left: HistoryPosition, right: HistoryPosition) -> Bool { (left.at, left.seq) < (right.at, right.seq) }
}

/// A job of a history page before it is read: where it stands, and its id.
struct HistoryRow {
    var position: HistoryPosition
    var id: String

    static func read(_ row: any SQLRow) throws(StoreError) -> HistoryRow {
        HistoryRow(position: HistoryPosition(at: try row.double(0), seq: try row.int64(1)), id: try row.string(2))
    }
}

/// What one way of a page found: matches newest first, and where it stopped short of the
/// history's start (nil: it holds every match before the page's end).
struct HistoryFinding {
    var rows: [HistoryRow]
    var stop: HistoryRow?

    /// The page: the newest matches of all, each once, down to where every way is complete; and
    /// where the next page starts, if anything may be left.
    static func merge(_ findings: [HistoryFinding], limit: Int) -> (rows: [HistoryRow], next: HistoryRow?) {
        // Past the newest point where a way stopped early, the others are not known complete.
        let stop = findings.compactMap(\.stop).max { $0.position < $1.position }
        var seen: Set<Int64> = []
        let rows = findings.flatMap(\.rows).filter { row in
            (stop.map { row.position >= $0.position } ?? true) && seen.insert(row.position.seq).inserted
        }
        let page = Array(rows.sorted { $0.position > $1.position }.prefix(limit))
        return (page, page.count == limit ? page.last : stop)
    }
}

/// Where the history changes ways (see ``SQLStore/jobs(owner:matching:limit:before:)``); the
/// tests lower them to take each way on a few jobs.
struct HistoryLimits: Sendable {
    /// The most applications one word of a search may start for the word index to be used.
    var candidates = 5000
    /// The most applications a page reads through the index by owner and time, for each way.
    var scanBudget = 10_000
}

/// A statement being written, its placeholders numbered in the order its values are bound.
struct SQLBuilder {
    var values: [SQLValue] = []

    /// The placeholder of `value`, added to the statement's values.
    mutating func bind(_ value: SQLValue) -> String {
        values.append(value)
        return "?\(values.count)"
    }
}
