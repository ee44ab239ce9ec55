import CreditJSON
import CreditMonitoring
import CreditStore
import CreditGovernance
import CreditSchema
import CreditSystem

extension CreditService {
    /// `GET /api/monitoring?weeks=N` (administrators): the champion's PD stability against its
    /// validation deciles, overall and for each of the last N weeks (12 unless given, at most
    /// 104), as `credit monitor` computes it.
    func monitoring(_ request: HTTPRequest) throws -> HTTPResponse {
        _ = try authenticate(request, minimum: .admin)
        let query = request.queryItems
        var weekCount = 12
        if let text = query["weeks"] {
            guard let value = Int(text), (1...104).contains(value) else {
                throw Problem.badRequest("The query has invalid parameters.", errors: ["weeks": ["weeks must be a whole number from 1 to 104."]])
            }
            weekCount = value
        }
        let register = try stores.withStore { try $0.modelRegister() }
        let path = register.champion.map { configuration.modelFile($0.file) } ?? configuration.modelPath
        guard let model = modelInfo.entry(path: path) else {
            throw Problem.unavailable("The model's card cannot be read right now; an administrator can check the models with `credit model list`.")
        }
        guard let reference = model.probabilityReference else {
            throw Problem(
                type: "no-reference", title: "Model without a validation distribution", status: 409,
                detail: "\(model.modelID) keeps no validation distribution to compare with; retrain it with this version (`make model`).")
        }
        // From the Monday that begins the first of the weeks asked for.
        let currentWeekStart = (((clock() / 86_400) + 3).rounded(.down) / 7).rounded(.down) * 7 - 3
        let since = (currentWeekStart - Double(weekCount - 1) * 7) * 86_400
        let (scored, recent, outcomes) = try stores.withStore { store in
            (
                try store.scoredProbabilities(model: model.modelID, since: since),
                try store.recentScoredJobs(model: model.modelID, since: since, limit: Self.inputStabilitySample),
                try store.scoredOutcomes(since: since)
            )
        }
        let stability = WeeklyStability(scored, reference: reference)
        let inputs = InputStability(
            recent.compactMap { ApplicantSchema.pakdd.storedApplicant(payload: $0.payload, record: $0.record) }, reference: model.fieldReferences,
            schema: .pakdd)
        let backTest = BackTest(outcomes)
        func index(_ value: Double?) -> JSONOutput { value.map { .number(($0 * 1e6).rounded() / 1e6) } ?? .null }
        func optional(_ value: Double?) -> JSONOutput { value.map { .number(($0 * 1e6).rounded() / 1e6) } ?? .null }
        return JSONOutput.object([
            "model": .string(model.modelID), "since": .string(Timestamp.rfc3339(since)),
            "applications": .number(Double(stability.applications)),
            "psi": stability.applications == 0 ? .null : index(stability.psi),
            "band": stability.applications == 0 ? .null : .string(WeeklyStability.band(stability.psi)),
            "bands": .object(["shift": .number(0.1), "major_shift": .number(0.25)]),
            "minimum_per_week": .number(Double(WeeklyStability.minimumPerWeek)),
            // Each input's stability over the newest applications of the window (at most `inputStabilitySample`).
            "inputs_applications": .number(Double(inputs.applicants)),
            "inputs": .array(
                inputs.inputs.map { .object(["field": .string($0.field), "csi": index($0.index), "band": .string($0.band)]) }),
            // By month of submission and model, for the applications whose outcome is recorded.
            "backtest": .array(
                backTest.cohorts.map { cohort in
                    .object([
                        "month": .string(cohort.month), "model": .string(cohort.model), "applications": .number(Double(cohort.applications)),
                        "bad_rate": index(cohort.badRate), "mean_pd": index(cohort.meanPD), "auc": optional(cohort.auc), "ks": optional(cohort.ks),
                    ])
                }),
            // Every week of the window, those without applications included, so a chart has no gaps in time.
            "weeks": .array(
                (0..<weekCount).map { offset in
                    let start = since + Double(offset * 7) * 86_400
                    let week = stability.weeks.first { $0.start == start }
                    return .object([
                        "week_of": .string(String(Timestamp.rfc3339(start).prefix(10))), "applications": .number(Double(week?.applications ?? 0)),
                        "psi": index(week?.psi), "band": week?.psi.map { .string(WeeklyStability.band($0)) } ?? .null,
                    ])
                }),
        ]).response()
    }
}

extension CreditService {
    /// The most applications the inputs' stability reads for one `/api/monitoring` call.
    static let inputStabilitySample = 20_000
}

/// The store's scored outcomes are what the back-test reads.
extension ScoredOutcome: ScoredCase {}
