import CreditSchema
import CreditText

/// How much one field pushed an applicant's risk up or down, and the plain-words reason.
public struct Reason: Codable, Sendable, Equatable {
    /// Field name (`months_in_the_job`).
    public var field: String
    /// Field label ("Months in job").
    public var label: String
    /// The factor's stable reason code ("R40"; see ``ReasonCode``).
    public var code: String
    /// The applicant's value as written, or nil when missing.
    public var value: String?
    /// Contribution to the log-odds of default: positive raises the risk.
    public var contribution: Double
    /// The reason as an adverse-action notice would state it ("Few months in current job"), in English.
    public var text: String
    /// The reason in every language the product speaks, by language tag (`pt-BR`, `en`).
    public var texts: [String: String] = [:]
}

/// The PD, score, decision and reasons for one applicant.
public struct Prediction: Codable, Sendable, Equatable {
    public var probabilityOfDefault: Double
    public var score: Int
    public var decision: Decision
    /// Factors that raised the risk most, strongest first (at most the number asked for).
    public var reasons: [Reason]
    /// Factors that lowered the risk most, strongest first.
    public var strengths: [Reason]
    /// Identifier of the model that scored it.
    public var model: String

    enum CodingKeys: String, CodingKey {
        case probabilityOfDefault = "probability_of_default", score, decision, reasons, strengths, model
    }
}

/// Turns per-field contributions into reasons worded from the schema's ``ReasonPhrases``.
///
/// A number is called low or high only where the model's effect is monotone by construction
/// (a constrained input): the sign of its contribution then says on which side the value lies.
/// Elsewhere the reason names the factor and its value without claiming either.
struct ReasonWriter: Sendable {
    let schema: ApplicantSchema
    let pipeline: FeaturePipeline
    /// What the model may say (the age protection, fields never given as reasons).
    let policy: ModelPolicy?
    /// Fields whose effect the model holds monotone, with the direction of the risk.
    let monotone: [String: RiskDirection]
    /// Each field's reason code.
    let codes: [String: String]
    // The same, looked up once per input or field instead of by name for every applicant.
    /// Per input: false when the policy never gives its field as a reason.
    private let givable: [Bool]
    /// Per input: the age from which its field may not count against an applicant (the protected field only).
    private let protectedFrom: [Double?]
    /// Per language (in ``Language/allCases`` order), per schema field: its wording, worked out
    /// once per model rather than for every reason.
    private let wordings: [[FieldWording]]

    init(
        schema: ApplicantSchema, pipeline: FeaturePipeline, policy: ModelPolicy? = nil, monotone: [String: RiskDirection] = [:],
        codes: [String: String] = [:]
    ) {
        self.schema = schema
        self.pipeline = pipeline
        self.policy = policy
        self.monotone = monotone
        self.codes = codes
        let excluded = policy?.excludedReasons ?? []
        givable = pipeline.encoders.map { !excluded.contains($0.field) }
        protectedFrom = pipeline.encoders.map { encoder in
            policy?.protectedAge.flatMap { $0.field == encoder.field ? $0.from : nil }
        }
        wordings = Language.allCases.map { language in
            let catalog = language.catalog
            return schema.localized(catalog).fields.map {
                FieldWording($0, code: codes[$0.name] ?? $0.name, direction: monotone[$0.name], catalog: catalog)
            }
        }
    }

    func reason(input: Int, contribution: Double, applicant: Applicant) -> Reason {
        let fieldIndex = pipeline.encoders[input].fieldIndex
        let value = applicant.values[fieldIndex]
        var texts: [String: String] = [:]
        for (language, wordings) in zip(Language.allCases, wordings) {
            texts[language.rawValue] = text(wordings[fieldIndex], value: value, contribution: contribution)
        }
        let wording = wordings[Self.english][fieldIndex]
        var shown = value.display
        if wording.kind == .flag, case .number(let number) = value { shown = number >= 0.5 ? "yes" : "no" }
        return Reason(
            field: wording.name, label: wording.label, code: wording.code, value: shown, contribution: contribution,
            text: texts[Language.english.rawValue]!, texts: texts)
    }

    /// The position of English in ``Language/allCases``.
    private static let english = Language.allCases.firstIndex(of: .english)!

