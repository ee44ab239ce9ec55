import CreditHTTP

/// A handler: the service, the request and the path's parameter (the `{id}` or `{name}`, empty
/// when the template has none).
typealias RouteHandler = @Sendable (CreditService, HTTPRequest, String) throws -> HTTPResponse

/// One route of the API: a path template and the handler of each method it answers.
struct Route: Sendable {
    /// `/api/predictions/{id}/decision`: literal segments and at most one `{parameter}`.
    let template: String
    let handlers: [(method: String, handle: RouteHandler)]
    /// The template's segments, split once.
    let segments: [Substring]

    init(_ template: String, get: RouteHandler? = nil, post: RouteHandler? = nil, put: RouteHandler? = nil, patch: RouteHandler? = nil) {
        self.template = template
        handlers = [("GET", get), ("POST", post), ("PUT", put), ("PATCH", patch)].compactMap { method, handle in handle.map { (method, $0) } }
        segments = template.split(separator: "/", omittingEmptySubsequences: false)
    }

    var methods: [String] { handlers.map(\.method) }

    /// The path's parameter when `segments` (of a request path) match the template, else nil.
    func match(_ path: [Substring]) -> String? {
        guard path.count == segments.count else { return nil }
        var parameter = ""
        for (given, expected) in zip(path, segments) {
            if expected.first == "{" {
                guard !given.isEmpty else { return nil }
                parameter = String(given)
            } else if given != expected {
                return nil
            }
        }
        return parameter
    }
}

/// Every route of the API, once: it drives dispatch (``CreditService/route(_:)``), the route label
/// of the metrics and logs, and the test that the OpenAPI file documents exactly these routes.
enum RouteTable {
    static let routes: [Route] = [
        Route("/api/token", post: { service, request, _ in try service.issueToken(request) }),
        Route(
            "/api/predictions", get: { service, request, _ in try service.listPredictions(request) },
            post: { service, request, _ in try service.submitPrediction(request) }),
        Route("/api/predictions/{id}", get: { service, request, parameter in try service.getPrediction(request, id: parameter) }),
        Route("/api/predictions/{id}/decision", post: { service, request, parameter in try service.decide(request, id: parameter) }),
        Route("/api/predictions/{id}/review", post: { service, request, parameter in try service.requestReview(request, id: parameter) }),
        Route(
            "/api/predictions/{id}/review-request",
            post: { service, request, parameter in try service.requestCustomerReview(request, id: parameter) }),
        Route(
            "/api/predictions/{id}/verified-inputs",
            post: { service, request, parameter in try service.correctVerifiedInputs(request, id: parameter) }),
        Route("/api/predictions/{id}/letter", get: { service, request, parameter in try service.predictionLetter(request, id: parameter) }),
        Route("/api/schema", get: { service, request, _ in try service.schema(request) }),
        Route("/api/locale", get: { service, _, _ in service.locale() }),
        Route("/api/model", get: { service, _, _ in try service.modelCard() }),
        Route("/api/model/comparison", get: { service, request, _ in try service.modelComparison(request) }),
        Route("/api/monitoring", get: { service, request, _ in try service.monitoring(request) }),
        Route("/api/metrics", get: { service, request, _ in try service.metrics(request) }),
        Route("/api/health", get: { service, _, _ in try service.health() }),
        Route("/api/health/live", get: { service, _, _ in service.liveness() }),
        Route("/api/health/ready", get: { service, _, _ in service.readiness() }),
        Route(
            "/api/batches", get: { service, request, _ in try service.listBatches(request) },
            post: { service, request, _ in try service.submitBatch(request) }),
        Route("/api/batches/template.csv", get: { service, request, _ in try service.batchTemplate(request) }),
        Route("/api/batches/{id}", get: { service, request, parameter in try service.getBatch(request, id: parameter) }),
        Route("/api/batches/{id}/results.csv", get: { service, request, parameter in try service.batchResults(request, id: parameter) }),
        Route("/api/reviews", get: { service, request, _ in try service.listReviews(request) }),
        Route("/api/review-requests", get: { service, request, _ in try service.listReviewRequests(request) }),
        Route("/api/review-reasons", get: { service, request, _ in try service.reviewReasons(request) }),
        Route("/api/account", get: { service, request, _ in try service.account(request) }),
        Route("/api/account/password", post: { service, request, _ in try service.changePassword(request) }),
        Route("/api/account/language", put: { service, request, _ in try service.setLanguage(request) }),
        Route(
            "/api/users", get: { service, request, _ in try service.listUsers(request) },
            post: { service, request, _ in try service.createUser(request) }),
        Route("/api/users/{name}", patch: { service, request, parameter in try service.updateUser(request, name: parameter) }),
        Route("/api/audit", get: { service, request, _ in try service.listAudit(request) }),
    ]

    /// The route a path names and its parameter, or nil. One trailing slash is ignored; an
    /// empty segment (`/api//token`) matches nothing.
    static func match(_ path: String) -> (route: Route, parameter: String)? {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? path.dropLast() : Substring(path)
        let segments = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        for route in routes {
            if let parameter = route.match(segments) { return (route, parameter) }
        }
        return nil
    }

    /// The label of a path in metrics and logs: its route's template, or `other` (so that no
    /// label is made from what a client typed).
    static func label(_ path: String) -> String { match(path)?.route.template ?? "other" }
}
