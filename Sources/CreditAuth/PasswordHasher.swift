import COpenSSL

/// Hashes passwords with scrypt (OpenSSL `EVP_PBE_scrypt`), storing the cost parameters with
/// each hash so they can be raised later (``needsRehash(_:)``).
///
/// Format: `$scrypt$ln=14,r=8,p=5$<salt>$<hash>` with a 16-byte random salt and a 32-byte key,
/// both base64url.
public struct PasswordHasher: Sendable {
    /// scrypt cost: N = 2^ln (memory and time), r (block size), p (parallelism).
    public struct Parameters: Sendable, Equatable {
        public var n: UInt64
        public var r: UInt64
        public var p: UInt64

        public init(n: UInt64, r: UInt64, p: UInt64) {
            self.n = n
            self.r = r
            self.p = p
        }

        /// OWASP's recommended strength at 16 MiB per hash (N=2^14, r=8, p=5): about 145 ms here,
        /// and memory stays bounded under a burst of concurrent logins.
        public static let owasp = Parameters(n: 1 << 14, r: 8, p: 5)
        /// Cheap settings for tests only.
        public static let fastForTests = Parameters(n: 1 << 10, r: 8, p: 1)

        var memory: UInt64 { 128 * r * n * p + 128 * r * 256 + (1 << 20) }
        var log2N: Int { n.trailingZeroBitCount }
    }

    public let parameters: Parameters

    public init(parameters: Parameters = .owasp) {
        self.parameters = parameters
    }

    public func hash(_ password: String) -> String {
        let salt = secureRandomBytes(16)
        let key = Self.derive(password, salt: salt, parameters: parameters) ?? []
        return "$scrypt$ln=\(parameters.log2N),r=\(parameters.r),p=\(parameters.p)$\(Base64URL.encode(salt))$\(Base64URL.encode(key))"
    }

    public func verify(_ password: String, against encoded: String) -> Bool {
        guard let stored = Self.parse(encoded), let key = Self.derive(password, salt: stored.salt, parameters: stored.parameters) else { return false }
        return constantTimeEquals(key, stored.hash)
    }

    /// Does the work of one verification, so that unknown users take as long as known ones.
    public func verifyDummy(_ password: String) {
        _ = Self.derive(password, salt: [UInt8](repeating: 0, count: 16), parameters: parameters)
    }

    /// True when `encoded` is weaker than this hasher's parameters (or unreadable).
    public func needsRehash(_ encoded: String) -> Bool {
        guard let stored = Self.parse(encoded) else { return true }
        let current = parameters, old = stored.parameters
        return old.n * old.r * old.p < current.n * current.r * current.p || old.n < current.n
    }

    static func parse(_ encoded: String) -> (parameters: Parameters, salt: [UInt8], hash: [UInt8])? {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty, parts[1] == "scrypt" else { return nil }
        var values: [String: UInt64] = [:]
        for item in parts[2].split(separator: ",") {
            let pair = item.split(separator: "=")
            guard pair.count == 2, let value = UInt64(pair[1]) else { return nil }
            values[String(pair[0])] = value
        }
        guard let ln = values["ln"], let r = values["r"], let p = values["p"], (1...20).contains(ln), (1...32).contains(r), (1...16).contains(p),
              let salt = Base64URL.decode(parts[3]), salt.count >= 8, let hash = Base64URL.decode(parts[4]), hash.count >= 16 else {
            return nil
        }
        return (Parameters(n: 1 << ln, r: r, p: p), salt, hash)
    }

    static func derive(_ password: String, salt: [UInt8], parameters: Parameters, length: Int = 32) -> [UInt8]? {
        var key = [UInt8](repeating: 0, count: length)
        // NUL-terminated, so the buffer is never empty; the terminator is not hashed.
        let passwordBytes = Array(password.utf8CString)
        let status = passwordBytes.withUnsafeBufferPointer { pass in
            salt.withUnsafeBufferPointer { saltPointer in
                key.withUnsafeMutableBufferPointer { out in
                    EVP_PBE_scrypt(pass.baseAddress, pass.count - 1, saltPointer.baseAddress, salt.count,
                                   parameters.n, parameters.r, parameters.p, parameters.memory, out.baseAddress, length)
                }
            }
        }
        return status == 1 ? key : nil
    }
}
