/// Numbers and money as a reader of each language writes them, without Foundation: grouped
/// thousands and the decimal mark of Brazil (`R$ 1.800,00`, `1.200`) or of English (`R$1,800.00`).
extension Language {
    /// `value` in reais with two decimals: `R$ 1.800,00` in Portuguese, `R$1,800.00` in English.
    public func money(_ value: Double) -> String {
        let cents = Int64((abs(value) * 100).rounded())
        let whole = grouped(cents / 100)
        let fraction = cents % 100
        let decimals = (fraction < 10 ? "0" : "") + String(fraction)
        let sign = value < 0 && cents > 0 ? "-" : ""
        switch self {
        case .portuguese: return sign + "R$ " + whole + "," + decimals
        case .english: return sign + "R$" + whole + "." + decimals
        }
    }

    /// A whole number with its thousands grouped (`1.200` or `1,200`); a fraction keeps up to two
    /// decimals with the language's decimal mark.
    public func count(_ value: Double) -> String {
        let sign = value < 0 ? "-" : ""
        let hundredths = Int64((abs(value) * 100).rounded())
        var text = sign + grouped(hundredths / 100)
        let fraction = hundredths % 100
        if fraction != 0 {
            var digits = (fraction < 10 ? "0" : "") + String(fraction)
            if digits.hasSuffix("0") { digits.removeLast() }
            text += (self == .portuguese ? "," : ".") + digits
        }
        return text
    }

    /// `number` with a group separator every three digits.
    private func grouped(_ number: Int64) -> String {
        let digits = Array(String(number))
        let separator: Character = self == .portuguese ? "." : ","
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { text.append(separator) }
            text.append(digit)
        }
        return text
    }
}
