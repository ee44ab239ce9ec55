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

    func write(to output: inout [UInt8]) {
        switch self {
        case .null: output += Array("null".utf8)
        case .bool(let value): output += Array((value ? "true" : "false").utf8)
        case .number(let value):
            if !value.isFinite { output += Array("null".utf8) }
            else if value == value.rounded(), abs(value) < 1e15 { output += Array(String(Int64(value)).utf8) }
            else { output += Array("\(value)".utf8) }
        case .string(let text): Self.writeString(text, to: &output)
        case .raw(let text): output += Array(text.utf8)
        case .array(let items):
            output.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                item.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                Self.writeString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                members[key]!.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    static func writeString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output += [92, 34]
            case UInt8(ascii: "\\"): output += [92, 92]
            case 0x0A: output += [92, UInt8(ascii: "n")]
            case 0x0D: output += [92, UInt8(ascii: "r")]
            case 0x09: output += [92, UInt8(ascii: "t")]
            case 0..<0x20, 0x7F:
                let hex = Array("0123456789abcdef".utf8)
                output += [92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            // "<" is escaped so that JSON can never close a surrounding HTML script context.
            case UInt8(ascii: "<"): output += Array("\\u003c".utf8)
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
