import CreditGovernance

/// API keys: the key's account and the key share a transaction with the audit row.
extension SQLStore: APIKeyStore {
    public func createAPIKey(name: String, role: Role, digest: String, hint: String, audit: AuditEntry, now: Double) throws(StoreError) -> APIKey {
        try sql.transaction { () throws(StoreError) -> APIKey in
            // "!" is no scrypt hash: no password ever matches it, so the account cannot sign in.
            guard
                let id = try sql.query(
                    """
                    INSERT INTO users (name, password_hash, created_at, role) VALUES (?1, '!', ?2, ?3) ON CONFLICT DO NOTHING RETURNING id
                    """, [.text(name), .real(now), .text(role.rawValue)], { row throws(StoreError) in try row.int64(0) }
                ).first
            else { throw .userExists(name) }
            try sql.execute(
                "INSERT INTO api_keys (user_id, digest, hint, created_at) VALUES (?1, ?2, ?3, ?4)",
                [.integer(id), .text(digest), .text(hint), .real(now)])
            try appendAuditInTransaction([(audit, now)])
            return APIKey(name: name, role: role, hint: hint, createdAt: now, lastUsedAt: nil, revokedAt: nil)
        }
    }

    public func apiKeyUser(digest: String, now: Double) throws(StoreError) -> User? {
        guard
            let (user, lastUsed) = try sql.query(
                """
                SELECT \(Self.prefixedUserColumns), k.last_used_at FROM api_keys k JOIN users u ON u.id = k.user_id
                WHERE k.digest = ?1 AND k.revoked_at IS NULL
                """, [.text(digest)], { row throws(StoreError) in (try Self.readUser(row), try row.optionalDouble(9)) }
            ).first
        else { return nil }
        if (lastUsed ?? 0) < now - APIKey.lastUseResolution {
            // Best effort: a busy database must not refuse the request for a statistic. Through the
            // process's writer queue, as every write is.
            _ = try? sql.transaction { () throws(StoreError) in
                try sql.execute("UPDATE api_keys SET last_used_at = ?1 WHERE user_id = ?2", [.real(now), .integer(user.id)])
            }
        }
        return user
    }

    public func apiKeys() throws(StoreError) -> [APIKey] {
        try sql.query(
            """
            SELECT u.name, u.role, k.hint, k.created_at, k.last_used_at, k.revoked_at FROM api_keys k JOIN users u ON u.id = k.user_id
            ORDER BY k.created_at DESC, u.name
            """
        ) { row throws(StoreError) in
            APIKey(
                name: try row.string(0), role: try row.decode(Role.self, 1), hint: try row.string(2), createdAt: try row.double(3),
                lastUsedAt: try row.optionalDouble(4), revokedAt: try row.optionalDouble(5))
        }
    }

    public func revokeAPIKey(name: String, audit: AuditEntry, now: Double) throws(StoreError) {
        try sql.transaction { () throws(StoreError) in
            guard
                let id = try sql.query(
                    """
                    UPDATE api_keys SET revoked_at = ?2 WHERE revoked_at IS NULL AND user_id = (SELECT id FROM users WHERE \(sameName)) RETURNING user_id
                    """, [.text(name), .real(now)], { row throws(StoreError) in try row.int64(0) }
                ).first
            else { throw .noSuchUser(name) }
            try sql.execute("UPDATE users SET disabled = ?2 WHERE id = ?1", [.integer(id), .boolean(true)])
            try appendAuditInTransaction([(audit, now)])
        }
    }
}
