
import CreditJSON

/// Parses request bodies as JSON, refusing what could hurt the parser before parsing.
enum RequestJSON {
    /// Deepest nesting accepted (an application is one flat object).
    static let maxDepth = 32

    static func parse(_ bytes: [UInt8]) throws(Problem) -> JSONValue {
        guard !bytes.isEmpty else { throw .malformedJSON("The body is empty; send the application as a JSON object.") }
        do {
            return try JSONValue.parse(bytes, maxDepth: maxDepth)
        } catch {
            throw .malformedJSON("The body is not valid JSON: \(error.description).")
        }
    }
}
