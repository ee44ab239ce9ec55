import COpenSSL

#if canImport(Glibc)
import Glibc
#endif

/// SHA-256 from OpenSSL's libcrypto: the one digest of the project (the audit trail's hash chain,
/// API keys, token fingerprints and the training files a model records).
public enum SHA256Digest {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The digest of `bytes` as 64 lowercase hex digits.
    public static func hex(_ bytes: [UInt8]) -> String { hexText(digest(bytes)) }

    /// The 32 bytes of the digest of `bytes`.
    public static func digest(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeBufferPointer { input in
            digest.withUnsafeMutableBufferPointer { output in _ = SHA256(input.baseAddress, input.count, output.baseAddress) }
        }
        return digest
    }

    /// The digest of a file's contents, read in chunks.
    public static func hex(ofFile path: String) throws(FileDigestError) -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileDigestError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        guard let context = EVP_MD_CTX_new() else { throw FileDigestError(path: path, reason: "out of memory") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else { throw FileDigestError(path: path, reason: "OpenSSL has no SHA-256") }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = read(descriptor, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw FileDigestError(path: path, reason: String(cString: strerror(errno))) }
            if count == 0 { break }
            _ = EVP_DigestUpdate(context, chunk, count)
        }
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        _ = EVP_DigestFinal_ex(context, &digest, &length)
        return hexText(digest)
    }

    private static func hexText(_ digest: [UInt8]) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in digest {
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 15)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// A file that could not be read for its digest.
public struct FileDigestError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "cannot read \(path) for its SHA-256: \(reason)" }
}
