import CreditJSON

/// The list of application fields, with lookup by name, JSON validation and PAKDD value parsing.
public struct ApplicantSchema: Sendable {
    /// Fields in a fixed order; ``Applicant/values`` follow it.
    public let fields: [ApplicantField]
    private let indexByName: [String: Int]
    /// The fields as validation reads them: one reference each, so that the loop over fifty
    /// fields does not copy (and retain and release) every string a field holds.
    private let rules: [FieldRule]
    /// The field names by their bytes, for ``validate(jsonObject:maxDepth:)``.
    private let keyTable: FieldKeyTable
    /// Field positions in the order JSON writes members (by name), sorted once.
    let jsonOrder: [Int]

    /// The PAKDD 2010 application schema.
    public static let pakdd = ApplicantSchema(fields: pakddFields)

    public init(fields: [ApplicantField]) {
        self.fields = fields
        var index: [String: Int] = [:]
        for (position, field) in fields.enumerated() { index[field.name] = position }
        self.indexByName = index
        rules = fields.map(FieldRule.init)
        keyTable = FieldKeyTable(names: fields.map(\.name))
        jsonOrder = fields.indices.sorted { fields[$0].name < fields[$1].name }
    }

    /// Position of the field called `name`, or nil.
    public func index(of name: String) -> Int? { indexByName[name] }

    /// The field called `name`, or nil.
    public func field(named name: String) -> ApplicantField? { indexByName[name].map { fields[$0] } }

    /// An applicant with every field missing except those with defaults.
    public func defaultApplicant() -> Applicant {
        Applicant(values: fields.map { $0.defaultValue ?? .missing })
    }

    /// Validates a JSON object and returns the applicant, or throws every field error at once.
    ///
    /// Unknown keys, missing required fields, wrong types, out-of-range numbers and codes outside
    /// a closed list are errors. Codes outside an open list (an unseen ZIP area, say) are accepted.
    public func validate(_ json: JSONValue) throws(ApplicantValidationError) -> Applicant {
        guard case .object(let object) = json else {
            throw ApplicantValidationError(fieldErrors: ["": ["The application must be a JSON object, not \(json.typeDescription)."]])
        }
        let given = rules.map { object[$0.name] }
        // Every key was a field unless some were left over (looked up only then: it hashes each key again).
        let known = given.reduce(0) { $0 + ($1 == nil ? 0 : 1) }
        let unknown = known < object.count ? object.keys.filter { indexByName[$0] == nil } : []
        return try validate(given: given, unknownKeys: unknown)
    }

    /// Validates an application given as JSON text, as ``validate(_:)`` does its parsed value, but
    /// reading the object member by member straight into the fields: no dictionary of fifty
    /// members, and no string or hash per key (a third of the responder's JSON work).
    ///
    /// Nil when the text does not start with `{`: parse it and call ``validate(_:)`` for the error.
    /// Throws the JSON's error as ``JSONValue/parse(_:maxDepth:)`` would, in `.invalidJSON`.
    public func validate(jsonObject bytes: [UInt8], maxDepth: Int) throws(ApplicationReadError) -> Applicant? {
        var given = [JSONValue?](repeating: nil, count: rules.count)
        var unknown: [String] = []
        let isObject: Bool
        do {
            isObject = try JSONValue.parseMembers(ofObject: bytes, maxDepth: maxDepth) { key, value in
                if let index = keyTable.index(of: key) {
                    given[index] = value
                }  // a repeated key keeps its last value
                else {
                    unknown.append(String(decoding: key, as: UTF8.self))
                }
            }
        } catch {
            throw .invalidJSON(error)
        }
        guard isObject else { return nil }
        do { return try validate(given: given, unknownKeys: unknown) } catch { throw .invalid(error) }
    }

    /// The rules applied to each field's value as given (nil when absent), and an error for every
    /// key that is not a field.
    private func validate(given: [JSONValue?], unknownKeys: [String]) throws(ApplicantValidationError) -> Applicant {
        var errors: [String: [String]] = [:]
        var values: [FieldValue] = []
        values.reserveCapacity(fields.count)
        for (index, rule) in rules.enumerated() {
            guard let raw = given[index] else {
                if let value = rule.defaultValue {
                    values.append(value)
                } else if rule.missingAllowed {
                    values.append(.missing)
                } else {
                    values.append(.missing); errors[rule.name, default: []].append("\(rule.label) is required.")
                }
                continue
            }
            switch Self.normalize(raw, for: rule) {
            case .success(let value): values.append(value)
            case .failure(let message):
                values.append(.missing)
                errors[rule.name, default: []].append(message.text)
            }
        }
        for key in unknownKeys { errors[key] = ["Unknown field; check its spelling against /api/schema."] }
        if !errors.isEmpty { throw ApplicantValidationError(fieldErrors: errors) }
        return Applicant(values: values)
    }

    /// A message explaining why a value is invalid.
    struct InvalidValue: Error { var text: String }

