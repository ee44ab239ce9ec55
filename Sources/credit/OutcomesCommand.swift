import ArgumentParser
import CreditAPI
import CreditGovernance
import CreditModel
import CreditStore
import Foundation

/// `credit outcomes import`: records what happened to applicants (whether the credit defaulted),
/// so that `credit monitor` can back-test the models that scored them.
struct OutcomesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outcomes", abstract: "Record what happened to scored applicants, for back-tests in `credit monitor`.",
        subcommands: [Import.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record outcomes from a file; every line must be valid or nothing is recorded.",
            discussion: """
                A CSV file (comma, semicolon or tab) with a header naming `id` (the application's id from the API) or \
                `client_id` (the lender's id, as in a batch's `id_client`), `default` (1 or 0, also yes/no or true/false) and \
                optionally `date` (YYYY-MM-DD, when the outcome was observed). A PAKDD file with its target column \
                (54 tab-separated fields) is read as client id and default. An outcome given again replaces the earlier one.
                """)
        @OptionGroup var config: ConfigOption
        @Argument(help: "The file of outcomes.") var file: String

        func run() throws {
            let settings = try config.load()
            let outcomes = try Self.read(file)
            guard !outcomes.isEmpty else { throw CommandError("\(file) holds no outcome") }
            let store = try openStore(settings)
            let audit = AuditEntry(
                actor: nil, actorName: "cli:" + NSUserName(), action: .outcomesImported,
                object: URL(fileURLWithPath: file).lastPathComponent, detail: "\(outcomes.count) outcomes")
            let matched: [Int]
            do { matched = try store.recordOutcomes(outcomes.map(\.outcome), audit: audit, now: Date().timeIntervalSince1970) } catch {
                throw CommandError(error.description)
            }
            let unmatched = zip(outcomes, matched).filter { $0.1 == 0 }.map(\.0)
            print("recorded \(matched.reduce(0, +)) outcomes of scored applications from \(outcomes.count) lines")
            if !unmatched.isEmpty {
                let shown = unmatched.prefix(10).map { "line \($0.line)" }.joined(separator: ", ")
                print("\(unmatched.count) lines name no scored application (\(shown)\(unmatched.count > 10 ? ", …" : ""))")
            }
        }

        /// The file's outcomes with their line numbers; a bad line stops everything, with every bad line named.
        static func read(_ path: String) throws -> [(line: Int, outcome: Outcome)] {
            guard let data = FileManager.default.contents(atPath: path) else { throw CommandError("cannot read \(path)") }
            let text = String(decoding: data, as: UTF8.self)
            let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
                .map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
            guard let first = lines.first else { return [] }
            if first.split(separator: "\t", omittingEmptySubsequences: false).count == 54 && Int(first.prefix { $0 != "\t" }) != nil {
                return try pakdd(path)
            }
            let separator: Character = first.contains(";") ? ";" : first.contains("\t") ? "\t" : ","
            let header = first.split(separator: separator, omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "\u{FEFF}", with: "") }
            let job = header.firstIndex { ["id", "job_id", "application_id"].contains($0) }
            let client = header.firstIndex { ["client_id", "id_client"].contains($0) }
            guard let flag = header.firstIndex(where: { ["default", "defaulted", "bad", "target", "target_label_bad=1"].contains($0) }),
                job != nil || client != nil
            else {
                throw CommandError("\(path): the header must name `id` or `client_id`, and `default` (found: \(header.joined(separator: ", ")))")
            }
            let date = header.firstIndex { ["date", "observed_at", "observed_on"].contains($0) }
            var outcomes: [(line: Int, outcome: Outcome)] = [], problems: [String] = []
            for (offset, line) in lines.enumerated().dropFirst() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                let number = offset + 1
                let cells = line.split(separator: separator, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                func cell(_ index: Int?) -> String? { index.flatMap { $0 < cells.count && !cells[$0].isEmpty ? cells[$0] : nil } }
                let key: Outcome.Key? = cell(job).map { .job($0.lowercased()) } ?? cell(client).map { .client($0) }
                let defaulted: Bool? =
                    switch cell(flag)?.lowercased() {
                    case "1", "yes", "y", "true": true
                    case "0", "no", "n", "false": false
                    default: nil
                    }
                let observed = cell(date).map { AuditCommand.Export.seconds($0) }
                guard let key, let defaulted, observed != .some(nil) else {
                    problems.append(
                        "line \(number): "
                            + (key == nil
                                ? "no id or client_id"
                                : defaulted == nil
                                    ? "default must be 1 or 0, not \(cell(flag) ?? "empty")" : "date must be YYYY-MM-DD, not \(cell(date) ?? "")"))
                    continue
                }
                outcomes.append((number, Outcome(key: key, defaulted: defaulted, observedAt: observed ?? nil)))
            }
            if !problems.isEmpty {
                throw CommandError(
                    "\(path) has invalid lines; nothing was recorded:\n" + problems.prefix(20).joined(separator: "\n")
                        + (problems.count > 20 ? "\n… \(problems.count - 20) more" : ""))
            }
            return outcomes
        }

        /// A PAKDD file with its target: the client id and the target of each line.
        static func pakdd(_ path: String) throws -> [(line: Int, outcome: Outcome)] {
            var outcomes: [(line: Int, outcome: Outcome)] = []
            do {
                try PAKDDReader(path: path).forEachRecord { record in
                    guard let target = record.target else { throw CommandError("\(path) line \(record.line): no target column") }
                    outcomes.append((record.line, Outcome(key: .client(String(record.id)), defaulted: target == 1, observedAt: nil)))
                }
            } catch let error as DataReadError { throw CommandError(error.description) }
            return outcomes
        }
    }
}
