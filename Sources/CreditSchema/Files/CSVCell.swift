/// One cell of a CSV file the service writes: text as it is, or a number written with the
/// dialect's decimal mark and never taken for a formula (see ``CSVWriter``).
public enum CSVCell: Sendable, Equatable, ExpressibleByStringLiteral {
    case text(String)
    /// A number with `digits` decimals, or as few as it needs when nil (`1800.5`, `34`).
    case number(Double, digits: Int?)

    public init(stringLiteral value: String) { self = .text(value) }

    /// An empty cell.
    public static let empty = CSVCell.text("")

    /// A whole number.
    public static func integer(_ value: Int) -> CSVCell { .number(Double(value), digits: 0) }
}
