import CreditGovernance
import CreditStore

/// Adding and changing accounts: the rules (names, passwords, one-time passwords, what an
/// administrator may not do to their own account) and the audit rows, written once for the HTTP
/// handlers (`POST /api/users`, `PATCH /api/users/{name}`) and the command line (`credit user`).
public struct AccountAdministration: Sendable {
    /// The slow hash of a password (the service's hashing threads, or scrypt at the command line).
    let hash: @Sendable (String) -> String

    public init(hash: @escaping @Sendable (String) -> String) { self.hash = hash }

    /// One change to an account.
    public enum Edit: Sendable {
        case role(Role)
        case disabled(Bool)
        /// A new password; `oneTime` makes its owner choose their own before anything else.
        case password(String, oneTime: Bool)
    }

    /// Why a use case was refused, with what to correct.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// Messages by field (`name`, `password`, `role`, `disabled`).
        case invalid([String: [String]])
        case userExists(String)
        case noSuchUser(String)

        public var description: String {
            switch self {
            case .invalid(let errors): errors.keys.sorted().flatMap { errors[$0]! }.joined(separator: " ")
            case .userExists(let name): "A user named \(name) exists already."
            case .noSuchUser(let name): "There is no user named \(name.prefix(100))."
            }
        }
    }

    /// What is wrong with a new account's name and password, by field (empty when nothing is).
    public static func problems(name: String, password: String) -> [String: [String]] {
        var errors: [String: [String]] = [:]
        if !AccountRules.isValidUserName(name) { errors["name"] = [AccountRules.userNameRule] }
        if let problem = AccountRules.passwordProblem(password) { errors["password"] = [problem] }
        return errors
    }

    /// What is wrong with `edits` to account `name` by `actor`, by field (empty when nothing is).
    public static func problems(changing name: String, _ edits: [Edit], by actor: Actor) -> [String: [String]] {
        var errors: [String: [String]] = [:]
        let own = actor.account.map { $0.name.lowercased() == name.lowercased() } ?? false
        for edit in edits {
            switch edit {
            case .role(let role) where own && role != .admin: errors["role"] = ["You cannot take the admin role from your own account."]
            case .disabled(true) where own: errors["disabled"] = ["You cannot disable your own account."]
            case .password(let password, _):
                if let problem = AccountRules.passwordProblem(password) { errors["password"] = [problem] }
            default: break
            }
        }
        if edits.isEmpty { errors[""] = ["Send role, disabled or password."] }
        return errors
    }

    /// Creates an account with `role` and `password` (for one use when `oneTimePassword`).
    public func addUser(
        name: String, password: String, role: Role, oneTimePassword: Bool, by actor: Actor, in store: any GovernanceStore,
        now: Double
    ) throws -> User {
        let errors = Self.problems(name: name, password: password)
        if !errors.isEmpty { throw Refusal.invalid(errors) }
        let created: Result<User, StoreError> = Result { () throws(StoreError) in
            try store.createUser(
                name: name, passwordHash: hash(password), role: role, mustChangePassword: oneTimePassword,
                audit: actor.audit(.accountCreated, object: name, detail: role.rawValue), now: now)
        }
        if case .failure(.userExists) = created { throw Refusal.userExists(name) }
        return try created.get()
    }

    /// Checks every edit first, then applies them in order, each with its audit row. An
    /// administrator may not disable their own account or take the admin role from it.
    public func change(_ name: String, _ edits: [Edit], by actor: Actor, in store: any GovernanceStore, now: Double) throws -> User {
        let errors = Self.problems(changing: name, edits, by: actor)
        if !errors.isEmpty { throw Refusal.invalid(errors) }
        var user: User?
        for edit in edits {
            // The slow hash only once everything is known to be valid.
            let (change, audit): (AccountChange, AuditEntry) =
                switch edit {
                case .role(let role): (.role(role), actor.audit(.roleChanged, object: name, detail: role.rawValue))
                case .disabled(let disabled): (.disabled(disabled), actor.audit(disabled ? .accountDisabled : .accountEnabled, object: name))
                case .password(let password, let oneTime):
                    (
                        .password(hash: hash(password), mustChange: oneTime),
                        actor.audit(.passwordReset, object: name, detail: oneTime ? "one-time password" : "")
                    )
                }
            let changed: Result<User, StoreError> = Result { () throws(StoreError) in
                try store.updateUser(name: name, change: change, audit: audit, now: now)
            }
            if case .failure(.noSuchUser) = changed { throw Refusal.noSuchUser(name) }
            user = try changed.get()
        }
        return user!
    }
}
