/// A request's headers, read on demand from the CGI parameters the web server sent
/// (`HTTP_IDEMPOTENCY_KEY` for `Idempotency-Key`, `CONTENT_TYPE` for `Content-Type`): nothing is
/// copied or decoded until a handler asks for a header, and a handler asks for two or three.
///
/// Apache gives a CGI program the `Authorization` header only with `CGIPassAuth On`; the older
/// recipe copies it with a RewriteRule, which renames it `REDIRECT_HTTP_AUTHORIZATION` after the
/// internal redirect. Both arrive here as `authorization`, and an empty one reads as absent (a
/// server that sets the variable for every request sets it empty when there is none). Any other
/// header keeps an empty value: an empty `Idempotency-Key` is an error the handler names.
public struct HTTPHeaders: Sendable {
    private let parameters: CGIParameters

    /// Headers from the CGI parameters of a request.
    public init(cgi parameters: CGIParameters) {
        self.parameters = parameters
    }

    /// Headers by name (any case), for tests and for requests that did not come through CGI.
    public init(_ headers: [String: String] = [:]) {
        var cgi: [String: String] = [:]
        for (name, value) in headers { cgi[Self.cgiName(name)] = value }
        parameters = CGIParameters(cgi)
    }

    /// The header's value, by case-insensitive name; nil when absent.
    public subscript(name: String) -> String? {
        let cgiName = Self.cgiName(name)
        switch cgiName {
        case "HTTP_AUTHORIZATION":
            for variable in ["HTTP_AUTHORIZATION", "REDIRECT_HTTP_AUTHORIZATION", "REDIRECT_REDIRECT_HTTP_AUTHORIZATION"] {
                if let value = parameters[variable], !value.isEmpty { return value }
            }
            return nil
        case "CONTENT_TYPE", "CONTENT_LENGTH":
            // The CGI variable when the server set it, else the header as nginx also passes it.
            if let value = parameters[cgiName], !value.isEmpty { return value }
            return parameters["HTTP_" + cgiName]
        default:
            return parameters[cgiName]
        }
    }

    /// `Idempotency-Key` → `HTTP_IDEMPOTENCY_KEY`; `Content-Type` and `Content-Length` have CGI
    /// variables without the prefix (RFC 3875 §4.1.2, §4.1.3).
    static func cgiName(_ header: String) -> String {
        var bytes: [UInt8] = Array("HTTP_".utf8)
        bytes.reserveCapacity(5 + header.utf8.count)
        for byte in header.utf8 {
            switch byte {
            case UInt8(ascii: "-"): bytes.append(UInt8(ascii: "_"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): bytes.append(byte - 32)
            default: bytes.append(byte)
            }
        }
        let name = String(decoding: bytes, as: UTF8.self)
        switch name {
        case "HTTP_CONTENT_TYPE": return "CONTENT_TYPE"
        case "HTTP_CONTENT_LENGTH": return "CONTENT_LENGTH"
        default: return name
        }
    }

}
