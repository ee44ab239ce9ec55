/// The CGI parameters of one request (`REQUEST_METHOD`, `REQUEST_URI`, `HTTP_*`, ...), kept as the
/// server sent them in one block of bytes and turned into strings only when asked for
/// (RFC 3875 §4.1: the same variables in CGI and FastCGI).
///
/// A web server passes twenty to forty parameters with every request and a handler reads a
/// handful, so copying the block once and looking names up on demand saves dozens of string
/// allocations per request.
public struct CGIParameters: Sendable {
    /// `name=value` pairs back to back.
    private var bytes: [UInt8] = []
    /// For each pair: where its name starts, where its `=` is, and where its value ends.
    private var pairs: [(start: Int, equals: Int, end: Int)] = []

    /// Parameters from a dictionary (CGI mode, tests).
    public init(_ dictionary: [String: String] = [:]) {
        for (name, value) in dictionary { append(name: Array(name.utf8), value: Array(value.utf8)) }
    }

    /// Parameters from a NULL-terminated array of `NAME=value` C strings, as libfcgi gives them.
    public init(environment: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) {
        guard var entry = environment else { return }
        bytes.reserveCapacity(2048)
        pairs.reserveCapacity(40)
        while let pointer = entry.pointee {
            let length = strlen(pointer)
            let start = bytes.count
            pointer.withMemoryRebound(to: UInt8.self, capacity: length) { bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: length)) }
            if let equals = bytes[start...].firstIndex(of: UInt8(ascii: "=")) {
                pairs.append((start, equals, bytes.count))
            } else {
                bytes.removeSubrange(start...)
            }
            entry += 1
        }
    }

    private mutating func append(name: [UInt8], value: [UInt8]) {
        let start = bytes.count
        bytes += name
        bytes.append(UInt8(ascii: "="))
        bytes += value
        pairs.append((start, start + name.count, bytes.count))
    }

    /// The number of parameters.
    public var count: Int { pairs.count }

    /// The value of the parameter called `name` (the first, if it repeats), or nil.
    public subscript(name: String) -> String? {
        var name = name
        return name.withUTF8 { wanted in
            for pair in pairs where pair.equals - pair.start == wanted.count && bytes[pair.start..<pair.equals].elementsEqual(wanted) {
                return String(decoding: bytes[(pair.equals + 1)..<pair.end], as: UTF8.self)
            }
            return nil
        }
    }

    /// Calls `body` with the name and value of every parameter whose name starts with `prefix`
    /// (all of them for an empty prefix), in the order the server sent them.
    public func forEach(prefix: String = "", _ body: (_ name: String, _ value: String) -> Void) {
        let wanted = Array(prefix.utf8)
        for pair in pairs where pair.equals - pair.start >= wanted.count && bytes[pair.start..<(pair.start + wanted.count)].elementsEqual(wanted) {
            body(
                String(decoding: bytes[pair.start..<pair.equals], as: UTF8.self),
                String(decoding: bytes[(pair.equals + 1)..<pair.end], as: UTF8.self))
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
