/// Why a JSON text could not be parsed, with the byte offset.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int

    public var description: String { "\(message) at byte \(offset)" }
}

extension JSONValue {
    /// Parses RFC 8259 JSON from UTF-8 bytes: strict (no comments, no trailing commas, no NaN),
    /// with a nesting limit so hostile input cannot exhaust the stack. Duplicate keys keep the last value.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 64) throws(JSONParseError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer throws(JSONParseError) -> JSONValue in
            var parser = JSONByteParser(bytes: buffer, maxDepth: maxDepth)
            parser.skipWhitespace()
            let value = try parser.parseValue(depth: 0)
            parser.skipWhitespace()
            guard parser.position == buffer.count else { throw parser.error("Unexpected text after the JSON value") }
            return value
        }
    }

    /// Parses a UTF-8 string.
    public static func parse(_ text: String, maxDepth: Int = 64) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8), maxDepth: maxDepth)
    }

    /// Parses a text that should be one JSON object member by member: `member` is called with each
    /// key's UTF-8 bytes (valid during the call only) and its value, in order, and no dictionary
    /// is built. For a reader that knows the keys it wants, such as an application's fifty fields.
    ///
    /// Returns false, having read nothing, when the text does not start with `{` (parse it with
    /// ``parse(_:maxDepth:)`` for its value or its error). Otherwise it accepts and refuses exactly
    /// what ``parse(_:maxDepth:)`` does, with the same errors; a repeated key is passed each time.
    public static func parseMembers(
        ofObject bytes: [UInt8], maxDepth: Int = 64,
        _ member: (UnsafeBufferPointer<UInt8>, JSONValue) -> Void
    ) throws(JSONParseError) -> Bool {
        try bytes.withUnsafeBufferPointer { buffer throws(JSONParseError) -> Bool in
            var parser = JSONByteParser(bytes: buffer, maxDepth: maxDepth)
            parser.skipWhitespace()
            guard parser.position < buffer.count, buffer[parser.position] == UInt8(ascii: "{") else { return false }
            try parser.parseMembers(depth: 1, member)
            parser.skipWhitespace()
            guard parser.position == buffer.count else { throw parser.error("Unexpected text after the JSON value") }
            return true
        }
    }
}