    /// Checks one JSON value against its field and returns the normalised value.
    fileprivate static func normalize(_ raw: JSONValue, for rule: FieldRule) -> Result<FieldValue, InvalidValue> {
        let label = rule.label
        if case .null = raw {
            return rule.missingAllowed ? .success(.missing) : .failure(InvalidValue(text: "\(label) is required."))
        }
        switch rule.kind {
        case .number(let unit, let range, let integer):
            guard case .number(let value) = raw, value.isFinite else {
                return .failure(InvalidValue(text: "\(label) must be a number, not \(raw.typeDescription)."))
            }
            if integer && value != value.rounded() {
                return .failure(InvalidValue(text: "\(label) must be a whole number."))
            }
            guard range.contains(value) else {
                let unitText = unit.map { " \($0)" } ?? ""
                return .failure(
                    InvalidValue(
                        text: "\(label) must be between \(range.lowerBound.compactDescription) and \(range.upperBound.compactDescription)\(unitText)."
                    ))
            }
            return .success(.number(value))
        case .category(let known, _):
            let code: FieldValue
            switch raw {
            case .number(let value) where value.isFinite && value == value.rounded() && abs(value) < 1e9:
                code = .number(value)
            case .string(let text):
                let trimmed = text.trimmingSpaces()
                if trimmed.isEmpty {
                    return rule.missingAllowed ? .success(.missing) : .failure(InvalidValue(text: "\(label) is required."))
                }
                if let problem = TextLimits.problem(in: trimmed, label: label, maxScalars: 40) { return .failure(InvalidValue(text: problem)) }
                code = canonicalCode(trimmed)
            default:
                return .failure(InvalidValue(text: "\(label) must be a code given as a string or a whole number, not \(raw.typeDescription)."))
            }
            if let closedCodes = rule.closedCodes, !closedCodes.contains(code) {
                let list = known.map(\.code).joined(separator: ", ")
                return .failure(InvalidValue(text: "\(label) must be one of: \(list)."))
            }
            return .success(code)
        case .flag(let yes, let no):
            switch raw {
            case .bool(let value): return .success(.number(value ? 1 : 0))
            case .number(let value) where value == 0 || value == 1: return .success(.number(value))
            case .string(let text):
                let upper = text.trimmingSpaces().uppercased()
                if upper == yes.uppercased() || upper == "1" || upper == "Y" || upper == "TRUE" { return .success(.number(1)) }
                if upper == no.uppercased() || upper == "0" || upper == "N" || upper == "FALSE" { return .success(.number(0)) }
                if upper.isEmpty && rule.missingAllowed { return .success(.missing) }
            default: break
            }
            return .failure(InvalidValue(text: "\(label) must be yes or no (true/false, \"\(yes)\"/\"\(no)\")."))
        case .text(let maxLength):
            guard case .string(let text) = raw else {
                return .failure(InvalidValue(text: "\(label) must be text, not \(raw.typeDescription)."))
            }
            let trimmed = text.trimmingSpaces()
            if let problem = TextLimits.problem(in: trimmed, label: label, maxScalars: maxLength) { return .failure(InvalidValue(text: problem)) }
            if trimmed.isEmpty { return rule.missingAllowed ? .success(.missing) : .failure(InvalidValue(text: "\(label) is required.")) }
            return .success(.text(rule.foldsCase ? trimmed.uppercased() : trimmed))
        }
    }

    /// Parses one raw field of a PAKDD file. Missing spellings (`NULL`, blank, `#DIV/0!`, `NUL`) give
    /// `.missing`; returns nil when the text cannot be a value of the field (a word in a number column).
    public static func parseFileValue(_ raw: String, for field: ApplicantField) -> FieldValue? {
        let text = raw.trimmingSpaces()
        if text.isEmpty || text == "NULL" || text == "NUL" || text == "#DIV/0!" { return .missing }
        switch field.kind {
        case .number:
            guard let value = Double(text), value.isFinite else { return nil }
            return .number(value)
        case .category:
            return canonicalCode(text)
        case .flag(let yes, let no):
            if text == yes || text == "1" || text == "Y" { return .number(1) }
            if text == no || text == "0" || text == "N" { return .number(0) }
            return nil
        case .text:
            return .text(field.foldsCase ? text.uppercased() : text)
        }
    }

    /// Whole-number codes become numbers ("010" and 10 are the same code); other codes stay text.
    static func canonicalCode(_ text: String) -> FieldValue {
        let utf8 = text.utf8
        if !utf8.isEmpty, utf8.count <= 9, utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = Int(text) {
            return .number(Double(value))
        }
        return .text(text)
    }
}

extension Double {
    /// Whole numbers without a decimal point ("30", not "30.0"); others as Swift prints them.
    public var compactDescription: String {
        self == rounded() && abs(self) < 1e15 ? String(Int64(self)) : String(self)
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and line breaks.
    public func trimmingSpaces() -> String {
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isSpace($0) })!
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return self }
        return String(scalars[first...last])
    }
}

/// What validation reads of a field, and for a closed code list the canonical form of its codes
/// (nil for open lists and other kinds).
/// A class with the parts copied out, so that validating fifty fields copies fifty references
/// instead of every string each field holds (that copying was a third of the validation time).
fileprivate final class FieldRule: Sendable {
    let name: String
    let label: String
    let kind: FieldKind
    let missingAllowed: Bool
    let defaultValue: FieldValue?
    let foldsCase: Bool
    let closedCodes: Set<FieldValue>?

    init(_ field: ApplicantField) {
        name = field.name
        label = field.label
        kind = field.kind
        missingAllowed = field.missingAllowed
        defaultValue = field.defaultValue
        foldsCase = field.foldsCase
        if case .category(let known, open: false) = field.kind {
            closedCodes = Set(known.map { ApplicantSchema.canonicalCode($0.code) })
        } else {
            closedCodes = nil
        }
    }
}
