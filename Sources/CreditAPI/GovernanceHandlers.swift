import CreditAuth
import CreditGovernance
import CreditJSON
import CreditStore
import CreditSystem
import CreditText

/// The review queue, final decisions, accounts and the audit trail over HTTP.
extension CreditService {
    // MARK: Reviews

    /// `GET /api/reviews?status=open|decided&after=ID&limit=N` (reviewer): open rounds by urgency
    /// (customers' requests by due date, then the others oldest first), each with its
    /// application and the model's result; decided ones newest first.
    func listReviews(_ request: HTTPRequest) throws -> HTTPResponse {
        _ = try authenticate(request, minimum: .reviewer)
        let query = request.queryItems
        var errors: [String: [String]] = [:]
        let status = Self.reviewStatus(query, errors: &errors)
        let limit = Self.limit(query, default: 20, maximum: 100, errors: &errors)
        let after = query["after"]
        if let after, !Self.isJobID(after) { errors["after"] = ["after must be the id of an application."] }
        if !errors.isEmpty { throw Problem.badRequest("The query has invalid parameters.", errors: errors) }
        let now = clock()
        let items: [JSONOutput] = try stores.withStore { store in
            try store.reviews(open: status == "open", limit: limit, after: after).compactMap { review in
                guard let job = try store.job(id: review.jobID) else { return nil }
                guard case .object(var members) = Self.representation(of: job, submittedBy: review.ownerName, withApplication: true) else {
                    return nil
                }
                members["review"] = Self.representation(of: review, job: job, now: now)
                return .object(members)
            }
        }
        let next: JSONOutput =
            items.count == limit
            ? .string(request.basePath + "/api/reviews?status=\(status)&limit=\(limit)&after=\(Self.lastID(items))") : .null
        return JSONOutput.object(["items": .array(items), "next": next]).response()
    }

    /// The `status` query parameter of a list of reviews: `open` (the default) or `decided`.
    static func reviewStatus(_ query: [String: String], errors: inout [String: [String]]) -> String {
        let status = query["status"] ?? "open"
        if status != "open" && status != "decided" { errors["status"] = ["status must be open or decided."] }
        return status
    }

    /// The `id` of the last item of a page, for its `next` link.
    private static func lastID(_ items: [JSONOutput]) -> String {
        guard case .object(let members)? = items.last, case .string(let id)? = members["id"] else { return "" }
        return id
    }

    /// `POST /api/predictions/{id}/decision` (reviewer): `{"decision": "approve"|"decline",
    /// "reason_code": "…", "note": "…"}`. 409 when decided already or not scored yet.
    func decide(_ request: HTTPRequest, id: String) throws -> HTTPResponse {
        let reviewer = try authenticate(request, minimum: .reviewer)
        guard Self.isJobID(id) else { throw Problem.notFound("There is no application with id \(id.prefix(64)).") }
        let object = try Self.jsonObject(request, maxBytes: 16 * 1024)
        var errors: [String: [String]] = [:]
        let decision = (object["decision"]?.stringValue).flatMap(FinalDecision.init(rawValue:))
        if decision == nil { errors["decision"] = ["Choose approve or decline."] }
        let codes = configuration.reviewReasons.map(\.code)
        let reasonCode = object["reason_code"]?.stringValue ?? ""
        if !codes.contains(reasonCode) { errors["reason_code"] = ["Choose one of: \(codes.joined(separator: ", "))."] }
        let note = Self.trimmed(object["note"]?.stringValue ?? "")
        if note.unicodeScalars.count > 2000 { errors["note"] = ["A note has at most 2,000 characters."] }
        if reasonCode == "other" && note.isEmpty { errors["note"] = ["Explain the decision in the note when the reason is Other."] }
        for key in object.keys where !["decision", "reason_code", "note"].contains(key) { errors[key] = ["Unknown field."] }
        if !errors.isEmpty { throw Problem.validation(errors) }
        let now = clock()
        let (review, job): (Review, Job) = try stores.withStore { store in
            guard let job = try store.job(id: id) else { throw Problem.notFound("There is no application with id \(id).") }
            guard job.status == .done, let result = job.result else {
                throw Problem(
                    type: "conflict", title: "Not scored yet", status: 409,
                    detail: "The application is \(job.status.rawValue); a decision can be recorded once it is scored.")
            }
            do {
                let review = try store.decide(
                    jobID: id,
                    decision: ReviewDecision(
                        decision: decision!, reasonCode: reasonCode, note: note,
                        modelDecision: Self.modelDecision(result)),
                    reviewer: reviewer, address: request.remoteAddress, now: now)
                return (review, job)
            } catch StoreError.conflict(let text) {
                throw Problem(type: "already-decided", title: "Already decided", status: 409, detail: text)
            } catch StoreError.refused(let text) {
                throw Problem(type: "second-review-by-same-reviewer", title: "Another reviewer must decide", status: 403, detail: text)
            }
        }
        return Self.representation(of: review, job: job, now: now).response()
    }

