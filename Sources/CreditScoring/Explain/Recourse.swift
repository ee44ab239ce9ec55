import CreditSchema
import CreditText

/// One suggestion of what would change a decision: the changes, the decision and PD they reach
/// (found by rescoring them with the same model and policy), and the suggestion in words.
public struct RecourseOption: Codable, Sendable, Equatable {
    public var changes: [RecourseChange]
    public var decision: Decision
    public var probabilityOfDefault: Double
    /// The suggestion in English ("The application would be approved with: monthly income from R$2,100.00.").
    public var text: String
    /// The same in every language, by tag.
    public var texts: [String: String] = [:]

    enum CodingKeys: String, CodingKey {
        case changes, decision, probabilityOfDefault = "probability_of_default", text, texts
    }
}

/// One input changed: its field, the value given (nil when missing) and the value suggested.
public struct RecourseChange: Codable, Sendable, Equatable {
    public var field: String
    public var from: String?
    public var to: String
}

/// Finds, for an application not approved, the smallest changes to the policy's actionable
/// inputs that reach a better decision: approved for a referred application, at least referred
/// for a rejected one. At most three alternatives, each verified by rescoring.
///
/// A yes/no input is tried at yes. A number is tried at the values where the model's output can
/// change (each tree's cut on it, or each scorecard bin's edge), rounded up to the input's step
/// and no higher than its limit. Where the model holds the input monotone (income, assets), the
/// PD can only fall as the value grows, so a binary search finds the smallest value that reaches
/// the target; elsewhere each value is tried in turn. Then pairs: two flags, or a flag with the
/// smallest number it then needs; and, when nothing smaller works, every helpful flag at once
/// with each number, pruned of the flags it does not need.
struct RecourseSearch: Sendable {
    /// An actionable input the model uses, with the values worth trying.
    struct Lever: Sendable {
        let field: String
        let fieldIndex: Int
        /// Its position among the model's inputs.
        let position: Int
        /// Nil for a flag; else the candidate values, ascending.
        let values: [Double]?
        let monotone: Bool
        let step: Double
    }

    let levers: [Lever]
    let policy: DecisionPolicy
    /// Per language, per schema field.
    let wordings: [[FactWording]]
    static let maximumOptions = 3

    init(
        document: ModelDocument, schema: ApplicantSchema, monotone: [String: RiskDirection], wordings: [[FactWording]]
    ) {
        self.policy = document.policy
        self.wordings = wordings
        let pipeline = document.pipeline
        var levers: [Lever] = []
        for input in document.modelPolicy?.actionableInputs ?? ActionableInput.standard where !ActionableInput.forbidden.contains(input.field) {
            guard let position = pipeline.encoders.firstIndex(where: { $0.field == input.field }),
                let fieldIndex = schema.index(of: input.field)
            else { continue }
            if case .flag = schema.fields[fieldIndex].kind {
                levers.append(Lever(field: input.field, fieldIndex: fieldIndex, position: position, values: nil, monotone: true, step: 1))
                continue
            }
            let step = max(input.step ?? 1, 1e-9), limit = input.limit ?? .infinity
            var cuts: [Double] = pipeline.encoders[position].kind == .numeric ? pipeline.encoders[position].edges : []
            if let ensemble = document.ensemble, document.kind == .gbdt {
                cuts = ensemble.trees.flatMap { tree in tree.feature.indices.filter { Int(tree.feature[$0]) == position }.map { tree.cut[$0] } }
            }
            // The smallest multiple of the step above each cut: the value that crosses it.
            let values = Set(cuts.map { (($0 / step).rounded(.down) + 1) * step }).filter { $0 <= limit && $0 >= 0 }.sorted()
            levers.append(
                Lever(
                    field: input.field, fieldIndex: fieldIndex, position: position, values: values,
                    monotone: monotone[input.field] == .decreasing, step: step))
        }
        self.levers = levers
    }

