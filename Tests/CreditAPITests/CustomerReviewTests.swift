import CreditGovernance
import CreditStore
import CreditSystem
import CreditTestSupport
import CreditText
import Foundation
import XCTest

@testable import CreditAPI
@testable import CreditWorker

/// A customer's request for review through the handlers: recorded by its officer, corrected
/// inputs re-scored by the worker and kept out of the queue, the override, the overdue metric,
/// and a second round refused to the first round's reviewer, each problem in Portuguese too.
final class CustomerReviewTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var service: CreditService!
    private var clock: ManualClock!
    private let password = "a long enough password"

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(prefix: "api-review")
        let clock = ManualClock(start: 1_800_000_000)
        self.clock = clock
        service = try TestConfiguration.service(
            in: directory, users: [("olga", .officer), ("rita", .reviewer), ("remo", .reviewer), ("ada", .admin)], password: password,
            now: clock.now, clock: { clock.now })
    }

    override func tearDownWithError() throws {
        service = nil
        directory.remove()
    }

    /// Each account signs in once (the sign-in throttle counts every attempt).
    private var tokens: [String: String] = [:]

    private func token(_ user: String) throws -> String {
        if let token = tokens[user] { return token }
        let body = "username=\(user)&password=\(password.replacingOccurrences(of: " ", with: "+"))"
        let response = service.handle(
            HTTPRequest(method: "POST", path: "/api/token", headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Array(body.utf8)))
        let token = try XCTUnwrap(object(response)["access_token"] as? String, String(decoding: response.body, as: UTF8.self))
        tokens[user] = token
        return token
    }

    private func object(_ response: HTTPResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }

    private func call(_ method: String, _ path: String, _ body: String? = nil, as user: String, language: String = "en") throws -> HTTPResponse {
        var headers = ["Authorization": "Bearer \(try token(user))", "Accept-Language": language]
        if body != nil { headers["Content-Type"] = "application/json" }
        let parts = path.split(separator: "?", maxSplits: 1).map(String.init)
        return service.handle(
            HTTPRequest(method: method, path: parts[0], query: parts.count > 1 ? parts[1] : "", headers: headers, body: Array((body ?? "").utf8)))
    }

    private func scoreQueued() throws {
        let worker = try ScoringWorker(configuration: service.configuration, name: "test")
        XCTAssertGreaterThan(try worker.processBatch(now: clock.now), 0)
        _ = try worker.processBatch(now: clock.now)
    }

    /// A problem's title and detail are translated into Portuguese (not left in English).
    private func assertTranslated(_ response: HTTPResponse, file: StaticString = #filePath, line: UInt = #line) {
        let problem = object(response)
        for key in ["title", "detail"] {
            let text = problem[key] as? String ?? ""
            XCTAssertFalse(text.isEmpty, file: file, line: line)
            XCTAssertNotEqual(MessageCatalog.portuguese.translate(text), text, "untranslated \(key): \(text)", file: file, line: line)
        }
        for messages in (problem["errors"] as? [String: [String]] ?? [:]).values {
            for text in messages { XCTAssertNotEqual(MessageCatalog.portuguese.translate(text), text, "untranslated: \(text)", file: file, line: line) }
        }
    }

    private let application = """
        {"payment_day": 10, "marital_status": 2, "quant_dependants": 0, "residencial_state": "SP", "flag_residencial_phone": "Y",
         "flag_email": 1, "personal_monthly_income": 407, "quant_banking_accounts": 0, "company": "N", "flag_professional_phone": "N",
         "product": 1, "age": 19, "residencial_zip_3": "123", "applicant_name": "Ana"}
        """

    func testACustomersRequestIsRecordedCorrectedRescoredAndDecidedByAnotherReviewerInTheNextRound() throws {
        let submitted = try call("POST", "/api/predictions", application, as: "olga")
        let id = try XCTUnwrap(object(submitted)["id"] as? String)
        try scoreQueued()
        let model = try XCTUnwrap((object(try call("GET", "/api/predictions/\(id)", as: "olga"))["result"] as? [String: Any])?["decision"] as? String)

        let path = "/api/predictions/\(id)/review-request"
        let invalid = try call("POST", path, #"{"statement": "", "documents": ["pay_slip", "pay_slip"], "x": 1}"#, as: "olga")
        XCTAssertEqual(invalid.status, 422)
        XCTAssertEqual(Set((object(invalid)["errors"] as? [String: Any] ?? [:]).keys), ["statement", "documents", "x"])
        assertTranslated(invalid)
        XCTAssertEqual(try call("POST", path, #"{"statement": "x"}"#, as: "rita").status, 404, "only its officer records it")
        let recorded = try call("POST", path, #"{"statement": "Ganho R$ 1.450", "documents": ["pay_slip"]}"#, as: "olga")
        XCTAssertEqual(recorded.status, 201, String(decoding: recorded.body, as: UTF8.self))
        let review = object(recorded)
        XCTAssertEqual(review["origin"] as? String, "customer")
        XCTAssertEqual(review["due_at"] as? String, Timestamp.rfc3339(clock.now + 15 * 86_400))
        XCTAssertEqual(review["documents"] as? [String], ["pay_slip"])

        let open = try call("GET", "/api/reviews?status=open", as: "rita")
        let items = try XCTUnwrap(object(open)["items"] as? [[String: Any]])
        XCTAssertEqual(items.map { $0["id"] as? String }, [id])

        let corrections = "/api/predictions/\(id)/verified-inputs"
        let unknown = try call("POST", corrections, #"{"fields": {"shoe_size": 40}}"#, as: "rita")
        XCTAssertEqual(unknown.status, 422)
        assertTranslated(unknown)
        XCTAssertEqual(try call("POST", corrections, #"{"fields": {"personal_monthly_income": 1450}}"#, as: "olga").status, 403)
        let queued = try call("POST", corrections, #"{"fields": {"personal_monthly_income": 1450, "flag_income_proof": 1}}"#, as: "rita")
        XCTAssertEqual(queued.status, 202, String(decoding: queued.body, as: UTF8.self))
        let rescoreID = try XCTUnwrap(object(queued)["id"] as? String)
        try scoreQueued()
        let rescore = object(try call("GET", "/api/predictions/\(rescoreID)", as: "olga"))
        XCTAssertEqual(rescore["status"] as? String, "done", "the officer owns the re-score")
        XCTAssertEqual(rescore["rescore_of"] as? String, id)
        XCTAssertEqual((rescore["application"] as? [String: Any])?["personal_monthly_income"] as? Double, 1450)
        XCTAssertEqual(try call("GET", "/api/predictions/\(rescoreID)", as: "rita").status, 200, "the reviewer sees it beside the original")
        let queue = try XCTUnwrap(object(try call("GET", "/api/reviews?status=open", as: "rita"))["items"] as? [[String: Any]])
        XCTAssertEqual(queue.map { $0["id"] as? String }, [id], "the re-score is not queued")
        XCTAssertEqual((queue.first?["review"] as? [String: Any])?["rescore_id"] as? String, rescoreID)

        // Overdue after 15 days, counted by the metric and shown in the admin's list.
        func overdue() throws -> String? {
            let text = String(decoding: try call("GET", "/api/metrics", as: "ada").body, as: UTF8.self)
            return text.split(separator: "\n").first { $0.hasPrefix("credit_review_requests_overdue ") }.map(String.init)
        }
        XCTAssertEqual(try overdue(), "credit_review_requests_overdue 0")
        clock.advance(by: 15 * 86_400 + 1)
        tokens = [:]  // expired meanwhile
        XCTAssertEqual(try overdue(), "credit_review_requests_overdue 1")
        let requests = try XCTUnwrap(object(try call("GET", "/api/review-requests?status=open", as: "ada"))["items"] as? [[String: Any]])
        XCTAssertEqual(requests.first?["overdue"] as? Bool, true)
        XCTAssertEqual(requests.first?["age_days"] as? Double, 15)
        XCTAssertEqual(try call("GET", "/api/review-requests", as: "rita").status, 403)

        // The decision: approving against the model's reject (or declining its approve) is an override.
        let final = model == "reject" ? "approve" : "decline"
        let decision = #"{"decision": "\#(final)", "reason_code": "income_verified", "note": ""}"#
        let decided = try call("POST", "/api/predictions/\(id)/decision", decision, as: "rita")
        XCTAssertEqual(decided.status, 200)
        XCTAssertEqual(object(decided)["override"] as? Bool, model != "review")
        XCTAssertEqual(try overdue(), "credit_review_requests_overdue 0")

        // The next round: not for the reviewer of this one.
        XCTAssertEqual(try call("POST", path, #"{"statement": "De novo"}"#, as: "olga").status, 201)
        let refused = try call("POST", "/api/predictions/\(id)/decision", decision, as: "rita")
        XCTAssertEqual(refused.status, 403)
        XCTAssertEqual(object(refused)["type"] as? String, "/problems/second-review-by-same-reviewer")
        assertTranslated(refused)
        let inPortuguese = try call("POST", "/api/predictions/\(id)/decision", decision, as: "rita", language: "pt-BR")
        XCTAssertEqual(object(inPortuguese)["detail"] as? String, MessageCatalog.portuguese.translate(ReviewRules.secondReviewRefusal))
        let second = try call("POST", "/api/predictions/\(id)/decision", decision, as: "remo")
        XCTAssertEqual(second.status, 200)
        XCTAssertEqual(object(second)["round"] as? Double, 2)
    }
}
