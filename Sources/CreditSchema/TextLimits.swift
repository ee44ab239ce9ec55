/// Checks on free text and codes typed into an application: limits count Unicode scalars (not
/// grapheme clusters, which a run of combining marks keeps at one however long it is) and are
/// capped in UTF-8 bytes, and characters that hide or reorder text are refused.
enum TextLimits {
    /// Combining marks allowed in a row (real names stack two or three at most).
    static let maxCombiningRun = 3

    /// Why `text` cannot be a value of a field labelled `label` with at most `maxScalars`
    /// characters, or nil when it can.
    static func problem(in text: String, label: String, maxScalars: Int) -> String? {
        var count = 0, combiningRun = 0
        for scalar in text.unicodeScalars {
            count += 1
            if count > maxScalars { return "\(label) must be at most \(maxScalars) characters." }
            let value = scalar.value
            if value < 0x20 || (0x7F...0x9F).contains(value) { return "\(label) contains control characters." }
            // Below U+0300 (Latin, with Portuguese accents precomposed) there are no marks and no
            // invisible formatting: no need for the Unicode property tables.
            if value < 0x300 { combiningRun = 0; continue }
            if isInvisibleFormatting(value) { return "\(label) contains invisible direction or line-break characters." }
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .enclosingMark, .spacingMark:
                combiningRun += 1
                if combiningRun > maxCombiningRun { return "\(label) has too many accents on one letter." }
            default:
                combiningRun = 0
            }
        }
        // At most four bytes a scalar: this holds already, and bounds what is stored.
        return text.utf8.count > 4 * maxScalars ? "\(label) must be at most \(maxScalars) characters." : nil
    }

    /// Bidirectional overrides, embeddings and isolates, direction marks, and the line and
    /// paragraph separators: they make displayed text differ from what is stored.
    static func isInvisibleFormatting(_ value: UInt32) -> Bool {
        (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value) || value == 0x200E || value == 0x200F
            || value == 0x061C || value == 0x2028 || value == 0x2029
    }
}
