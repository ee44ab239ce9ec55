import CreditText

/// How a CSV file is written for a spreadsheet to open it in columns: the separator between
/// cells and the decimal mark of numbers. Excel in Brazil reads and writes semicolons and decimal
/// commas; in English, commas and decimal points. Files in either are read (``ApplicationFile``
/// detects which); files the service writes use one, by its name (`?dialect=`, `--dialect`).
public enum CSVDialect: String, Sendable, Equatable, CaseIterable {
    /// `;` between cells, `1800,5` (Excel in Brazil).
    case semicolon
    /// `,` between cells, `1800.5` (Excel in English).
    case comma

    /// The dialect a spreadsheet in `language` reads: semicolons for Portuguese, commas for English.
    public init(language: Language) {
        self = language == .portuguese ? .semicolon : .comma
    }

    /// The byte between cells.
    public var separator: UInt8 {
        switch self {
        case .semicolon: UInt8(ascii: ";")
        case .comma: UInt8(ascii: ",")
        }
    }

    /// The character between a number's whole part and its fraction.
    public var decimalMark: Character {
        switch self {
        case .semicolon: ","
        case .comma: "."
        }
    }
}
