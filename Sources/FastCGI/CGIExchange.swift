import CreditHTTP

#if canImport(Glibc)
import Glibc
#endif

/// Plain CGI (RFC 3875): the request from environment variables and standard input, the
/// response on standard output. Command-line arguments are ignored (servers may pass query words).
enum CGIExchange {
    static func respond(
        environment: [String: String], input: [UInt8], maxBodyBytes: Int,
        handler: (HTTPRequest) -> HTTPResponse
    ) -> [UInt8] {
        let declared = environment["CONTENT_LENGTH"].flatMap { Int($0) } ?? input.count
        let body = Array(input.prefix(min(declared, maxBodyBytes + 1)))
        let truncated = body.count > maxBodyBytes || declared > maxBodyBytes
        let request = HTTPRequest(cgi: CGIParameters(environment), body: truncated ? Array(body.prefix(maxBodyBytes)) : body, bodyTooLarge: truncated)
        return handler(request).cgiSerialized()
    }

    static func readStandardInput(limit: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while bytes.count < limit {
            let count = read(0, &chunk, min(chunk.count, limit - bytes.count))
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        return bytes
    }

    static func writeStandardOutput(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            if written <= 0 { break }
            offset += written
        }
    }
}
