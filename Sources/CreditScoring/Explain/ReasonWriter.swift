import CreditSchema
import CreditText

/// Sums per-input contributions into the model's ``ReasonFamilies`` and words the strongest
/// families as a customer reads them.
///
/// An input whose value was not given counts in the missing family, whatever its sign, unless it
/// follows a flag that says no (the area code of a phone the applicant does not have counts with
/// the phone). A family the policy excludes is never stated; neither is a field the policy keeps
/// out of reasons, nor age against an applicant at or above the protected age.
struct ReasonWriter: Sendable {
    let schema: ApplicantSchema
    let pipeline: FeaturePipeline
    let families: ReasonFamilies
    /// Fields whose effect the model holds monotone, with the direction of the risk.
    let monotone: [String: RiskDirection]
    // Looked up once per input or field instead of by name for every applicant.
    /// Per input: false when the policy never gives its field as a reason.
    private let givable: [Bool]
    /// Per input: the age from which its field may not count against an applicant (the protected field only).
    private let protectedFrom: [Double?]
    /// Per input: its family's position in `families.families`.
    private let familyOfInput: [Int]
    /// Per input: the schema index of the flag it follows, or -1.
    private let followedFlag: [Int]
    /// Per schema field: its family's position (for a followed flag's family).
    private let familyOfField: [Int]
    private let missingFamily: Int
    private let statedFamily: [Bool]
    /// Per language (in ``Language/allCases`` order), per schema field.
    let wordings: [[FactWording]]

    init(
        schema: ApplicantSchema, pipeline: FeaturePipeline, policy: ModelPolicy? = nil, families: ReasonFamilies = .standard,
        monotone: [String: RiskDirection] = [:]
    ) {
        self.schema = schema
        self.pipeline = pipeline
        self.families = families
        self.monotone = monotone
        let excluded = Set(policy?.excludedReasons ?? []).union(policy?.excludedInputs ?? [])
        let position = { (field: String) -> Int in families.families.firstIndex { $0.fields.contains(field) } ?? -1 }
        familyOfField = schema.fields.map { position($0.name) }
        missingFamily = families.families.firstIndex { $0.name == ReasonFamily.missingName } ?? -1
        statedFamily = families.families.map(\.stated)
        givable = pipeline.encoders.map { !excluded.contains($0.field) && (families.family(of: $0.field)?.stated ?? false) }
        protectedFrom = pipeline.encoders.map { encoder in
            policy?.protectedAge.flatMap { $0.field == encoder.field ? $0.from : nil }
        }
        familyOfInput = pipeline.encoders.map { position($0.field) }
        followedFlag = pipeline.encoders.map { encoder in families.follows[encoder.field].flatMap { schema.index(of: $0) } ?? -1 }
        wordings = Language.allCases.map { language in
            let catalog = language.catalog
            return zip(schema.localized(catalog).fields, schema.fields).map {
                FactWording($0, catalog: catalog, readableCode: $1.codeReadsAsItself)
            }
        }
    }

    /// The family `input` counts in for `applicant`, or nil when it is never stated.
    private func family(of input: Int, _ applicant: Applicant, contribution: Double) -> Int? {
        guard givable[input] else { return nil }
        let value = applicant.values[pipeline.encoders[input].fieldIndex]
        if let from = protectedFrom[input], contribution > 0, case .number(let number) = value, number >= from { return nil }
        guard case .missing = value else { return familyOfInput[input] }
        let flag = followedFlag[input]
        if flag >= 0, let said = applicant.values[flag].number, said < 0.5 { return familyOfField[flag] }
        return missingFamily
    }

