/// One request as the web server passed it.
public struct FastCGIRequest: Sendable {
    /// CGI parameters: `REQUEST_METHOD`, `REQUEST_URI`, `CONTENT_TYPE`, `REMOTE_ADDR`, `HTTP_*`, ...
    public var params: FastCGIParams
    /// The body, at most `maxBodyBytes + 1` bytes.
    public var body: [UInt8]
    /// True when the body was longer than `maxBodyBytes` (only the start was read).
    public var bodyTruncated: Bool

    public init(params: FastCGIParams, body: [UInt8], bodyTruncated: Bool) {
        self.params = params
        self.body = body
        self.bodyTruncated = bodyTruncated
    }
}

/// A response to write back: status, headers and body.
public struct FastCGIResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The CGI response head and body as bytes. Headers whose name or value contains CR, LF or
    /// NUL are dropped, so a handler cannot inject headers.
    func serialized() -> [UInt8] {
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
              !value.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) else {
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

/// Where requests come from.
public enum ListenMode: Sendable, Equatable {
    /// A unix socket this process creates (a stale file is removed first), with an optional mode
    /// and group (the web server's, so that it may connect; this process must be a member).
    case unixSocket(path: String, mode: UInt16?, group: UInt32? = nil)
    /// A TCP address such as `127.0.0.1:9000` (`:9000` alone would bind every interface).
    case tcp(String)
    /// A listening socket inherited on fd 0 (spawn-fcgi, Apache mod_fcgid), or on fd 3 from
    /// systemd socket activation (`LISTEN_FDS=1`).
    case inheritedSocket(descriptor: Int32 = 0)
    /// Plain CGI: one request from these environment variables and standard input, answered on standard output.
    case cgi(environment: [String: String])
}

/// Why the server could not serve.
public enum FastCGIError: Error, Sendable, CustomStringConvertible, Equatable {
    case initFailed(Int32)
    case cannotListen(path: String, reason: String)
    case cannotSetGroup(path: String, reason: String)
    case socketLost(path: String)
    case noListener
    case cannotStartThreads

    public var description: String {
        switch self {
        case .initFailed(let code): return "libfcgi failed to initialise (\(code))"
        case .cannotListen(let path, let reason): return "cannot listen on \(path): \(reason)"
        case .socketLost(let path):
            return "the socket file \(path) was deleted or replaced, so no web server can reach this process any more; stopped so that a supervisor starts a new one"
        case .cannotSetGroup(let path, let reason):
            return "cannot give \(path) to the group named by --socket-group: \(reason) (this account must be a member of that group)"
        case .cannotStartThreads: return "the system refused to start serving threads; lower --threads or raise the process limits"
        case .noListener:
            return "no socket to serve: give --socket PATH, start under spawn-fcgi or mod_fcgid, or run as a CGI program"
        }
    }
}
