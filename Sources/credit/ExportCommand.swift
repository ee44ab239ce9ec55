import ArgumentParser
import CreditAPI
import CreditGovernance
import CreditJSON
import CreditSchema
import CreditStore
import CreditSystem
import Foundation

/// `credit export`: every application with its outcome and final decision, for archiving
/// (before a retention purge, or for a regulator).
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every application (oldest first) with its result and final decision as CSV or JSON lines on standard output.")
    @OptionGroup var config: ConfigOption
    @Option(help: "Only applications submitted at or after this date (YYYY-MM-DD, UTC) or time in seconds since 1970.") var since: String?
    @Option(help: "CSV with a header line, or JSON lines.") var format: ExportFormat = .csv

    func validate() throws {
        if let since, AuditCommand.Export.seconds(since) == nil {
            throw ValidationError("--since must be a date YYYY-MM-DD or seconds since 1970, not \(since)")
        }
    }

    static let columns = [
        "id", "officer", "status", "submitted_at", "completed_at", "model", "probability_of_default", "score", "model_decision",
        "final_decision", "reason_code", "decided_by", "decided_at", "error", "application",
    ]

    func run() throws {
        let settings = try config.load()
        let store = try openStore(settings)
        let from = since.flatMap(AuditCommand.Export.seconds) ?? -Double.infinity
        var names: [Int64: String] = [:]
        for user in try store.users() { names[user.id] = user.name }
        if format == .csv { print(ResultTable.line(Self.columns)) }
        var after: String?
        var count = 0
        while true {
            let jobs = try store.allJobs(after: after, limit: 1000)
            guard let last = jobs.last else { break }
            for job in jobs where job.submittedAt >= from {
                let values = try Self.values(job, officer: names[job.owner] ?? "user \(job.owner)", review: store.review(jobID: job.id))
                if format == .csv {
                    print(ResultTable.line(values))
                } else {
                    var object: [String: JSONOutput] = [:]
                    for (name, value) in zip(Self.columns, values) { object[name] = .string(value) }
                    object["result"] = job.result.map { .raw($0) } ?? .null
                    object["application"] =
                        ApplicantSchema.pakdd.storedApplication(payload: job.payload, record: job.record).map(JSONOutput.raw) ?? .null
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

    static func values(_ job: Job, officer: String, review: Review?) -> [String] {
        var model = "", pd = "", score = "", decision = ""
        if let result = job.result, case .object(let members)? = try? JSONValue.parse(result) {
            if case .string(let text)? = members["model"] { model = text }
            if case .number(let value)? = members["probability_of_default"] { pd = String(value) }
            if case .number(let value)? = members["score"] { score = String(Int(value)) }
            if case .string(let text)? = members["decision"] { decision = text }
        }
        let time = { (value: Double?) in value.map(Timestamp.rfc3339) ?? "" }
        return [
            job.id, officer, job.status.rawValue, time(job.submittedAt), time(job.completedAt), model, pd, score, decision,
            review?.decision?.rawValue ?? "", review?.reasonCode ?? "", review?.decidedBy ?? "", time(review?.decidedAt), job.error ?? "",
            ApplicantSchema.pakdd.storedApplication(payload: job.payload, record: job.record) ?? "",
        ]
    }
}
