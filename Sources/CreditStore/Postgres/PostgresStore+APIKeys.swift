/// API keys on PostgreSQL: the key's account and the key share a transaction with the audit row.
extension PostgresStore: APIKeyStore {
    /// ``userColumns`` of the `users` table aliased `u`.
    static let prefixedUserColumns = userColumns.split(separator: ",").map { "u." + $0.filter { $0 != " " } }.joined(separator: ", ")

    public func createAPIKey(name: String, role: Role, digest: String, hint: String, audit: AuditEntry, now: Double) throws(StoreError) -> APIKey {
        try connection.transaction { () throws(StoreError) -> APIKey in
            // "!" is no scrypt hash: no password ever matches it, so the account cannot sign in.
            let ids = try connection.query("""
                INSERT INTO users (name, password_hash, created_at, role) VALUES ($1, '!', $2::double precision, $3)
                ON CONFLICT ((lower(name))) DO NOTHING RETURNING id
                """, [name, PostgresText.number(now), role.rawValue])
            guard ids.count == 1 else { throw .userExists(name) }
            try connection.query("INSERT INTO api_keys (user_id, digest, hint, created_at) VALUES ($1::bigint, $2, $3, $4::double precision)",
                                 [ids.string(0, 0), digest, hint, PostgresText.number(now)])
            try appendAuditInTransaction([audit], now: now)
            return APIKey(name: name, role: role, hint: hint, createdAt: now, lastUsedAt: nil, revokedAt: nil)
        }
    }

    public func apiKeyUser(digest: String, now: Double) throws(StoreError) -> User? {
        let rows = try connection.query("""
            SELECT \(Self.prefixedUserColumns), k.last_used_at FROM api_keys k JOIN users u ON u.id = k.user_id
            WHERE k.digest = $1 AND k.revoked_at IS NULL
            """, [digest])
        guard rows.count == 1 else { return nil }
        let user = Self.readUser(rows, 0)
        if (rows.optionalDouble(0, 8) ?? 0) < now - APIKey.lastUseResolution {
            // Best effort: a busy database must not refuse the request for a statistic.
            _ = try? connection.query("UPDATE api_keys SET last_used_at = $1::double precision WHERE user_id = $2::bigint",
                                      [PostgresText.number(now), PostgresText.number(user.id)])
        }
        return user
    }

    public func apiKeys() throws(StoreError) -> [APIKey] {
        let rows = try connection.query("""
            SELECT u.name, u.role, k.hint, k.created_at, k.last_used_at, k.revoked_at FROM api_keys k JOIN users u ON u.id = k.user_id
            ORDER BY k.created_at DESC, u.name
            """)
        return rows.map { row in
            APIKey(name: rows.string(row, 0), role: Role(rawValue: rows.string(row, 1)) ?? .officer, hint: rows.string(row, 2),
                   createdAt: rows.double(row, 3), lastUsedAt: rows.optionalDouble(row, 4), revokedAt: rows.optionalDouble(row, 5))
        }
    }

    public func revokeAPIKey(name: String, audit: AuditEntry, now: Double) throws(StoreError) {
        try connection.transaction { () throws(StoreError) in
            let ids = try connection.query("""
                UPDATE api_keys SET revoked_at = $1::double precision
                WHERE revoked_at IS NULL AND user_id = (SELECT id FROM users WHERE lower(name) = lower($2)) RETURNING user_id
                """, [PostgresText.number(now), name])
            guard ids.count == 1 else { throw .noSuchUser(name) }
            try connection.query("UPDATE users SET disabled = true WHERE id = $1::bigint", [ids.string(0, 0)])
            try appendAuditInTransaction([audit], now: now)
        }
    }
}
