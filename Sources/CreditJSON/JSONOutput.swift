/// A JSON value to write, with deterministic key order and no Foundation bridging in the hot path.
public indirect enum JSONOutput: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONOutput])
    case object([String: JSONOutput])
    /// Already-serialised JSON text, inserted as is (results stored by the worker).
    case raw(String)

    /// UTF-8 bytes of the value, keys sorted.
    public var bytes: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        write(to: &output)
        return output
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Appends the value's UTF-8 bytes (keys sorted) to `output`.
    public func append(to output: inout [UInt8]) { write(to: &output) }

    func write(to output: inout [UInt8]) {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let value): Self.writeNumber(value, to: &output)
        case .string(let text): Self.writeString(text, to: &output)
        case .raw(let text): output.append(contentsOf: text.utf8)
        case .array(let items):
            output.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                item.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (index, member) in members.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                Self.writeString(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                member.value.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// Whole numbers without a fraction, others as Swift prints them (shortest exact), non-finite as null.
    static func writeNumber(_ value: Double, to output: inout [UInt8]) {
        if !value.isFinite {
            output.append(contentsOf: "null".utf8)
        } else if value == value.rounded(), abs(value) < 1e15 {
            writeInteger(Int64(value), to: &output)
        } else {
            output.append(contentsOf: value.description.utf8)
        }
    }

    static func writeInteger(_ value: Int64, to output: inout [UInt8]) {
        if value < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude,
            digits:
                (
                    UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                    UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
                ) =
                    (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for index in stride(from: count - 1, through: 0, by: -1) { output.append(buffer[index]) }
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Bytes below 128 that ``writeString(_:to:)`` escapes, one bit each: the control characters,
    /// `"`, `<`, `\\` and DEL (bytes of 128 and above, in multi-byte characters, never are).
    private static let escapedBelow64: UInt64 = 0xFFFF_FFFF | 1 << 0x22 | 1 << 0x3C
    private static let escaped64To127: UInt64 = 1 << (0x5C - 64) | 1 << (0x7F - 64)

    @inline(__always)
    static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 64 ? escapedBelow64 >> byte & 1 != 0 : byte < 128 && escaped64To127 >> (byte - 64) & 1 != 0
    }

    static func writeString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            // Runs of bytes that need no escape are copied at once.
            var runStart = 0, index = -1
            while true {
                index += 1
                guard index < bytes.count else { break }
                let byte = bytes[index]
                guard needsEscape(byte) else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                runStart = index + 1
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    output.append(UInt8(ascii: "\\"))
                    output.append(byte)
                case 0x0A: output.append(UInt8(ascii: "\\")); output.append(UInt8(ascii: "n"))
                case 0x0D: output.append(UInt8(ascii: "\\")); output.append(UInt8(ascii: "r"))
                case 0x09: output.append(UInt8(ascii: "\\")); output.append(UInt8(ascii: "t"))
                // "<" is escaped so that JSON can never close a surrounding HTML script context.
                default:
                    output.append(contentsOf: "\\u00".utf8)
                    output.append(hexDigits[Int(byte >> 4)])
                    output.append(hexDigits[Int(byte & 15)])
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        output.append(UInt8(ascii: "\""))
    }
}
