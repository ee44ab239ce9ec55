/// An applicant's validated values in a compact line, stored beside the JSON application so that
/// the scoring worker rebuilds the ``Applicant`` without parsing JSON or validating again.
///
/// The line is a version tag and one value per schema field, separated by U+001F (the unit
/// separator), which validation keeps out of every text value: an empty value is missing, `n…` a
/// number as Swift prints it (read back exactly), `t…` a text. A line that does not decode (another
/// version, another field count) is ignored and the worker falls back to the JSON.
public enum ApplicantRecord {
    static let version = "a1"
    static let separator: Character = "\u{1F}"

    /// The line for a validated applicant, written byte by byte (the responder writes one per
    /// submission): whole numbers as their digits, others as Swift prints them (exact).
    public static func encode(_ applicant: Applicant) -> String {
        var bytes: [UInt8] = Array(version.utf8)
        bytes.reserveCapacity(8 * applicant.values.count + 16)
        for value in applicant.values {
            bytes.append(0x1F)
            switch value {
            case .missing: break
            case .number(let number):
                bytes.append(UInt8(ascii: "n"))
                if number == number.rounded(), abs(number) < 1e15, !(number == 0 && number.sign == .minus) {
                    appendInteger(Int64(number), to: &bytes)
                } else {
                    bytes.append(contentsOf: number.description.utf8)
                }
            case .text(let text):
                bytes.append(UInt8(ascii: "t"))
                bytes.append(contentsOf: text.utf8)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func appendInteger(_ value: Int64, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
    }

    /// The applicant, or nil when `line` is not a record of this version with `fieldCount` values.
    public static func decode(_ line: String, fieldCount: Int) -> Applicant? {
        var line = line
        return line.withUTF8 { decode(bytes: $0, fieldCount: fieldCount) }
    }

    /// Byte-wise: the separator is ASCII, so no grapheme breaking is needed to find it.
    private static func decode(bytes: UnsafeBufferPointer<UInt8>, fieldCount: Int) -> Applicant? {
        var values: [FieldValue] = []
        values.reserveCapacity(fieldCount)
        let tag = version.utf8
        guard bytes.count >= tag.count, bytes.prefix(tag.count).elementsEqual(tag) else { return nil }
        var index = tag.count
        while index < bytes.count {
            guard bytes[index] == 0x1F else { return nil }
            var end = index + 1
            while end < bytes.count, bytes[end] != 0x1F { end += 1 }
            guard values.count < fieldCount, let value = Self.value(UnsafeBufferPointer(rebasing: bytes[(index + 1)..<end])) else { return nil }
            values.append(value)
            index = end
        }
        return values.count == fieldCount ? Applicant(values: values) : nil
    }

    private static func value(_ part: UnsafeBufferPointer<UInt8>) -> FieldValue? {
        guard let kind = part.first else { return .missing }
        let rest = UnsafeBufferPointer(rebasing: part.dropFirst())
        switch kind {
        case UInt8(ascii: "n"):
            if let whole = wholeNumber(rest) { return .number(whole) }
            guard let number = Double(String(decoding: rest, as: UTF8.self)), number.isFinite else { return nil }
            return .number(number)
        case UInt8(ascii: "t"): return .text(String(decoding: rest, as: UTF8.self))
        default: return nil
        }
    }

    /// The common case, written by ``encode(_:)`` as plain digits: an optional minus and at most
    /// 15 digits, exact in a Double. Anything else goes to Double's own parser.
    private static func wholeNumber(_ digits: UnsafeBufferPointer<UInt8>) -> Double? {
        var index = 0, negative = false
        if digits.first == UInt8(ascii: "-") { negative = true; index = 1 }
        let count = digits.count - index
        guard count > 0, count <= 15 else { return nil }
        var value: Int64 = 0
        while index < digits.count {
            let digit = digits[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int64(digit)
            index += 1
        }
        return negative ? -Double(value) : Double(value)
    }
}
