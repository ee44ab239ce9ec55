/// An HTTP request as the API sees it: built once from the CGI parameters by the FastCGI or CGI
/// layer (``init(cgi:body:bodyTooLarge:)``), or directly by a test.
public struct HTTPRequest: Sendable {
    public var method: String
    /// Path without the query string. The responder routes on it once the mount prefix is taken
    /// off (`/api/predictions/abc`); see ``basePath``.
    public var path: String
    /// The prefix the service is mounted at, without a trailing slash: `""` at the root of a
    /// (sub)domain, `/credit` under a prefix. Links the API returns start with it.
    public var basePath: String
    /// Raw query string (without `?`).
    public var query: String
    /// The headers, read on demand.
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// True when the body was longer than the server accepts (only the start is in `body`).
    public var bodyTooLarge: Bool
    public var remoteAddress: String
    /// The web server's id of this request (nginx's `$request_id`), logged and returned as
    /// `X-Request-Id`; ``init(cgi:body:bodyTooLarge:)`` makes one when the server sends none.
    public var requestID: String

    public init(
        method: String, path: String, basePath: String = "", query: String = "", headers: [String: String] = [:], body: [UInt8] = [],
        bodyTooLarge: Bool = false, remoteAddress: String = "127.0.0.1", requestID: String = ""
    ) {
        self.method = method
        self.path = path
        self.basePath = basePath
        self.query = query
        self.headers = HTTPHeaders(headers)
        self.body = body
        self.bodyTooLarge = bodyTooLarge
        self.remoteAddress = remoteAddress
        self.requestID = requestID
    }

    /// The request a web server described in CGI parameters (RFC 3875), with its body.
    ///
    /// nginx's `DOCUMENT_URI` is the path decoded and normalised (no `..`, no `//`): the path is
    /// that where the server gives it, else the raw path of `REQUEST_URI` (or `SCRIPT_NAME` +
    /// `PATH_INFO`). The request id is nginx's `REQUEST_ID` or Apache's `UNIQUE_ID`.
    public init(cgi parameters: CGIParameters, body: [UInt8], bodyTooLarge: Bool) {
        let uri = parameters["REQUEST_URI"] ?? ((parameters["SCRIPT_NAME"] ?? "") + (parameters["PATH_INFO"] ?? ""))
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        method = parameters["REQUEST_METHOD"] ?? "GET"
        path = parameters["DOCUMENT_URI"].flatMap { $0.isEmpty ? nil : $0 } ?? parts.first.map(String.init) ?? "/"
        basePath = ""
        query = parts.count > 1 ? String(parts[1]) : (parameters["QUERY_STRING"] ?? "")
        headers = HTTPHeaders(cgi: parameters)
        self.body = body
        self.bodyTooLarge = bodyTooLarge
        remoteAddress = parameters["REMOTE_ADDR"] ?? ""
        requestID = Self.requestID(parameters["REQUEST_ID"] ?? parameters["UNIQUE_ID"])
    }

    /// The header's value, by case-insensitive name; nil when absent (see ``HTTPHeaders``).
    public func header(_ name: String) -> String? { headers[name] }

    /// Query parameters (the last value wins), percent-decoded.
    public var queryItems: [String: String] { FormDecoding.decode(query) }

    /// The server's request id when it is short and printable, else 16 random hex digits of our own.
    static func requestID(_ given: String?) -> String {
        if let given, (8...64).contains(given.utf8.count),
            given.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
        {
            return given
        }
        let hex = String(UInt64.random(in: .min ... .max), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
