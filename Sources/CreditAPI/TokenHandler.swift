import CreditAuth
import CreditGovernance
import CreditJSON
import CreditSchema
import CreditStore

extension CreditService {
    /// `POST /api/token`: OAuth2 password grant (form-encoded `username`, `password`).
    func issueToken(_ request: HTTPRequest) throws -> HTTPResponse {
        if request.bodyTooLarge || request.body.count > configuration.maxBodyBytes { throw Problem.tooLarge(limit: configuration.maxBodyBytes) }
        let contentType = request.header("content-type")?.lowercased() ?? ""
        guard contentType.hasPrefix("application/x-www-form-urlencoded") else {
            throw Problem.unsupportedMediaType("application/x-www-form-urlencoded (username=…&password=…)")
        }
        guard let text = String(validating: request.body, as: UTF8.self) else {
            throw Problem.oauth("invalid_request", title: "Bad request", detail: "The form is not valid UTF-8.")
        }
        let form = FormDecoding.decode(text)
        // The password grant is the only one (for the site; machines use API keys). A client
        // that names no grant type gets it too, as the site's and curl's forms do.
        if let grant = form["grant_type"], grant != "password" {
            throw Problem.oauth(
                "unsupported_grant_type", title: "Unsupported grant type", detail: "Only grant_type=password is supported, not \(grant.prefix(40)).")
        }
        var errors: [String: [String]] = [:]
        let username = form["username"]?.trimmingSpaces() ?? ""
        let password = form["password"] ?? ""
        if username.isEmpty { errors["username"] = ["Enter your username."] }
        if password.isEmpty { errors["password"] = ["Enter your password."] }
        if username.count > AccountRules.maximumNameLength {
            errors["username"] = ["A username has at most \(AccountRules.maximumNameLength) characters."]
        }
        if password.utf8.count > 1024 { errors["password"] = ["A password has at most 1024 bytes."] }
        if !errors.isEmpty { throw Problem.oauth("invalid_request", title: "Bad request", detail: "The sign-in form is incomplete.", errors: errors) }

        let now = clock()
        let userKey = "user:" + username.lowercased(), addressKey = "ip:" + request.remoteAddress
        let user = try stores.withStore { try $0.user(named: username) }
        // Admission first: a refused sign-in costs no hash, holds no thread and records nothing.
        do { try signInGate.admit(knownUser: user != nil, now: now) } catch {
            throw Problem.signInBusy(retryAfter: error.retryAfter)
        }
        defer { signInGate.finish() }
        // The attempt counts as a failure from before its hash until it succeeds, so parallel
        // attempts never check more passwords than the limits allow.
        let reservation = try stores.withStore {
            try $0.reserveLoginAttempt(
                limits: [(userKey, configuration.maxFailuresPerUser), (addressKey, configuration.maxFailuresPerAddress)],
                window: configuration.throttleWindow, budget: configuration.signInBudget, knownUser: user != nil, now: now)
        }
        let attempt: [Int64]
        switch reservation {
        case .reserved(let rows): attempt = rows
        case .throttled(let wait): throw Problem.tooManyAttempts(retryAfter: Int(wait.rounded(.up)))
        case .busy(let wait): throw Problem.signInBusy(retryAfter: Int(wait.rounded(.up)))
        }
        // The slow hash runs without holding a database connection, and for unknown users too.
        let accepted: Bool
        if let user {
            accepted = hasher.verify(password, against: user.passwordHash) && !user.disabled
        } else {
            hasher.verifyDummy(password)
            accepted = false
        }
        guard accepted, let user else {
            // Audited with the name tried (never the password), whether or not it exists.
            // A row that cannot be written is logged and counted; the answer stays the same.
            appendAuditReportingFailure(
                AuditEntry(
                    actor: user?.id, actorName: String(username.prefix(100)), action: .signInFailed,
                    detail: user == nil ? "unknown user" : (user!.disabled ? "account disabled" : "wrong password"),
                    address: request.remoteAddress), now: now)
            throw Problem.invalidCredentials()
        }
        // The password was right: a busy database must not turn that into a failure. Removing
        // the reservation and upgrading an old hash are done if they can be, and skipped (with a
        // warning) if not (the reservation then counts as one failure until it leaves the window).
        // The audit row likewise: one that cannot be written is logged and counted, and the
        // sign-in stands.
        confirmLoginReportingFailure(attempt: attempt, clearing: userKey)
        if hasher.needsRehash(user.passwordHash) {
            let upgraded = hasher.hash(password)  // the slow hash, with no connection held
            do { try stores.withStore { try $0.setPasswordHash(name: user.name, passwordHash: upgraded) } } catch {
                logStoreFailure("password hash upgrade skipped", error, level: .warning, metadata: ["user_id": .stringConvertible(user.id)])
            }
        }
        appendAuditReportingFailure(AuditEntry(actor: user.id, actorName: user.name, action: .signIn, address: request.remoteAddress), now: now)
        return tokenResponse(for: user, now: now)
    }

    /// Removes a sign-in's reservation once its password was right, or logs a warning when the
    /// store cannot (the reservation then counts as a failure until it leaves the window).
    func confirmLoginReportingFailure(attempt: [Int64], clearing userKey: String) {
        do { try stores.withStore { try $0.confirmLogin(attempt: attempt, clearing: userKey) } } catch {
            logStoreFailure("sign-in reservation not cleared", error, level: .warning)
        }
    }

    /// A new access token for `user`, with its role and whether it must change its password.
    func tokenResponse(for user: User, now: Double, status: Int = 200) -> HTTPResponse {
        let token = signer.sign(
            subject: String(user.id), ttl: configuration.tokenTTL, now: Int(now), role: user.role.rawValue,
            generation: user.tokenGeneration, name: user.name)
        return JSONOutput.object([
            "access_token": .string(token.token), "token_type": .string("bearer"), "expires_in": .number(Double(configuration.tokenTTL)),
            "role": .string(user.role.rawValue), "must_change_password": .bool(user.mustChangePassword), "username": .string(user.name),
            "language": user.language.map(JSONOutput.string) ?? .null,
        ]).response(status: status, headers: [("Cache-Control", "no-store")])
    }
}

extension ServiceConfiguration {
    /// The sign-in budget as the store keeps it for every process: the bursts over the time the
    /// rates take to refill them. (``SignInGate`` applies the same budget in memory within one
    /// process, so a flood never reaches the database; in CGI mode, a process per request, only
    /// the store's holds.)
    var signInBudget: SignInBudget {
        SignInBudget(attempts: Int(signInBurst), unknownAttempts: Int(unknownSignInBurst), window: signInBurst / signInRate)
    }
}
