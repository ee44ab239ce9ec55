import CreditModel
import Foundation

/// Parses request bodies as JSON, refusing what could hurt the parser before parsing.
enum RequestJSON {
    /// Deepest nesting accepted (an application is one flat object).
    static let maxDepth = 32

    static func parse(_ bytes: [UInt8]) throws(Problem) -> JSONValue {
        guard !bytes.isEmpty else { throw .malformedJSON("The body is empty; send the application as a JSON object.") }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .malformedJSON("The body is not valid UTF-8.") }
        // Deep nesting would recurse deeply in the decoder: count it first, skipping strings.
        var depth = 0, deepest = 0, inString = false, escaped = false
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1; deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        guard deepest <= maxDepth else { throw .malformedJSON("The JSON nests deeper than \(maxDepth) levels.") }
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        } catch DecodingError.dataCorrupted(let context) {
            let reason = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String ?? context.debugDescription
            throw .malformedJSON("The body is not valid JSON: \(reason)")
        } catch {
            throw .malformedJSON("The body is not valid JSON.")
        }
    }
}
