import CreditAuth
import CreditGovernance
import CreditJSON
import CreditModel
import CreditStore
import CreditSystem
import CreditTestSupport
import CreditText
import Foundation
import XCTest

@testable import CreditAPI
@testable import CreditWorker

/// The API's handlers called directly: request in, response out, on a real SQLite file.
final class CreditServiceTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var service: CreditService!
    private var now = 1_800_000_000.0
    private let password = "a long enough password"

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(prefix: "api")
        let configuration = try TestConfiguration.inDirectory(directory)
        let hasher = PasswordHasher(parameters: .fastForTests)
        let store = try SQLiteStore(path: configuration.databasePath)
        for name in ["alice", "bob"] { _ = try store.createUser(name: name, passwordHash: hasher.hash(password), now: now) }
        let clock = ManualClock(start: now)
        self.clock = clock
        service = try CreditService(configuration: configuration, hasher: hasher, clock: { clock.now })
    }

    private var clock: ManualClock!

    override func tearDownWithError() throws {
        service = nil
        directory.remove()
    }

    private func json(_ response: HTTPResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }

    private func login(_ user: String, _ secret: String? = nil, address: String = "10.0.0.1") -> HTTPResponse {
        let body = "username=\(user)&password=\((secret ?? password).replacingOccurrences(of: " ", with: "+"))"
        return service.handle(
            HTTPRequest(
                method: "POST", path: "/api/token", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                body: Array(body.utf8), remoteAddress: address))
    }

    private func token(_ user: String = "alice") throws -> String {
        let response = login(user)
        XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self))
        return try XCTUnwrap(json(response)["access_token"] as? String)
    }

    private func submit(_ body: String, token: String?, headers: [String: String] = [:]) -> HTTPResponse {
        var all = ["Content-Type": "application/json"].merging(headers) { $1 }
        if let token { all["Authorization"] = "Bearer \(token)" }
        return service.handle(HTTPRequest(method: "POST", path: "/api/predictions", headers: all, body: Array(body.utf8)))
    }

    private var validApplication: String {
        """
        {"payment_day": 10, "marital_status": 2, "quant_dependants": 0, "residencial_state": "SP", "flag_residencial_phone": "Y",
         "flag_email": 1, "personal_monthly_income": 900, "quant_banking_accounts": 0, "company": "N", "flag_professional_phone": "N",
         "product": 1, "age": 29, "residencial_zip_3": "123", "applicant_name": "Ana"}
        """
    }

    /// Problems, field messages and the schema in the language asked for (Accept-Language), else
    /// the deployment's; the codes (type, field names, option codes) stay as they are.
    func testTheAnswersWordsFollowTheLanguageAndTheCodesDoNot() throws {
        let token = try token()
        let portuguese = submit(#"{"age": 20}"#, token: token, headers: ["Accept-Language": "pt-BR,pt;q=0.9,en;q=0.8"])
        XCTAssertEqual(portuguese.status, 422)
        XCTAssertEqual(portuguese.header("Content-Language"), "pt-BR")
        let problem = json(portuguese)
        XCTAssertEqual(problem["type"] as? String, "/problems/validation")
        XCTAssertEqual(problem["title"] as? String, MessageCatalog.portuguese.translate("The application has invalid fields"))
        XCTAssertNotEqual(problem["title"] as? String, "The application has invalid fields")
        let errors = try XCTUnwrap(problem["errors"] as? [String: [String]])
        let english = json(submit(#"{"age": 20}"#, token: token, headers: ["Accept-Language": "en-GB"]))
        let englishErrors = try XCTUnwrap(english["errors"] as? [String: [String]])
        XCTAssertEqual(Set(errors.keys), Set(englishErrors.keys), "the field names are codes")
        for (field, messages) in englishErrors {
            XCTAssertEqual(errors[field], messages.map { MessageCatalog.portuguese.translate($0) })
            XCTAssertNotEqual(errors[field], messages, "\(field) is translated")
        }
        // No Accept-Language the product speaks: the deployment's language (English in these tests).
        XCTAssertEqual(json(submit(#"{"age": 20}"#, token: token, headers: ["Accept-Language": "de"]))["errors"] as? [String: [String]], englishErrors)

        let schema = service.handle(HTTPRequest(method: "GET", path: "/api/schema", headers: ["Accept-Language": "pt"]))
        XCTAssertEqual(schema.header("Vary"), "Accept-Language")
        let fields = try XCTUnwrap(json(schema)["fields"] as? [[String: Any]])
        let income = try XCTUnwrap(fields.first { $0["name"] as? String == "personal_monthly_income" })
        XCTAssertEqual(income["label"] as? String, MessageCatalog.portuguese.translate("Monthly income"))
        XCTAssertNotEqual(income["label"] as? String, "Monthly income")
    }

    func testTokenIssueAndProblemsForBadCredentials() throws {
        let response = login("alice")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(json(response)["token_type"] as? String, "bearer")
        XCTAssertEqual(json(response)["expires_in"] as? Int, 600)
        let wrong = login("alice", "wrong password here")
        XCTAssertEqual(wrong.status, 400)
        XCTAssertEqual(wrong.header("Content-Type"), "application/json", "RFC 6749 §5.2")
        XCTAssertNil(wrong.header("WWW-Authenticate"), "a 400, not a challenge")
        XCTAssertEqual(json(wrong)["error"] as? String, "invalid_grant")
        XCTAssertEqual(login("nobody").status, 400)
    }

    func testThrottlingByUserAndByAddress() throws {
        // Five addresses, so that only the per-user limit can be what throttles.
        for index in 0..<5 { XCTAssertEqual(login("alice", "bad password!!", address: "10.0.0.\(index + 2)").status, 400) }
        let throttled = login("alice")
        XCTAssertEqual(throttled.status, 429)
        XCTAssertEqual(throttled.header("Retry-After"), "900")
        clock.now += 901
        XCTAssertEqual(login("alice").status, 200, "the window has passed")
        for index in 0..<20 {
            clock.now += 1  // unknown names are admitted at one a second (two in any two seconds)
            XCTAssertEqual(login("user\(index)", "x", address: "10.9.9.9").status, 400)
        }
        XCTAssertEqual(login("bob", address: "10.9.9.9").status, 429, "one address guessing many names")
        XCTAssertEqual(login("bob", address: "10.9.9.10").status, 200)
    }

    func testSignInFloodIsRefusedAtOnceWithRetryAfter() throws {
        // Unknown names: the small budget (2 at once, then 1 a second) and nothing is recorded.
        XCTAssertEqual(login("ghost1", "x", address: "10.1.1.1").status, 400)
        XCTAssertEqual(login("ghost2", "x", address: "10.1.1.2").status, 400)
        let refused = login("ghost3", "x", address: "10.1.1.3")
        XCTAssertEqual(refused.status, 503)
        XCTAssertEqual(refused.header("Retry-After"), "1")
        XCTAssertEqual(json(refused)["type"] as? String, "/problems/sign-in-busy")
        // Known users still get in: they draw only from the global budget.
        XCTAssertEqual(login("alice").status, 200)
        XCTAssertEqual(login("bob").status, 200)
        clock.now += 2
        XCTAssertEqual(login("ghost4", "x", address: "10.1.1.4").status, 400, "the window has moved on")
    }

    func testIdempotencyKeyBoundToTheBody() throws {
        let token = try token()
        let first = submit(validApplication, token: token, headers: ["idempotency-key": "k-1"])
        XCTAssertEqual(first.status, 202)
        let replay = submit(validApplication, token: token, headers: ["idempotency-key": "k-1"])
        XCTAssertEqual(replay.status, 202)
        XCTAssertEqual(replay.header("Idempotent-Replayed"), "true")
        XCTAssertEqual(json(replay)["id"] as? String, json(first)["id"] as? String)
        let changed = submit(
            validApplication.replacingOccurrences(of: "\"age\": 29", with: "\"age\": 30"), token: token,
            headers: ["idempotency-key": "k-1"])
        XCTAssertEqual(changed.status, 422, String(decoding: changed.body, as: UTF8.self))
        XCTAssertEqual(json(changed)["type"] as? String, "/problems/idempotency-key-reuse")
    }

    func testAnEmptyIdempotencyKeyIsRefusedNotIgnored() throws {
        let response = submit(validApplication, token: try token(), headers: ["idempotency-key": ""])
        XCTAssertEqual(response.status, 400, String(decoding: response.body, as: UTF8.self))
        XCTAssertNotNil((json(response)["errors"] as? [String: Any])?["Idempotency-Key"], "the problem names the header")
    }

    func testSubmitQueuesAndWorkerScores() throws {
        let token = try token()
        let response = submit(validApplication, token: token)
        XCTAssertEqual(response.status, 202, String(decoding: response.body, as: UTF8.self))
        let id = try XCTUnwrap(json(response)["id"] as? String)
        XCTAssertEqual(response.header("Location"), "/api/predictions/\(id)")
        let worker = try ScoringWorker(configuration: service.configuration, name: "test")
        XCTAssertEqual(try worker.processBatch(now: clock.now), 1)
        XCTAssertEqual(try worker.processBatch(now: clock.now), 0, "the next call records the scored batch and finds nothing new")
        let job = service.handle(HTTPRequest(method: "GET", path: "/api/predictions/\(id)", headers: ["Authorization": "Bearer \(token)"]))
        XCTAssertEqual(job.status, 200)
        let body = json(job)
        XCTAssertEqual(body["status"] as? String, "done")
        XCTAssertEqual(body["applicant_name"] as? String, "Ana")
        let result = try XCTUnwrap(body["result"] as? [String: Any])
        let pd = try XCTUnwrap(result["probability_of_default"] as? Double)
        XCTAssertTrue(pd > 0 && pd < 1)
        XCTAssertNotNil(result["reasons"] as? [[String: Any]])
        XCTAssertEqual(result["model"] as? String, worker.modelId)
    }

    func testTheWorkerScoresTheStoredRecordExactlyAsTheJSON() throws {
        let applications = [
            validApplication,
            #"{"payment_day": 25, "marital_status": 1, "quant_dependants": 3, "residencial_state": "RJ", "flag_residencial_phone": "N", "flag_email": 0, "personal_monthly_income": 1234.56, "other_incomes": 0.1, "quant_banking_accounts": 2, "company": "Y", "flag_professional_phone": "Y", "product": 2, "age": 61, "residencial_zip_3": "9a9", "applicant_name": "Zoë d'Ávila \"Zé\" <b>", "residencial_city": "São João del-Rei", "months_in_residence": null}"#,
        ]
        let token = try token()
        for application in applications { XCTAssertEqual(submit(application, token: token).status, 202) }
        let worker = try ScoringWorker(configuration: service.configuration, name: "test")
        let claimed = try worker.store.claim(worker: "test", limit: 10, lease: 30, maxAttempts: 3, now: clock.now)
        XCTAssertEqual(claimed.count, applications.count)
        for (job, application) in zip(claimed, applications) {
            let record = try XCTUnwrap(job.record, "the responder stores the validated record")
            XCTAssertEqual(job.payload, "", "the worker is not sent the JSON it does not need")
            let fromRecord = worker.score(job)
            let fromJSON = worker.score(application)
            XCTAssertEqual(fromRecord, fromJSON, record)
            guard case .done(let text, _, _) = fromRecord else { return XCTFail("not scored: \(fromRecord)") }
            // The streamed result is valid JSON with its keys in the order JSONOutput writes them.
            XCTAssertEqual(try JSONOutput(JSONValue.parse(text)).text, text)
        }
    }

    func testEveryErrorStatusIsAProblem() throws {
        let token = try token()
        XCTAssertEqual(submit(validApplication, token: nil).status, 401)
        XCTAssertEqual(submit("{\"age\": ", token: token).status, 400)
        XCTAssertEqual(submit(String(repeating: "[", count: 100) + String(repeating: "]", count: 100), token: token).status, 400)
        XCTAssertEqual(submit(validApplication, token: token, headers: ["Content-Type": "text/plain"]).status, 415)
        let invalid = submit("{\"age\": -1, \"sex\": \"Q\"}", token: token)
        XCTAssertEqual(invalid.status, 422)
        let errors = try XCTUnwrap(json(invalid)["errors"] as? [String: [String]])
        XCTAssertNotNil(errors["age"])
        XCTAssertNotNil(errors["sex"])
        XCTAssertNotNil(errors["payment_day"], "missing required fields are listed too")
        var big = HTTPRequest(
            method: "POST", path: "/api/predictions", headers: ["Content-Type": "application/json", "Authorization": "Bearer \(token)"],
            body: Array(repeating: 32, count: 70_000))
        XCTAssertEqual(service.handle(big).status, 413)
        big.body = []
        big.bodyTooLarge = true
        XCTAssertEqual(service.handle(big).status, 413)
        XCTAssertEqual(submit(validApplication, token: token, headers: ["Idempotency-Key": String(repeating: "k", count: 300)]).status, 400)
        XCTAssertEqual(service.handle(HTTPRequest(method: "PUT", path: "/api/predictions")).status, 405)
        XCTAssertEqual(service.handle(HTTPRequest(method: "GET", path: "/api/unknown")).status, 404)
        for response in [submit("{", token: token), service.handle(HTTPRequest(method: "GET", path: "/api/unknown"))] {
            let problem = json(response)
            XCTAssertNotNil(problem["type"] as? String)
            XCTAssertNotNil(problem["title"] as? String)
            XCTAssertEqual(problem["status"] as? Int, response.status)
        }
    }

    func testExpiredTokensAndOtherUsersJobs() throws {
        let alice = try token("alice"), bob = try token("bob")
        let id = try XCTUnwrap(json(submit(validApplication, token: alice))["id"] as? String)
        XCTAssertEqual(
            service.handle(HTTPRequest(method: "GET", path: "/api/predictions/\(id)", headers: ["Authorization": "Bearer \(bob)"])).status, 404)
        clock.now += 601 + 30
        let expired = service.handle(HTTPRequest(method: "GET", path: "/api/predictions/\(id)", headers: ["Authorization": "Bearer \(alice)"]))
        XCTAssertEqual(expired.status, 401)
        XCTAssertTrue((json(expired)["detail"] as? String)?.contains("expired") ?? false)
    }

    func testADisabledAccountsTokenStopsWorkingAtOnce() throws {
        let alice = try token("alice")
        XCTAssertEqual(submit(validApplication, token: alice).status, 202)
        try SQLiteStore(path: service.configuration.databasePath).setDisabled(name: "alice", disabled: true)
        let store = try SQLiteStore(path: service.configuration.databasePath)
        func refusals() throws -> Int { try store.auditRecords(AuditFilter(action: .tokenRefused), limit: 100).count }
        for _ in 0..<3 {
            let refused = submit(validApplication, token: alice)
            XCTAssertEqual(refused.status, 401)
            XCTAssertTrue((json(refused)["detail"] as? String)?.contains("disabled") ?? false)
        }
        XCTAssertEqual(try refusals(), 0, "a refused submission adds no audit row: a client retrying an old token cannot flood the trail")
        let read = service.handle(HTTPRequest(method: "GET", path: "/api/predictions", headers: ["Authorization": "Bearer \(alice)"]))
        XCTAssertEqual(read.status, 401)
        XCTAssertTrue((json(read)["detail"] as? String)?.contains("disabled") ?? false)
        XCTAssertEqual(try refusals(), 1, "a refused read is audited")
    }

    func testHistoryPagesNewestFirst() throws {
        let token = try token()
        var ids: [String] = []
        for _ in 0..<3 { ids.append(try XCTUnwrap(json(submit(validApplication, token: token))["id"] as? String)) }
        let page = service.handle(
            HTTPRequest(method: "GET", path: "/api/predictions", query: "limit=2", headers: ["Authorization": "Bearer \(token)"]))
        let body = json(page)
        XCTAssertEqual((body["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String }, [ids[2], ids[1]])
        XCTAssertEqual(body["next"] as? String, "/api/predictions?limit=2&before=\(ids[1])")
    }

    func testHistorySearchesAndFiltersOnTheServerAndItsNextLinkKeepsThem() throws {
        let token = try token()
        var ids: [String: String] = [:]
        for (index, name) in ["Maria da Conceição", "Luíza Gonçalves", "Maria Souza"].enumerated() {
            let application = validApplication.replacingOccurrences(
                of: #""applicant_name": "Ana""#, with: #""applicant_name": "\#(name)", "id_client": \#(70001 + index)"#)
            ids[name] = try XCTUnwrap(json(submit(application, token: token))["id"] as? String)
            clock.advance(by: 1)
        }
        let worker = try ScoringWorker(configuration: service.configuration, name: "test")
        XCTAssertEqual(try worker.processBatch(now: clock.now), 3)
        _ = try worker.processBatch(now: clock.now)
        func page(_ query: String, as user: String = token) -> (status: Int, body: [String: Any]) {
            let response = service.handle(
                HTTPRequest(method: "GET", path: "/api/predictions", query: query, headers: ["Authorization": "Bearer \(user)"]))
            return (response.status, json(response))
        }
        func names(_ query: String) -> [String] {
            (page(query).body["items"] as? [[String: Any]])?.compactMap { $0["applicant_name"] as? String } ?? ["(no items)"]
        }
        XCTAssertEqual(names("q=conceicao"), ["Maria da Conceição"])
        XCTAssertEqual(names("q=Gon%C3%A7"), ["Luíza Gonçalves"])
        XCTAssertEqual(names("q=7000"), ["Maria Souza", "Luíza Gonçalves", "Maria da Conceição"])
        XCTAssertEqual(names("q=\(ids["Luíza Gonçalves"]!)"), ["Luíza Gonçalves"])
        let souza = try XCTUnwrap(page("q=souza").body["items"] as? [[String: Any]]).first
        let decision = try XCTUnwrap((souza?["result"] as? [String: Any])?["decision"] as? String)
        XCTAssertTrue(names("q=maria&decision=\(decision)").contains("Maria Souza"))
        XCTAssertEqual(names("decision=pending"), [], "all scored")
        XCTAssertEqual(names("batch=only"), [], "no batch")
        // Days: 1,800,000,000 is 08:00 on 2027-01-15 in UTC, 23:00 on 2027-01-14 nine hours west.
        XCTAssertEqual(names("from=2027-01-15&to=2027-01-15").count, 3)
        XCTAssertEqual(names("from=2027-01-15&tz_offset_minutes=-540"), [])
        XCTAssertEqual(names("to=2027-01-14&tz_offset_minutes=-540").count, 3)
        let bob = try self.token("bob")
        XCTAssertEqual((page("q=conceicao", as: bob).body["items"] as? [Any])?.count, 0, "Bob sees none of Alice's")
        let first = page("q=maria&limit=1&batch=exclude")
        let next = try XCTUnwrap(first.body["next"] as? String)
        XCTAssertEqual(next, "/api/predictions?limit=1&before=\(ids["Maria Souza"]!)&q=maria&batch=exclude")
        XCTAssertEqual(names(String(next.split(separator: "?")[1])), ["Maria da Conceição"])
        let bad = page("q=%3B%3B&decision=maybe&from=2027-02-30&to=yesterday&tz_offset_minutes=900&batch=all&limit=0")
        XCTAssertEqual(bad.status, 400)
        XCTAssertEqual(
            (bad.body["errors"] as? [String: Any]).map { $0.keys.sorted() },
            ["batch", "decision", "from", "limit", "q", "to", "tz_offset_minutes"])
        XCTAssertEqual(
            ((page("from=2027-01-16&to=2027-01-15").body["errors"] as? [String: Any])?["to"] as? [String])?.first, "to must be on or after from.")
    }

    func testHealthSchemaAndModel() throws {
        let health = service.handle(HTTPRequest(method: "GET", path: "/api/health"))
        XCTAssertEqual(health.status, 200)
        XCTAssertEqual(json(health)["status"] as? String, "degraded", "no worker has reported yet")
        XCTAssertEqual(service.handle(HTTPRequest(method: "GET", path: "/api/schema")).status, 200)
        let model = service.handle(HTTPRequest(method: "GET", path: "/api/model"))
        XCTAssertEqual(model.status, 200)
        // The card is read from the model file as plain JSON; it must agree with the model engine's reading.
        let document = try ModelDocument.load(path: service.configuration.modelPath)
        // (Parsed with CreditJSON: Foundation's JSONSerialization rounds some doubles by one unit in the last place.)
        let card = try JSONValue.parse(model.body)
        XCTAssertEqual(card["id"], .string(document.modelId))
        XCTAssertEqual(card["kind"], .string(document.kind.rawValue))
        XCTAssertEqual(card["trained_at"], .string(document.createdAt))
        XCTAssertEqual(card["validation"]?["auc"], .number(document.metrics.valid.summary.auc))
        XCTAssertEqual(card["validation"]?["approval_rate"], .number(document.metrics.valid.policy.approvalRate))
        guard case .array(let bins)? = card["validation"]?["calibration"], case .array(let inputs)? = card["inputs"] else {
            return XCTFail("calibration and inputs are lists")
        }
        XCTAssertEqual(bins.count, document.metrics.valid.calibration.count)
        XCTAssertEqual(bins.first?["observed_rate"], document.metrics.valid.calibration.first.map { .number($0.observedRate) })
        XCTAssertEqual(card["policy"]?["approve_below"], .number(document.policy.approveBelow))
        XCTAssertEqual(inputs.count, document.pipeline.encoders.count)
        XCTAssertEqual(card["training_data"]?["train_rows"], .number(Double(document.trainingData.trainRows)))
    }

    func testModelCardIsUnavailableForAFileThatIsNotAModel() throws {
        var configuration = service.configuration
        configuration.modelPath = directory.url.appendingPathComponent("not-a-model.json").path
        try Data(#"{"format_version": 1, "model_id": "x"}"#.utf8).write(to: URL(fileURLWithPath: configuration.modelPath))
        let other = try CreditService(configuration: configuration)
        XCTAssertEqual(other.handle(HTTPRequest(method: "GET", path: "/api/model")).status, 503)
    }

    func testRefusesToStartWithoutTheKey() throws {
        var configuration = service.configuration
        configuration.secretFile = directory.url.appendingPathComponent("missing.key").path
        XCTAssertThrowsError(try CreditService(configuration: configuration)) { error in
            XCTAssertTrue("\(error)".contains("credit init"), "\(error)")
        }
    }

    func testConfigurationFromEnvironment() throws {
        let configuration = try ServiceConfiguration.fromEnvironment(["CREDIT_DB": "/tmp/x.sqlite", "CREDIT_TOKEN_TTL": "120"])
        XCTAssertEqual(configuration.databasePath, "/tmp/x.sqlite")
        XCTAssertEqual(configuration.wakeSocket, "/tmp/x.sqlite.wake")
        XCTAssertEqual(configuration.tokenTTL, 120)
        XCTAssertEqual(configuration.modelPath, "models/default.json")
        XCTAssertThrowsError(try ServiceConfiguration.fromEnvironment(["CREDIT_TOKEN_TTL": "forever"]))
        XCTAssertThrowsError(try ServiceConfiguration.fromEnvironment(["CREDIT_LEASE_SECONDS": "0"]))
    }

    func testLinksCarryTheMountPrefix() throws {
        let token = try self.token("alice")
        let body = Array(
            #"{"payment_day":10,"marital_status":2,"quant_dependants":0,"residencial_state":"SP","flag_residencial_phone":"Y","flag_email":1,"personal_monthly_income":900,"quant_banking_accounts":0,"company":"N","flag_professional_phone":"N","product":1,"age":29,"residencial_zip_3":"123"}"#
                .utf8)
        let submitted = service.handle(
            HTTPRequest(
                method: "POST", path: "/api/predictions", basePath: "/credit",
                headers: ["authorization": "Bearer \(token)", "content-type": "application/json"], body: body))
        XCTAssertEqual(submitted.status, 202, String(decoding: submitted.body, as: UTF8.self))
        let location = try XCTUnwrap(submitted.header("Location"))
        XCTAssertTrue(location.hasPrefix("/credit/api/predictions/"), location)
        let history = service.handle(
            HTTPRequest(
                method: "GET", path: "/api/predictions", basePath: "/credit", query: "limit=1",
                headers: ["authorization": "Bearer \(token)"]))
        XCTAssertTrue(String(decoding: history.body, as: UTF8.self).contains(#""next":"/credit/api/predictions?limit=1&before="#))
        let missing = service.handle(HTTPRequest(method: "GET", path: "/api/nowhere", basePath: "/credit"))
        XCTAssertTrue(String(decoding: missing.body, as: UTF8.self).contains("/credit/api/nowhere"))
    }

    func testTimestampsAreRFC3339() {
        XCTAssertEqual(Timestamp.rfc3339(0), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(Timestamp.rfc3339(1_764_039_845.678), "2025-11-25T03:04:05.678Z")
        XCTAssertEqual(Timestamp.rfc3339(951_782_400), "2000-02-29T00:00:00.000Z")
    }

    func testJSONOutputEscapes() {
        XCTAssertEqual(
            JSONOutput.object(["b": .string("a\"b\\c\n<"), "a": .number(1.5), "c": .null]).text,
            #"{"a":1.5,"b":"a\"b\\c\n\u003c","c":null}"#)
    }
}
