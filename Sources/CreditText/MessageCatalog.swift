/// The words of one language: what the API, the worker and the command line say to a person.
///
/// The program writes its messages in English, and a catalog maps each English message to its
/// translation, as gettext does: the key is the English text itself, with `{name}` for each part
/// that varies ("You have no batch with id {id}."). One catalog per language, in `Catalogs/`, a
/// plain list of `"English": "translation"` pairs a translator can edit. English needs none.
///
/// ``translate(_:)`` turns a finished English message into the language: an exact entry first,
/// else the entry whose fixed parts match the message around its placeholders, with the parts
/// that vary translated in turn when they are themselves entries (a field's label, say).
///
/// The site's own words are in `site/i18n/<language>.json`, keyed by name. Tests check that every
/// translation keeps its placeholders, and that every message the test suites produce is translated.
public struct MessageCatalog: Sendable {
    public let language: Language
    /// Translation by English text, placeholders as `{name}`.
    public let entries: [String: String]
    /// The entries with placeholders, as fixed parts to match, the most specific (longest) first.
    private let patterns: [Pattern]

    public init(language: Language, entries: [String: String]) {
        self.language = language
        self.entries = entries
        patterns = entries.compactMap { Pattern(english: $0.key, translation: $0.value) }
            .sorted { $0.fixedLength != $1.fixedLength ? $0.fixedLength > $1.fixedLength : $0.english < $1.english }
    }

    /// English: no translation needed.
    public static let english = MessageCatalog(language: .english, entries: [:])

    /// `english` in this catalog's language, or nil when no entry covers it.
    public func translation(of english: String) -> String? {
        if language == .english { return english }
        if let exact = entries[english] { return exact }
        let bytes = Array(english.utf8)
        for pattern in patterns {
            if let values = pattern.match(bytes) {
                return pattern.fill(values.map { entries[$0] ?? $0 })
            }
        }
        return nil
    }

    /// `english` in this catalog's language; as written when no entry covers it.
    public func translate(_ english: String) -> String { translation(of: english) ?? english }

    /// The translation of `template` (an entry with `{name}` placeholders) with `values` put in
    /// its placeholders as they are: for parts already written in this language (an amount in
    /// its format), which matching a finished English message could not give.
    public func format(_ template: String, _ values: [String: String]) -> String {
        let split = Pattern.split(language == .english ? template : entries[template] ?? template)
        var text = split.parts[0]
        for (index, name) in split.names.enumerated() { text += (values[name] ?? "{\(name)}") + split.parts[index + 1] }
        return text
    }

    /// The names of the placeholders in `template`, sorted (for the catalogs' consistency tests).
    public static func placeholders(in template: String) -> [String] {
        Pattern.split(template).names.sorted()
    }
}

/// One catalog entry with placeholders: its English text cut into fixed parts around them.
private struct Pattern: Sendable {
    let english: String
    /// The fixed text before, between and after the placeholders: one more than `names`.
    let parts: [String]
    /// `parts` as UTF-8, split once.
    let partBytes: [[UInt8]]
    let names: [String]
    /// The translation cut the same way, with each placeholder's position in `names`.
    let translationParts: [String]
    let translationSlots: [Int]
    let fixedLength: Int

    /// Nil for a text without placeholders, or with two placeholders side by side (which no
    /// matching could tell apart).
    init?(english: String, translation: String) {
        let (parts, names) = Self.split(english)
        guard !names.isEmpty, !parts.dropFirst().dropLast().contains(where: \.isEmpty) else { return nil }
        let (translationParts, translationNames) = Self.split(translation)
        self.english = english
        self.parts = parts
        partBytes = parts.map { Array($0.utf8) }
        self.names = names
        self.translationParts = translationParts
        translationSlots = translationNames.map { names.firstIndex(of: $0) ?? -1 }
        fixedLength = parts.reduce(0) { $0 + $1.utf8.count }
    }

    /// The values of the placeholders in `bytes` (a message's UTF-8), or nil when the fixed parts
    /// do not match it.
    func match(_ bytes: [UInt8]) -> [String]? {
        let first = partBytes[0], last = partBytes[partBytes.count - 1]
        guard bytes.count >= first.count + last.count, bytes.starts(with: first), bytes.suffix(last.count).elementsEqual(last) else {
            return nil
        }
        var values: [String] = []
        var position = first.count
        let end = bytes.count - last.count
        for needle in partBytes.dropFirst().dropLast() {
            guard let found = Self.find(needle, in: bytes, from: position, before: end) else { return nil }
            values.append(String(decoding: bytes[position..<found], as: UTF8.self))
            position = found + needle.count
        }
        values.append(String(decoding: bytes[position..<end], as: UTF8.self))
        return values.contains(where: \.isEmpty) ? nil : values
    }

    /// The translation with the values in its placeholders.
    func fill(_ values: [String]) -> String {
        var result = translationParts[0]
        for (index, slot) in translationSlots.enumerated() {
            result += (slot >= 0 ? values[slot] : "") + translationParts[index + 1]
        }
        return result
    }

    static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int, before end: Int) -> Int? {
        guard !needle.isEmpty, end - start >= needle.count else { return nil }
        var index = start
        while index + needle.count <= end {
            if bytes[index] == needle[0], bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    /// `template` cut at its `{name}` placeholders: the fixed parts and the names.
    static func split(_ template: String) -> (parts: [String], names: [String]) {
        var parts: [String] = [], names: [String] = []
        var current = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let name = rest[rest.index(after: open)..<close]
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0 == "_" }) else {
                current += rest[...open]
                rest = rest[rest.index(after: open)...]
                continue
            }
            current += rest[..<open]
            parts.append(current)
            current = ""
            names.append(String(name))
            rest = rest[rest.index(after: close)...]
        }
        parts.append(current + rest)
        return (parts, names)
    }
}
