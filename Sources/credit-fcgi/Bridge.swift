import CreditAPI
import FastCGI
#if canImport(Glibc)
import Glibc
#endif

/// Converts between FastCGI parameters and the API's request and response types.
enum Bridge {
    /// The API's request from the CGI parameters. The path is split from the mount prefix (see
    /// ``MountPath``); `basePath` is the configured one, if any.
    static func request(_ request: FastCGIRequest, basePath: String?) -> HTTPRequest {
        let params = request.params
        let uri = params["REQUEST_URI"] ?? ((params["SCRIPT_NAME"] ?? "") + (params["PATH_INFO"] ?? ""))
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        // nginx's DOCUMENT_URI is the path decoded and normalised (no `..`, no `//`): route on it
        // where the server gives it, else on the raw path of REQUEST_URI.
        let path = params["DOCUMENT_URI"].flatMap { $0.isEmpty ? nil : $0 } ?? parts.first.map(String.init) ?? "/"
        let mount = MountPath.split(path, configured: basePath)
        var headers: [String: String] = [:]
        params.forEach(prefix: "HTTP_") { name, value in headers[headerName(cgiName: name)] = value }
        if headers["authorization"]?.isEmpty == true { headers["authorization"] = nil }
        // Apache hands a CGI program the Authorization header only with `CGIPassAuth On`; the
        // older recipe copies it with a RewriteRule, which renames it after the internal redirect.
        if headers["authorization"] == nil,
           let value = params["REDIRECT_HTTP_AUTHORIZATION"] ?? params["REDIRECT_REDIRECT_HTTP_AUTHORIZATION"], !value.isEmpty {
            headers["authorization"] = value
        }
        if let type = params["CONTENT_TYPE"], !type.isEmpty { headers["content-type"] = type }
        return HTTPRequest(method: params["REQUEST_METHOD"] ?? "GET", path: mount.route, basePath: mount.base,
                           query: parts.count > 1 ? String(parts[1]) : (params["QUERY_STRING"] ?? ""), headers: headers,
                           body: request.body, bodyTooLarge: request.bodyTruncated, remoteAddress: params["REMOTE_ADDR"] ?? "",
                           requestID: requestID(params["REQUEST_ID"] ?? params["UNIQUE_ID"]))
    }

    /// The server's request id (nginx `$request_id`, Apache mod_unique_id's `UNIQUE_ID`) when it is
    /// short and printable, else 16 random hex digits of our own.
    static func requestID(_ given: String?) -> String {
        if let given, (8...64).contains(given.utf8.count), given.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            return given
        }
        let hex = String(UInt64.random(in: .min ... .max), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// `HTTP_IDEMPOTENCY_KEY` → `idempotency-key`.
    static func headerName(cgiName: String) -> String {
        String(decoding: cgiName.utf8.dropFirst(5).map { byte -> UInt8 in
            switch byte {
            case UInt8(ascii: "_"): return UInt8(ascii: "-")
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte + 32
            default: return byte
            }
        }, as: UTF8.self)
    }

    static func response(_ response: HTTPResponse) -> FastCGIResponse {
        FastCGIResponse(status: response.status, headers: response.headers, body: response.body)
    }
}

/// Prints a warning on standard error.
func warn(_ message: String) {
    let line = "credit-fcgi: warning: " + message + "\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
}

/// Prints a message on standard error and exits with EX_CONFIG.
func fail(_ message: String) -> Never {
    let line = "credit-fcgi: " + message + "\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
    exit(78)
}
