import CreditAuth
import CreditGovernance
import CreditStore

extension CreditService {
    /// The signed-in user from the bearer token, or 401: the account must exist, be enabled and
    /// have the token's generation (a password change revokes older tokens). With `minimum`, a
    /// weaker role gets 403. An account with a one-time password may only change it (403).
    /// `auditingRefusal: false` answers a refused token without its audit row (a submission the
    /// store refused: its row would add a write for every retry of a client that keeps an old token).
    func authenticate(
        _ request: HTTPRequest, minimum: Role = .officer, allowingPasswordChange: Bool = false,
        auditingRefusal: Bool = true
    ) throws -> User {
        let caller = try caller(request)
        let user: User
        if let account = caller.account {
            user = account
        } else {
            guard let account = try stores.withStore({ try $0.user(id: caller.id) }) else { throw Self.inactiveAccount }
            user = account
        }
        guard !user.disabled, user.tokenGeneration == caller.generation else {
            if !auditingRefusal {
                throw user.disabled ? Self.inactiveAccount : Problem.unauthorized("This token was revoked by a password change; sign in again.")
            }
            // Audited: a real token of a real account, refused (disabled, or revoked by a password
            // change). A row that cannot be written is logged and counted; the answer stays the same.
            appendAuditReportingFailure(
                AuditEntry(
                    actor: user.id, actorName: user.name, action: .tokenRefused,
                    detail: user.disabled ? "account disabled" : "token revoked by a password change",
                    address: request.remoteAddress), now: clock())
            throw user.disabled ? Self.inactiveAccount : Problem.unauthorized("This token was revoked by a password change; sign in again.")
        }
        if user.mustChangePassword && !allowingPasswordChange {
            throw Problem(
                type: "password-change-required", title: "Password change required", status: 403,
                detail: "Your password was set by an administrator for one use: choose your own with POST /api/account/password first.")
        }
        return try Self.requireRole(user, minimum)
    }

    /// `user`, or 403 when its role is weaker than `minimum`.
    static func requireRole(_ user: User, _ minimum: Role) throws -> User {
        guard user.role.includes(minimum) else {
            throw Problem(
                type: "forbidden", title: "Forbidden", status: 403,
                detail: "This needs the \(minimum.rawValue) role; your account is \(user.role.rawValue).")
        }
        return user
    }

    /// The account of an API key, or 401 for an unknown or revoked key (or a disabled account).
    func apiKeyUser(_ key: String) throws -> User {
        guard key.utf8.count <= 100, let user = try stores.withStore({ try $0.apiKeyUser(digest: APIKey.digest(key), now: clock()) }),
            !user.disabled
        else {
            throw Problem.unauthorized("This API key is not valid, or it was revoked.")
        }
        RequestLog.current?.userID = user.id
        return user
    }

    /// Who a request's credential names, before the account's current state is checked: the one
    /// reading of `Authorization` for every endpoint. An API key's account is read with the key;
    /// a token names an account id, its generation and name. ``authenticate(_:minimum:allowingPasswordChange:)``
    /// then checks the account; a submission leaves that to the store, which checks the same rules
    /// (enabled, same generation, no one-time password) in the statement that stores the job.
    func caller(_ request: HTTPRequest) throws -> Caller {
        let token = try bearerToken(request)
        if token.hasPrefix(APIKey.prefix) {
            let user = try apiKeyUser(token)
            return Caller(id: user.id, name: user.name, generation: user.tokenGeneration, account: user)
        }
        let claims = try verifiedClaims(token)
        guard let id = Int64(claims.sub) else { throw Problem.unauthorized(Self.explain(.malformed)) }
        RequestLog.current?.userID = id
        return Caller(id: id, name: claims.name ?? "user \(id)", generation: claims.gen ?? 0, account: nil)
    }

    /// The credential of `Authorization: Bearer <credential>` (an access token or an API key), or 401.
    func bearerToken(_ request: HTTPRequest) throws -> String {
        guard let header = request.header("authorization") else {
            throw Problem.unauthorized(
                "Send an access token from POST /api/token (or an API key) as `Authorization: Bearer <token>`.", error: "invalid_request")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Problem.unauthorized("The Authorization header must be `Bearer <token>`.", error: "invalid_request")
        }
        return String(parts[1])
    }

    /// The claims of a valid access token, or 401.
    func verifiedClaims(_ token: String) throws -> JWTClaims {
        do { return try signer.verify(token, now: Int(clock())) } catch {
            throw Problem.unauthorized(Self.explain(error))
        }
    }

    /// True when `authorization` (the header's value) holds a valid bearer token: the server
    /// reads a large body (a file of applications) only for a caller who has signed in.
    public func carriesValidToken(_ authorization: String?) -> Bool {
        guard let authorization else { return false }
        do {
            _ = try caller(HTTPRequest(method: "POST", path: "/", headers: ["authorization": authorization]))
            return true
        } catch is Problem {
            return false
        } catch {
            // An API key could not be looked up: the large body is not read (the request's own
            // line follows, without this one's id: the request is not built yet).
            logStoreFailure("token check: database error, large body refused", error, level: .warning)
            return false
        }
    }

    static let inactiveAccount = Problem.unauthorized("The account behind this token is disabled or no longer exists.")

    static func explain(_ error: JWTError) -> String {
        switch error {
        case .expired: return "The access token has expired; sign in again."
        case .notYetValid: return "The access token is not valid yet; check the clocks."
        case .unsupportedAlgorithm: return "The access token uses an algorithm this service does not accept (only HS256)."
        case .badSignature: return "The access token's signature is not valid."
        case .wrongIssuer, .wrongAudience: return "The access token was not issued for this service."
        case .malformed: return "The access token is malformed."
        }
    }
}

/// The account a request's credential names (see ``CreditService/caller(_:)``).
struct Caller {
    let id: Int64
    let name: String
    /// The token generation the credential carries (an API key: its account's).
    let generation: Int
    /// The account, when reading the credential read it too (an API key).
    let account: User?
}
