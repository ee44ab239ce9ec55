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
               index + marker.count == bytes.count || bytes[index + marker.count] == UInt8(ascii: "/") {
                return (String(decoding: bytes[..<index], as: UTF8.self), String(decoding: bytes[index...], as: UTF8.self))
            }
            index -= 1
        }
        return ("", path)
    }
}
