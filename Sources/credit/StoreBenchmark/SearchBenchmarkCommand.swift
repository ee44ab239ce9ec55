import ArgumentParser
import CreditConfig
import CreditGovernance
import CreditModel
import CreditStore
import CreditSystem
import Foundation

/// `credit search-benchmark` (hidden; `bench/search.sh` runs it): the history search's latency on
/// a SQLite store of `--applications` applications, filled through the store's own calls (single
/// applications in commits of 500, every tenth block of 5,000 as a batch's rows, a year of
/// submission times, all but the newest 0.5 % scored: 60 % approve, 25 % review, 15 % reject),
/// then queries of several kinds through the responder's pool, a page of 20 each. (With a
/// PostgreSQL URL as `--database`, the same on that server.)
struct SearchBenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search-benchmark", abstract: "Measure the history search on a large SQLite store (for bench/search.sh).",
        shouldDisplay: false)

    @OptionGroup var file: StoreBenchmarkOptions
    @Option(help: "Applications to fill it with.") var applications = 1_000_000
    @Option(help: "Owners the applications are spread over (1: one officer holds them all, the hardest case).") var owners = 1
    @Option(help: "Queries of each of the main kinds (the others get half).") var queries = 50
    @Flag(help: "Search the existing file, filled before with the same options, without filling it.") var reuse = false

    /// A `postgresql://` URL in `--database` benchmarks PostgreSQL (an empty database) instead.
    private var location: StoreLocation {
        file.database.hasPrefix("postgres") ? .postgres(url: file.database) : .sqlite(path: file.database)
    }

    func run() throws {
        var sample: [(index: Int, name: String)] = []
        if !reuse {
            if case .sqlite = location { try file.requireNewFile() }
            let started = SystemClock.monotonic()
            sample = try fill()
            printError("filled in \(Int(SystemClock.monotonic() - started)) s")
        } else {
            var names = BrazilianNames(seed: file.seed)
            sample = (0..<applications).compactMap { index in
                let name = index == applications / 3 ? "Maria da Conceição" : names.next()
                return index % 100 == 0 ? (index, name) : nil
            }
        }
        try measure(sample)
        guard case .sqlite = location else { return print("database   \(applications) applications, \(owners) owner(s), PostgreSQL") }
        let bytes = try BenchmarkApplications.fileSize(file.database)
        print("database   \(applications) applications, \(owners) owner(s): \(bytes / 1_048_576) MiB")
        try printTableSizes()
    }

    /// Fills the store; returns every hundredth application's index and name (to build queries from).
    private func fill() throws -> [(index: Int, name: String)] {
        let store = try location.open()
        let users = try (0..<owners).map { number in
            try store.createUser(name: "officer\(number)", passwordHash: "-", role: .officer, mustChangePassword: false, audit: nil, now: 0)
        }
        var names = BrazilianNames(seed: file.seed)
        var sample: [(index: Int, name: String)] = []
        let gap = BenchmarkApplications.year / Double(applications)
        for block in stride(from: 0, to: applications, by: 5000) {
            let indexes = block..<min(block + 5000, applications)
            let people = indexes.map { index in index == applications / 3 ? "Maria da Conceição" : names.next() }
            for (index, name) in zip(indexes, people) where index % 100 == 0 { sample.append((index, name)) }
            let now = BenchmarkApplications.start + Double(block) * gap
            if isBatch(block) {
                let owner = users[ownerNumber(block)].id
                let batch = try store.createBatch(owner: owner, name: "block-\(block).csv", rows: indexes.count, now: now)
                let rows = zip(indexes, people).map { index, name in
                    BatchRow(
                        line: index - block + 2, clientID: BenchmarkApplications.clientID(index), record: BenchmarkApplications.record,
                        applicantName: name)
                }
                try store.addBatchRows(batch: batch.id, owner: owner, rows: rows, now: now)
                try store.markBatchLoaded(batch: batch.id, owner: owner)
            } else {
                let submissions = zip(indexes, people).map { index, name in
                    Submission(
                        owner: users[ownerNumber(index)].id, payload: "", idempotencyKey: nil, record: BenchmarkApplications.record,
                        applicantName: name, clientID: BenchmarkApplications.clientID(index), now: BenchmarkApplications.start + Double(index) * gap)
                }
                for first in stride(from: 0, to: submissions.count, by: 500) {
                    for result in try store.enqueue(batch: Array(submissions[first..<min(first + 500, submissions.count)])) { _ = try result.get() }
                }
            }
        }
        // Scored oldest first, as workers take them, up to the newest 0.5 %.
        var random = SplitMix64(seed: file.seed ^ 0xDEC1)
        var scored = 0
        let end = BenchmarkApplications.start + BenchmarkApplications.year
        while scored < applications - applications / 200 {
            let claimed = try store.claim(
                worker: "bench", limit: min(2000, applications - applications / 200 - scored), lease: 1e9, maxAttempts: 3, now: end)
            guard !claimed.isEmpty else { break }
            let outcomes: [(job: ClaimedJob, outcome: JobOutcome)] = claimed.map { job in
                let draw = random.next() % 100
                let decision = draw < 60 ? "approve" : draw < 85 ? "review" : "reject"
                return (job, .done(result: BenchmarkApplications.result(decision, scored), referred: false))
            }
            try store.finish(worker: "bench", outcomes: outcomes, now: end)
            scored += claimed.count
        }
        return sample
    }

    /// Every tenth block of 5,000 applications is a batch's rows.
    private func isBatch(_ index: Int) -> Bool { index / 5000 % 10 == 9 }

    /// The owner of an application: a batch's owner, or one in turn for single applications.
    private func ownerNumber(_ index: Int) -> Int { isBatch(index) ? index / 5000 % owners : index % owners }

    /// One kind of query: its text and filters, and the pages to read before the one timed.
    private struct Query {
        var query: HistoryQuery
        var skip = 0
    }

    private func measure(_ sample: [(index: Int, name: String)]) throws {
        let pool = try location.pool()
        guard let owner = try pool.withStore({ try $0.user(named: "officer0") }) else { throw CommandError("no officer0 in \(file.database)") }
        var random = SplitMix64(seed: file.seed ^ 0x5EA7C4)
        func pick<T>(_ list: [T]) -> T { list[Int(random.next() % UInt64(list.count))] }
        func text(_ words: String, decision: HistoryQuery.Decision? = nil, batches: HistoryQuery.Batches = .include) throws -> Query {
            Query(query: HistoryQuery(text: try TextQuery(words), decision: decision, batches: batches))
        }
        // officer0's applications are searched: with several owners, queries come from theirs.
        let own = sample.filter { ownerNumber($0.index) == 0 }
        let tail = Set(BrazilianNames.tail.map { SearchText.words($0).joined() })
        let rare = own.flatMap { SearchText.words($0.name).filter(tail.contains) }
        var ids: [String] = []
        for _ in 0..<(queries / 2) {
            let exact = HistoryQuery(text: try TextQuery(BenchmarkApplications.clientID(pick(own).index)))
            let page = try pool.withStore { store in try store.jobs(owner: owner.id, matching: exact, limit: 1, before: nil) }
            ids += page.jobs.map(\.id)
        }
        let monthAgo = BenchmarkApplications.start + BenchmarkApplications.year - 30 * 86_400
        let kinds: [(name: String, count: Int, make: () throws -> Query)] = [
            ("a rare surname (word of the tail)", queries, { try text(pick(rare)) }),
            ("maria", queries, { try text("maria") }),
            (
                "a client id's first 4-6 digits", queries,
                { try text(String(BenchmarkApplications.clientID(pick(own).index).prefix(4 + Int(random.next() % 3)))) }
            ),
            ("conceicao", queries, { try text("conceicao") }),
            ("silva, santos, jose, oliveira, souza", queries / 2, { try text(pick(["silva", "santos", "jose", "oliveira", "souza"])) }),
            ("maria silva", queries / 2, { try text("maria silva") }),
            ("maria, decision=reject", queries / 2, { try text("maria", decision: .reject) }),
            ("maria, batch=exclude", queries / 2, { try text("maria", batches: .exclude) }),
            ("maria, the 5th page", queries / 2, { Query(query: try text("maria").query, skip: 4) }),
            ("an application id's first 12 digits", ids.count, { try text(String((pick(ids) as String).prefix(12))) }),
            ("no text, decision=review", queries / 2, { Query(query: HistoryQuery(decision: .review)) }),
            (
                "no text, one day a month back", queries / 2,
                { Query(query: HistoryQuery(submittedFrom: monthAgo, submittedBefore: monthAgo + 86_400)) }
            ),
            ("no text, no filter", queries / 2, { Query(query: HistoryQuery()) }),
        ]
        print("kind                                    queries   p50 ms   p95 ms   p99 ms   mean items")
        for kind in kinds {
            var samples: [Double] = [], items = 0
            for _ in 0..<kind.count {
                let query = try kind.make()
                var before: String?
                for _ in 0..<query.skip {
                    before = try pool.withStore { try $0.jobs(owner: owner.id, matching: query.query, limit: 20, before: before) }.next
                }
                let started = SystemClock.monotonic()
                let page = try pool.withStore { try $0.jobs(owner: owner.id, matching: query.query, limit: 20, before: before) }
                samples.append(SystemClock.monotonic() - started)
                items += page.jobs.count
            }
            let (p50, p95, p99) = BenchmarkApplications.percentiles(samples)
            print(
                kind.name.padding(toLength: 40, withPad: " ", startingAt: 0)
                    + String(format: "%7d %8.2f %8.2f %8.2f %12.1f", kind.count, p50, p95, p99, Double(items) / Double(kind.count)))
        }
    }

    /// What the search adds to the file: its table and index, and its two columns' bytes.
    private func printTableSizes() throws {
        let database = try SQLiteDatabase(path: file.database)
        let sizes = try? database.query("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC") { row throws(StoreError) in
            (try row.string(0), try row.int(1))
        }
        for (name, bytes) in sizes ?? [] where bytes > 1_048_576 {
            print("  \(name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(bytes / 1_048_576) MiB")
        }
        if sizes == nil { print("  (this SQLite has no dbstat table: no sizes by table)") }
        let columns = try database.query("SELECT sum(coalesce(length(search_name), 0) + coalesce(length(search_client), 0)) FROM jobs") {
            row throws(StoreError) in try row.int(0)
        }
        print("  search_name and search_client: \((columns.first ?? 0) / 1_048_576) MiB of jobs' rows")
    }
}
