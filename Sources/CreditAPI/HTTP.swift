import CreditJSON

/// An HTTP request as the API sees it, independent of how it arrived (FastCGI, CGI, a test).
public struct HTTPRequest: Sendable {
    public var method: String
    /// Path without the query string and without the mount prefix, e.g. `/api/predictions/abc`.
    public var path: String
    /// The prefix the service is mounted at, without a trailing slash: `""` at the root of a
    /// (sub)domain, `/credit` under a prefix (see ``MountPath``). Links the API returns start with it.
    public var basePath: String
    /// Raw query string (without `?`).
    public var query: String
    /// Header names in lower case.
    public var headers: [String: String]
    public var body: [UInt8]
    /// True when the body was longer than the server accepts (only the start is in `body`).
    public var bodyTooLarge: Bool
    public var remoteAddress: String
    /// The web server's id of this request (nginx's `$request_id`), logged and returned as
    /// `X-Request-Id`; the responder makes one when the server sends none.
    public var requestID: String

    public init(method: String, path: String, basePath: String = "", query: String = "", headers: [String: String] = [:], body: [UInt8] = [],
                bodyTooLarge: Bool = false, remoteAddress: String = "127.0.0.1", requestID: String = "") {
        self.method = method
        self.path = path
        self.basePath = basePath
        self.query = query
        // Names arrive in lower case from the FastCGI bridge; others are folded here.
        let folded = headers.keys.allSatisfy { !$0.utf8.contains { (65...90).contains($0) } }
        self.headers = folded ? headers : Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.body = body
        self.bodyTooLarge = bodyTooLarge
        self.remoteAddress = remoteAddress
        self.requestID = requestID
    }

    /// The header's value, by case-insensitive name.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// Query parameters (the last value wins), percent-decoded.
    public var queryItems: [String: String] { FormDecoding.decode(query) }
}

/// An HTTP response: status, headers and body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header with this name (case-insensitive).
    public func header(_ name: String) -> String? {
        func folded(_ byte: UInt8) -> UInt8 { (65...90).contains(byte) ? byte + 32 : byte }
        return headers.first { $0.0.utf8.elementsEqual(name.utf8) { folded($0) == folded($1) } }?.1
    }
}

/// `application/x-www-form-urlencoded` and query-string decoding.
public enum FormDecoding {
    /// `text` with everything but unreserved characters (RFC 3986) percent-encoded, for a query value.
    public static func percentEncoded(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            if (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || "-._~".utf8.contains(byte) {
                output.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = Array("0123456789ABCDEF".utf8)
                output += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 15)]], as: UTF8.self)
            }
        }
        return output
    }

    /// Decodes `a=1&b=x%20y`; `+` is a space. Malformed escapes are kept literally.
    public static func decode(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = unescape(parts[0])
            result[key] = parts.count > 1 ? unescape(parts[1]) : ""
        }
        return result
    }

    static func unescape(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "+") { bytes.append(32); continue }
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
               let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
                continue
            }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension JSONOutput {
    /// A JSON response with this value as body.
    func response(status: Int = 200, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: bytes)
    }
}
