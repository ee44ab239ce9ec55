#if canImport(Glibc)
import Glibc
import CreditSystem
#endif

/// Why the signing key cannot be used.
public enum SecretKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    case missing(path: String)
    case tooShort(path: String, bytes: Int)
    case unreadable(path: String, reason: String)
    case insecurePermissions(path: String, mode: String)
    case alreadyExists(path: String)
    /// The key (or its folder) belongs to another account than the one this program runs as.
    case permissionDenied(path: String, runningAs: String)

    public var description: String {
        switch self {
        case .missing(let path): return "the signing key \(path) does not exist; create it with `credit init`"
        case .tooShort(let path, let bytes): return "the signing key \(path) has \(bytes) bytes; it needs at least 32 random bytes (`credit init`)"
        case .unreadable(let path, let reason): return "cannot read the signing key \(path): \(reason)"
        case .insecurePermissions(let path, let mode): return "the signing key \(path) is readable by others (mode \(mode)); run `chmod 600 \(path)`"
        case .alreadyExists(let path): return "the signing key \(path) exists already; it was not replaced"
        case .permissionDenied(let path, let account):
            return "cannot read the signing key \(path): permission denied to \(account). The responder and the worker must run as the account "
                + "that owns the key and the database (on shared hosting, CGI under suexec; under systemd, User=)"
        }
    }
}

/// The JWT signing key: a file of at least 32 random bytes, readable by its owner only.
public enum SecretKeyFile {
    public static func load(path: String) throws(SecretKeyError) -> [UInt8] {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { throw .missing(path: path) }
            if errno == EACCES { throw .permissionDenied(path: path, runningAs: SystemAccount.current()) }
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard info.st_mode & 0o077 == 0 else { throw .insecurePermissions(path: path, mode: String(info.st_mode & 0o777, radix: 8)) }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == EACCES { throw .permissionDenied(path: path, runningAs: SystemAccount.current()) }
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var key: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 4096)
        while key.count < 1 << 20 {
            let count = read(descriptor, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
            if count == 0 { break }
            key += chunk[..<count]
        }
        guard key.count >= 32 else { throw .tooShort(path: path, bytes: key.count) }
        return key
    }

    /// Writes 64 new random bytes with mode 0600; never replaces an existing file.
    public static func create(path: String) throws(SecretKeyError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            if errno == EEXIST { throw .alreadyExists(path: path) }
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        let key = secureRandomBytes(64)
        let written = key.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == key.count, fsync(descriptor) == 0 else {
            unlink(path)
            throw .unreadable(path: path, reason: "could not write the key")
        }
    }
}
