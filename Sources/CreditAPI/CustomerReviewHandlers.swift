import CreditGovernance
import CreditJSON
import CreditSchema
import CreditStore
import CreditSystem

/// A customer's request for review (LGPD Art. 20, Lei 12.414/2011 Art. 5) over HTTP: its officer
/// records it, a reviewer corrects the inputs the customer's documents verify (a linked re-score),
/// and administrators list the requests by status and age.
extension CreditService {
    /// `POST /api/predictions/{id}/review-request` (its officer): `{"statement": "…", "documents":
    /// ["pay_slip", …]}` opens a review round of origin `customer`, due `CREDIT_REVIEW_DAYS` days
    /// later, on any scored application, decided by a reviewer or not. 409 while a round is open.
    func requestCustomerReview(_ request: HTTPRequest, id: String) throws -> HTTPResponse {
        let user = try authenticate(request)
        guard Self.isJobID(id) else { throw Problem.notFound("You have no prediction with id \(id.prefix(64)).") }
        let object = try Self.jsonObject(request, maxBytes: 16 * 1024)
        var errors: [String: [String]] = [:]
        let statement = Self.trimmed(object["statement"]?.stringValue ?? "")
        if statement.isEmpty { errors["statement"] = ["Write down what the customer says."] }
        if statement.unicodeScalars.count > ReviewRules.maxStatementLength { errors["statement"] = ["A statement has at most 2,000 characters."] }
        let documents = Self.documents(object["documents"], errors: &errors)
        for key in object.keys where !["statement", "documents"].contains(key) { errors[key] = ["Unknown field."] }
        if !errors.isEmpty { throw Problem.validation(errors) }
        let review = try recordingRequest(id) { store throws(StoreError) in
            try store.requestCustomerReview(
                jobID: id, requester: user,
                request: CustomerReviewRequest(statement: statement, documents: documents, reviewDays: configuration.reviewDays),
                address: request.remoteAddress, now: clock())
        }
        return Self.representation(of: review, job: nil, now: clock()).response(status: 201)
    }

    /// The documents' codes of a request: a list of known codes, each once (absent: none).
    private static func documents(_ value: JSONValue?, errors: inout [String: [String]]) -> [ReviewDocument] {
        guard let value else { return [] }
        let codes = ReviewDocument.allCases.map(\.rawValue).joined(separator: ", ")
        guard case .array(let items) = value else {
            errors["documents"] = ["documents is a list of codes, each one of: \(codes)."]
            return []
        }
        let documents = items.compactMap { $0.stringValue.flatMap(ReviewDocument.init(rawValue:)) }
        if documents.count != items.count || Set(documents).count != documents.count {
            errors["documents"] = ["documents is a list of codes, each one of: \(codes)."]
        }
        return documents
    }

    /// Records a request for review with `body`, the store's refusals as problems.
    func recordingRequest(_ id: String, _ body: (any GovernanceStore) throws(StoreError) -> Review) throws -> Review {
        try stores.withStore { store in
            do {
                return try body(store)
            } catch StoreError.noSuchJob {
                throw Problem.notFound("You have no scored prediction with id \(id).")
            } catch StoreError.conflict(let text) {
                throw Problem(type: "conflict", title: "Already in review", status: 409, detail: text)
            }
        }
    }

    /// `POST /api/predictions/{id}/verified-inputs` (reviewer): `{"fields": {"personal_monthly_income":
    /// 1450, "flag_income_proof": 1}}` corrects inputs the customer's documents verify, while the
    /// application is in the queue. The corrected application is validated like a submission and
    /// queued as a re-score of this one, owned by its officer and kept out of the queue; 202 with
    /// the re-score's id. Only the fields' names are audited.
    func correctVerifiedInputs(_ request: HTTPRequest, id: String) throws -> HTTPResponse {
        let reviewer = try authenticate(request, minimum: .reviewer)
        guard Self.isJobID(id) else { throw Problem.notFound("There is no application with id \(id.prefix(64)).") }
        let object = try Self.jsonObject(request, maxBytes: 16 * 1024)
        var errors: [String: [String]] = [:]
        for key in object.keys where key != "fields" { errors[key] = ["Unknown field."] }
        guard case .object(let fields)? = object["fields"], !fields.isEmpty else {
            errors["fields"] = ["Give the corrected fields as an object of field names and values."]
            throw Problem.validation(errors)
        }
        let schema = ApplicantSchema.pakdd
        for name in fields.keys where schema.field(named: name) == nil { errors["fields." + name] = ["This is not a field of the application."] }
        if !errors.isEmpty { throw Problem.validation(errors) }
        let job = try stores.withStore { store in
            guard let job = try store.job(id: id), job.status == .done else { throw Problem.notFound("There is no scored application with id \(id).") }
            return job
        }
        guard let stored = schema.storedApplication(payload: job.payload, record: job.record),
            case .object(var application)? = try? JSONValue.parse(stored)
        else {
            throw Problem(
                type: "conflict", title: "Application purged", status: 409,
                detail: "The application's inputs are no longer kept (retention), so they cannot be corrected.")
        }
        application.merge(fields) { $1 }
        let applicant = try RequestJSON.application(JSONOutput.object(application.mapValues(JSONOutput.init)).bytes, schema: schema)
        let now = clock()
        let rescore: Job = try stores.withStore { store in
            do {
                return try store.correctInputs(
                    jobID: id,
                    rescore: Submission(
                        owner: job.owner, payload: "", idempotencyKey: nil, rescoreOf: id, record: ApplicantRecord.encode(applicant),
                        applicantName: applicant.name(in: schema), clientID: applicant.clientID(in: schema), now: now),
                    fields: Array(fields.keys), reviewer: reviewer, address: request.remoteAddress, now: now)
            } catch StoreError.conflict(let text) {
                throw Problem(type: "not-in-review", title: "Not in review", status: 409, detail: text)
            } catch StoreError.ownerInactive {
                throw Problem(
                    type: "officer-inactive", title: "The officer's account is inactive", status: 409,
                    detail: "The application's officer is disabled or must change their password; an administrator can enable the account.")
            }
        }
        stores.notifyWorkers()
        let location = request.basePath + "/api/predictions/\(rescore.id)"
        return JSONOutput.object(["id": .string(rescore.id), "status": .string(rescore.status.rawValue), "status_url": .string(location), "rescore_of": .string(id)])
            .response(status: 202, headers: [("Location", location)])
    }

    /// `GET /api/review-requests?status=open|decided&limit=N` (admin): customers' requests for
    /// review, open ones by due date (each with its age in days and whether it is overdue),
    /// decided ones newest first.
    func listReviewRequests(_ request: HTTPRequest) throws -> HTTPResponse {
        _ = try authenticate(request, minimum: .admin)
        let query = request.queryItems
        var errors: [String: [String]] = [:]
        let status = Self.reviewStatus(query, errors: &errors)
        let limit = Self.limit(query, default: 50, maximum: 500, errors: &errors)
        if !errors.isEmpty { throw Problem.badRequest("The query has invalid parameters.", errors: errors) }
        let now = clock()
        let items: [JSONOutput] = try stores.withStore { store in
            try store.reviewRequests(open: status == "open", limit: limit).map { review in
                guard case .object(var members) = Self.representation(of: review, job: try store.job(id: review.jobID), now: now) else {
                    return .null
                }
                members["id"] = .string(review.jobID)
                members["age_days"] = .number(((now - review.openedAt) / 86_400).rounded(.down))
                return .object(members)
            }
        }
        return JSONOutput.object(["items": .array(items)]).response()
    }
}
