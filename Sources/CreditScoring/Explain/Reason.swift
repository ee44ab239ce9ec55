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
    /// The reason as an adverse-action notice would state it ("Few months in current job").
    public var text: String
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
    /// Per schema field: its reason code and monotone direction.
    private let fieldCodes: [String]
    private let fieldDirections: [RiskDirection?]

    init(schema: ApplicantSchema, pipeline: FeaturePipeline, policy: ModelPolicy? = nil, monotone: [String: RiskDirection] = [:],
         codes: [String: String] = [:]) {
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
        fieldCodes = schema.fields.map { codes[$0.name] ?? $0.name }
        fieldDirections = schema.fields.map { monotone[$0.name] }
    }

    func reason(input: Int, contribution: Double, applicant: Applicant) -> Reason {
        let encoder = pipeline.encoders[input]
        let field = schema.fields[encoder.fieldIndex]
        let value = applicant.values[encoder.fieldIndex]
        let text: String
        switch (field.kind, value) {
        case (_, .missing):
            text = "\(field.label) not given"
        case (.category(let options, _), _):
            // A code whose meaning is known is said in words; else the field's phrase says what the code is.
            let display = value.display ?? ""
            if let option = options.first(where: { $0.code == display }), option.label != option.code {
                // The code too when its words do not hold it ("Postal address: Other address (2)"), so the value is in the text.
                text = "\(field.label): \(option.label)" + (option.label.contains(option.code) ? "" : " (\(option.code))")
            } else {
                text = field.reasons.category.replacingPlaceholder(with: display)
            }
        case (.text, _):
            text = field.reasons.category.replacingPlaceholder(with: value.display ?? "")
        case (.flag, .number(let number)):
            text = number >= 0.5 ? field.reasons.high : field.reasons.low
        case (_, .number):
            if let direction = fieldDirections[encoder.fieldIndex] {
                // Risk falling with the value: a value that raises it is on the low side.
                let low = (direction == .decreasing) == (contribution > 0)
                text = low ? field.reasons.low : field.reasons.high
            } else {
                text = "\(field.label): \(value.display ?? "")"
            }
        default:
            text = field.label
        }
        var shown = value.display
        if case .flag = field.kind, case .number(let number) = value { shown = number >= 0.5 ? "yes" : "no" }
        return Reason(field: field.name, label: field.label, code: fieldCodes[encoder.fieldIndex], value: shown, contribution: contribution, text: text)
    }

    /// The `count` strongest risk-raising and risk-lowering reasons. Equal contributions keep the
    /// order of a stable sort: raising by input order, lowering in reverse.
    func reasons(contributions: [Double], applicant: Applicant, count: Int) -> (raising: [Reason], lowering: [Reason]) {
        let raising = Self.first(count, of: contributions.indices, where: { contributions[$0] > 1e-9 && mayBeAdverse($0, applicant) },
                                 precedes: { contributions[$0] > contributions[$1] })
        let lowering = Self.first(count, of: contributions.indices, where: { contributions[$0] < -1e-9 && mayBeGiven($0) },
                                  precedes: { contributions[$0] <= contributions[$1] })
        return (raising.map { reason(input: $0, contribution: contributions[$0], applicant: applicant) },
                lowering.map { reason(input: $0, contribution: contributions[$0], applicant: applicant) })
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

extension String {
    /// The text with its first `%@` replaced by `value`.
    func replacingPlaceholder(with value: String) -> String {
        let utf8 = Array(self.utf8)
        guard let index = utf8.indices.dropLast().first(where: { utf8[$0] == UInt8(ascii: "%") && utf8[$0 + 1] == UInt8(ascii: "@") }) else {
            return self
        }
        return String(decoding: utf8[..<index], as: UTF8.self) + value + String(decoding: utf8[(index + 2)...], as: UTF8.self)
    }
}
