import ArgumentParser
import CreditGovernance
import CreditStore
import CreditSystem
import Foundation

/// `credit enqueue-benchmark` (hidden; `bench/search.sh` runs it): what storing an application
/// costs, through the store's own calls on a new SQLite file. Single applications in group
/// commits of `--group` (as the responder commits them), then a batch's rows in chunks of 5,000
/// (as an upload queues them); submissions/s of each and the file's size.
struct EnqueueBenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enqueue-benchmark", abstract: "Measure storing applications on a new SQLite file (for bench/search.sh).",
        shouldDisplay: false)

    @OptionGroup var file: StoreBenchmarkOptions
    @Option(help: "Single applications to store.") var applications = 100_000
    @Option(help: "Applications a commit stores.") var group = 32
    @Option(help: "Rows of the batch stored after them.") var batchRows = 50_000
    @Option(help: "SQLite's page cache in KiB (the responder's connections have 128).") var cacheKiB = 128

    func run() throws {
        try file.requireNewFile()
        let store = try SQLiteStore(path: file.database, cacheKiB: cacheKiB)
        let owner = try store.createUser(name: "bench", passwordHash: "-", role: .officer, mustChangePassword: false, audit: nil, now: 0)
        var names = BrazilianNames(seed: file.seed)
        let gap = BenchmarkApplications.year / Double(applications + batchRows)
        let submissions = (0..<applications).map { index in
            Submission(
                owner: owner.id, payload: "", idempotencyKey: nil, record: BenchmarkApplications.record, applicantName: names.next(),
                clientID: BenchmarkApplications.clientID(index), now: BenchmarkApplications.start + Double(index) * gap)
        }
        var start = SystemClock.monotonic()
        for first in stride(from: 0, to: submissions.count, by: group) {
            for result in try store.enqueue(batch: Array(submissions[first..<min(first + group, submissions.count)])) { _ = try result.get() }
        }
        let singles = Double(applications) / (SystemClock.monotonic() - start)
        let now = BenchmarkApplications.start + Double(applications) * gap
        let rows = (0..<batchRows).map { index in
            BatchRow(
                line: index + 2, clientID: BenchmarkApplications.clientID(applications + index), record: BenchmarkApplications.record,
                applicantName: names.next())
        }
        start = SystemClock.monotonic()
        let batch = try store.createBatch(owner: owner.id, name: "bench.csv", rows: batchRows, now: now)
        for first in stride(from: 0, to: rows.count, by: 5000) {
            try store.addBatchRows(batch: batch.id, owner: owner.id, rows: Array(rows[first..<min(first + 5000, rows.count)]), now: now)
        }
        let batchRate = Double(batchRows) / (SystemClock.monotonic() - start)
        let bytes = try BenchmarkApplications.fileSize(file.database)
        print("schema version                      \(try store.schemaVersion())")
        print("single applications, \(group) a commit    \(Int(singles)) /s (\(applications))")
        print("a batch's rows, 5,000 a commit        \(Int(batchRate)) /s (\(batchRows))")
        print("file size                           \(bytes / 1_048_576) MiB (\(bytes / (applications + batchRows)) bytes an application)")
    }
}
