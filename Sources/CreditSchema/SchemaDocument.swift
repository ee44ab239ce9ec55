import CreditJSON
import CreditText

/// The applicant schema as a JSON document, for the API (`GET /api/schema`) and for building forms.
public struct SchemaDocument: Codable, Sendable {
    /// One form section.
    public struct Group: Codable, Sendable {
        public var id: String
        public var label: String
    }

    /// One field, flattened for JSON consumers.
    public struct Field: Codable, Sendable {
        public var name: String
        public var label: String
        public var help: String
        public var group: String
        /// "number", "category", "flag" or "text".
        public var type: String
        public var unit: String?
        public var minimum: Double?
        public var maximum: Double?
        public var integer: Bool?
        /// For numbers: the 0.5th to 99.5th percentile of the training data (values outside are
        /// legal, and the form asks the officer to check them).
        public var typicalMinimum: Double?
        public var typicalMaximum: Double?
        public var options: [CategoryOption]?
        /// For categories: whether codes outside `options` are accepted.
        public var open: Bool?
        public var maxLength: Int?
        public var required: Bool
        public var nullable: Bool
        public var defaultValue: FieldValue?
        public var modelInput: Bool

        enum CodingKeys: String, CodingKey {
            case name, label, help, group, type, unit, minimum, maximum, integer, options, open
            case typicalMinimum = "typical_minimum", typicalMaximum = "typical_maximum"
            case maxLength = "max_length", required, nullable, defaultValue = "default", modelInput = "model_input"
        }
    }

    public var version: Int
    public var groups: [Group]
    public var fields: [Field]

    /// Describes `schema`, its words in `catalog`'s language.
    public init(schema: ApplicantSchema, catalog: MessageCatalog = .english) {
        version = 1
        groups = FieldGroup.allCases.map { Group(id: $0.rawValue, label: catalog.translate($0.label)) }
        let yesWord = catalog.translate("Yes"), noWord = catalog.translate("No")
        fields = schema.localized(catalog).fields.map { field in
            var entry = Field(
                name: field.name, label: field.label, help: field.help, group: field.group.rawValue, type: "",
                required: field.isRequired, nullable: field.missingAllowed, defaultValue: field.defaultValue,
                modelInput: field.isModelInput)
            switch field.kind {
            case .number(let unit, let range, let integer):
                entry.type = "number"; entry.unit = unit
                entry.minimum = range.lowerBound; entry.maximum = range.upperBound; entry.integer = integer
                if let typical = ApplicantSchema.typicalRanges[field.name] {
                    entry.typicalMinimum = typical.lowerBound; entry.typicalMaximum = typical.upperBound
                }
            case .category(let known, let open):
                entry.type = "category"; entry.options = known; entry.open = open
            case .flag(let yes, let no):
                entry.type = "flag"; entry.options = [CategoryOption(yes, yesWord), CategoryOption(no, noWord)]
            case .text(let maxLength):
                entry.type = "text"; entry.maxLength = maxLength
            }
            return entry
        }
    }

    /// The document as JSON (compact, keys sorted), as `GET /api/schema` serves it.
    public func json() throws -> JSONOutput { try JSONOutputEncoder.encode(self) }
}
