import CreditAuth
import CreditLog
import CreditSchema
import CreditStore
import CreditJSON
import CreditSystem
import CreditText
import Synchronization

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
    /// `GET /api/schema` in each language, made on first use: a language nobody asks for costs
    /// neither its catalog nor its document in memory.
    private let schemaJSON = Mutex<[Language: [UInt8]]>([:])
    let modelInfo: ModelInfo
    let signInGate: SignInGate
    /// Request counters and latencies for `/api/metrics`.
    let serviceMetrics = ServiceMetrics()
    /// One line per request (never a password, token or application); silent unless given.
    let logger: Logger
    let clock: @Sendable () -> Double
    /// `CREDIT_TIME_ZONE`'s offsets, read once (UTC when the system has no file for it): the day a letter is dated.
    let zoneOffsets: ZoneOffsets

    /// Opens the database (migrating it) and loads the signing key; refuses to start without one.
    public init(
        configuration: ServiceConfiguration, hasher: PasswordHasher = PasswordHasher(),
        clock: @escaping @Sendable () -> Double = SystemClock.wall,
        logger: Logger = Logger(label: "credit-fcgi", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws {
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
        modelInfo = ModelInfo()
        signInGate = SignInGate(
            rate: configuration.signInRate, burst: configuration.signInBurst, unknownRate: configuration.unknownSignInRate,
            unknownBurst: configuration.unknownSignInBurst, maxInFlight: configuration.maxSignInsInFlight)
        self.clock = clock
        zoneOffsets = ZoneOffsets(zone: configuration.timeZone) ?? .utc
    }

    /// Answers one request. Every failure becomes a problem-details response.
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let started = SystemClock.monotonic()
        let context = RequestLog(requestID: request.requestID)
        var response: HTTPResponse
        var failure: String?
        do {
            response = try RequestLog.$current.withValue(context) { try self.route(request) }
        } catch let problem as Problem {
            response = problem.response(in: language(of: request).catalog)
        } catch let error as StoreError {
            // SQLite's own message stays in the server (it may name files and tables): logged, not sent.
            failure = error.description
            response =
                Problem.unavailable(error.isBusy ? "The database is busy; retry shortly." : "The database cannot be used right now; retry shortly.")
                .response(in: language(of: request).catalog)
        } catch {
            failure = "\(error)"
            response = Problem(type: "internal", title: "Internal error", status: 500, detail: "The request could not be completed.")
                .response(in: language(of: request).catalog)
        }
        // Tokens, applications and results must never sit in a cache.
        if response.header("Cache-Control") == nil { response.headers.append(("Cache-Control", "no-store")) }
        let routeName = RouteTable.label(request.path), seconds = SystemClock.monotonic() - started
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

    /// Dispatches through ``RouteTable``: 404 for a path no route names, 405 (with `Allow`) for a
    /// method the route does not answer; HEAD is answered as GET.
    func route(_ request: HTTPRequest) throws -> HTTPResponse {
        guard let (route, parameter) = RouteTable.match(request.path) else {
            throw Problem.notFound("There is no resource at \(request.basePath + request.path); see \(request.basePath)/openapi.json for the API.")
        }
        let method = request.method == "HEAD" && route.methods.contains("GET") ? "GET" : request.method
        guard let handler = route.handlers.first(where: { $0.method == method }) else { throw Problem.methodNotAllowed(route.methods) }
        return try handler.handle(self, request, parameter)
    }

    /// The language to answer `request` in: the first of its `Accept-Language` the product speaks,
    /// else the deployment's (`CREDIT_LANGUAGE`).
    func language(of request: HTTPRequest) -> Language {
        Language.negotiate(acceptLanguage: request.header("Accept-Language"), fallback: configuration.language)
    }

    /// `GET /api/locale`: the languages the product speaks, the deployment's default and the time
    /// zone dates are shown in. Public: the sign-in page needs it before anyone signs in.
    func locale() -> HTTPResponse {
        JSONOutput.object([
            "default_language": .string(configuration.language.rawValue),
            "languages": .array(Language.allCases.map { .string($0.rawValue) }),
            "time_zone": .string(configuration.timeZone),
        ]).response(headers: [("Cache-Control", "public, max-age=300")])
    }

    /// `GET /api/schema`: the applicant schema in the request's language (cached by browsers for
    /// five minutes, per language).
    func schema(_ request: HTTPRequest) throws -> HTTPResponse {
        let language = language(of: request)
        let body =
            try schemaJSON.withLock { cache in
                if let bytes = cache[language] { return bytes }
                let bytes = try SchemaDocument(schema: .pakdd, catalog: language.catalog).json().bytes
                cache[language] = bytes
                return bytes
            }
        return HTTPResponse(
            status: 200,
            headers: [
                ("Content-Type", "application/json"), ("Cache-Control", "public, max-age=300"), ("Vary", "Accept-Language"),
                ("Content-Language", language.rawValue),
            ], body: body)
    }
}
