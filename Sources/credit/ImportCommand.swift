import ArgumentParser
import CreditAPI
import CreditJSON
import CreditModel
import CreditStore
import Foundation

/// `credit import`: queues a file of applications as a batch of a user's, from the command line
/// (a month's applications for a re-score, or traffic to monitor), as `POST /api/batches` does.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Queue a file of applications (PAKDD, CSV or JSON lines) as a batch of USER's; prints the batch id.")
    @OptionGroup var config: ConfigOption
    @Option(help: "The user the batch belongs to.") var user: String
    @Argument(help: "The file: PAKDD (tab-separated), or .csv / .jsonl with the fields of /api/schema.") var file: String

    func run() throws {
        let settings = try config.load()
        let store = try openStore(settings)
        guard let owner = try store.user(named: user), !owner.disabled else { throw CommandError("no active user named \(user)") }
        var rows: [BatchRow] = [], dialect: CSVDialect?
        if file.hasSuffix(".csv") || file.hasSuffix(".jsonl") || file.hasSuffix(".ndjson") {
            let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: file)))
            let parsed: ApplicationFile
            do { parsed = try ApplicationFile(bytes: bytes, format: file.hasSuffix(".csv") ? .csv : .jsonl) } catch {
                throw CommandError("\(file): \(error)")
            }
            dialect = parsed.dialect
            var problems: [String] = []
            parsed.forEachRow { row in
                switch row {
                case .success(let valid):
                    rows.append(
                        BatchRow(
                            line: valid.line, clientID: valid.clientID, record: ApplicantRecord.encode(valid.applicant),
                            applicantName: valid.applicant.name(in: .pakdd)))
                case .failure(let bad): problems.append("line \(bad.line): \(bad.errors)")
                }
                return problems.count < 20
            }
            if !problems.isEmpty { throw CommandError("\(file) has invalid rows; nothing was queued:\n" + problems.joined(separator: "\n")) }
        } else {
            try PAKDDReader(path: file).forEachRecord { record in
                rows.append(
                    BatchRow(
                        line: record.line, clientID: String(record.id),
                        record: ApplicantRecord.encode(record.applicant)))
            }
        }
        guard !rows.isEmpty else { throw CommandError("\(file) holds no application") }
        let now = Date().timeIntervalSince1970
        let batch = try store.createBatch(
            owner: owner.id, name: URL(fileURLWithPath: file).lastPathComponent, rows: rows.count, dialect: dialect?.rawValue, now: now)
        var start = 0
        while start < rows.count {
            let end = min(start + 5000, rows.count)
            try store.addBatchRows(batch: batch.id, owner: owner.id, rows: Array(rows[start..<end]), now: now)
            start = end
        }
        try store.markBatchLoaded(batch: batch.id, owner: owner.id)
        // A resident worker on SQLite wakes at the datagram (otherwise within its 1 s poll).
        if case .sqlite = settings.store { QueueWakeupSender(path: settings.wakeSocket).notify() }
        print(batch.id)
    }
}
