import CreditAuth
import CreditLog
import CreditSchema
import CreditStore
#if canImport(Glibc)
import Glibc
#endif

/// The HTTP API as one function from request to response, shared by the FastCGI responder, the
/// CGI mode and the tests. Thread-safe: each call borrows its own database connection.
public final class CreditService: Sendable {
    public let configuration: ServiceConfiguration
    let stores: any StoreProvider
    let signer: JWTSigner
    let hasher: PasswordHasher
    let schemaJSON: [UInt8]
    let modelInfo: ModelInfo
    let signInGate: SignInGate
    /// Request counters and latencies for `/api/metrics`.
    let serviceMetrics = ServiceMetrics()
    /// One line per request (never a password, token or application); silent unless given.
    let logger: Logger
    let clock: @Sendable () -> Double

    /// Opens the database (migrating it) and loads the signing key; refuses to start without one.
    public init(configuration: ServiceConfiguration, hasher: PasswordHasher = PasswordHasher(),
                clock: @escaping @Sendable () -> Double = CreditService.wallClock,
                logger: Logger = Logger(label: "credit-fcgi", factory: { _ in SwiftLogNoOpLogHandler() })) throws {
        self.configuration = configuration
        self.logger = logger
        let key: [UInt8]
        do { key = try SecretKeyFile.load(path: configuration.secretFile) } catch {
            throw ConfigurationError(description: "\(error) (set CREDIT_SECRET_FILE, or run `credit init` to create the key)")
        }
        signer = JWTSigner(key: key, issuer: configuration.issuer, audience: configuration.audience)
        // SQLite: a datagram to the worker beside the file. PostgreSQL notifies inside the commit.
        if case .sqlite = configuration.store {
            let wakeup = QueueWakeupSender(path: configuration.wakeSocket)
            stores = try configuration.store.pool(afterCommit: { wakeup.notify() })
        } else {
            stores = try configuration.store.pool()
        }
        self.hasher = hasher
        schemaJSON = try SchemaDocument(schema: .pakdd).json().bytes
        modelInfo = ModelInfo()
        signInGate = SignInGate(rate: configuration.signInRate, burst: configuration.signInBurst, unknownRate: configuration.unknownSignInRate,
                                unknownBurst: configuration.unknownSignInBurst, maxInFlight: configuration.maxSignInsInFlight)
        self.clock = clock
    }

    /// Seconds since 1970 from the system clock.
    @Sendable public static func wallClock() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// Answers one request. Every failure becomes a problem-details response.
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let started = ServiceMetrics.now()
        let context = RequestLog(requestID: request.requestID)
        var response: HTTPResponse
        var failure: String?
        do {
            response = try RequestLog.$current.withValue(context) { try self.route(request) }
        } catch let problem as Problem {
            response = problem.response
        } catch let error as StoreError {
            // SQLite's own message stays in the server (it may name files and tables): logged, not sent.
            failure = error.description
            response = Problem.unavailable(error.isBusy ? "The database is busy; retry shortly." : "The database cannot be used right now; retry shortly.").response
        } catch {
            failure = "\(error)"
            response = Problem(type: "internal", title: "Internal error", status: 500, detail: "The request could not be completed.").response
        }
        // Tokens, applications and results must never sit in a cache.
        if response.header("Cache-Control") == nil { response.headers.append(("Cache-Control", "no-store")) }
        let routeName = ServiceMetrics.route(request.path), seconds = ServiceMetrics.now() - started
        serviceMetrics.record(route: routeName, method: request.method, status: response.status, seconds: seconds)
        if !request.requestID.isEmpty { response.headers.append(("X-Request-Id", request.requestID)) }
        if logger.logLevel <= .info || failure != nil {
            var metadata: Logger.Metadata = [
                "request_id": .string(request.requestID), "method": .string(request.method), "route": .string(routeName),
                "status": .stringConvertible(response.status), "duration_ms": .stringConvertible((seconds * 1e6).rounded() / 1e3),
                "address": .string(request.remoteAddress),
            ]
            if let user = context.userID { metadata["user_id"] = .stringConvertible(user) }
            if let failure { metadata["error"] = .string(failure) }
            logger.log(level: failure == nil ? .info : .error, "request", metadata: metadata)
        }
        return response
    }

    func route(_ request: HTTPRequest) throws -> HTTPResponse {
        let path = request.path.hasSuffix("/") && request.path.count > 1 ? String(request.path.dropLast()) : request.path
        func only(_ methods: [String], _ handler: () throws -> HTTPResponse) throws -> HTTPResponse {
            let method = request.method == "HEAD" && methods.contains("GET") ? "GET" : request.method
            guard methods.contains(method) else { throw Problem.methodNotAllowed(methods) }
            return try handler()
        }
        switch path {
        case "/api/token":
            return try only(["POST"]) { try issueToken(request) }
        case "/api/predictions":
            return try only(["GET", "POST"]) { request.method == "POST" ? try submitPrediction(request) : try listPredictions(request) }
        case "/api/schema":
            return try only(["GET"]) { HTTPResponse(status: 200, headers: [("Content-Type", "application/json"), ("Cache-Control", "public, max-age=300")], body: schemaJSON) }
        case "/api/model":
            return try only(["GET"]) { try modelCard() }
        case "/api/model/comparison":
            return try only(["GET"]) { try modelComparison(request) }
        case "/api/monitoring":
            return try only(["GET"]) { try monitoring(request) }
        case "/api/metrics":
            return try only(["GET"]) { try metrics(request) }
        case "/api/health/live":
            return try only(["GET"]) { liveness() }
        case "/api/health/ready":
            return try only(["GET"]) { readiness() }
        case "/api/health":
            return try only(["GET"]) { try health() }
        case "/api/batches":
            return try only(["GET", "POST"]) { request.method == "POST" ? try submitBatch(request) : try listBatches(request) }
        case "/api/reviews":
            return try only(["GET"]) { try listReviews(request) }
        case "/api/review-reasons":
            return try only(["GET"]) { try reviewReasons(request) }
        case "/api/account":
            return try only(["GET"]) { try account(request) }
        case "/api/account/password":
            return try only(["POST"]) { try changePassword(request) }
        case "/api/users":
            return try only(["GET", "POST"]) { request.method == "POST" ? try createUser(request) : try listUsers(request) }
        case "/api/audit":
            return try only(["GET"]) { try listAudit(request) }
        default:
            if path.hasPrefix("/api/users/") {
                return try only(["PATCH"]) { try updateUser(request, name: String(path.dropFirst("/api/users/".count))) }
            }
            if path.hasPrefix("/api/batches/") {
                let rest = path.dropFirst("/api/batches/".count)
                if rest.hasSuffix("/results.csv") {
                    return try only(["GET"]) { try batchResults(request, id: String(rest.dropLast("/results.csv".count))) }
                }
                return try only(["GET"]) { try getBatch(request, id: String(rest)) }
            }
            if path.hasPrefix("/api/predictions/") {
                let id = String(path.dropFirst("/api/predictions/".count))
                if id.hasSuffix("/decision") { return try only(["POST"]) { try decide(request, id: String(id.dropLast("/decision".count))) } }
                if id.hasSuffix("/review") { return try only(["POST"]) { try requestReview(request, id: String(id.dropLast("/review".count))) } }
                return try only(["GET"]) { try getPrediction(request, id: id) }
            }
            throw Problem.notFound("There is no resource at \(request.basePath + request.path); see \(request.basePath)/openapi.json for the API.")
        }
    }
}
