/// The text of a history search (`q`), folded by ``SearchText``. An application matches when
/// every word starts a word of its applicant's name or starts its client id (so `conceicao` finds
/// `Maria da Conceição`, `gonc` finds `Luíza Gonçalves`, `maria silva` needs both); or when the
/// words run together start its client id (`123.456` finds `1234567`); or when the one word is 8
/// to 32 hexadecimal digits that start its id.
public struct TextQuery: Sendable, Equatable {
    /// The most words and characters a query may have.
    public static let maxWords = 8
    public static let maxLength = 200
    /// The shortest start of an application id that is looked for.
    public static let minIDPrefix = 8

    /// The folded words, without repeats.
    public let words: [String]

    /// Folds `text`; throws when it has no letter or digit, or is too long.
    public init(_ text: String) throws(TextQueryError) {
        let length = text.unicodeScalars.count
        guard length <= Self.maxLength else { throw .tooLong(length) }
        var seen: Set<String> = []
        let words = SearchText.words(text).filter { seen.insert($0).inserted }
        guard !words.isEmpty else { throw .noWords }
        guard words.count <= Self.maxWords else { throw .tooManyWords(words.count) }
        self.words = words
    }

    /// The words run together, for a client id typed with separators; nil for one word.
    var compact: String? { words.count > 1 ? words.joined() : nil }

    /// The one word as the start of an application id: 8 to 32 hexadecimal digits; else nil.
    var idPrefix: String? {
        guard words.count == 1, let word = words.first, (Self.minIDPrefix...32).contains(word.utf8.count),
            word.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
        else { return nil }
        return word
    }
}

/// Why a history search's text was refused.
public enum TextQueryError: Error, Equatable, CustomStringConvertible {
    case noWords
    case tooLong(Int)
    case tooManyWords(Int)

    public var description: String {
        switch self {
        case .noWords: "q must hold a letter or a digit: part of a name, a client id or an application id."
        case .tooLong(let length): "q has \(length) characters; give at most \(TextQuery.maxLength)."
        case .tooManyWords(let count): "q has \(count) words; give at most \(TextQuery.maxWords) (the rarest words find the application)."
        }
    }
}
