/// The lender a customer's decision letter comes from: its legal name, CNPJ, address and the
/// channel where the customer asks for a review (`CREDIT_LENDER_NAME`, `_CNPJ`, `_ADDRESS`, `_CONTACT`).
public struct Lender: Sendable, Equatable {
    public var name: String
    /// Formatted `00.000.000/0000-00`, its check digits verified.
    public var cnpj: String
    public var address: String
    public var contact: String

    /// A placeholder lender, so that a demo prints a complete letter; a deployment sets its own.
    public static let sample = Lender(
        checkedName: "Financeira Exemplo S.A.", cnpj: "00.000.000/0001-91",
        address: "Avenida Paulista, 1000, Bela Vista, São Paulo – SP, 01310-100",
        contact: "SAC 0800 000 0000 · revisao@financeira.example · financeira.example/revisao")

    private init(checkedName: String, cnpj: String, address: String, contact: String) {
        name = checkedName
        self.cnpj = cnpj
        self.address = address
        self.contact = contact
    }

    /// Checks each part: a name, address and contact of 1 to 200 characters on one line, and a
    /// CNPJ of 14 digits (punctuation optional) whose two check digits are right.
    public init(name: String, cnpj: String, address: String, contact: String) throws(ConfigurationError) {
        for (setting, text) in [("CREDIT_LENDER_NAME", name), ("CREDIT_LENDER_ADDRESS", address), ("CREDIT_LENDER_CONTACT", contact)] {
            guard !text.isEmpty, text.count <= 200, !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                throw ConfigurationError(description: "\(setting) must be one line of 1 to 200 characters")
            }
        }
        guard let formatted = Self.formattedCNPJ(cnpj) else {
            throw ConfigurationError(
                description: "CREDIT_LENDER_CNPJ must be a CNPJ of 14 digits with valid check digits (00.000.000/0000-00), not \(cnpj)")
        }
        self.init(checkedName: name, cnpj: formatted, address: address, contact: contact)
    }

    /// `text` as `00.000.000/0000-00` when it is 14 digits (with or without the usual
    /// punctuation) whose check digits are right; else nil.
    public static func formattedCNPJ(_ text: String) -> String? {
        var digits: [Int] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits.append(Int(byte - UInt8(ascii: "0")))
            case UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "-"), UInt8(ascii: " "): continue
            default: return nil
            }
        }
        guard digits.count == 14 else { return nil }
        func checkDigit(_ count: Int) -> Int {
            let weights = count == 12 ? [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2] : [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
            let sum = zip(digits.prefix(count), weights).reduce(0) { $0 + $1.0 * $1.1 }
            let rest = sum % 11
            return rest < 2 ? 0 : 11 - rest
        }
        guard checkDigit(12) == digits[12], checkDigit(13) == digits[13] else { return nil }
        let d = digits.map(String.init)
        return d[0..<2].joined() + "." + d[2..<5].joined() + "." + d[5..<8].joined() + "/" + d[8..<12].joined() + "-" + d[12..<14].joined()
    }
}
