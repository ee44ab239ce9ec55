import ArgumentParser
import CreditModel
import Foundation

/// `credit reasons`: what a model's reasons and recourse say across a file, as a validator
/// checks them: reasons that are raw codes, rejected applicants with a reason they can act on,
/// recourse coverage and time, and (with `--compare`) how stable the reasons are between two models.
struct ReasonsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reasons",
        abstract: "Report on a model's reasons and recourse over a file (raw codes, actionable share, coverage, stability).")

    @Option(help: "Model file.") var model: String
    @Option(help: "A second model (another seed, say): the share of applicants whose top reason, reasons and decision agree.")
    var compare: String?
    @Option(help: "PAKDD data file (valid.tsv).") var data: String
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let scorer = try loadScorer(model)
        let applicants = try readDataset(data).applicants
        guard !applicants.isEmpty else { throw CommandError("\(data) has no rows") }
        let report = ReasonReport(scorer: scorer, applicants: applicants, compare: try compare.map(loadScorer))
        if json {
            print(try jsonLine(report))
            return
        }
        print("\(report.applicants) applicants, \(report.reasons) reasons given by \(scorer.modelId)")
        print("reasons naming a raw code: \(report.rawCodeReasons)")
        print("rejected applicants with an actionable reason: \(report.rejectedWithActionable) of \(report.rejected) (\(fixed(report.actionableShare * 100, 1)) %)")
        print("applicants not approved with a suggestion: \(report.withSuggestion) of \(report.notApproved) (\(fixed(report.recourseCoverage * 100, 1)) %), \(fixed(report.recourseMicroseconds, 0)) µs each (p95 \(fixed(report.recourseP95Microseconds, 0)) µs)")
        if let top = report.sameTopFamily, let set = report.sameFamilySet, let decision = report.sameDecision {
            print("against \(report.comparedModel ?? ""): same top family \(fixed(top * 100, 1)) %, same reason families \(fixed(set * 100, 1)) %, same decision \(fixed(decision * 100, 1)) %")
        }
        print("top adverse families: " + report.topFamilies.map { "\($0.family) \($0.count)" }.joined(separator: ", "))
    }
}

/// The figures of ``ReasonsCommand``.
struct ReasonReport: Encodable {
    struct FamilyCount: Encodable { var family: String; var count: Int }
    var model: String
    var applicants = 0, reasons = 0, rawCodeReasons = 0
    var rejected = 0, rejectedWithActionable = 0
    var notApproved = 0, withSuggestion = 0, suggestions = 0
    var recourseMicroseconds = 0.0, recourseP95Microseconds = 0.0
    /// Rejected applicants with an actionable reason, and applicants not approved with a suggestion, as shares.
    var actionableShare = 0.0, recourseCoverage = 0.0
    var comparedModel: String?
    var sameTopFamily: Double?, sameFamilySet: Double?, sameDecision: Double?
    var topFamilies: [FamilyCount] = []

    init(scorer: CreditScorer, applicants: [Applicant], compare: CreditScorer?) {
        model = scorer.modelId
        self.applicants = applicants.count
        let actionable = Set(scorer.document.families.families.filter(\.actionable).map(\.name))
        var times: [Double] = []
        var top: [String: Int] = [:]
        var sameTop = 0, sameSet = 0, sameDecision = 0
        for applicant in applicants {
            let prediction = scorer.predict(applicant, recourse: false)
            reasons += prediction.reasons.count + prediction.strengths.count
            rawCodeReasons += (prediction.reasons + prediction.strengths).filter { $0.statesRawCode(schema: scorer.schema) }.count
            if let first = prediction.reasons.first { top[first.family, default: 0] += 1 }
            if prediction.decision == .reject {
                rejected += 1
                if prediction.reasons.contains(where: { actionable.contains($0.family) }) { rejectedWithActionable += 1 }
            }
            if prediction.decision != .approve {
                notApproved += 1
                let start = DispatchTime.now().uptimeNanoseconds
                let options = scorer.recourseOptions(applicant, decision: prediction.decision)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e3)
                suggestions += options.count
                if !options.isEmpty { withSuggestion += 1 }
            }
            if let compare {
                let other = compare.predict(applicant, recourse: false)
                if other.reasons.first?.family == prediction.reasons.first?.family { sameTop += 1 }
                if Set(other.reasons.map(\.family)) == Set(prediction.reasons.map(\.family)) { sameSet += 1 }
                if other.decision == prediction.decision { sameDecision += 1 }
            }
        }
        if !times.isEmpty {
            recourseMicroseconds = times.reduce(0, +) / Double(times.count)
            recourseP95Microseconds = times.sorted()[min(times.count - 1, Int(Double(times.count) * 0.95))]
        }
        if let compare {
            comparedModel = compare.modelId
            let count = Double(applicants.count)
            sameTopFamily = Double(sameTop) / count
            sameFamilySet = Double(sameSet) / count
            self.sameDecision = Double(sameDecision) / count
        }
        actionableShare = rejected == 0 ? 0 : Double(rejectedWithActionable) / Double(rejected)
        recourseCoverage = notApproved == 0 ? 0 : Double(withSuggestion) / Double(notApproved)
        topFamilies = top.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { FamilyCount(family: $0.key, count: $0.value) }
    }

    enum CodingKeys: String, CodingKey {
        case model, applicants, reasons, rawCodeReasons = "raw_code_reasons", rejected
        case rejectedWithActionable = "rejected_with_actionable", notApproved = "not_approved", withSuggestion = "with_suggestion"
        case suggestions, recourseMicroseconds = "recourse_microseconds", recourseP95Microseconds = "recourse_p95_microseconds"
        case comparedModel = "compared_model", sameTopFamily = "same_top_family", sameFamilySet = "same_family_set"
        case sameDecision = "same_decision", topFamilies = "top_families", actionableShare = "actionable_share"
        case recourseCoverage = "recourse_coverage"
    }
}

/// `credit recourse-benchmark` (hidden): the recourse search's time per applicant not approved,
/// in process, for `bench/recourse.sh` to put beside DiCE on the same applicants.
struct RecourseBenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recourse-benchmark", abstract: "Time the recourse search per applicant not approved (one JSON object).",
        shouldDisplay: false)

    @Option(help: "Model file.") var model: String
    @Option(help: "PAKDD data file.") var data: String
    @Option(help: "A file of client ids (id_client), one per line: only these applicants.") var ids: String?

    func run() throws {
        let scorer = try loadScorer(model)
        let dataset = try readDataset(data)
        var applicants = dataset.applicants
        if let ids {
            let wanted = Set(try String(contentsOfFile: ids, encoding: .utf8).split(whereSeparator: \.isNewline).compactMap { Int($0) })
            applicants = zip(dataset.ids, dataset.applicants).filter { wanted.contains($0.0) }.map(\.1)
        }
        var report = ReasonReport(scorer: scorer, applicants: applicants, compare: nil)
        report.topFamilies = []
        struct Output: Encodable {
            var applicants: Int, not_approved: Int, with_suggestion: Int, suggestions: Int
            var microseconds_per_applicant: Double, p95_microseconds: Double, model: String
        }
        print(
            try jsonLine(
                Output(
                    applicants: report.applicants, not_approved: report.notApproved, with_suggestion: report.withSuggestion,
                    suggestions: report.suggestions, microseconds_per_applicant: report.recourseMicroseconds,
                    p95_microseconds: report.recourseP95Microseconds, model: report.model)))
    }
}
