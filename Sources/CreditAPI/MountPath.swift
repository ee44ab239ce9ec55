import CreditHTTP

/// Where the site and its API sit in the server's URL space: at the root of a (sub)domain, or
/// under a prefix such as `/credit/`, with the API at `<prefix>api/`.
public enum MountPath {
    /// Splits a request's URL path into the prefix the service is mounted at (no trailing slash:
    /// `""` at the root, `/credit` under a prefix) and the path the API routes on (`/api/…`).
    ///
    /// With a configured base path (`CREDIT_BASE_PATH`) that prefix is removed. Without one, the
    /// prefix is whatever stands before the last `/api/` segment (or a final `/api`), which holds
    /// wherever nginx or Apache passes the request from; no API route has `api` as a later segment.
    public static func split(_ path: String, configured: String?) -> (base: String, route: String) {
        if let configured {
            if path.hasPrefix(configured + "/") { return (configured, String(path.dropFirst(configured.count))) }
            return (configured, path)
        }
        let bytes = Array(path.utf8)
        let marker = Array("/api".utf8)
        var index = bytes.count - marker.count
        while index >= 0 {
            if bytes[index..<(index + marker.count)].elementsEqual(marker),
                index + marker.count == bytes.count || bytes[index + marker.count] == UInt8(ascii: "/")
            {
                let base = bytes[..<index]
                // The prefix goes back to clients in links: only plain path segments, so that a
                // crafted URL (`//evil.example/../credit/api/…`) cannot point them elsewhere.
                guard isPlainPrefix(base) else { return ("", path) }
                return (String(decoding: base, as: UTF8.self), String(decoding: bytes[index...], as: UTF8.self))
            }
            index -= 1
        }
        return ("", path)
    }

    /// `""` or `/segment/segment…`, each segment of letters, digits and `-._~` but not `.` or `..`.
    static func isPlainPrefix(_ bytes: ArraySlice<UInt8>) -> Bool {
        if bytes.isEmpty { return true }
        guard bytes.first == UInt8(ascii: "/") else { return false }
        for segment in bytes.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            guard !segment.isEmpty, !segment.allSatisfy({ $0 == UInt8(ascii: ".") }),
                segment.allSatisfy({ (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) || "-._~".utf8.contains($0) })
            else {
                return false
            }
        }
        return true
    }
}

extension HTTPRequest {
    /// This request with its path split into ``HTTPRequest/basePath`` and the route (see
    /// ``MountPath/split(_:configured:)``), as the web server passed it.
    public func mounted(at configured: String?) -> HTTPRequest {
        var request = self
        (request.basePath, request.path) = MountPath.split(path, configured: configured)
        return request
    }
}