private struct JSONByteParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    func error(_ message: String) -> JSONParseError { JSONParseError(message: message, offset: position) }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard position < bytes.count else { throw error("Unexpected end of JSON") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("Unexpected character '\(Character(Unicode.Scalar(bytes[position])))'")
        }
    }

    mutating func expect(_ word: StaticString) throws(JSONParseError) {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw error("Unexpected end of JSON") }
        for index in 0..<count where bytes[position + index] != word.utf8Start[index] { throw error("Invalid literal") }
        position += count
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw error("JSON nested deeper than \(maxDepth) levels") }
        position += 1
        // Members are collected in order and put in a dictionary sized once at the end (growing
        // it member by member rehashes it several times for an application's fifty fields).
        // (Two arrays rather than one of tuples: tuple types are looked up at run time.)
        var keys: [String] = [], values: [JSONValue] = []
        func object() -> JSONValue {
            var dictionary = [String: JSONValue](minimumCapacity: keys.count)
            for index in keys.indices { dictionary[keys[index]] = values[index] }  // a repeated key keeps its last value
            return .object(dictionary)
        }
        skipWhitespace()
        if position < bytes.count && bytes[position] == UInt8(ascii: "}") { position += 1; return object() }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw error("Expected a quoted key") }
            let key = try parseString()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw error("Expected ':' after a key") }
            position += 1
            skipWhitespace()
            keys.append(key)
            values.append(try parseValue(depth: depth))
            skipWhitespace()
            guard position < bytes.count else { throw error("Unexpected end of JSON in an object") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "}") { position += 1; return object() }
            throw error("Expected ',' or '}' in an object")
        }
    }

    /// An object's members handed to `member` one by one (see ``JSONValue/parseMembers(ofObject:maxDepth:_:)``).
    mutating func parseMembers(depth: Int, _ member: (UnsafeBufferPointer<UInt8>, JSONValue) -> Void) throws(JSONParseError) {
        guard depth <= maxDepth else { throw error("JSON nested deeper than \(maxDepth) levels") }
        position += 1
        skipWhitespace()
        if position < bytes.count && bytes[position] == UInt8(ascii: "}") { position += 1; return }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw error("Expected a quoted key") }
            // A key without escapes is passed as the bytes it is; any other is decoded first.
            let plain = plainString()
            let decoded = plain == nil ? try parseString() : nil
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw error("Expected ':' after a key") }
            position += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            if let plain {
                member(UnsafeBufferPointer(rebasing: bytes[plain]), value)
            } else {
                var key = decoded!
                key.withUTF8 { member($0, value) }
            }
            skipWhitespace()
            guard position < bytes.count else { throw error("Unexpected end of JSON in an object") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "}") { position += 1; return }
            throw error("Expected ',' or '}' in an object")
        }
    }

    /// At a string's opening quote: when the string holds no escape and no control character and
    /// is valid UTF-8, moves past it and returns the range of its bytes; otherwise stays put and
    /// returns nil (``parseString()`` then decodes it, or gives the error).
    mutating func plainString() -> Range<Int>? {
        var index = position + 1
        var combined: UInt8 = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let range = (position + 1)..<index
                if combined >= 0x80, String(validating: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) == nil { return nil }
                position = index + 1
                return range
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            combined |= byte
            index += 1
        }
        return nil
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw error("JSON nested deeper than \(maxDepth) levels") }
        position += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count && bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth))
            skipWhitespace()
            guard position < bytes.count else { throw error("Unexpected end of JSON in an array") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
            throw error("Expected ',' or ']' in an array")
        }
    }

    mutating func parseString() throws(JSONParseError) -> String {
        position += 1
        let start = position
        // Fast path: no escapes.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<position])
                position += 1
                guard let text = Self.strictString(slice) else { throw error("Invalid UTF-8 in a string") }
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("Control character in a string") }
            position += 1
        }
        var output = Array(bytes[start..<position])
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                guard let text = output.withUnsafeBufferPointer(Self.strictString) else { throw error("Invalid UTF-8 in a string") }
                return text
            case UInt8(ascii: "\\"):
                position += 1
                guard position < bytes.count else { throw error("Unexpected end of JSON in a string") }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""): output.append(0x22)
                case UInt8(ascii: "\\"): output.append(0x5C)
                case UInt8(ascii: "/"): output.append(0x2F)
                case UInt8(ascii: "b"): output.append(0x08)
                case UInt8(ascii: "f"): output.append(0x0C)
                case UInt8(ascii: "n"): output.append(0x0A)
                case UInt8(ascii: "r"): output.append(0x0D)
                case UInt8(ascii: "t"): output.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                            throw error("Unpaired surrogate in a string")
                        }
                        position += 2
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw error("Invalid surrogate pair in a string") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw error("Unpaired surrogate in a string")
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw error("Invalid \\u escape") }
                    output.append(contentsOf: String(Character(unicode)).utf8)
                default:
                    throw error("Invalid escape in a string")
                }
            default:
                if byte < 0x20 { throw error("Control character in a string") }
                output.append(byte)
                position += 1
            }
        }
        throw error("Unterminated string")
    }

    /// The bytes as a string, or nil when they are not valid UTF-8. ASCII, the usual case, takes
    /// a fast path (the standard library's validating initialiser is not specialised and looks
    /// up type metadata on every call).
    static func strictString(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var combined: UInt8 = 0
        for byte in bytes { combined |= byte }
        if combined < 0x80 { return String(decoding: bytes, as: UTF8.self) }
        return String(validating: bytes, as: UTF8.self)
    }

    mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("Unexpected end of JSON in a \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("Invalid hex digit in a \\u escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    mutating func parseNumber() throws(JSONParseError) -> Double {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        func digits() -> Int {
            let begin = position
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) { position += 1 }
            return position - begin
        }
        let integerStart = position
        guard digits() > 0 else { throw error("Invalid number") }
        if bytes[integerStart] == UInt8(ascii: "0") && position - integerStart > 1 { throw error("Leading zeros in a number") }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { throw error("Invalid number") }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard digits() > 0 else { throw error("Invalid number") }
        }
        guard position - start <= 64 else { throw error("Number too long") }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard let value = Double(text) else { throw error("Invalid number") }
        return value
    }
}

#if canImport(Glibc)
import Glibc
#endif

extension JSONValue {
    /// Parses the JSON file at `path`; nil when it cannot be read, is larger than `maxBytes`
    /// or is not valid JSON.
    public static func parse(contentsOfFile path: String, maxBytes: Int = 64 << 20) -> JSONValue? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = read(descriptor, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { break }
            bytes += chunk[..<count]
            guard bytes.count <= maxBytes else { return nil }
        }
        return try? parse(bytes)
    }
}
