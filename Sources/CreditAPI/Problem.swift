import CreditJSON
import CreditText

/// An error answer in RFC 9457 problem-details form (`application/problem+json`).
public struct Problem: Error, Sendable {
    /// Stable identifier of the kind of problem (a URI reference under `/problems/`).
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    /// For validation problems: field name to its messages.
    public var errors: [String: [String]]?
    /// Extra response headers (`WWW-Authenticate`, `Retry-After`, `Allow`).
    public var headers: [(String, String)] = []
    /// Extension members of the problem object (RFC 9457 §3.2), such as a batch's bad rows.
    public var extensions: [String: JSONOutput] = [:]
    /// `application/problem+json`, except for the token endpoint's OAuth2 errors, which RFC 6749
    /// §5.2 sends as `application/json` (their body is a problem document all the same).
    public var mediaType = "application/problem+json"

    public init(type: String, title: String, status: Int, detail: String, errors: [String: [String]]? = nil, headers: [(String, String)] = []) {
        self.type = "/problems/" + type
        self.title = title
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }

    /// The problem as an HTTP response, its words (title, detail, field messages, OAuth2
    /// `error_description`) in `catalog`'s language; `type`, `status` and codes stay as they are.
    public func response(in catalog: MessageCatalog = .english) -> HTTPResponse {
        var object: [String: JSONOutput] = [
            "type": .string(type), "title": .string(catalog.translate(title)), "status": .number(Double(status)),
            "detail": .string(catalog.translate(detail)),
        ]
        if let errors {
            object["errors"] = .object(errors.mapValues { .array($0.map { .string(catalog.translate($0)) }) })
        }
        var extensions = extensions
        if case .string(let description) = extensions["error_description"] { extensions["error_description"] = .string(catalog.translate(description)) }
        object.merge(extensions) { current, _ in current }
        return HTTPResponse(
            status: status, headers: [("Content-Type", mediaType), ("Content-Language", catalog.language.rawValue)] + headers,
            body: JSONOutput.object(object).bytes)
    }

    // The problems the API can answer, one constructor each.

    static func malformedJSON(_ detail: String) -> Problem {
        Problem(type: "malformed-json", title: "Malformed JSON", status: 400, detail: detail)
    }
    static func badRequest(_ detail: String, errors: [String: [String]]? = nil) -> Problem {
        Problem(type: "bad-request", title: "Bad request", status: 400, detail: detail, errors: errors)
    }
    static func unauthorized(_ detail: String, error: String = "invalid_token") -> Problem {
        Problem(
            type: "unauthorized", title: "Authentication required", status: 401, detail: detail,
            headers: [("WWW-Authenticate", "Bearer realm=\"credit\", error=\"\(error)\"")])
    }
    /// A token-endpoint error as RFC 6749 §5.2 has it: 400 with `error` (`invalid_request`,
    /// `invalid_grant`, `unsupported_grant_type`) and `error_description`, in a problem document.
    static func oauth(_ error: String, title: String, detail: String, errors: [String: [String]]? = nil) -> Problem {
        var problem = Problem(type: error.replacingUnderscores(), title: title, status: 400, detail: detail, errors: errors)
        problem.extensions = ["error": .string(error), "error_description": .string(detail)]
        problem.mediaType = "application/json"
        return problem
    }
    static func invalidCredentials() -> Problem {
        oauth("invalid_grant", title: "Wrong username or password", detail: "The username or password is not correct, or the account is disabled.")
    }
    static func notFound(_ detail: String) -> Problem {
        Problem(type: "not-found", title: "Not found", status: 404, detail: detail)
    }
    static func methodNotAllowed(_ allowed: [String]) -> Problem {
        Problem(
            type: "method-not-allowed", title: "Method not allowed", status: 405,
            detail: "Use \(allowed.joined(separator: " or ")) on this resource.", headers: [("Allow", allowed.joined(separator: ", "))])
    }
    static func tooLarge(limit: Int) -> Problem {
        Problem(type: "payload-too-large", title: "Request body too large", status: 413, detail: "The body must be at most \(limit) bytes.")
    }
    static func unsupportedMediaType(_ expected: String) -> Problem {
        Problem(type: "unsupported-media-type", title: "Unsupported media type", status: 415, detail: "Send the body as \(expected).")
    }
    static func validation(_ errors: [String: [String]]) -> Problem {
        Problem(
            type: "validation", title: "The application has invalid fields", status: 422,
            detail: "Correct the fields listed in errors and submit again.", errors: errors)
    }
    static func tooManyAttempts(retryAfter: Int) -> Problem {
        Problem(
            type: "too-many-attempts", title: "Too many failed sign-ins", status: 429,
            detail: "Too many failed sign-ins; try again in \(retryAfter) seconds.", headers: [("Retry-After", String(retryAfter))])
    }
    static func signInBusy(retryAfter: Int) -> Problem {
        Problem(
            type: "sign-in-busy", title: "Too many sign-ins at once", status: 503,
            detail: "The service is taking too many sign-ins right now; try again in \(retryAfter) seconds.",
            headers: [("Retry-After", String(retryAfter))])
    }
    static func idempotencyKeyReuse() -> Problem {
        Problem(
            type: "idempotency-key-reuse", title: "Idempotency key reused", status: 422,
            detail: "This Idempotency-Key was already used for a different application; send a new key for a new or changed application.",
            errors: ["Idempotency-Key": ["Use a new key for every different application."]])
    }
    static func unavailable(_ detail: String) -> Problem {
        Problem(type: "unavailable", title: "Service unavailable", status: 503, detail: detail, headers: [("Retry-After", "5")])
    }
}

extension String {
    /// `invalid_grant` as a problem type: `invalid-grant`.
    func replacingUnderscores() -> String { String(map { $0 == "_" ? "-" : $0 }) }
}
