/// Where a file stops being text (see ``TextEncoding/decode(_:)``): the first byte that no text
/// encoding the service reads allows, by line and by position, both counted from 1 in the file
/// as uploaded (a byte-order mark included).
public struct TextDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The line the byte is on (lines end in LF).
    public var line: Int
    /// The byte's position in the file.
    public var byte: Int
    /// The byte's position in its line.
    public var byteInLine: Int
    /// The byte itself.
    public var value: UInt8
    /// The file starts with a UTF-16 byte-order mark (Excel's "Unicode text").
    public var isUTF16: Bool

    public init(line: Int, byte: Int, byteInLine: Int, value: UInt8, isUTF16: Bool = false) {
        self.line = line
        self.byte = byte
        self.byteInLine = byteInLine
        self.value = value
        self.isUTF16 = isUTF16
    }

    /// The error at `position` (0-based) of `bytes`.
    init(_ bytes: [UInt8], at position: Int) {
        var line = 1, lineStart = 0
        for index in 0..<position where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        self.init(
            line: line, byte: position + 1, byteInLine: position - lineStart + 1, value: bytes[position],
            isUTF16: bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]))
    }

    /// The byte in hexadecimal, as `0x8D`.
    public var hexValue: String {
        let digits = Array("0123456789ABCDEF")
        return "0x" + String(digits[Int(value >> 4)]) + String(digits[Int(value & 0x0F)])
    }

    public var description: String {
        let place = "line \(line) has the byte \(hexValue) (byte \(byteInLine) of the line, byte \(byte) of the file)"
        if isUTF16 {
            return "The file is UTF-16 (\"Unicode text\"), which is not read: \(place). "
                + "Save it from the spreadsheet as CSV UTF-8 (comma- or semicolon-separated) and upload it again."
        }
        return "The file is not text in UTF-8, Windows-1252 or ISO-8859-1: \(place). "
            + "Save the spreadsheet as CSV (comma- or semicolon-separated), not as a workbook, and upload it again."
    }
}
