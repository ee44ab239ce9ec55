/// A document the customer presented with a request for review (LGPD Art. 20, Lei 12.414/2011
/// Art. 5): the officer ticks each one on a checklist; the codes are stored, never the documents.
public enum ReviewDocument: String, Sendable, Equatable, CaseIterable {
    /// A pay slip (holerite, contracheque).
    case paySlip = "pay_slip"
    case proofOfAddress = "proof_of_address"
    case bankStatement = "bank_statement"
    case idDocument = "id_document"
    case taxReturn = "tax_return"
    case other

    /// The codes as stored: comma-separated, in the checklist's order.
    public static func stored(_ documents: [ReviewDocument]) -> String {
        allCases.filter(documents.contains).map(\.rawValue).joined(separator: ",")
    }

    /// The documents of a stored list (unknown codes are left out).
    public static func list(_ stored: String?) -> [ReviewDocument] {
        (stored ?? "").split(separator: ",").compactMap { ReviewDocument(rawValue: String($0)) }
    }
}
