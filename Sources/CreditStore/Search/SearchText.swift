/// How names, client ids and queries are folded for the history search, the same way when a job
/// is stored and when it is looked for: letters lowercased, accents and other marks taken off
/// (`Conceição` → `conceicao`, `Gonçalves` → `goncalves`, a decomposed `c` + U+0327 too), the
/// letters of Latin-1 and Latin Extended-A written as their base letters (`ß` → `ss`, `Ł` → `l`),
/// apostrophes dropped (`D'Ávila` → `davila`), and anything else that is neither a letter nor a
/// digit splitting words. Letters of other scripts are kept, lowercased.
public enum SearchText {
    /// The words of `text`, folded, in order.
    public static func words(_ text: String) -> [String] {
        var words: [String] = []
        var word = String.UnicodeScalarView()
        func close() {
            if !word.isEmpty { words.append(String(word)) }
            word = String.UnicodeScalarView()
        }
        for scalar in text.unicodeScalars {
            switch fold(scalar) {
            case .letters(let letters): word.append(contentsOf: letters.unicodeScalars)
            case .ignored: continue
            case .separator: close()
            }
        }
        close()
        return words
    }

    /// What one character becomes.
    private enum Folded {
        case letters(String)
        /// Taken off without splitting the word: combining marks and apostrophes.
        case ignored
        case separator
    }

    private static func fold(_ scalar: Unicode.Scalar) -> Folded {
        switch scalar.value {
        case 0x30...0x39, 0x61...0x7A: return .letters(String(scalar))
        case 0x41...0x5A: return .letters(String(Unicode.Scalar(scalar.value + 0x20)!))
        case 0x27, 0x2019, 0x2BC: return .ignored  // ' ’ ʼ
        case 0x300...0x36F: return .ignored  // combining diacritical marks
        case 0xC0...0x17F:
            let letters = latin[Int(scalar.value) - 0xC0]
            return letters == "-" ? .separator : .letters(letters)
        default:
            let properties = scalar.properties
            guard scalar.value > 0x7F, properties.isAlphabetic || properties.numericType != nil else { return .separator }
            if properties.generalCategory == .nonspacingMark || properties.generalCategory == .enclosingMark { return .ignored }
            return .letters(properties.lowercaseMapping)
        }
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

    /// Words of a name the word index leaves out: the particles of Portuguese names. A query word
    /// that one of them starts with (`d`, `do`, `e`) is looked for in the stored names instead.
    static let particles: Set<String> = ["da", "das", "de", "do", "dos", "e"]

    /// Whether the word index holds every word that starts with `prefix`.
    static func indexCovers(prefix: String) -> Bool { !particles.contains { $0.hasPrefix(prefix) } }

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
