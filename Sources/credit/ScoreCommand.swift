import ArgumentParser
import CreditModel
import CreditSchema
import CreditText
import Foundation

/// `credit score`: scores every applicant of a file, streaming one line each: `ID<TAB>PD` by
/// default, or the decision, the score and the main reasons as CSV (the columns of a batch's
/// results.csv, in a language and a dialect) or JSON lines. The file is a PAKDD file (labelled or not), or a CSV or JSON-lines
/// file of applications as `POST /api/batches` takes them.
struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "score", abstract: "Score every applicant in a file.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        /// `ID<TAB>PD`, as the PAKDD competition's submissions.
        case tsv
        /// The columns of a batch's results.csv: line, id, client id, PD, score, decision, reasons with their codes.
        case csv
        /// One JSON object a line with the same, and every reason.
        case jsonl
    }

    enum InputFormat: String, ExpressibleByArgument, CaseIterable {
        case pakdd, csv, jsonl
    }

    @Option(help: "Model file.") var model: String
    @Option(help: "Data file: PAKDD (tab-separated, the target column optional), or CSV / JSON lines with the fields of /api/schema.") var data:
        String
    @Option(help: "The data file's format (default: from its name: .csv, .jsonl or .ndjson, else pakdd).") var input: InputFormat?
    @Option(help: "Output: tsv (ID<TAB>PD), csv or jsonl (with score, decision and reasons).") var format: Format = .tsv
    @OptionGroup var csv: CSVOutputOptions

    /// The input format, from the option or the file's name.
    var inputFormat: InputFormat {
        if let input { return input }
        let name = data.lowercased()
        if name.hasSuffix(".csv") { return .csv }
        if name.hasSuffix(".jsonl") || name.hasSuffix(".ndjson") { return .jsonl }
        return .pakdd
    }

    /// One scored (or refused) row, whatever the input.
    struct Scored {
        var line: Int
        var id: String
        var clientID: String?
        var applicantName: String? = nil
        var prediction: Prediction?
        var error: String?
    }

    func run() throws {
        let scorer = try loadScorer(model)
        let language = csv.language(deployment: CSVOutputOptions.environmentLanguage)
        let writer = csv.writer(language)
        var output = format == .csv ? CSVWriter.byteOrderMark + writer.line(ResultTable.header(language.catalog)) : ""
        output.reserveCapacity(1 << 16)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func emit(_ row: Scored) throws {
            switch format {
            case .tsv:
                output += "\(row.id.isEmpty ? String(row.line) : row.id)\t\(row.prediction.map { fixed($0.probabilityOfDefault, 6) } ?? "")\n"
            case .csv:
                let prediction = row.prediction
                let table = ResultTable.Row(
                    line: row.line, id: row.id, clientID: row.clientID, applicantName: row.applicantName,
                    status: prediction == nil ? "invalid" : "done", probabilityOfDefault: prediction?.probabilityOfDefault, score: prediction?.score,
                    modelDecision: prediction?.decision.rawValue,
                    reasons: prediction?.reasons.map { ($0.code, $0.texts[language.rawValue] ?? $0.text) } ?? [], error: row.error)
                output += writer.line(ResultTable.cells(table, language.catalog))
            case .jsonl:
                output += String(decoding: try encoder.encode(Line(row)), as: UTF8.self) + "\n"
            }
            if output.utf8.count > 60_000 { FileHandle.standardOutput.write(Data(output.utf8)); output.removeAll(keepingCapacity: true) }
        }
        defer { FileHandle.standardOutput.write(Data(output.utf8)) }
        switch inputFormat {
        case .pakdd:
            var iterator = PAKDDReader(path: data).makeIterator()
            var line = 0  // PAKDD files have no header: the first applicant is on line 1
            do {
                while let record = try iterator.nextRecord() {
                    line += 1
                    try emit(Scored(line: line, id: String(record.id), clientID: String(record.id), prediction: scorer.predict(record.applicant)))
                }
            } catch let error as DataReadError { throw CommandError(error.description) }
        case .csv, .jsonl:
            guard let bytes = FileManager.default.contents(atPath: data) else { throw CommandError("cannot read \(data)") }
            let file: ApplicationFile
            do { file = try ApplicationFile(bytes: Array(bytes), format: inputFormat == .csv ? .csv : .jsonl) } catch {
                throw CommandError("\(data): \(error.description)")
            }
            var failure: Error?, invalid = 0
            file.forEachRow { row in
                do {
                    switch row {
                    case .success(let valid):
                        try emit(
                            Scored(
                                line: valid.line, id: "", clientID: valid.clientID, applicantName: valid.applicant.name(in: .pakdd),
                                prediction: scorer.predict(valid.applicant)))
                    case .failure(let bad):
                        invalid += 1
                        let text = bad.errors.keys.sorted().map { "\($0.isEmpty ? "row" : $0): \(bad.errors[$0]!.joined(separator: " "))" }.joined(
                            separator: "; ")
                        try emit(Scored(line: bad.line, id: "", clientID: nil, prediction: nil, error: text))
                    }
                } catch { failure = error }
                return failure == nil
            }
            if let failure { throw failure }
            if invalid > 0 {
                FileHandle.standardError.write(Data("credit score: \(invalid) rows of \(data) are invalid (status invalid, with the reason)\n".utf8))
            }
        }
    }

    /// One JSON line.
    struct Line: Encodable {
        let line: Int
        let id: String
        let clientID: String?
        let probabilityOfDefault: Double?
        let score: Int?
        let decision: String?
        /// The same reasons, strengths and recourse as the API's `result`, with every family and language.
        let reasons: [CreditScoring.Reason]
        let strengths: [CreditScoring.Reason]
        let recourse: [RecourseOption]
        let model: String?
        let error: String?

        init(_ row: Scored) {
            line = row.line
            id = row.id
            clientID = row.clientID
            let prediction = row.prediction
            probabilityOfDefault = prediction.map { ($0.probabilityOfDefault * 1e6).rounded() / 1e6 }
            score = prediction?.score
            decision = prediction?.decision.rawValue
            reasons = prediction?.reasons ?? []
            strengths = prediction?.strengths ?? []
            recourse = prediction?.recourse ?? []
            model = prediction?.model
            error = row.error
        }

        enum CodingKeys: String, CodingKey {
            case line, id, clientID = "client_id", probabilityOfDefault = "probability_of_default", score, decision, reasons, strengths, recourse, model
            case error
        }
    }
}
