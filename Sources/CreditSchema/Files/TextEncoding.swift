/// The character encodings a file of applications may come in, told apart by its bytes alone:
/// UTF-8 (with or without a byte-order mark) when the bytes are valid UTF-8, else Windows-1252,
/// which spreadsheets on Windows in Brazil write and which covers ISO-8859-1's printable range.
/// A file that is neither, such as an `.xlsx` workbook or a UTF-16 text, is binary: refused.
///
/// Detected and decoded once here, without Foundation (the responder links this module).
public enum TextEncoding: String, Sendable, Equatable, CaseIterable {
    case utf8 = "UTF-8"
    case windows1252 = "Windows-1252"

    /// `bytes` as UTF-8 without a byte-order mark, and the encoding they were in. Throws where
    /// the file stops being text: a NUL or another control byte than tab, CR and LF, a byte that
    /// Windows-1252 leaves undefined, or (after a UTF-8 byte-order mark) a byte that is not UTF-8.
    public static func decode(_ bytes: [UInt8]) throws(TextDecodingError) -> (text: [UInt8], encoding: TextEncoding) {
        let hasMark = bytes.starts(with: byteOrderMark)
        let control = bytes.firstIndex(where: isForbiddenControl)
        let invalid = firstInvalidUTF8(bytes)
        if invalid == nil || hasMark {
            if let position = [control, invalid].compactMap({ $0 }).min() { throw TextDecodingError(bytes, at: position) }
            return (hasMark ? Array(bytes[byteOrderMark.count...]) : bytes, .utf8)
        }
        if let position = bytes.firstIndex(where: { isForbiddenControl($0) || isUndefinedInWindows1252($0) }) {
            throw TextDecodingError(bytes, at: position)
        }
        return (decodeWindows1252(bytes), .windows1252)
    }

    /// The byte-order mark spreadsheets put at the start of a UTF-8 file.
    public static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// A control byte no text file holds: C0 controls other than tab, LF and CR.
    static func isForbiddenControl(_ byte: UInt8) -> Bool {
        byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D
    }

    /// The five bytes Windows-1252 assigns no character.
    static func isUndefinedInWindows1252(_ byte: UInt8) -> Bool {
        byte >= 0x80 && byte <= 0x9F && windows1252High[Int(byte) - 0x80] == 0
    }

    /// Windows-1252's characters for 0x80 to 0x9F (0: undefined); every other byte is the
    /// Unicode scalar of the same value, as in ISO-8859-1.
    static let windows1252High: [UInt32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ]

    /// Windows-1252 bytes (every one defined) as UTF-8.
    static func decodeWindows1252(_ bytes: [UInt8]) -> [UInt8] {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count + bytes.count / 8)
        for byte in bytes {
            let scalar = byte >= 0x80 && byte <= 0x9F ? windows1252High[Int(byte) - 0x80] : UInt32(byte)
            switch scalar {
            case 0..<0x80: text.append(UInt8(scalar))
            case 0x80..<0x800: text += [UInt8(0xC0 | scalar >> 6), UInt8(0x80 | scalar & 0x3F)]
            default: text += [UInt8(0xE0 | scalar >> 12), UInt8(0x80 | scalar >> 6 & 0x3F), UInt8(0x80 | scalar & 0x3F)]
            }
        }
        return text
    }

    /// The position of the first byte that does not start a well-formed UTF-8 character (no
    /// overlong forms, surrogates or scalars past U+10FFFF), or nil when all of `bytes` is UTF-8.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { buffer -> Int? in
            var index = 0
            let count = buffer.count
            while index < count {
                let lead = buffer[index]
                if lead < 0x80 {
                    index += 1
                    continue
                }
                var following = 0, low: UInt8 = 0x80, high: UInt8 = 0xBF
                switch lead {
                case 0xC2...0xDF: following = 1
                case 0xE0: (following, low) = (2, 0xA0)
                case 0xE1...0xEC, 0xEE...0xEF: following = 2
                case 0xED: (following, high) = (2, 0x9F)
                case 0xF0: (following, low) = (3, 0x90)
                case 0xF1...0xF3: following = 3
                case 0xF4: (following, high) = (3, 0x8F)
                default: return index
                }
                guard index + following < count, (low...high).contains(buffer[index + 1]) else { return index }
                for next in stride(from: index + 2, through: index + following, by: 1) where buffer[next] & 0xC0 != 0x80 { return index }
                index += following + 1
            }
            return nil
        }
    }
}
