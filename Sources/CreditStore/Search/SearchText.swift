/// How names, client ids and queries are folded for the history search, the same way when a job
/// is stored and when it is looked for: letters lowercased, accents and other marks taken off
/// (`Conceição` → `conceicao`, `Gonçalves` → `goncalves`, a decomposed `c` + U+0327 too), the
/// letters of Latin-1 and Latin Extended-A written as their base letters (`ß` → `ss`, `Ł` → `l`),
/// apostrophes dropped (`D'Ávila` → `davila`), and anything else that is neither a letter nor a
/// digit splitting words. Letters of other scripts are kept, lowercased.
public enum SearchText {
    /// The words of `text`, folded, in order. (Written byte by byte: every stored application's
    /// name goes through it.)
    public static func words(_ text: String) -> [String] {
        var words: [String] = []
        var word: [UInt8] = []
        word.reserveCapacity(32)
        func close() {
            if !word.isEmpty { words.append(String(decoding: word, as: UTF8.self)) }
            word.removeAll(keepingCapacity: true)
        }
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x30...0x39, 0x61...0x7A: word.append(UInt8(scalar.value))
            case 0x41...0x5A: word.append(UInt8(scalar.value + 0x20))
            case 0x27, 0x2019, 0x2BC: continue  // ' ’ ʼ: dropped, the word goes on
            case 0x300...0x36F: continue  // combining diacritical marks
            case 0xC0...0x17F:
                let letters = latin[Int(scalar.value) - 0xC0]
                if letters == "-" { close() } else { word.append(contentsOf: letters.utf8) }
            case 0...0x7F: close()
            default:
                let properties = scalar.properties
                if properties.generalCategory == .nonspacingMark || properties.generalCategory == .enclosingMark { continue }
                if properties.isAlphabetic || properties.numericType != nil {
                    word.append(contentsOf: properties.lowercaseMapping.utf8)
                } else {
                    close()
                }
            }
        }
        close()
        return words
    }

    /// U+00C0 to U+017F (Latin-1's letters and Latin Extended-A) as lowercase base letters; `-`
    /// for the two signs among them (× and ÷), which split words.
    private static let latin: [String] = """
        a a a a a a ae c e e e e i i i i d n o o o o o - o u u u u y th ss \
        a a a a a a ae c e e e e i i i i d n o o o o o - o u u u u y th y \
        a a a a a a c c c c c c c c d d d d e e e e e e e e e e g g g g \
        g g g g h h h h i i i i i i i i i i ij ij j j k k k l l l l l l l \
        l l l n n n n n n n n n o o o o o o oe oe r r r r r r s s s s s s \
        s s t t t t t t u u u u u u u u u u u u w w y y y z z z z z z s
        """.split(separator: " ").map(String.init)

    /// Words of a name the word index leaves out: the particles of Portuguese names, and the
    /// commonest Brazilian first names and surnames (about two in five of the words of names), which
    /// a history finds soonest by reading the owner's applications newest first. Each would be one
    /// more B-tree write per application, and a frequent one gains nothing from the index.
    static let unindexed: Set<String> = [
        "da", "das", "de", "do", "dos", "e",
        "maria", "jose", "ana", "joao", "antonio", "francisco", "francisca", "antonia", "carlos", "paulo", "pedro", "lucas", "luiz",
        "luis", "marcos", "gabriel", "rafael", "daniel", "marcelo", "bruno", "eduardo", "adriana", "juliana", "marcia",
        "silva", "santos", "oliveira", "souza", "sousa", "rodrigues", "ferreira", "alves", "pereira", "lima", "gomes", "costa",
        "ribeiro", "martins", "carvalho", "almeida", "lopes", "soares", "fernandes", "vieira", "barbosa",
    ]

    /// Whether the word index holds every name word that starts with `prefix`: none of the
    /// words it leaves out does (`d`, `mar` and `silva` are looked for in the stored names instead).
    static func indexCovers(prefix: String) -> Bool { !unindexed.contains { $0.hasPrefix(prefix) } }

    /// Whether `text` is all ASCII digits (a client id the index by client id holds as it is).
    static func isDigits(_ text: String) -> Bool { !text.isEmpty && text.utf8.allSatisfy { (48...57).contains($0) } }

    /// The least string of digits above every string of digits that starts with `prefix` (`129`
    /// → `13`), compared alike in any collation; nil for nines alone, which have none.
    static func digitsUpperBound(prefix: String) -> String? {
        var digits = Array(prefix.utf8)
        while let last = digits.popLast() {
            if last < UInt8(ascii: "9") { return String(decoding: digits + [last + 1], as: UTF8.self) }
        }
        return nil
    }

    /// The least text above every text that starts with `prefix` (for a range scan of an index):
    /// its last scalar moved on by one.
    static func upperBound(prefix: String) -> String {
        var scalars = Array(prefix.unicodeScalars)
        while let last = scalars.popLast() {
            var next = last.value + 1
            if next == 0xD800 { next = 0xE000 }  // past the surrogates, which are no scalars
            if let scalar = Unicode.Scalar(next) {
                scalars.append(scalar)
                return String(String.UnicodeScalarView(scalars))
            }
        }
        return "\u{10FFFF}"
    }
}
