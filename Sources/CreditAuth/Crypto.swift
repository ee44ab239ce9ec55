import COpenSSL

/// base64url without padding (RFC 4648 §5), with strict decoding.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    private static let values: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = Int8(index) }
        return table
    }()

    public static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= bytes.count {
            let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift in [18, 12, 6, 0] { output.append(alphabet[Int(chunk >> UInt32(shift) & 63)]) }
            index += 3
        }
        let rest = bytes.count - index
        if rest == 1 {
            let chunk = UInt32(bytes[index]) << 16
            output += [alphabet[Int(chunk >> 18 & 63)], alphabet[Int(chunk >> 12 & 63)]]
        } else if rest == 2 {
            let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            output += [alphabet[Int(chunk >> 18 & 63)], alphabet[Int(chunk >> 12 & 63)], alphabet[Int(chunk >> 6 & 63)]]
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Standard base64 with padding (RFC 4648 §4), as a CSP hash source is written.
    public static func encodePadded(_ bytes: [UInt8]) -> String {
        let url = encode(bytes)
        let standard = url.utf8.map { $0 == UInt8(ascii: "-") ? UInt8(ascii: "+") : $0 == UInt8(ascii: "_") ? UInt8(ascii: "/") : $0 }
        return String(decoding: standard, as: UTF8.self) + String(repeating: "=", count: (4 - url.utf8.count % 4) % 4)
    }

    /// Decodes, or nil for any character outside the alphabet, padding, or an impossible length.
    public static func decode(_ text: Substring) -> [UInt8]? { decode(bytes: Array(text.utf8)[...]) }

    /// Decodes base64url bytes, or nil as for ``decode(_:)``.
    public static func decode(bytes input: ArraySlice<UInt8>) -> [UInt8]? {
        guard input.count % 4 != 1 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 3 / 4)
        var buffer: UInt32 = 0, bits = 0
        for byte in input {
            let value = values[Int(byte)]
            guard value >= 0 else { return nil }
            buffer = buffer << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        // Leftover bits must be zero (canonical encoding).
        guard buffer & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return output
    }
}

/// Constant-time comparison of byte strings (CRYPTO_memcmp); false when the lengths differ.
public func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    if a.isEmpty { return true }
    return a.withUnsafeBytes { left in b.withUnsafeBytes { right in CRYPTO_memcmp(left.baseAddress, right.baseAddress, a.count) == 0 } }
}

/// Cryptographically secure random bytes from OpenSSL's generator.
public func secureRandomBytes(_ count: Int) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    guard count > 0 else { return bytes }
    let status = bytes.withUnsafeMutableBytes { RAND_bytes($0.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(count)) }
    precondition(status == 1, "OpenSSL's random number generator failed")
    return bytes
}

/// HMAC-SHA256 of `message` under `key`.
public func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
    HMACKey(key).authenticate(message[...])
}

/// An HMAC-SHA256 key prepared once (OpenSSL's `EVP_MAC` with the key already absorbed), so that
/// each message costs a context copy instead of an algorithm fetch and key set-up.
/// Safe to use from many threads: the prepared context is only ever copied.
public final class HMACKey: @unchecked Sendable {
    private let prepared: OpaquePointer

    public init(_ key: [UInt8]) {
        guard let algorithm = EVP_MAC_fetch(nil, "HMAC", nil), let context = EVP_MAC_CTX_new(algorithm) else {
            preconditionFailure("OpenSSL has no HMAC")
        }
        EVP_MAC_free(algorithm)
        let status = "SHA256".withCString { digest in
            var params = [
                OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, UnsafeMutablePointer(mutating: digest), 0),
                OSSL_PARAM_construct_end(),
            ]
            // An empty key is legal HMAC; OpenSSL wants a valid pointer for it.
            let keyBytes = key.isEmpty ? [0] : key
            return keyBytes.withUnsafeBufferPointer { EVP_MAC_init(context, $0.baseAddress, key.count, &params) }
        }
        precondition(status == 1, "OpenSSL could not set up HMAC-SHA256")
        prepared = context
    }

    deinit { EVP_MAC_CTX_free(prepared) }

    /// The 32-byte HMAC-SHA256 of `message`.
    public func authenticate(_ message: ArraySlice<UInt8>) -> [UInt8] {
        guard let context = EVP_MAC_CTX_dup(prepared) else { preconditionFailure("OpenSSL is out of memory") }
        defer { EVP_MAC_CTX_free(context) }
        var output = [UInt8](repeating: 0, count: 32)
        var length = 0
        message.withUnsafeBufferPointer { bytes in _ = EVP_MAC_update(context, bytes.baseAddress, bytes.count) }
        let status = output.withUnsafeMutableBufferPointer { EVP_MAC_final(context, $0.baseAddress, &length, 32) }
        precondition(status == 1 && length == 32, "OpenSSL failed to compute HMAC-SHA256")
        return output
    }
}
