import ArgumentParser
import CreditModel
import Foundation

/// `credit score`: scores every applicant of a PAKDD file (labelled or not), streaming one line
/// each: `ID<TAB>PD` by default, or the decision, the score and the main reasons as CSV or JSON lines.
struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "score", abstract: "Score every applicant in a file.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        /// `ID<TAB>PD`, as the PAKDD competition's submissions.
        case tsv
        /// A header, then id, PD, score, decision and the three main reasons with their fields.
        case csv
        /// One JSON object a line with the same, and every reason.
        case jsonl
    }

    @Option(help: "Model file.") var model: String
    @Option(help: "Data file (PAKDD format; the target column is optional).") var data: String
    @Option(help: "Output: tsv (ID<TAB>PD), csv or jsonl (with score, decision and reasons).") var format: Format = .tsv

    /// Reasons given in CSV, each as its text and its field.
    static let csvReasons = 3

    func run() throws {
        let scorer = try loadScorer(model)
        var output = format == .csv ? Self.csvHeader + "\n" : ""
        output.reserveCapacity(1 << 16)
        var iterator = PAKDDReader(path: data).makeIterator()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            while let record = try iterator.nextRecord() {
                switch format {
                case .tsv:
                    output += "\(record.id)\t\(fixed(scorer.probability(record.applicant), 6))\n"
                case .csv:
                    output += Self.csvLine(id: record.id, scorer.predict(record.applicant)) + "\n"
                case .jsonl:
                    output += String(decoding: try encoder.encode(Line(id: record.id, scorer.predict(record.applicant))), as: UTF8.self) + "\n"
                }
                if output.utf8.count > 60_000 { FileHandle.standardOutput.write(Data(output.utf8)); output.removeAll(keepingCapacity: true) }
            }
        } catch let error as DataReadError {
            FileHandle.standardOutput.write(Data(output.utf8))
            throw CommandError(error.description)
        }
        FileHandle.standardOutput.write(Data(output.utf8))
    }

    static var csvHeader: String {
        (["id", "probability_of_default", "score", "decision"]
            + (1...csvReasons).flatMap { ["reason_\($0)", "reason_\($0)_field"] }).joined(separator: ",")
    }

    static func csvLine(id: Int, _ prediction: Prediction) -> String {
        var cells = [String(id), fixed(prediction.probabilityOfDefault, 6), String(prediction.score), prediction.decision.rawValue]
        for index in 0..<csvReasons {
            let reason = index < prediction.reasons.count ? prediction.reasons[index] : nil
            cells += [reason?.text ?? "", reason?.field ?? ""]
        }
        return cells.map(csvField).joined(separator: ",")
    }

    /// A CSV field, quoted when it holds a comma, a quote or a line break.
    static func csvField(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    /// One JSON line.
    struct Line: Encodable {
        struct Reason: Encodable { let field: String; let text: String; let contribution: Double }
        let id: Int
        let probabilityOfDefault: Double
        let score: Int
        let decision: String
        let reasons: [Reason]
        let model: String

        init(id: Int, _ prediction: Prediction) {
            self.id = id
            probabilityOfDefault = (prediction.probabilityOfDefault * 1e6).rounded() / 1e6
            score = prediction.score
            decision = prediction.decision.rawValue
            reasons = prediction.reasons.map { Reason(field: $0.field, text: $0.text, contribution: ($0.contribution * 1e6).rounded() / 1e6) }
            model = prediction.model
        }

        enum CodingKeys: String, CodingKey {
            case id, probabilityOfDefault = "probability_of_default", score, decision, reasons, model
        }
    }
}
