/// A language the product speaks to people: Brazilian Portuguese first, English second.
///
/// Codes stay language-free everywhere (problem `type` URIs, reason codes, field names, decisions
/// in the API's JSON); only the words a person reads follow the language.
public enum Language: String, Sendable, CaseIterable, Hashable {
    case portuguese = "pt-BR"
    case english = "en"

    /// The language of a BCP 47 tag, by its primary subtag: "pt", "pt-BR", "pt_PT" and "PT-br" are
    /// Portuguese; "en", "en-US" English. Nil for any other language.
    public init?(tag: some StringProtocol) {
        let primary = tag.lowercased().split(whereSeparator: { $0 == "-" || $0 == "_" }).first.map(String.init) ?? ""
        switch primary {
        case "pt": self = .portuguese
        case "en": self = .english
        default: return nil
        }
    }

    /// The language to answer a request in: the first one of `acceptLanguage` (RFC 9110 §12.5.4,
    /// by descending weight, ties in the order given) that the product speaks, else `fallback`.
    /// A weight of zero refuses a language; `*` takes the fallback.
    public static func negotiate(acceptLanguage: String?, fallback: Language) -> Language {
        guard let acceptLanguage, !acceptLanguage.isEmpty else { return fallback }
        var best: (language: Language, weight: Double)?
        for item in acceptLanguage.split(separator: ",").prefix(32) {
            let parts = item.split(separator: ";")
            guard let tag = parts.first?.trimmingSpaces(), !tag.isEmpty else { continue }
            var weight = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.trimmingSpaces()
                if pair.hasPrefix("q="), let value = Double(pair.dropFirst(2)) { weight = value }
            }
            guard weight > 0 else { continue }
            let language = tag == "*" ? fallback : Language(tag: tag)
            if let language, weight > (best?.weight ?? 0) { best = (language, weight) }
        }
        return best?.language ?? fallback
    }

    /// The words of this language.
    public var catalog: MessageCatalog {
        switch self {
        case .portuguese: return .portuguese
        case .english: return .english
        }
    }

    /// The language of a setting (`CREDIT_LANGUAGE`): `pt-BR` or `en`, and their variants.
    public static let defaultLanguage = Language.portuguese
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var text = self
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return text
    }
}
