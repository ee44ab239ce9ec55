import CreditJSON
import CreditSchema

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

    /// The application in a body. A JSON object, the usual case, is read member by member straight
    /// into the schema's fields; anything else is parsed whole, for its precise error.
    static func application(_ bytes: [UInt8], schema: ApplicantSchema) throws(Problem) -> Applicant {
        guard !bytes.isEmpty else { throw .malformedJSON("The body is empty; send the application as a JSON object.") }
        do {
            if let applicant = try schema.validate(jsonObject: bytes, maxDepth: maxDepth) { return applicant }
        } catch {
            switch error {
            case .invalidJSON(let error): throw .malformedJSON("The body is not valid JSON: \(error.description).")
            case .invalid(let error): throw .validation(error.fieldErrors)
            }
        }
        let json = try parse(bytes)
        do { return try schema.validate(json) } catch { throw .validation(error.fieldErrors) }
    }
}