    /// `POST /api/predictions/{id}/review` (its officer): `{"note": "…"}` sends a scored
    /// application to the review queue. 409 when it is there already or decided.
    func requestReview(_ request: HTTPRequest, id: String) throws -> HTTPResponse {
        let user = try authenticate(request)
        guard Self.isJobID(id) else { throw Problem.notFound("You have no prediction with id \(id.prefix(64)).") }
        let object = try Self.jsonObject(request, maxBytes: 16 * 1024)
        let note = Self.trimmed(object["note"]?.stringValue ?? "")
        var errors: [String: [String]] = [:]
        if note.isEmpty { errors["note"] = ["Say what the reviewer should look at."] }
        if note.unicodeScalars.count > 2000 { errors["note"] = ["A note has at most 2,000 characters."] }
        for key in object.keys where key != "note" { errors[key] = ["Unknown field."] }
        if !errors.isEmpty { throw Problem.validation(errors) }
        let review = try recordingRequest(id) { store throws(StoreError) in
            try store.requestReview(jobID: id, requester: user, note: note, address: request.remoteAddress, now: clock())
        }
        return Self.representation(of: review, job: nil, now: clock()).response(status: 201)
    }

    /// The model's decision in a stored result (`approve`, `review` or `reject`).
    static func modelDecision(_ result: String) -> String {
        if case .object(let members)? = try? JSONValue.parse(result), let decision = members["decision"]?.stringValue { return decision }
        return "unknown"
    }

    /// `GET /api/review-reasons`: the reason codes a reviewer picks from.
    func reviewReasons(_ request: HTTPRequest) throws -> HTTPResponse {
        _ = try authenticate(request)
        let catalog = language(of: request).catalog
        return JSONOutput.array(
            configuration.reviewReasons.map { .object(["code": .string($0.code), "label": .string(catalog.translate($0.label))]) }
        ).response()
    }

    // MARK: The caller's account

    /// `GET /api/account`: who the token belongs to.
    func account(_ request: HTTPRequest) throws -> HTTPResponse {
        let user = try authenticate(request, allowingPasswordChange: true)
        return Self.representation(of: user).response()
    }

    /// `PUT /api/account/language`: `{"language": "pt-BR" | "en"}`, the site's language for this
    /// account on every browser it signs in from.
    func setLanguage(_ request: HTTPRequest) throws -> HTTPResponse {
        let user = try authenticate(request, allowingPasswordChange: true)
        let object = try Self.jsonObject(request, maxBytes: 1024)
        guard object.count == 1, let tag = object["language"]?.stringValue, let language = Language(tag: tag), tag == language.rawValue else {
            throw Problem.validation(["language": ["Choose pt-BR or en."]])
        }
        try stores.withStore { try $0.setLanguage(userID: user.id, language: language.rawValue) }
        return JSONOutput.object(["language": .string(language.rawValue)]).response()
    }

