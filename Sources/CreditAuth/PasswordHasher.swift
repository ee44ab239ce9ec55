import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// Hashes passwords with scrypt (OpenSSL `EVP_PBE_scrypt`), storing the cost parameters with
/// each hash so they can be raised later (``needsRehash(_:)``).
///
/// Format: `$scrypt$ln=13,r=8,p=10$<salt>$<hash>` with a 16-byte random salt and a 32-byte key,
/// both base64url.
///
/// scrypt is memory-hard by design, so at most ``maxConcurrentHashes`` hashes run at once in a
/// process: a burst of sign-ins queues instead of claiming 8 MiB each.
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

        /// OWASP's recommended strength at 8 MiB per hash (N=2^13, r=8, p=10, the same work as
        /// N=2^17, r=8, p=1 at a sixteenth of the memory): about 130 ms here.
        public static let owasp = Parameters(n: 1 << 13, r: 8, p: 10)
        /// Cheap settings for tests only.
        public static let fastForTests = Parameters(n: 1 << 10, r: 8, p: 1)

        var memory: UInt64 { 128 * r * n * p + 128 * r * 256 + (1 << 20) }
        var log2N: Int { n.trailingZeroBitCount }
    }

    public let parameters: Parameters
    /// Hashes computed at the same time in this process, at most.
    public static let maxConcurrentHashes = 2
    static let slots = HashingSlots(maxConcurrentHashes)

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
        slots.acquire()
        defer { slots.release() }
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

/// A counting semaphore: how many scrypt computations may run at once. It also records the
/// most that ever ran at once, for tests.
final class HashingSlots: @unchecked Sendable {
    private let semaphore = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var inUse = 0
    private(set) var peak = 0

    init(_ count: Int) {
        sem_init(semaphore, 0, UInt32(count))
        pthread_mutex_init(mutex, nil)
    }

    func acquire() {
        while sem_wait(semaphore) != 0 && errno == EINTR {}
        pthread_mutex_lock(mutex)
        inUse += 1
        peak = max(peak, inUse)
        pthread_mutex_unlock(mutex)
    }

    func release() {
        pthread_mutex_lock(mutex)
        inUse -= 1
        pthread_mutex_unlock(mutex)
        sem_post(semaphore)
    }
}
