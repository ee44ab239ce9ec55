/// Writes CSV files as spreadsheets open them, the same from the API and the command line: UTF-8
/// with a byte-order mark (so accented names stay whole), CRLF line ends, RFC 4180 quoting, the
/// dialect's separator and decimal mark, and numbers without thousands separators or currency.
/// Text that a spreadsheet would run as a formula (starting with = + - @, a tab or CR) gets a
/// leading apostrophe (OWASP's CSV injection advice); numbers are never touched.
public struct CSVWriter: Sendable {
    public let dialect: CSVDialect

    public init(dialect: CSVDialect) { self.dialect = dialect }

    /// The start of every file: U+FEFF, which spreadsheets take as "this is UTF-8".
    public static let byteOrderMark = "\u{FEFF}"

    /// One line of `cells`, with its CRLF.
    public func line(_ cells: [CSVCell]) -> String {
        var text = ""
        for (index, cell) in cells.enumerated() {
            if index > 0 { text.unicodeScalars.append(Unicode.Scalar(dialect.separator)) }
            text += field(cell)
        }
        return text + "\r\n"
    }

    /// One line of text cells, with its CRLF (a header).
    public func line(_ cells: [String]) -> String { line(cells.map(CSVCell.text)) }

    /// One cell as the file holds it.
    public func field(_ cell: CSVCell) -> String {
        switch cell {
        case .number(let value, let digits): return number(value, digits: digits)
        case .text(var text):
            if let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { text = "'" + text }
            let separator = Character(Unicode.Scalar(dialect.separator))
            guard text.contains(where: { $0 == separator || $0 == "\"" || $0.isNewline }) else { return text }
            var quoted = "\""
            for character in text { if character == "\"" { quoted += "\"\"" } else { quoted.append(character) } }
            return quoted + "\""
        }
    }

    /// `value` with the dialect's decimal mark: `digits` decimals, or as few as it needs.
    public func number(_ value: Double, digits: Int?) -> String {
        let plain = digits.map { Self.fixed(value, $0) } ?? FieldValue.number(value).display ?? ""
        return dialect.decimalMark == "." ? plain : String(plain.map { $0 == "." ? dialect.decimalMark : $0 })
    }

    /// `value` with `digits` decimals and a decimal point, without Foundation.
    public static func fixed(_ value: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard value.isFinite, scaled < 9e15 else { return "\(value)" }
        let whole = Int64(scaled) / Int64(scale), fraction = Int64(scaled) % Int64(scale)
        let sign = value < 0 && scaled > 0 ? "-" : ""
        guard digits > 0 else { return sign + "\(whole)" }
        let digitsText = String(fraction)
        return sign + "\(whole)." + String(repeating: "0", count: digits - digitsText.count) + digitsText
    }
}
