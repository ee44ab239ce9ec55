import CreditAPI
import FastCGI
#if canImport(Glibc)
import Glibc
#endif

/// Converts between FastCGI parameters and the API's request and response types.
enum Bridge {
    static func request(_ request: FastCGIRequest) -> HTTPRequest {
        let params = request.params
        let uri = params["REQUEST_URI"] ?? ((params["SCRIPT_NAME"] ?? "") + (params["PATH_INFO"] ?? ""))
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var headers: [String: String] = [:]
        for (name, value) in params where name.hasPrefix("HTTP_") {
            headers[name.dropFirst(5).lowercased().replacingOccurrences(of: "_", with: "-")] = value
        }
        if let type = params["CONTENT_TYPE"], !type.isEmpty { headers["content-type"] = type }
        return HTTPRequest(method: params["REQUEST_METHOD"] ?? "GET", path: parts.first.map(String.init) ?? "/",
                           query: parts.count > 1 ? String(parts[1]) : (params["QUERY_STRING"] ?? ""), headers: headers,
                           body: request.body, bodyTooLarge: request.bodyTruncated, remoteAddress: params["REMOTE_ADDR"] ?? "")
    }

    static func response(_ response: HTTPResponse) -> FastCGIResponse {
        FastCGIResponse(status: response.status, headers: response.headers, body: response.body)
    }
}

/// Prints a message on standard error and exits with EX_CONFIG.
func fail(_ message: String) -> Never {
    let line = "credit-fcgi: " + message + "\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
    exit(78)
}