    /// `POST /api/account/password`: `{"current_password", "new_password"}`. Every other token of
    /// the account stops working at once; the answer carries a fresh one.
    func changePassword(_ request: HTTPRequest) throws -> HTTPResponse {
        let user = try authenticate(request, allowingPasswordChange: true)
        let object = try Self.jsonObject(request, maxBytes: 8 * 1024)
        let current = object["current_password"]?.stringValue ?? "", new = object["new_password"]?.stringValue ?? ""
        var errors: [String: [String]] = [:]
        if current.isEmpty { errors["current_password"] = ["Enter your current password."] }
        if let problem = AccountRules.passwordProblem(new) { errors["new_password"] = [problem] }
        if !new.isEmpty && new == current { errors["new_password"] = ["Choose a password other than the current one."] }
        if !errors.isEmpty { throw Problem.validation(errors) }
        // The current password is checked under the sign-in throttle, like a sign-in.
        let now = clock(), userKey = "user:" + user.name.lowercased()
        let reservation = try stores.withStore {
            try $0.reserveLoginAttempt(
                limits: [(userKey, configuration.maxFailuresPerUser), ("ip:" + request.remoteAddress, configuration.maxFailuresPerAddress)],
                window: configuration.throttleWindow, budget: nil, knownUser: true, now: now)
        }
        guard case .reserved(let attempt) = reservation else { throw Problem.tooManyAttempts(retryAfter: Int(configuration.throttleWindow)) }
        guard hasher.verify(current, against: user.passwordHash) else {
            throw Problem.validation(["current_password": ["This is not your current password."]])
        }
        confirmLoginReportingFailure(attempt: attempt, clearing: userKey)
        let hash = hasher.hash(new)
        let updated = try stores.withStore {
            try $0.updateUser(
                name: user.name, change: .password(hash: hash, mustChange: false),
                audit: AuditEntry(
                    actor: user.id, actorName: user.name, action: .passwordChanged, object: user.name,
                    address: request.remoteAddress), now: now)
        }
        return tokenResponse(for: updated, now: now)
    }

    // MARK: Accounts (administrators)

    /// `GET /api/users` (admin): every account.
    func listUsers(_ request: HTTPRequest) throws -> HTTPResponse {
        _ = try authenticate(request, minimum: .admin)
        let users = try stores.withStore { try $0.users() }
        return JSONOutput.object(["items": .array(users.map(Self.representation(of:)))]).response()
    }

    /// `POST /api/users` (admin): `{"name", "role", "password"}`; the password is for one use.
    func createUser(_ request: HTTPRequest) throws -> HTTPResponse {
        let admin = try authenticate(request, minimum: .admin)
        let object = try Self.jsonObject(request, maxBytes: 8 * 1024)
        let name = Self.trimmed(object["name"]?.stringValue ?? "")
        let password = object["password"]?.stringValue ?? ""
        var errors = AccountAdministration.problems(name: name, password: password)
        let role = (object["role"]?.stringValue).flatMap(Role.init(rawValue:))
        if role == nil { errors["role"] = ["Choose officer, reviewer or admin."] }
        for key in object.keys where !["name", "role", "password"].contains(key) { errors[key] = ["Unknown field."] }
        guard errors.isEmpty, let role else { throw Problem.validation(errors) }
        let user = try administering { store in
            try accounts.addUser(
                name: name, password: password, role: role, oneTimePassword: true, by: Actor(admin, address: request.remoteAddress),
                in: store, now: clock())
        }
        return Self.representation(of: user).response(status: 201, headers: [("Location", request.basePath + "/api/users/" + name)])
    }

    /// `PATCH /api/users/{name}` (admin): any of `{"role", "disabled", "password"}` (a new
    /// one-time password). An administrator cannot disable or demote their own account.
    func updateUser(_ request: HTTPRequest, name: String) throws -> HTTPResponse {
        let admin = try authenticate(request, minimum: .admin)
        let object = try Self.jsonObject(request, maxBytes: 8 * 1024)
        var errors: [String: [String]] = [:]
        var edits: [AccountAdministration.Edit] = []
        if let value = object["role"] {
            if let role = value.stringValue.flatMap(Role.init(rawValue:)) {
                edits.append(.role(role))
            } else {
                errors["role"] = ["Choose officer, reviewer or admin."]
            }
        }
        if let value = object["disabled"] {
            if case .bool(let disabled) = value { edits.append(.disabled(disabled)) } else { errors["disabled"] = ["disabled is true or false."] }
        }
        if let value = object["password"] { edits.append(.password(value.stringValue ?? "", oneTime: true)) }
        for key in object.keys where !["role", "disabled", "password"].contains(key) { errors[key] = ["Unknown field."] }
        let actor = Actor(admin, address: request.remoteAddress)
        if errors.isEmpty || !edits.isEmpty { errors.merge(AccountAdministration.problems(changing: name, edits, by: actor)) { $1 } }
        if !errors.isEmpty { throw Problem.validation(errors) }
        let user = try administering { store in try accounts.change(name, edits, by: actor, in: store, now: clock()) }
        return Self.representation(of: user).response()
    }

