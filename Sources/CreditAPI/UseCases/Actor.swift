import CreditGovernance
import CreditStore

/// Who carries out a use case, as the audit trail names them: a signed-in account (the API) or
/// the operator at the command line (`cli:NAME`, no account).
public struct Actor: Sendable {
    /// The account that acts, or nil for the command line.
    public let account: User?
    public let name: String
    /// The client's address (empty at the command line).
    public let address: String

    /// A signed-in account acting from `address`.
    public init(_ account: User, address: String) {
        self.account = account
        name = account.name
        self.address = address
    }

    /// The operator at the command line, named after their system account.
    public static func commandLine(_ operatorName: String) -> Actor { Actor(name: "cli:" + operatorName) }

    private init(name: String) {
        account = nil
        self.name = name
        address = ""
    }

    /// The audit row of `action` on `object` by this actor.
    public func audit(_ action: AuditAction, object: String = "", detail: String = "") -> AuditEntry {
        AuditEntry(actor: account?.id, actorName: name, action: action, object: object, detail: detail, address: address)
    }
}
