import CreditAuth
import CreditLog
import CreditStore
import CreditTestSupport
import Foundation
import XCTest

@testable import CreditAPI

/// Failures that leave a trace: an audit row the database refuses is logged at error level with
/// the request's id and counted in `credit_audit_write_failures_total`. A sign-in or a refused
/// token stands without its row; a submission, whose row shares its transaction, is refused.
/// The handlers run on a real SQLite file; a trigger makes the audit table refuse every row.
final class AuditFailureTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var service: CreditService!
    private let lines = Locked<[CapturedLine]>([])
    private let password = "a long enough password"

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(prefix: "audit")
        let configuration = try TestConfiguration.inDirectory(directory)
        let hasher = PasswordHasher(parameters: .fastForTests)
        let now = 1_800_000_000.0
        _ = try SQLiteStore(path: configuration.databasePath).createUser(name: "alice", passwordHash: hasher.hash(password), now: now)
        let lines = self.lines
        service = try CreditService(
            configuration: configuration, hasher: hasher, clock: { now },
            logger: Logger(label: "credit-fcgi", factory: { _ in CapturingLogHandler(lines: lines) }))
    }

    override func tearDownWithError() throws {
        service = nil
        directory.remove()
    }

    /// From now on, every insert into the audit table fails.
    private func refuseAuditRows() throws {
        try SQLiteDatabase(path: service.configuration.databasePath)
            .executeScript("CREATE TRIGGER audit_refuse BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'audit refused'); END;")
    }

    private func login(_ secret: String, requestID: String) -> HTTPResponse {
        service.handle(
            HTTPRequest(
                method: "POST", path: "/api/token", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                body: Array("username=alice&password=\(secret.replacingOccurrences(of: " ", with: "+"))".utf8),
                remoteAddress: "10.0.0.1", requestID: requestID))
    }

    private func json(_ response: HTTPResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }

    private func text(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    /// The error lines logged with `message`.
    private func errors(_ message: String) -> [CapturedLine] {
        lines.value.filter { $0.level == .error && $0.message == message }
    }

    /// The value of the metric's sample, from `GET /api/metrics` (asked from loopback).
    private func metric(_ name: String) throws -> String? {
        let response = service.handle(HTTPRequest(method: "GET", path: "/api/metrics", remoteAddress: "127.0.0.1"))
        XCTAssertEqual(response.status, 200, text(response))
        let exposition = text(response)
        XCTAssertTrue(exposition.contains("# HELP \(name) "), "a HELP line")
        XCTAssertTrue(exposition.contains("# TYPE \(name) counter\n"), "a TYPE line")
        return exposition.split(separator: "\n").first { $0.hasPrefix(name + " ") }.map { String($0.dropFirst(name.count + 1)) }
    }

    func testASignInStandsWhenItsAuditRowCannotBeWritten() throws {
        XCTAssertEqual(try metric("credit_audit_write_failures_total"), "0", "exposed from the start")
        try refuseAuditRows()
        let response = login(password, requestID: "req-sign-in-0001")
        XCTAssertEqual(response.status, 200, text(response))
        XCTAssertNotNil(json(response)["access_token"] as? String)
        let logged = errors("audit write failed")
        XCTAssertEqual(logged.count, 1)
        let line = try XCTUnwrap(logged.first)
        XCTAssertEqual(line.metadata["request_id"], .string("req-sign-in-0001"))
        XCTAssertEqual(line.metadata["audit_action"], .string("sign_in"))
        XCTAssertEqual(line.metadata["audit_actor"], .string("alice"))
        XCTAssertTrue(line.metadata["error"]?.description.contains("audit refused") ?? false, "\(line.metadata)")
        XCTAssertEqual(try metric("credit_audit_write_failures_total"), "1")
        // The request's own line is an ordinary success.
        let request = try XCTUnwrap(lines.value.first { $0.message == "request" && $0.metadata["request_id"] == .string("req-sign-in-0001") })
        XCTAssertEqual(request.level, .info)
        XCTAssertEqual(request.metadata["status"]?.description, "200")

        // A failed sign-in: the same answer as ever, its lost row logged (without the name tried when it matches no account).
        let wrong = login("not the password at all", requestID: "req-sign-in-0002")
        XCTAssertEqual(wrong.status, 400)
        XCTAssertEqual(json(wrong)["error"] as? String, "invalid_grant")
        XCTAssertFalse(text(wrong).contains("audit"), "no internal text for the client")
        let failed = try XCTUnwrap(errors("audit write failed").first { $0.metadata["request_id"] == .string("req-sign-in-0002") })
        XCTAssertEqual(failed.metadata["audit_action"], .string("sign_in_failed"))
        XCTAssertEqual(failed.metadata["audit_detail"], .string("wrong password"))
        XCTAssertEqual(try metric("credit_audit_write_failures_total"), "2")
    }

    func testARefusedTokenIsStillRefusedWhenItsAuditRowCannotBeWritten() throws {
        let token = try XCTUnwrap(json(login(password, requestID: "req-sign-in-0003"))["access_token"] as? String)
        try SQLiteStore(path: service.configuration.databasePath).setDisabled(name: "alice", disabled: true)
        try refuseAuditRows()
        let response = service.handle(
            HTTPRequest(
                method: "GET", path: "/api/predictions", headers: ["Authorization": "Bearer \(token)"],
                requestID: "req-refused-0001"))
        XCTAssertEqual(response.status, 401)
        XCTAssertTrue((json(response)["detail"] as? String)?.contains("disabled") ?? false, text(response))
        let line = try XCTUnwrap(errors("audit write failed").first)
        XCTAssertEqual(line.metadata["request_id"], .string("req-refused-0001"))
        XCTAssertEqual(line.metadata["audit_action"], .string("token_refused"))
        XCTAssertEqual(try metric("credit_audit_write_failures_total"), "1")
    }

    func testASubmissionIsRefusedWhenItsAuditRowCannotBeWritten() throws {
        XCTAssertTrue(service.configuration.auditSubmissions, "submissions are audited by default")
        let token = try XCTUnwrap(json(login(password, requestID: "req-sign-in-0004"))["access_token"] as? String)
        try refuseAuditRows()
        let application = """
            {"payment_day": 10, "marital_status": 2, "quant_dependants": 0, "residencial_state": "SP", "flag_residencial_phone": "Y",
             "flag_email": 1, "personal_monthly_income": 900, "quant_banking_accounts": 0, "company": "N", "flag_professional_phone": "N",
             "product": 1, "age": 29, "residencial_zip_3": "123", "applicant_name": "Ana"}
            """
        func submit(_ requestID: String) -> HTTPResponse {
            service.handle(
                HTTPRequest(
                    method: "POST", path: "/api/predictions",
                    headers: ["Content-Type": "application/json", "Authorization": "Bearer \(token)"],
                    body: Array(application.utf8), requestID: requestID))
        }
        let response = submit("req-submit-0001")
        XCTAssertEqual(response.status, 503, text(response))
        XCTAssertEqual(response.header("Content-Type"), "application/problem+json")
        XCTAssertEqual(json(response)["status"] as? Int, 503)
        XCTAssertEqual(json(response)["detail"] as? String, "The database cannot be used right now; retry shortly.", "no internal text")
        XCTAssertFalse(text(response).contains("audit"))
        XCTAssertEqual(try SQLiteStore(path: service.configuration.databasePath).allJobs(after: nil, limit: 10).count, 0, "no job stored")
        // The request's line carries the database's error and the request's id.
        let request = try XCTUnwrap(lines.value.first { $0.message == "request" && $0.metadata["request_id"] == .string("req-submit-0001") })
        XCTAssertEqual(request.level, .error)
        XCTAssertTrue(request.metadata["error"]?.description.contains("audit refused") ?? false, "\(request.metadata)")

        // Without the trigger the same submission goes through: it was the audit row that failed it.
        try SQLiteDatabase(path: service.configuration.databasePath).executeScript("DROP TRIGGER audit_refuse;")
        XCTAssertEqual(submit("req-submit-0002").status, 202)
        XCTAssertEqual(try SQLiteStore(path: service.configuration.databasePath).allJobs(after: nil, limit: 10).count, 1)
    }

    func testHealthAndReadinessLogTheDatabaseErrorTheyHide() throws {
        try SQLiteDatabase(path: service.configuration.databasePath).executeScript(
            """
            CREATE TRIGGER readiness_refuse_insert BEFORE INSERT ON readiness BEGIN SELECT RAISE(ABORT, 'probe refused'); END;
            CREATE TRIGGER readiness_refuse_update BEFORE UPDATE ON readiness BEGIN SELECT RAISE(ABORT, 'probe refused'); END;
            """)
        let ready = service.handle(HTTPRequest(method: "GET", path: "/api/health/ready", requestID: "req-ready-0001"))
        XCTAssertEqual(ready.status, 503)
        XCTAssertEqual((json(ready)["checks"] as? [String: Any])?["database"] as? String, "cannot write")
        XCTAssertFalse(text(ready).contains("refused"), "no internal text for the client")
        let readyLine = try XCTUnwrap(errors("readiness check: database cannot write").first)
        XCTAssertEqual(readyLine.metadata["request_id"], .string("req-ready-0001"))
        XCTAssertTrue(readyLine.metadata["error"]?.description.contains("probe refused") ?? false, "\(readyLine.metadata)")

        try SQLiteDatabase(path: service.configuration.databasePath).executeScript("ALTER TABLE heartbeats RENAME TO heartbeats_gone;")
        let health = service.handle(HTTPRequest(method: "GET", path: "/api/health", requestID: "req-health-0001"))
        XCTAssertEqual(health.status, 503)
        XCTAssertEqual(json(health)["database"] as? String, "unreachable")
        XCTAssertFalse(text(health).contains("heartbeats"), "no internal text for the client")
        let healthLine = try XCTUnwrap(errors("health check: database unreachable").first)
        XCTAssertEqual(healthLine.metadata["request_id"], .string("req-health-0001"))
        XCTAssertTrue(healthLine.metadata["error"]?.description.contains("heartbeats") ?? false, "\(healthLine.metadata)")
    }
}

/// One logged event, as the test reads it back.
struct CapturedLine: Sendable {
    var level: Logger.Level
    var message: String
    var metadata: Logger.Metadata
}

/// A log handler that keeps every event in memory (from info up, as the responder logs by default).
struct CapturingLogHandler: LogHandler {
    let lines: Locked<[CapturedLine]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        lines.withLock { $0.append(CapturedLine(level: event.level, message: event.message.description, metadata: merged)) }
    }
}