    /// Runs an account use case on a store, its refusals as problems.
    private func administering(_ body: (any GovernanceStore) throws -> User) throws -> User {
        do {
            return try stores.withStore { try body($0) }
        } catch let refusal as AccountAdministration.Refusal {
            switch refusal {
            case .invalid(let errors): throw Problem.validation(errors)
            case .userExists(let name):
                throw Problem(type: "conflict", title: "User exists", status: 409, detail: "A user named \(name) exists already.")
            case .noSuchUser: throw Problem.notFound(refusal.description)
            }
        }
    }

    /// The account use cases, hashing on the service's hashing threads.
    var accounts: AccountAdministration { AccountAdministration(hash: { [hasher] in hasher.hash($0) }) }

    static func representation(of user: User) -> JSONOutput {
        .object([
            "name": .string(user.name), "role": .string(user.role.rawValue), "disabled": .bool(user.disabled),
            "must_change_password": .bool(user.mustChangePassword), "created_at": .string(Timestamp.rfc3339(user.createdAt)),
            "language": user.language.map(JSONOutput.string) ?? .null,
        ])
    }

    // MARK: Audit trail

    /// `GET /api/audit?user=&action=&since=&until=&before=&limit=` (admin): newest first.
    func listAudit(_ request: HTTPRequest) throws -> HTTPResponse {
        _ = try authenticate(request, minimum: .admin)
        let query = request.queryItems
        var errors: [String: [String]] = [:]
        var filter = AuditFilter(actorName: query["user"])
        if let action = query["action"] {
            if let value = AuditAction(rawValue: action) {
                filter.action = value
            } else {
                errors["action"] = ["action must be one of: \(AuditAction.allCases.map(\.rawValue).joined(separator: ", "))."]
            }
        }
        for (key, assign) in [("since", { (value: Double) in filter.since = value }), ("until", { filter.until = $0 })] {
            guard let text = query[key] else { continue }
            if let seconds = Self.dayOrSeconds(text) {
                assign(seconds)
            } else {
                errors[key] = ["\(key) must be a date YYYY-MM-DD or seconds since 1970."]
            }
        }
        if let text = query["before"] {
            if let value = Int64(text), value > 0 { filter.before = value } else { errors["before"] = ["before must be a row number."] }
        }
        let limit = Self.limit(query, default: 50, maximum: 500, errors: &errors)
        if !errors.isEmpty { throw Problem.badRequest("The query has invalid parameters.", errors: errors) }
        let records = try stores.withStore { try $0.auditRecords(filter, limit: limit) }
        let items: [JSONOutput] = records.map { record in
            .object([
                "seq": .number(Double(record.seq)), "at": .string(Timestamp.rfc3339(record.at)),
                "user": .string(record.entry.actorName), "action": .string(record.entry.action.rawValue), "object": .string(record.entry.object),
                "detail": .string(record.entry.detail), "address": .string(record.entry.address),
            ])
        }
        var next: JSONOutput = .null
        if records.count == limit, let last = records.last {
            var items = request.queryItems
            items["before"] = String(last.seq)
            next = .string(Self.link(request, "/api/audit", items.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
        }
        return JSONOutput.object(["items": .array(items), "next": next]).response()
    }

    /// A day `YYYY-MM-DD` (UTC midnight) or seconds since 1970.
    static func dayOrSeconds(_ text: String) -> Double? {
        if let seconds = Double(text), seconds.isFinite { return seconds }
        return CalendarDay.days(text).map { Double($0) * 86_400 }
    }

    // MARK: Helpers

    /// The body as a JSON object of at most `maxBytes`, or a problem.
    static func jsonObject(_ request: HTTPRequest, maxBytes: Int) throws -> [String: JSONValue] {
        if request.bodyTooLarge || request.body.count > maxBytes { throw Problem.tooLarge(limit: maxBytes) }
        let contentType = request.header("content-type")?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") else { throw Problem.unsupportedMediaType("application/json") }
        guard case .object(let object) = try RequestJSON.parse(request.body) else {
            throw Problem.validation(["": ["The body must be a JSON object."]])
        }
        return object
    }

    static func trimmed(_ text: String) -> String { text.trimmingSpaces() }
}

extension JSONValue {
    /// The text of a string value, else nil.
    var stringValue: String? { if case .string(let text) = self { return text } else { return nil } }
}
