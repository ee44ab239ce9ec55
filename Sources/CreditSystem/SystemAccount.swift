#if canImport(Glibc)
import Glibc
#endif

/// The account this process runs as, for messages about files it cannot read.
public enum SystemAccount {
    /// `name (uid N)`, or `uid N` when the account has no name.
    public static func current() -> String {
        let uid = geteuid()
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "uid \(uid)" }
        return "\(String(cString: name)) (uid \(uid))"
    }
}