    /// A candidate: the lever positions changed and the value each is set to.
    private struct Candidate {
        var changes: [(lever: Int, value: Double)]
        var probability: Double
        var effort: Double
    }

    /// The suggestions for `applicant`, whose decision is `decision`; `variants` scores its variants.
    func options(for applicant: Applicant, decision: Decision, variants: inout VariantScorer) -> [RecourseOption] {
        guard decision != .approve, !levers.isEmpty else { return [] }
        let target = decision == .reject ? policy.rejectFrom : policy.approveBelow
        var working = applicant
        /// The PD of `candidate`, which differs from the applicant only in levers.
        func probability(_ candidate: Applicant) -> Double {
            let changed = levers.filter { candidate.values[$0.fieldIndex] != applicant.values[$0.fieldIndex] }.map(\.position)
            return variants.probability(candidate, changedAt: changed)
        }
        func reaches(_ value: Double) -> Bool { value < target }
        let flags = levers.indices.filter { levers[$0].values == nil && (applicant.values[levers[$0].fieldIndex].number ?? 0) < 0.5 }
        let numbers = levers.indices.filter { levers[$0].values != nil }
        func effort(_ lever: Int, _ value: Double) -> Double {
            guard levers[lever].values != nil else { return 1 }
            let from = applicant.values[levers[lever].fieldIndex].number ?? 0
            return 1 + (value - from) / max(from, levers[lever].step)
        }
        /// The smallest value of number `lever` that reaches the target in `working`, with its PD.
        func smallest(_ lever: Int) -> (value: Double, probability: Double)? {
            let index = levers[lever].fieldIndex
            let saved = working.values[index]
            defer { working.values[index] = saved }
            let from = saved.number ?? -.infinity
            let values = levers[lever].values!.filter { $0 > from }
            func score(_ position: Int) -> Double {
                working.values[index] = .number(values[position])
                return probability(working)
            }
            guard !values.isEmpty else { return nil }
            if levers[lever].monotone {
                let last = score(values.count - 1)
                guard reaches(last) else { return nil }
                var low = 0, high = values.count - 1, best = (values[high], last)
                while low < high {
                    let middle = (low + high) / 2
                    let pd = score(middle)
                    if reaches(pd) { high = middle; best = (values[middle], pd) } else { low = middle + 1 }
                }
                return best
            }
            for position in values.indices {
                let pd = score(position)
                if reaches(pd) { return (values[position], pd) }
            }
            return nil
        }
        func setFlags(_ list: [Int], to value: Double) {
            for lever in list { working.values[levers[lever].fieldIndex] = .number(value) }
        }
        func restoreFlags(_ list: [Int]) {
            for lever in list { working.values[levers[lever].fieldIndex] = applicant.values[levers[lever].fieldIndex] }
        }

        /// Every lever at its most helpful (each flag at yes, each number at its limit or, where
        /// the model does not hold it monotone, at its best value); if that reaches the target,
        /// each flag not needed is put back and each number lowered to the least that still
        /// reaches it, twice over: a change no single lever can undo.
        func fromTheCorner() -> Candidate? {
            defer { working = applicant }
            setFlags(flags, to: 1)
            for number in numbers {
                let index = levers[number].fieldIndex
                let from = applicant.values[index].number ?? -.infinity
                let values = levers[number].values!.filter { $0 > from }
                guard let last = values.last else { continue }
                if levers[number].monotone {
                    working.values[index] = .number(last)
                    continue
                }
                var best = (value: applicant.values[index], probability: probability(working))
                for value in values {
                    working.values[index] = .number(value)
                    let pd = probability(working)
                    if pd < best.probability { best = (.number(value), pd) }
                }
                working.values[index] = best.value
            }
            guard reaches(probability(working)) else { return nil }
            for flag in flags.reversed() {
                restoreFlags([flag])
                if !reaches(probability(working)) { setFlags([flag], to: 1) }
            }
            for _ in 0..<2 {
                for number in numbers {
                    let index = levers[number].fieldIndex
                    let held = working.values[index]
                    working.values[index] = applicant.values[index]
                    if reaches(probability(working)) { continue }
                    working.values[index] = held
                    if let least = smallest(number) { working.values[index] = .number(least.value) }
                }
            }
            let changed = levers.indices.filter { working.values[levers[$0].fieldIndex] != applicant.values[levers[$0].fieldIndex] }
            let changes = changed.map { ($0, working.values[levers[$0].fieldIndex].number ?? 0) }
            let pd = probability(working)
            guard !changes.isEmpty, reaches(pd) else { return nil }
            return Candidate(changes: changes, probability: pd, effort: changes.reduce(0) { $0 + effort($1.0, $1.1) })
        }

        var found: [Candidate] = []
        let base = probability(applicant)
        var helpful: [(lever: Int, probability: Double)] = []
        for flag in flags {
            setFlags([flag], to: 1)
            let pd = probability(working)
            restoreFlags([flag])
            if reaches(pd) { found.append(Candidate(changes: [(flag, 1)], probability: pd, effort: 1)) } else if pd < base { helpful.append((flag, pd)) }
        }
        var alone: [Int: Double] = [:]
        for number in numbers {
            if let best = smallest(number) {
                alone[number] = best.value
                found.append(Candidate(changes: [(number, best.value)], probability: best.probability, effort: effort(number, best.value)))
            }
        }
        helpful.sort { $0.probability < $1.probability }
        let helpfulFlags = helpful.map(\.lever)
        for (position, first) in helpfulFlags.enumerated() {
            for second in helpfulFlags[(position + 1)...] {
                setFlags([first, second], to: 1)
                let pd = probability(working)
                restoreFlags([first, second])
                if reaches(pd) { found.append(Candidate(changes: [(first, 1), (second, 1)], probability: pd, effort: 2)) }
            }
            setFlags([first], to: 1)
            for number in numbers {
                if let best = smallest(number), best.value < (alone[number] ?? .infinity) {
                    found.append(
                        Candidate(changes: [(first, 1), (number, best.value)], probability: best.probability, effort: 1 + effort(number, best.value)))
                }
            }
            restoreFlags([first])
        }
        if found.isEmpty, let corner = fromTheCorner() { found.append(corner) }
        found.sort { ($0.changes.count, $0.effort, $0.probability) < ($1.changes.count, $1.effort, $1.probability) }
        var chosen: [Candidate] = []
        for candidate in found where chosen.count < Self.maximumOptions {
            let dominated = chosen.contains { earlier in
                earlier.changes.allSatisfy { change in candidate.changes.contains { $0.lever == change.lever && $0.value >= change.value } }
            }
            if !dominated { chosen.append(candidate) }
        }
        return chosen.map { option(from: $0, applicant: applicant) }
    }

    private func option(from candidate: Candidate, applicant: Applicant) -> RecourseOption {
        let decision = policy.decision(probability: candidate.probability)
        var texts: [String: String] = [:]
        for (language, wordings) in zip(Language.allCases, wordings) {
            let changes = candidate.changes.map { wordings[levers[$0.lever].fieldIndex].change(to: $0.value) }.joined(separator: "; ")
            let template =
                decision == .approve
                ? "The application would be approved with: {changes}." : "The application would be referred for review with: {changes}."
            texts[language.rawValue] = language.catalog.format(template, ["changes": changes])
        }
        return RecourseOption(
            changes: candidate.changes.map {
                RecourseChange(
                    field: levers[$0.lever].field, from: applicant.values[levers[$0.lever].fieldIndex].display,
                    to: FieldValue.number($0.value).display ?? "")
            },
            decision: decision, probabilityOfDefault: candidate.probability, text: texts[Language.english.rawValue]!, texts: texts)
    }
}
