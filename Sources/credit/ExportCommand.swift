import ArgumentParser
import CreditAPI
import CreditGovernance
import CreditJSON
import CreditSchema
import CreditStore
import CreditSystem
import CreditText
import Foundation

/// `credit export`: every application with its outcome and final decision, for archiving
/// (before a retention purge, or for a regulator). JSON lines keep codes; the CSV is for a
/// spreadsheet: its header and the final decision in words of the language, in its dialect.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every application (oldest first) with its result and final decision as CSV or JSON lines on standard output.")
    @OptionGroup var config: ConfigOption
    @Option(help: "Only applications submitted at or after this date (YYYY-MM-DD, UTC) or time in seconds since 1970.") var since: String?
    @Option(help: "CSV with a header line, or JSON lines.") var format: ExportFormat = .csv
    @OptionGroup var csv: CSVOutputOptions

    func validate() throws {
        if let since, AuditCommand.Export.seconds(since) == nil {
            throw ValidationError("--since must be a date YYYY-MM-DD or seconds since 1970, not \(since)")
        }
    }

    /// The members of a JSON line.
    static let columns = [
        "id", "officer", "status", "submitted_at", "completed_at", "model", "probability_of_default", "score", "model_decision",
        "final_decision", "reason_code", "decided_by", "decided_at", "error", "application",
    ]

    /// The CSV header in English: the same columns, the final decision in words with its origin beside it.
    static let csvHeader = [
        "Application ID", "Officer", "Status", "Submitted at", "Completed at", "Model", "Probability of default", "Score", "Model decision code",
        "Final decision", "Decision origin", "Review reason code", "Reviewer", "Decided at", "Error", "Application",
    ]

    func run() throws {
        let settings = try config.load()
        let store = try openStore(settings)
        let from = since.flatMap(AuditCommand.Export.seconds) ?? -Double.infinity
        let language = csv.language(deployment: settings.language)
        let writer = csv.writer(language)
        var names: [Int64: String] = [:]
        for user in try store.users() { names[user.id] = user.name }
        if format == .csv { print(CSVWriter.byteOrderMark + writer.line(Self.csvHeader.map(language.catalog.translate)), terminator: "") }
        var after: String?
        var count = 0
        while true {
            let jobs = try store.allJobs(after: after, limit: 1000)
            guard let last = jobs.last else { break }
            for job in jobs where job.submittedAt >= from {
                let exported = ExportedApplication(job, officer: names[job.owner] ?? "user \(job.owner)", review: try store.review(jobID: job.id))
                if format == .csv {
                    print(writer.line(exported.cells(language.catalog)), terminator: "")
                } else {
                    var object: [String: JSONOutput] = [:]
                    for (name, value) in zip(Self.columns, exported.values) { object[name] = .string(value) }
                    object["result"] = job.result.map { .raw($0) } ?? .null
                    object["application"] = exported.application.map(JSONOutput.raw) ?? .null
                    print(JSONOutput.object(object).text)
                }
                count += 1
            }
            after = last.id
        }
        try store.appendAudit(
            AuditEntry(
                actor: nil, actorName: "cli:" + NSUserName(), action: .export, object: "applications",
                detail: "\(count) applications as \(format.rawValue)"), now: Date().timeIntervalSince1970)
    }
}

/// One application as `credit export` writes it.
struct ExportedApplication {
    let job: Job
    let officer: String
    let review: Review?
    var model = "", probabilityOfDefault: Double?, score: Int?, decision: String?
    let application: String?

    init(_ job: Job, officer: String, review: Review?) {
        self.job = job
        self.officer = officer
        self.review = review
        if let result = job.result, case .object(let members)? = try? JSONValue.parse(result) {
            if case .string(let text)? = members["model"] { model = text }
            if case .number(let value)? = members["probability_of_default"] { probabilityOfDefault = value }
            if case .number(let value)? = members["score"] { score = Int(value) }
            if case .string(let text)? = members["decision"] { decision = text }
        }
        application = ApplicantSchema.pakdd.storedApplication(payload: job.payload, record: job.record)
    }

    private static func time(_ value: Double?) -> String { value.map(Timestamp.rfc3339) ?? "" }

    /// The values of ``ExportCommand/columns``, in codes.
    var values: [String] {
        [
            job.id, officer, job.status.rawValue, Self.time(job.submittedAt), Self.time(job.completedAt), model,
            probabilityOfDefault.map { String($0) } ?? "", score.map(String.init) ?? "", decision ?? "", review?.decision?.rawValue ?? "",
            review?.reasonCode ?? "", review?.decidedBy ?? "", Self.time(review?.decidedAt), job.error ?? "", application ?? "",
        ]
    }

    /// The cells of ``ExportCommand/csvHeader``, the words in `catalog`'s language.
    func cells(_ catalog: MessageCatalog) -> [CSVCell] {
        let final = ResultTable.finalDecision(
            model: decision, reviewer: review?.decision?.rawValue, origin: review?.origin.rawValue, catalog)
        return [
            .text(job.id), .text(officer), .text(ResultTable.status(job.status.rawValue, catalog)), .text(Self.time(job.submittedAt)),
            .text(Self.time(job.completedAt)), .text(model), probabilityOfDefault.map { .number($0, digits: 6) } ?? .empty,
            score.map(CSVCell.integer) ?? .empty, .text(decision ?? ""), .text(final.words), .text(final.origin), .text(review?.reasonCode ?? ""),
            .text(review?.decidedBy ?? ""), .text(Self.time(review?.decidedAt)), .text(job.error.map(catalog.translate) ?? ""),
            .text(application ?? ""),
        ]
    }
}
