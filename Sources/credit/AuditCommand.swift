import ArgumentParser
import CreditAPI
import CreditGovernance
import CreditJSON
import CreditSchema
import CreditStore
import CreditSystem
import Foundation

/// `credit audit`: check and export the audit trail.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Verify or export the audit trail.",
        subcommands: [Verify.self, Export.self])

    /// Rows read at a time.
    static let page = 5_000

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the audit trail's hash chain: an edited, inserted or deleted row makes it fail (exit 1) and names the first bad row.")
        @OptionGroup var config: ConfigOption
        func run() throws {
            let store = try openStore(try config.load())
            var verifier = AuditChainVerifier()
            while true {
                let records = try store.auditChain(after: verifier.lastSeq, limit: AuditCommand.page)
                if records.isEmpty { break }
                do throws(AuditChainBreak) { try verifier.check(records) } catch { throw CommandError(error.description) }
            }
            let (count, previous) = (verifier.verified, verifier.lastHash)
            print("the audit trail is intact: \(count) rows, last hash \(previous)")
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write the audit trail (oldest first) as CSV or JSON lines on standard output.")
        @OptionGroup var config: ConfigOption
        @Option(help: "Only rows at or after this date (YYYY-MM-DD, UTC) or time in seconds since 1970.") var since: String?
        @Option(help: "CSV with a header line, or JSON lines.") var format: ExportFormat = .csv

        func validate() throws {
            if let since, Self.seconds(since) == nil {
                throw ValidationError("--since must be a date YYYY-MM-DD or seconds since 1970, not \(since)")
            }
        }

        static func seconds(_ text: String) -> Double? {
            if let seconds = Double(text) { return seconds }
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy-MM-dd"
            return formatter.date(from: text)?.timeIntervalSince1970
        }

        func run() throws {
            let store = try openStore(try config.load())
            let from = since.flatMap(Self.seconds) ?? -Double.infinity
            let columns = ["seq", "at", "actor", "actor_name", "action", "object", "detail", "address", "previous_hash", "hash"]
            let writer = CSVWriter(dialect: .comma)
            if format == .csv { print(writer.line(columns), terminator: "") }
            var after: Int64 = 0
            while true {
                let records = try store.auditChain(after: after, limit: AuditCommand.page)
                if records.isEmpty { break }
                for record in records where record.at >= from {
                    let values = [
                        String(record.seq), Timestamp.rfc3339(record.at), record.entry.actor.map(String.init) ?? "", record.entry.actorName,
                        record.entry.action.rawValue, record.entry.object, record.entry.detail, record.entry.address, record.previousHash,
                        record.hash,
                    ]
                    if format == .csv {
                        print(writer.line(values), terminator: "")
                    } else {
                        var object: [String: JSONOutput] = [:]
                        for (name, value) in zip(columns, values) { object[name] = .string(value) }
                        object["seq"] = .number(Double(record.seq))
                        object["at_seconds"] = .number(record.at)
                        print(JSONOutput.object(object).text)
                    }
                }
                after = records.last!.seq
            }
        }
    }
}
