import CreditAuth
import CreditGovernance
import CreditJSON
import CreditSchema
import CreditStore
import CreditSystem

extension CreditService {
    /// `POST /api/predictions`: validates an application and queues it; 202 once it is committed.
    func submitPrediction(_ request: HTTPRequest) throws -> HTTPResponse {
        // The token is checked here; the account's state and the token's generation are checked
        // by the store as it commits the job.
        let caller = try caller(request)
        let (userID, generation, actorName) = (caller.id, caller.generation, caller.name)
        if request.bodyTooLarge || request.body.count > configuration.maxBodyBytes { throw Problem.tooLarge(limit: configuration.maxBodyBytes) }
        let contentType = request.header("content-type")?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") || contentType.hasPrefix("application/") && contentType.contains("+json") else {
            throw Problem.unsupportedMediaType("application/json")
        }
        let applicant = try RequestJSON.application(request.body, schema: .pakdd)
        var key: String?
        if let header = request.header("idempotency-key") {
            guard (1...200).contains(header.utf8.count), header.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw Problem.badRequest(
                    "The Idempotency-Key header must be 1 to 200 visible ASCII characters.",
                    errors: ["Idempotency-Key": ["Use 1 to 200 visible ASCII characters, e.g. a UUID."]])
            }
            key = header
        }
        // `?rescore_of=ID`: an edited copy of one of the caller's own applications, scored again.
        let rescoreOf = request.queryItems["rescore_of"]
        if let rescoreOf {
            guard Self.isJobID(rescoreOf), try stores.withStore({ try $0.job(id: rescoreOf, owner: userID) }) != nil else {
                throw Problem.badRequest(
                    "rescore_of must be the id of one of your applications.",
                    errors: ["rescore_of": ["Give the id of the application this one re-scores."]])
            }
        }
        let result: EnqueueResult
        do {
            // The store keeps the validated record, not the body: the application is stored once.
            result = try stores.enqueue(
                Submission(
                    owner: userID, payload: "", idempotencyKey: key,
                    requestHash: key == nil ? nil : SHA256Digest.hex(request.body), rescoreOf: rescoreOf,
                    record: ApplicantRecord.encode(applicant), tokenGeneration: generation,
                    audit: configuration.auditSubmissions
                        ? AuditEntry(
                            actor: userID, actorName: actorName, action: .submission,
                            address: request.remoteAddress) : nil,
                    applicantName: applicant.name(in: .pakdd), clientID: applicant.clientID(in: .pakdd),
                    now: clock()))
        } catch {
            // The account cannot submit: the one authentication path says why (disabled, token
            // revoked, or a one-time password to change first).
            if case .ownerInactive = error {
                _ = try authenticate(request, auditingRefusal: false)
                throw Self.inactiveAccount
            }
            if case .idempotencyKeyReused = error { throw Problem.idempotencyKeyReuse() }
            throw error
        }
        let location = request.basePath + "/api/predictions/\(result.job.id)"
        var headers = [("Location", location)]
        if !result.created { headers.append(("Idempotent-Replayed", "true")) }
        return JSONOutput.object(["id": .string(result.job.id), "status": .string(result.job.status.rawValue), "status_url": .string(location)])
            .response(status: 202, headers: headers)
    }

    /// `GET /api/predictions/{id}`: one of the caller's jobs; for a reviewer also any application
    /// with a review (or re-scoring one), for an administrator any application. Viewing another's is audited. The
    /// answer carries the review (final decision) when there is one, and for an administrator the
    /// challenger's result when one was scored in the shadow (`challenger_result`; never for officers).
    func getPrediction(_ request: HTTPRequest, id: String) throws -> HTTPResponse {
        let user = try authenticate(request)
        let (job, review, ownerName) = try visibleJob(id, to: user, request)
        let shadow = user.role.includes(.admin) ? try stores.withStore { try $0.shadowResult(jobID: id) } : nil
        var representation = Self.representation(of: job, submittedBy: ownerName, withApplication: true)
        if case .object(var members) = representation {
            members["review"] = review.map { Self.representation(of: $0, job: job, now: clock()) } ?? .null
            if let shadow, !shadow.challengerResult.isEmpty { members["challenger_result"] = .raw(shadow.challengerResult) }
            representation = .object(members)
        }
        return representation.response()
    }

    /// The job `id` as `user` may see it (``getPrediction(_:id:)``'s rules), with its review and
    /// the name of who submitted it; 404 otherwise. Seeing another's application is audited.
    func visibleJob(_ id: String, to user: User, _ request: HTTPRequest) throws -> (job: Job, review: Review?, ownerName: String) {
        let notFound = Problem.notFound("You have no prediction with id \(id.prefix(64)).")
        guard Self.isJobID(id) else { throw notFound }
        return try stores.withStore { store in
            // Only a scored application can be in review: a status poll of a queued one asks no more.
            if let own = try store.job(id: id, owner: user.id) { return (own, own.status == .done ? try store.review(jobID: id) : nil, user.name) }
            guard user.role.includes(.reviewer), let other = try store.job(id: id) else { throw notFound }
            let review = try store.review(jobID: id)
            // A reviewer sees applications that reached review, and their re-scores (one made with
            // verified inputs is shown beside the original); an administrator sees all.
            let reviewed = try review != nil || other.rescoreOf.map { try store.review(jobID: $0) != nil } == true
            guard user.role.includes(.admin) || reviewed else { throw notFound }
            try appendAuditOrFail(
                AuditEntry(actor: user.id, actorName: user.name, action: .view, object: id, address: request.remoteAddress),
                now: clock(), to: store)
            return (other, review, try store.user(id: other.owner)?.name ?? "user \(other.owner)")
        }
    }

    /// `GET /api/predictions?q=&decision=&from=&to=&tz_offset_minutes=&batch=&limit=&before=`: the
    /// caller's own applications, a batch's rows too unless `batch=exclude`, newest first, searched
    /// and filtered by the store (see ``historyQuery(_:errors:)``); `next` repeats the filters.
    func listPredictions(_ request: HTTPRequest) throws -> HTTPResponse {
        let user = try authenticate(request)
        let items = request.queryItems
        var errors: [String: [String]] = [:]
        let limit = Self.limit(items, default: 20, maximum: 100, errors: &errors)
        let before = items["before"]
        if let before, !Self.isJobID(before) { errors["before"] = ["before must be the id of one of your predictions."] }
        let query = Self.historyQuery(items, errors: &errors)
        if !errors.isEmpty { throw Problem.badRequest("The query has invalid parameters.", errors: errors) }
        let found = try stores.withStore { try $0.jobs(owner: user.id, matching: query, limit: limit, before: before) }
        var jobs = found.jobs
        // A page stays within a byte budget whatever its jobs hold; the rest is on the next page.
        var bytes = 0, kept = 0
        while kept < jobs.count {
            bytes += 400 + (jobs[kept].result?.utf8.count ?? 0) + (jobs[kept].error?.utf8.count ?? 0)
            if bytes > Self.historyPageBytes && kept > 0 { break }
            kept += 1
        }
        let cursor = kept < jobs.count ? jobs[kept - 1].id : found.next
        jobs.removeSubrange(kept...)
        let filters = Self.historyFilterKeys.compactMap { key in items[key].flatMap { $0.isEmpty ? nil : (key, $0) } }
        let next: JSONOutput =
            cursor.map { .string(Self.link(request, "/api/predictions", [("limit", String(limit)), ("before", $0)] + filters)) } ?? .null
        // The final decision leads wherever a reviewer has decided: each item carries its review.
        let reviews = try stores.withStore { try $0.reviews(jobIDs: jobs.filter { $0.status == .done }.map(\.id)) }
        let reviewByJob = Dictionary(reviews.map { ($0.jobID, $0) }, uniquingKeysWith: { first, _ in first })
        let now = clock()
        let page = jobs.map { job -> JSONOutput in
            guard let review = reviewByJob[job.id], case .object(var members) = Self.representation(of: job) else {
                return Self.representation(of: job)
            }
            members["review"] = Self.representation(of: review, job: job, now: now)
            return .object(members)
        }
        return JSONOutput.object(["items": .array(page), "next": next]).response()
    }

    /// The most a history page holds, about: results and errors, plus 400 bytes a job.
    static let historyPageBytes = 256 * 1024

    /// The `limit` query parameter: `default` when absent, an error when not a whole number from 1 to `maximum`.
    static func limit(_ query: [String: String], default fallback: Int, maximum: Int, errors: inout [String: [String]]) -> Int {
        guard let text = query["limit"] else { return fallback }
        if let value = Int(text), (1...maximum).contains(value) { return value }
        errors["limit"] = ["limit must be a whole number from 1 to \(maximum)."]
        return fallback
    }

    static func isJobID(_ text: String) -> Bool {
        text.utf8.count == 32 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// A job as the API shows it; one job alone also carries the application as validated and
    /// who submitted it (a history page leaves them out, to stay small).
    static func representation(of job: Job, submittedBy: String? = nil, withApplication: Bool = false) -> JSONOutput {
        func time(_ value: Double?) -> JSONOutput { value.map { .string(Timestamp.rfc3339($0)) } ?? .null }
        // From their own columns: a history page parses no application. A client id is a number
        // in the schema; a batch file's column may hold any reference, given back as text.
        let name: JSONOutput = job.applicantName.map(JSONOutput.string) ?? .null
        let clientID: JSONOutput = job.clientID.map { id in Int64(id).map { .number(Double($0)) } ?? .string(id) } ?? .null
        var members: [String: JSONOutput] = [
            "id": .string(job.id), "status": .string(job.status.rawValue), "submitted_at": time(job.submittedAt),
            "started_at": time(job.startedAt), "completed_at": time(job.completedAt),
            "result": job.result.map { .raw($0) } ?? .null, "error": job.error.map { .string($0) } ?? .null, "applicant_name": name,
            "client_id": clientID, "rescore_of": job.rescoreOf.map { .string($0) } ?? .null,
        ]
        // The validated application, as JSON (null after a retention purge).
        if withApplication {
            members["application"] = ApplicantSchema.pakdd.storedApplication(payload: job.payload, record: job.record).map(JSONOutput.raw) ?? .null
        }
        if let submittedBy { members["submitted_by"] = .string(submittedBy) }
        return .object(members)
    }
}
