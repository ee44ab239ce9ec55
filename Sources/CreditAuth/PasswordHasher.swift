import COpenSSL
import CreditSystem
import Synchronization

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
    static let slots = HashingThreads(maxConcurrentHashes)

    public init(parameters: Parameters = .owasp) {
        self.parameters = parameters
    }

    public func hash(_ password: String) -> String {
        let salt = secureRandomBytes(16)
        let key = Self.derive(password, salt: salt, parameters: parameters) ?? []
        return "$scrypt$ln=\(parameters.log2N),r=\(parameters.r),p=\(parameters.p)$\(Base64URL.encode(salt))$\(Base64URL.encode(key))"
    }

    public func verify(_ password: String, against encoded: String) -> Bool {
        guard let stored = Self.parse(encoded), let key = Self.derive(password, salt: stored.salt, parameters: stored.parameters) else {
            return false
        }
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
            let salt = Base64URL.decode(parts[3]), salt.count >= 8, let hash = Base64URL.decode(parts[4]), hash.count >= 16
        else {
            return nil
        }
        return (Parameters(n: 1 << ln, r: r, p: p), salt, hash)
    }

    static func derive(_ password: String, salt: [UInt8], parameters: Parameters, length: Int = 32) -> [UInt8]? {
        slots.run { compute(password, salt: salt, parameters: parameters, length: length) }
    }

    /// One scrypt computation, on the calling thread.
    static func compute(_ password: String, salt: [UInt8], parameters: Parameters, length: Int) -> [UInt8]? {
        var key = [UInt8](repeating: 0, count: length)
        // NUL-terminated, so the buffer is never empty; the terminator is not hashed.
        let passwordBytes = Array(password.utf8CString)
        let status = passwordBytes.withUnsafeBufferPointer { pass in
            salt.withUnsafeBufferPointer { saltPointer in
                key.withUnsafeMutableBufferPointer { out in
                    EVP_PBE_scrypt(
                        pass.baseAddress, pass.count - 1, saltPointer.baseAddress, salt.count,
                        parameters.n, parameters.r, parameters.p, parameters.memory, out.baseAddress, length)
                }
            }
        }
        return status == 1 ? key : nil
    }
}

/// The threads that compute scrypt hashes: at most `count` at once, each at a lower scheduling
/// priority (nice +19, the lowest) than the threads that serve requests, so that a burst of
/// sign-ins uses the CPU that submissions leave instead of taking it from them (measured against
/// +10: submissions kept about 5 points more of their rate, sign-ins 4.0/s instead of 4.3/s).
/// A caller hands its computation over and waits for the result. The threads start on first use
/// (a process that never hashes has none). Records the most computations that ever ran at once,
/// for tests.
final class HashingThreads: Sendable {
    /// One computation and the semaphore its caller waits on.
    private final class Work: @unchecked Sendable {
        let compute: @Sendable () -> [UInt8]?
        /// Written by the hashing thread before ``done`` is signalled, read by the caller after.
        var result: [UInt8]?
        let done = Semaphore()
        init(_ compute: @escaping @Sendable () -> [UInt8]?) { self.compute = compute }
    }

    /// The queue of computations and who is computing.
    private struct State {
        var queue: [Work] = []
        var started = false
        var running = 0
        var peak = 0
    }

    let count: Int
    private let state = Mutex(State())
    /// Counts the computations queued and not yet taken by a thread.
    private let available = Semaphore()

    /// The most computations that ran at once since the start or the last ``resetPeak()``.
    var peak: Int { state.withLock { $0.peak } }

    /// Starts counting the most computations at once afresh (tests measure one burst each).
    func resetPeak() {
        state.withLock { $0.peak = $0.running }
    }
    /// The nice value of the hashing threads (0 is the default, 19 the lowest priority).
    static let niceness: Int32 = 19

    init(_ count: Int) {
        self.count = max(1, count)
    }

    /// Runs `compute` on a hashing thread and returns its result.
    func run(_ compute: @escaping @Sendable () -> [UInt8]?) -> [UInt8]? {
        let work = Work(compute)
        let threaded = state.withLock { state -> Bool in
            if !state.started { state.started = startThreads() }
            if state.started { state.queue.append(work) }
            return state.started
        }
        // No thread could be started (a process at its limit): compute here rather than fail.
        guard threaded else { return compute() }
        available.signal()
        work.done.wait()
        return work.result
    }

    private func startThreads() -> Bool {
        var any = false
        for _ in 0..<count {
            var thread = pthread_t()
            let context = Unmanaged.passRetained(self).toOpaque()
            let status = pthread_create(
                &thread, nil,
                { context in
                    let threads = Unmanaged<HashingThreads>.fromOpaque(context!).takeRetainedValue()
                    // Lower this thread's priority only: on Linux, nice is per thread, and 0 names the caller.
                    _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, HashingThreads.niceness)
                    threads.serve()  // never returns: the thread serves for the life of the process
                }, context)
            if status == 0 { pthread_detach(thread); any = true } else { Unmanaged<HashingThreads>.fromOpaque(context).release() }
        }
        return any
    }

    private func serve() -> Never {
        while true {
            available.wait()
            let work = state.withLock { state -> Work in
                state.running += 1
                state.peak = max(state.peak, state.running)
                return state.queue.removeFirst()
            }
            work.result = work.compute()
            state.withLock { $0.running -= 1 }
            work.done.signal()
        }
    }
}
