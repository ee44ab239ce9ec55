import CreditGovernance

/// API keys: made and revoked from the command line, looked up on every request that sends one.
public protocol APIKeyStore: AnyObject {
    /// Creates the key's account (role `role`, no password) and the key, with `audit`. Throws
    /// ``StoreError/userExists(_:)`` when an account or key has that name.
    func createAPIKey(name: String, role: Role, digest: String, hint: String, audit: AuditEntry, now: Double) throws(StoreError) -> APIKey
    /// The account of the unrevoked key with this digest, recording its use (at most once a minute).
    func apiKeyUser(digest: String, now: Double) throws(StoreError) -> User?
    /// Every key, newest first.
    func apiKeys() throws(StoreError) -> [APIKey]
    /// Revokes the key and disables its account, with `audit`. Throws ``StoreError/noSuchUser(_:)``.
    func revokeAPIKey(name: String, audit: AuditEntry, now: Double) throws(StoreError)
}