    /// How `wording` states a field with `value` that moved the risk by `contribution`.
    private func text(_ wording: FieldWording, value: FieldValue, contribution: Double) -> String {
        let text: String
        switch (wording.kind, value) {
        case (_, .missing):
            text = wording.notGiven
        case (.category, _):
            // A code whose meaning is known is said in words; else the field's phrase says what the code is.
            let display = value.display ?? ""
            text = wording.optionTexts[display] ?? wording.categoryText(display)
        case (.text, _):
            text = wording.categoryText(value.display ?? "")
        case (.flag, .number(let number)):
            text = number >= 0.5 ? wording.high : wording.low
        case (_, .number):
            if let direction = wording.direction {
                // Risk falling with the value: a value that raises it is on the low side.
                let low = (direction == .decreasing) == (contribution > 0)
                text = low ? wording.low : wording.high
            } else {
                text = wording.valueText(value.display ?? "")
            }
        default:
            text = wording.label
        }
        return text
    }

    /// The `count` strongest risk-raising and risk-lowering reasons. Equal contributions keep the
    /// order of a stable sort: raising by input order, lowering in reverse.
    func reasons(contributions: [Double], applicant: Applicant, count: Int) -> (raising: [Reason], lowering: [Reason]) {
        let raising = Self.first(
            count, of: contributions.indices, where: { contributions[$0] > 1e-9 && mayBeAdverse($0, applicant) },
            precedes: { contributions[$0] > contributions[$1] })
        let lowering = Self.first(
            count, of: contributions.indices, where: { contributions[$0] < -1e-9 && mayBeGiven($0) },
            precedes: { contributions[$0] <= contributions[$1] })
        return (
            raising.map { reason(input: $0, contribution: contributions[$0], applicant: applicant) },
            lowering.map { reason(input: $0, contribution: contributions[$0], applicant: applicant) }
        )
    }

    /// False for a field the policy never gives as a reason.
    func mayBeGiven(_ input: Int) -> Bool { givable[input] }

    /// False also for the protected field (age) at or above its protected value: Regulation B
    /// lets a scoring system use age only if it never counts against an elderly applicant.
    func mayBeAdverse(_ input: Int, _ applicant: Applicant) -> Bool {
        guard givable[input] else { return false }
        guard let from = protectedFrom[input] else { return true }
        if case .number(let value) = applicant.values[pipeline.encoders[input].fieldIndex], value >= from { return false }
        return true
    }

    /// The first `count` of the included indices in `precedes` order, by insertion into a short
    /// list: a few dozen inputs and four reasons do not need a full sort per applicant.
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

/// How reasons word one field: its names, its phrases and the text for each known code, worked
/// out from the schema once per model. A class, so that looking one up costs one reference.
private final class FieldWording: Sendable {
    enum Kind: Sendable { case number, category, flag, text }

    let name: String
    let label: String
    let code: String
    let kind: Kind
    /// The monotone direction of the field's risk, when the model holds one.
    let direction: RiskDirection?
    let low: String
    let high: String
    /// "<label> not given".
    let notGiven: String
    /// The category phrase around its `%@` (the phrase whole, and no suffix, when it has none).
    let phrasePrefix: String
    let phraseSuffix: String?
    /// For each known code whose meaning differs from the code: "<label>: <meaning>", with the
    /// code in brackets when the meaning does not hold it ("Postal address: Other address (2)").
    let optionTexts: [String: String]

    /// The wording of `field` (already in `catalog`'s language).
    init(_ field: ApplicantField, code: String, direction: RiskDirection?, catalog: MessageCatalog) {
        name = field.name
        label = field.label
        self.code = code
        self.direction = direction
        low = field.reasons.low
        high = field.reasons.high
        notGiven = catalog.translate("\(field.label) not given")
        var texts: [String: String] = [:], seen: Set<String> = []
        switch field.kind {
        case .number: kind = .number
        case .flag: kind = .flag
        case .text: kind = .text
        case .category(let options, _):
            kind = .category
            // The first option with a code decides, as a search of the list would.
            for option in options where seen.insert(option.code).inserted && option.label != option.code {
                texts[option.code] = catalog.translate(
                    option.label.contains(option.code) ? "\(field.label): \(option.label)" : "\(field.label): \(option.label) (\(option.code))")
            }
        }
        optionTexts = texts
        let phrase = Array(field.reasons.category.utf8)
        if let index = phrase.indices.dropLast().first(where: { phrase[$0] == UInt8(ascii: "%") && phrase[$0 + 1] == UInt8(ascii: "@") }) {
            phrasePrefix = String(decoding: phrase[..<index], as: UTF8.self)
            phraseSuffix = String(decoding: phrase[(index + 2)...], as: UTF8.self)
        } else {
            phrasePrefix = field.reasons.category
            phraseSuffix = nil
        }
    }

    /// "<label>: <value>", for a number whose effect has no direction.
    func valueText(_ value: String) -> String { label + ": " + value }

    /// The category phrase with its first `%@` replaced by `value`.
    func categoryText(_ value: String) -> String {
        guard let phraseSuffix else { return phrasePrefix }
        return phrasePrefix + value + phraseSuffix
    }
}
