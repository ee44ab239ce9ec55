import CreditSystem

/// A key a machine client sends as `Authorization: Bearer ck_…` instead of signing in: it acts
/// as an account of its own (named after the key, with the key's role, and no password). Only
/// the SHA-256 of the key is stored: 256 random bits need no slow hash.
public struct APIKey: Sendable, Equatable {
    /// What every key starts with, so that the API tells a key from a JWT at a glance.
    public static let prefix = "ck_"

    public var name: String
    public var role: Role
    /// The first characters of the key, to tell keys apart in a list.
    public var hint: String
    public var createdAt: Double
    public var lastUsedAt: Double?
    public var revokedAt: Double?

    public init(name: String, role: Role, hint: String, createdAt: Double, lastUsedAt: Double?, revokedAt: Double?) {
        self.name = name
        self.role = role
        self.hint = hint
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    /// The stored form of a key: its SHA-256 in hex.
    public static func digest(_ key: String) -> String { SHA256Digest.hex(Array(key.utf8)) }

    /// How often a key's last use is written at most (a write per request would cost every call).
    public static let lastUseResolution = 60.0
}
