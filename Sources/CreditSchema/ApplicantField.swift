/// One input field of a credit application: its name, type, constraints and how to present it.
public struct ApplicantField: Sendable {
    /// Lower-case PAKDD column name, used as the JSON key (`personal_monthly_income`).
    public var name: String
    /// 1-based column in the PAKDD files, or nil for fields that are not in them (`applicant_name`).
    public var column: Int?
    /// Short human label for forms ("Monthly income").
    public var label: String
    /// One sentence of help text for forms.
    public var help: String
    /// Form section.
    public var group: FieldGroup
    /// Type and constraints.
    public var kind: FieldKind
    /// Whether the field may be missing (JSON `null`, or absent without a default).
    public var missingAllowed: Bool
    /// Value used when the field is absent from a submission; nil means none.
    public var defaultValue: FieldValue?
    /// False for identifiers and free text that are carried but never used by a model.
    public var isModelInput: Bool
    /// How this field is worded in reasons.
    public var reasons: ReasonPhrases
    /// Text folded to upper case on input, so that "Sao Paulo" and "SAO PAULO" are one place.
    public var foldsCase: Bool { if case .text = kind, isModelInput { return true } else { return false } }

    /// Whether a code of this category is itself readable (a payment day "10"): it is one of a
    /// known list and its reason phrase is the bare "<label>: %@". A code the lender's encoding
    /// hides, a pseudo-code such as a ZIP prefix, or one with a known meaning (said by its
    /// option's label instead) is not.
    public var codeReadsAsItself: Bool {
        guard case .category(let options, _) = kind, !options.isEmpty else { return false }
        return reasons.category == label + ": %@"
    }

    /// A field that must be supplied: not missing and with no default.
    public var isRequired: Bool { !missingAllowed && defaultValue == nil }

    public init(
        _ name: String, column: Int?, label: String, help: String, group: FieldGroup, kind: FieldKind,
        missingAllowed: Bool = false, defaultValue: FieldValue? = nil, isModelInput: Bool = true,
        reasons: ReasonPhrases? = nil
    ) {
        self.name = name
        self.column = column
        self.label = label
        self.help = help
        self.group = group
        self.kind = kind
        self.missingAllowed = missingAllowed
        self.defaultValue = defaultValue
        self.isModelInput = isModelInput
        self.reasons =
            reasons
            ?? ReasonPhrases(
                low: "Low \(label.lowercased())", high: "High \(label.lowercased())",
                category: "\(label): %@")
    }
}

/// A value of one field in an applicant. Categorical codes that are whole numbers
/// ("010", 10) are held as numbers so that "10" and 10 mean the same code.
public enum FieldValue: Sendable, Hashable, Codable {
    case missing
    case number(Double)
    case text(String)

    /// The numeric value, or nil when missing or text.
    @inlinable public var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The value as a user would write it ("10", "RJ", "1500.5"), or nil when missing.
    public var display: String? {
        switch self {
        case .missing: return nil
        case .text(let text): return text
        case .number(let value):
            if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
            return String(value)
        }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .missing
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else {
            self = .text(try container.decode(String.self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .missing: try container.encodeNil()
        case .number(let value): try container.encode(value)
        case .text(let text): try container.encode(text)
        }
    }
}
