/// The columns of a scored file, the same from `GET /api/batches/{id}/results.csv` and from
/// `credit score --format csv`: where the row was, whose it is, the outcome and the main reasons
/// with their codes (the field each reason is about).
public enum ResultTable {
    /// Reasons given per row.
    public static let reasonCount = 3

    public static var header: [String] {
        ["line", "id", "client_id", "status", "probability_of_default", "score", "decision"]
            + (1...reasonCount).flatMap { ["reason_\($0)_code", "reason_\($0)"] } + ["error"]
    }

    /// One row's cells. `reasons` are (code, text) pairs, most important first.
    public static func row(
        line: Int, id: String, clientID: String?, status: String, probabilityOfDefault: Double?, score: Int?,
        decision: String?, reasons: [(code: String, text: String)], error: String?
    ) -> [String] {
        var cells = [
            String(line), id, clientID ?? "", status, probabilityOfDefault.map { fixed($0, 6) } ?? "", score.map(String.init) ?? "",
            decision ?? "",
        ]
        for index in 0..<reasonCount {
            cells += index < reasons.count ? [reasons[index].code, reasons[index].text] : ["", ""]
        }
        return cells + [error ?? ""]
    }

    /// A CSV line of `cells` (RFC 4180 quoting). Text that a spreadsheet would run as a formula
    /// (starting with = + - @ or a tab) is prefixed with an apostrophe (OWASP's CSV injection
    /// advice); a number such as -0.5 is left alone.
    public static func line(_ cells: [String]) -> String {
        cells.map(field).joined(separator: ",")
    }

    static func field(_ text: String) -> String {
        var text = text
        if let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), Double(text) == nil { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        var quoted = "\""
        for character in text { if character == "\"" { quoted += "\"\"" } else { quoted.append(character) } }
        return quoted + "\""
    }

    /// `value` with `digits` decimals, without Foundation.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e15 else { return "\(value)" }
        let whole = Int64(scaled) / Int64(scale), fraction = Int64(scaled) % Int64(scale)
        let digitsText = String(fraction)
        return (value < 0 && scaled > 0 ? "-" : "") + "\(whole)." + String(repeating: "0", count: digits - digitsText.count) + digitsText
    }
}
