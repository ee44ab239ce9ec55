/// API keys on SQLite: the key's account and the key share a transaction with the audit row.
extension SQLiteStore: APIKeyStore {
    /// ``userColumns`` of the `users` table aliased `u`.
    static let prefixedUserColumns = userColumns.split(separator: ",").map { "u." + $0.filter { $0 != " " } }.joined(separator: ", ")

    public func createAPIKey(name: String, role: Role, digest: String, hint: String, audit: AuditEntry, now: Double) throws(StoreError) -> APIKey {
        try database.transaction { () throws(StoreError) -> APIKey in
            // "!" is no scrypt hash: no password ever matches it, so the account cannot sign in.
            let ids = try database.prepare("""
                INSERT INTO users (name, password_hash, created_at, role) VALUES (?, '!', ?, ?) ON CONFLICT DO NOTHING RETURNING id
                """).rows([.text(name), .real(now), .text(role.rawValue)]) { $0.int(0) }
            guard let id = ids.first else { throw .userExists(name) }
            try database.prepare("INSERT INTO api_keys (user_id, digest, hint, created_at) VALUES (?, ?, ?, ?)")
                .run([.integer(id), .text(digest), .text(hint), .real(now)])
            try appendAuditInTransaction(audit, now: now)
            return APIKey(name: name, role: role, hint: hint, createdAt: now, lastUsedAt: nil, revokedAt: nil)
        }
    }

    public func apiKeyUser(digest: String, now: Double) throws(StoreError) -> User? {
        let found = try database.prepare("""
            SELECT \(Self.prefixedUserColumns), k.last_used_at
            FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.digest = ? AND k.revoked_at IS NULL
            """).rows([.text(digest)]) { (Self.readUser($0), $0.optionalDouble(8)) }.first
        guard let (user, lastUsed) = found else { return nil }
        if (lastUsed ?? 0) < now - APIKey.lastUseResolution {
            // Best effort: a busy database must not refuse the request for a statistic. Through the
            // process's writer queue, as every write is, not around it into SQLite's busy handler.
            try? database.transaction { () throws(StoreError) in
                try database.prepare("UPDATE api_keys SET last_used_at = ? WHERE user_id = ?").run([.real(now), .integer(user.id)])
            }
        }
        return user
    }

    public func apiKeys() throws(StoreError) -> [APIKey] {
        try database.prepare("""
            SELECT u.name, u.role, k.hint, k.created_at, k.last_used_at, k.revoked_at FROM api_keys k JOIN users u ON u.id = k.user_id
            ORDER BY k.created_at DESC, u.name
            """).rows { row in
            APIKey(name: row.string(0), role: Role(rawValue: row.string(1)) ?? .officer, hint: row.string(2), createdAt: row.double(3),
                   lastUsedAt: row.optionalDouble(4), revokedAt: row.optionalDouble(5))
        }
    }

    public func revokeAPIKey(name: String, audit: AuditEntry, now: Double) throws(StoreError) {
        try database.transaction { () throws(StoreError) in
            let ids = try database.prepare("""
                UPDATE api_keys SET revoked_at = ? WHERE revoked_at IS NULL AND user_id = (SELECT id FROM users WHERE name = ?) RETURNING user_id
                """).rows([.real(now), .text(name)]) { $0.int(0) }
            guard let id = ids.first else { throw .noSuchUser(name) }
            try database.prepare("UPDATE users SET disabled = 1 WHERE id = ?").run([.integer(id)])
            try appendAuditInTransaction(audit, now: now)
        }
    }
}
