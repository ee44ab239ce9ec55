/// The rules for account names and passwords, written once for the API, the sign-in form and
/// the command line. Messages are sentences a person can act on.
public enum AccountRules {
    /// The longest user name, in characters.
    public static let maximumNameLength = 100
    /// The shortest password, in characters.
    public static let minimumPasswordLength = 10
    /// The longest password, in bytes (scrypt reads every byte).
    public static let maximumPasswordBytes = 1024

    /// Whether `name` may name a new account: 1 to 100 letters, digits or `. _ - @`.
    public static func isValidUserName(_ name: String) -> Bool {
        (1...maximumNameLength).contains(name.count) && name.allSatisfy { $0.isLetter || $0.isNumber || "._-@".contains($0) }
    }

    public static let userNameRule = "A user name has 1 to \(maximumNameLength) letters, digits or . _ - @."

    /// Why `password` cannot be chosen, or nil.
    public static func passwordProblem(_ password: String) -> String? {
        if password.count < minimumPasswordLength { return "A password needs at least \(minimumPasswordLength) characters." }
        if password.utf8.count > maximumPasswordBytes { return "A password has at most \(maximumPasswordBytes) bytes." }
        return nil
    }
}