    /// The `count` strongest risk-raising and risk-lowering families. The missing family is never a strength.
    func reasons(contributions: [Double], applicant: Applicant, count: Int) -> (raising: [Reason], lowering: [Reason]) {
        var sums = [Double](repeating: 0, count: families.families.count)
        var assigned = [Int](repeating: -1, count: contributions.count)
        for (input, contribution) in contributions.enumerated() {
            guard let family = family(of: input, applicant, contribution: contribution), family >= 0 else { continue }
            assigned[input] = family
            sums[family] += contribution
        }
        let raising = Self.first(
            count, of: sums.indices, where: { sums[$0] > 1e-9 && statedFamily[$0] }, precedes: { sums[$0] > sums[$1] })
        let lowering = Self.first(
            count, of: sums.indices, where: { sums[$0] < -1e-9 && statedFamily[$0] && $0 != missingFamily },
            precedes: { sums[$0] < sums[$1] })
        let reason = { (family: Int) in
            self.reason(family: family, sum: sums[family], assigned: assigned, contributions: contributions, applicant: applicant)
        }
        return (raising.map(reason), lowering.map(reason))
    }

    /// The reason for `family`: its words, and the facts of its inputs that pushed its way.
    private func reason(family: Int, sum: Double, assigned: [Int], contributions: [Double], applicant: Applicant) -> Reason {
        var members = assigned.indices.filter { assigned[$0] == family && contributions[$0] != 0 }
        members.sort { abs(contributions[$0]) > abs(contributions[$1]) }
        let stated =
            family == missingFamily
            ? members
            : Array(
                members.filter { (contributions[$0] > 0) == (sum > 0) && readsRightWay(input: $0, adverse: sum > 0, applicant) }.prefix(
                    Self.factsPerReason))
        let definition = families.families[family]
        var texts: [String: String] = [:]
        for (language, wordings) in zip(Language.allCases, wordings) {
            let facts = stated.compactMap { input -> String? in
                let fieldIndex = pipeline.encoders[input].fieldIndex
                let wording = wordings[fieldIndex]
                return family == missingFamily ? wording.label : wording.fact(applicant.values[fieldIndex])
            }
            var unique: [String] = []
            for fact in facts where !unique.contains(fact) { unique.append(fact) }
            let word = definition.word(in: language)
            texts[language.rawValue] = unique.isEmpty ? word : word + " — " + unique.joined(separator: family == missingFamily ? ", " : "; ")
        }
        let inputs = members.map { input in
            ReasonInput(
                field: pipeline.encoders[input].field, value: applicant.values[pipeline.encoders[input].fieldIndex].display,
                contribution: contributions[input])
        }
        return Reason(
            family: definition.name, code: definition.code, label: definition.word(in: .english), contribution: sum,
            text: texts[Language.english.rawValue]!, texts: texts, fields: inputs)
    }

    /// False for a yes/no fact that would read the wrong way round: "holds a Visa card" as an
    /// adverse reason, or "no Diners card" as a strength. Its contribution still counts in the
    /// family's sum (the model's interactions put it there), but stating it would mislead.
    private func readsRightWay(input: Int, adverse: Bool, _ applicant: Applicant) -> Bool {
        let fieldIndex = pipeline.encoders[input].fieldIndex
        guard case .flag = schema.fields[fieldIndex].kind, let said = applicant.values[fieldIndex].number else { return true }
        let unfavourable = families.yesIsAdverse.contains(schema.fields[fieldIndex].name) ? said >= 0.5 : said < 0.5
        return unfavourable == adverse
    }

    /// At most this many inputs are stated in one reason, the strongest first.
    static let factsPerReason = 3

    /// The first `count` of the included indices in `precedes` order, by insertion into a short
    /// list: a dozen families and four reasons do not need a full sort per applicant.
    static func first(_ count: Int, of indices: Range<Int>, where included: (Int) -> Bool, precedes: (Int, Int) -> Bool) -> [Int] {
        var chosen: [Int] = []
        chosen.reserveCapacity(count + 1)
        for index in indices where included(index) {
            var position = chosen.count
            while position > 0, precedes(index, chosen[position - 1]) { position -= 1 }
            guard position < count else { continue }
            chosen.insert(index, at: position)
            if chosen.count > count { chosen.removeLast() }
        }
        return chosen
    }
}
