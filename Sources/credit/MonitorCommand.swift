import ArgumentParser
import CreditAPI
import CreditJSON
import CreditModel
import CreditStore
import CreditSystem
import Foundation

/// `credit monitor`: whether the applicants scored lately still look like the ones the model was
/// validated on: the PD's population stability index (PSI), overall and by week, and each
/// input's characteristic stability index (CSI), from the jobs in the store.
struct MonitorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Score stability (PSI) and input stability (CSI) of the scored applications against the model's validation data.",
        discussion: "Under 0.1 is stable, 0.1 to 0.25 a shift worth a look, 0.25 or more a major shift (the usual bands).")
    @OptionGroup var config: ConfigOption
    @Option(help: "The model file whose results are compared (default: the champion).") var model: String?
    @Option(help: "Only applications submitted at or after this date (YYYY-MM-DD, UTC) or time in seconds since 1970.") var since: String?
    @Flag(help: "Print JSON instead of a table.") var json = false

    func validate() throws {
        if let since, AuditCommand.Export.seconds(since) == nil {
            throw ValidationError("--since must be a date YYYY-MM-DD or seconds since 1970, not \(since)")
        }
    }

    static func band(_ index: Double) -> String { WeeklyStability.band(index) }

    /// The job's applicant: from its compact record, or from the JSON it was stored as; nil once purged.
    func run() throws {
        let settings = try config.load()
        let store = try openStore(settings)
        let champion = try store.modelRegister().champion.map { settings.modelFile($0.file) } ?? settings.modelPath
        let scorer = try loadScorer(model ?? champion)
        guard let reference = scorer.document.reference else {
            throw CommandError("\(scorer.modelId) has no validation distribution: retrain it with this version (`make model`)")
        }
        let from = since.flatMap(AuditCommand.Export.seconds) ?? -Double.infinity
        var scored: [(at: Double, pd: Double)] = [], applicants: [Applicant] = []
        var otherModels = 0
        var after: String?
        while true {
            let jobs = try store.allJobs(after: after, limit: 2000)
            guard let last = jobs.last else { break }
            after = last.id
            for job in jobs where job.status == .done && job.submittedAt >= from {
                guard let result = job.result, case .object(let members)? = try? JSONValue.parse(result),
                    case .number(let pd)? = members["probability_of_default"]
                else { continue }
                guard members["model"] == .string(scorer.modelId) else { otherModels += 1; continue }
                scored.append((job.submittedAt, pd))
                if let applicant = ApplicantSchema.pakdd.storedApplicant(payload: job.payload, record: job.record) { applicants.append(applicant) }
            }
        }
        guard !scored.isEmpty else {
            throw CommandError(
                "no application scored by \(scorer.modelId)\(since.map { " since \($0)" } ?? "") is in the store (\(otherModels) by other models)")
        }
        let stability = WeeklyStability(scored, reference: reference.probability)
        let psi = stability.psi
        let weeks = stability.weeks.compactMap { week in
            week.psi.map { (start: Timestamp.rfc3339(week.start).prefix(10), jobs: week.applications, psi: $0) }
        }
        let backTest = BackTest(try store.scoredOutcomes(since: from))
        let inputs = InputStability(applicants, reference: reference.fields, schema: .pakdd).inputs.map { (field: $0.field, csi: $0.index) }
        if json {
            print(
                JSONOutput.object([
                    "model": .string(scorer.modelId), "jobs": .number(Double(stability.applications)), "other_models": .number(Double(otherModels)),
                    "psi": .number(psi), "band": .string(Self.band(psi)),
                    "weeks": .array(
                        weeks.map { .object(["week_of": .string(String($0.start)), "jobs": .number(Double($0.jobs)), "psi": .number($0.psi)]) }),
                    "inputs": .array(
                        inputs.map { .object(["field": .string($0.field), "csi": .number($0.csi), "band": .string(Self.band($0.csi))]) }),
                    "backtest": .array(
                        backTest.cohorts.map { cohort in
                            .object([
                                "month": .string(cohort.month), "model": .string(cohort.model), "applications": .number(Double(cohort.applications)),
                                "bad_rate": .number(cohort.badRate), "mean_pd": .number(cohort.meanPD),
                                "auc": cohort.auc.map(JSONOutput.number) ?? .null, "ks": cohort.ks.map(JSONOutput.number) ?? .null,
                                "calibration": .array(
                                    cohort.calibration.map {
                                        .object([
                                            "mean_predicted": .number($0.meanPredicted),
                                            "observed_rate": .number($0.observedRate), "count": .number(Double($0.count)),
                                        ])
                                    }),
                            ])
                        }),
                ]).text)
            return
        }
        print(
            "\(stability.applications) applications scored by \(scorer.modelId)\(otherModels > 0 ? " (\(otherModels) by other models left out)" : "")"
        )
        print("PD stability (PSI) against validation: \(String(format: "%.4f", psi)), \(Self.band(psi))")
        if !weeks.isEmpty {
            print("\nweek of        jobs      PSI")
            for week in weeks {
                print("\(week.start)  \(String(format: "%6d", week.jobs))  \(String(format: "%.4f", week.psi))  \(Self.band(week.psi))")
            }
        }
        print("\ninput stability (CSI), most shifted first:")
        for input in inputs {
            print("\(input.field.padding(toLength: 34, withPad: " ", startingAt: 0)) \(String(format: "%.4f", input.csi))  \(Self.band(input.csi))")
        }
        guard !backTest.cohorts.isEmpty else {
            print("\nno outcomes recorded yet: `credit outcomes import FILE` enables the back-test")
            return
        }
        print("\nback-test on recorded outcomes (cohort: month of submission)")
        print("month    model                               applications  bad rate  mean PD     AUC      KS")
        for cohort in backTest.cohorts {
            print(
                "\(cohort.month)  \(cohort.model.padding(toLength: 34, withPad: " ", startingAt: 0))  \(String(format: "%12d", cohort.applications))"
                    + String(format: "  %7.1f%%  %6.1f%%  ", cohort.badRate * 100, cohort.meanPD * 100)
                    + (cohort.auc.map { String(format: "%.4f", $0) } ?? "     —") + "  " + (cohort.ks.map { String(format: "%.4f", $0) } ?? "     —"))
        }
    }
}
