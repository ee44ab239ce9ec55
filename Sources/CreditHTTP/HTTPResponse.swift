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

extension HTTPResponse {
    /// The CGI response (RFC 3875 §6), head and body, as FastCGI sends it too. Headers whose
    /// name or value contains CR, LF or NUL are dropped, so a handler cannot inject headers.
    public func cgiSerialized() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256 + body.count)
        output.append(contentsOf: "Status: ".utf8)
        output.append(contentsOf: String(status).utf8)
        output.append(UInt8(ascii: " "))
        output.append(contentsOf: Self.reason(status).utf8)
        output.append(contentsOf: "\r\n".utf8)
        for (name, value) in headers where Self.isSafe(name: name, value: value) {
            output.append(contentsOf: name.utf8)
            output.append(contentsOf: ": ".utf8)
            output.append(contentsOf: value.utf8)
            output.append(contentsOf: "\r\n".utf8)
        }
        output.append(contentsOf: "Content-Length: ".utf8)
        output.append(contentsOf: String(body.count).utf8)
        output.append(contentsOf: "\r\n\r\n".utf8)
        output.append(contentsOf: body)
        return output
    }

    /// A header we may write: a non-empty name without spaces or colons, neither name nor value
    /// with CR, LF or NUL, and not one of the headers this type writes itself.
    static func isSafe(name: String, value: String) -> Bool {
        let nameBytes = name.utf8
        guard !nameBytes.isEmpty, !nameBytes.contains(where: { $0 <= 32 || $0 == 58 || $0 == 127 }),
            !value.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 })
        else {
            return false
        }
        func equalsIgnoringCase(_ other: StaticString) -> Bool {
            guard nameBytes.count == other.utf8CodeUnitCount else { return false }
            func folded(_ byte: UInt8) -> UInt8 { (65...90).contains(byte) ? byte + 32 : byte }
            return nameBytes.elementsEqual(UnsafeBufferPointer(start: other.utf8Start, count: other.utf8CodeUnitCount)) { folded($0) == $1 }
        }
        return !equalsIgnoringCase("content-length") && !equalsIgnoringCase("status")
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 409: return "Conflict"
        case 413: return "Content Too Large"
        case 415: return "Unsupported Media Type"
        case 422: return "Unprocessable Content"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }
}
