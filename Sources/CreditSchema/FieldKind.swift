/// The form sections a loan officer sees, in display order.
public enum FieldGroup: String, Codable, Sendable, CaseIterable {
    case personal
    case residence
    case contact
    case incomeAndAssets = "income_and_assets"
    case banking
    case employment
    case product

    /// Heading shown above the section in forms and reports.
    public var label: String {
        switch self {
        case .personal: return "Personal data"
        case .residence: return "Residence"
        case .contact: return "Contact"
        case .incomeAndAssets: return "Income and assets"
        case .banking: return "Banking"
        case .employment: return "Employment"
        case .product: return "Product"
        }
    }
}

/// What kind of value a field holds, with the constraints a valid value must meet.
public enum FieldKind: Sendable, Equatable {
    /// A number in `range`; `integer` forbids fractions. `unit` is shown to the user ("R$", "months").
    case number(unit: String?, range: ClosedRange<Double>, integer: Bool)
    /// A code from a list. `known` lists the documented codes (with their meaning, when known);
    /// codes outside the list are still accepted and scored when `open` is true.
    case category(known: [CategoryOption], open: Bool)
    /// A yes/no flag. The PAKDD files spell it `yes`/`no` (e.g. "Y"/"N" or "1"/"0");
    /// the applicant holds it as 1 or 0.
    case flag(yes: String, no: String)
    /// Free text up to `maxLength` characters (names of cities and boroughs).
    case text(maxLength: Int)
}

/// One allowed code of a categorical field and what it means.
public struct CategoryOption: Codable, Sendable, Equatable {
    /// The code as it appears in the data ("RJ", "1", "Web").
    public var code: String
    /// What the code means, for a form's select list.
    public var label: String

    public init(_ code: String, _ label: String? = nil) {
        self.code = code
        self.label = label ?? code
    }
}

/// Phrases used to turn a feature's contribution into an adverse-action style reason.
public struct ReasonPhrases: Sendable, Equatable {
    /// Said when a low value (or a "no" flag, or a missing value) raises the risk.
    public var low: String
    /// Said when a high value (or a "yes" flag) raises the risk.
    public var high: String
    /// Said for a categorical value that raises the risk; `%@` is replaced by the value.
    public var category: String

    public init(low: String, high: String, category: String? = nil) {
        self.low = low
        self.high = high
        self.category = category ?? "\(high): %@"
    }
}
