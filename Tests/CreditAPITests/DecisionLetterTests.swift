import CreditAuth
import CreditConfig
import CreditGovernance
import CreditJSON
import CreditSystem
import CreditText
import Foundation
import XCTest

@testable import CreditAPI

/// The customer's letter as data and as HTML: which decision stands, what it lists, what it
/// never shows, and that every value is escaped.
final class DecisionLetterTests: XCTestCase {
    private func result(decision: String, recourse: Bool = false) throws -> JSONValue {
        func reason(_ index: Int) -> String {
            #"{"code":"R\#(index)","contribution":0.1,"field":"age","label":"Age","text":"Reason \#(index)","texts":{"en":"Reason \#(index)","pt-BR":"Motivo \#(index)"},"value":"34"}"#
        }
        let reasons = (1...6).map(reason).joined(separator: ",")
        let changes =
            recourse
            ? #","recourse":[{"changes":[{"field":"age","from":34,"to":40}],"decision":"approve","probability_of_default":0.1,"text":"Be older","texts":{"en":"Be older","pt-BR":"Ter mais idade"}}]"#
            : ""
        return try JSONValue.parse(
            #"{"decision":"\#(decision)","model":"gbdt-x","probability_of_default":0.42,"reasons":[\#(reasons)],"score":512,"strengths":[{"text":"Steady job"}]\#(changes)}"#
        )
    }

    private func letter(_ result: JSONValue, reviews: [Review] = [], name: String? = "Ana", language: Language = .portuguese) -> DecisionLetter {
        DecisionLetter(
            reference: "0123456789abcdef0123456789abcdef", applicantName: name, result: result, reviews: reviews, language: language,
            lender: .sample, date: "08/12/2026", reviewDays: 15)
    }

    private func review(_ decision: FinalDecision?, at time: Double?) -> Review {
        Review(
            jobID: "j", owner: 1, ownerName: "officer-olga", origin: .model, requestNote: "REQUEST-NOTE", openedAt: 1, decision: decision,
            reasonCode: "other", note: "SECRET-NOTE", decidedBy: "reviewer-rita", decidedAt: time)
    }

    func testTheModelsDecisionStandsUntilTheLatestDecidedReview() throws {
        XCTAssertEqual(letter(try result(decision: "reject")).outcome, .notApproved)
        XCTAssertEqual(letter(try result(decision: "approve")).outcome, .approved)
        XCTAssertEqual(letter(try result(decision: "review")).outcome, .underAnalysis)
        XCTAssertEqual(letter(try result(decision: "review"), reviews: [review(nil, at: nil)]).outcome, .underAnalysis)
        let rounds = [review(.decline, at: 10), review(.approve, at: 20), review(nil, at: nil)]
        XCTAssertEqual(letter(try result(decision: "reject"), reviews: rounds).outcome, .approved)
    }

    func testReasonsInTheLanguageAtMostFourAndRecourseOnlyWhenGiven() throws {
        let declined = letter(try result(decision: "reject"))
        XCTAssertEqual(declined.reasons, ["Motivo 1", "Motivo 2", "Motivo 3", "Motivo 4"])
        XCTAssertEqual(declined.recourse, [])
        XCTAssertEqual(letter(try result(decision: "reject", recourse: true), language: .english).recourse, ["Be older"])
        // An approval lists its favourable factors (here with `text` only), and no recourse.
        let approved = letter(try result(decision: "approve", recourse: true))
        XCTAssertEqual(approved.reasons, ["Steady job"])
        XCTAssertEqual(approved.recourse, [])
    }

    func testTheHTMLShowsNoProbabilityScoreModelUserOrNote() throws {
        let rounds = [review(.decline, at: 10)]
        for language in Language.allCases {
            let html = DecisionLetterHTML.document(letter(try result(decision: "reject", recourse: true), reviews: rounds, language: language))
            for secret in ["0.42", "42", "%", "512", "gbdt", "officer-olga", "reviewer-rita", "SECRET-NOTE", "REQUEST-NOTE", "R1"] {
                XCTAssertFalse(html.replacingOccurrences(of: "<!doctype html>", with: "").contains(secret), "\(language): \(secret)")
            }
            XCTAssertTrue(html.contains(Lender.sample.name) && html.contains("0123456789abcdef0123456789abcdef"))
            XCTAssertTrue(html.contains(language == .english ? "Law 13,709/2018" : "Lei nº 13.709/2018"))
            XCTAssertTrue(html.contains(language == .english ? "Be older" : "Ter mais idade"))
            XCTAssertFalse(html.contains("<script"))
        }
    }

    func testEveryValueIsEscaped() throws {
        let html = DecisionLetterHTML.document(letter(try result(decision: "reject"), name: "<script>alert('x')</script> & \"co\""))
        XCTAssertTrue(html.contains("Prezado(a) &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;,"))
        XCTAssertFalse(html.contains("<script>"))
        XCTAssertTrue(html.contains("Prezado(a) cliente,") == false)
        XCTAssertTrue(DecisionLetterHTML.document(letter(try result(decision: "reject"), name: nil)).contains("Prezado(a) cliente,"))
    }

    func testTheStyleHashIsTheStylesSHA256() {
        let digest = SHA256Digest.digest(Array(DecisionLetterHTML.style.utf8))
        XCTAssertEqual(DecisionLetterHTML.styleSource, "'sha256-\(Data(digest).base64EncodedString())'")
        XCTAssertTrue(DecisionLetterHTML.contentSecurityPolicy.contains("style-src \(DecisionLetterHTML.styleSource);"))
        XCTAssertFalse(DecisionLetterHTML.contentSecurityPolicy.contains("script-src"))
        for count in 0..<5 {
            let bytes = (0..<count).map { UInt8($0 * 77 % 256) }
            XCTAssertEqual(Base64URL.encodePadded(bytes), Data(bytes).base64EncodedString())
        }
    }

    func testTheDayIsTheLendersInItsTimeZone() throws {
        let zone = try XCTUnwrap(ZoneOffsets(zone: "America/Sao_Paulo"))
        // 2026-12-08 02:00 UTC is still the 7th in São Paulo (UTC−3).
        XCTAssertEqual(zone.offset(at: 1_796_695_200), -10_800)
        XCTAssertTrue(zone.day(at: 1_796_695_200) == (2026, 12, 7))
        XCTAssertTrue(ZoneOffsets.utc.day(at: 1_796_695_200) == (2026, 12, 8))
        XCTAssertNil(ZoneOffsets(zone: "Nowhere/Atlantis"))
        XCTAssertEqual(DecisionLetterWords.english.date((2026, 12, 7)), "7 December 2026")
        XCTAssertEqual(DecisionLetterWords.portuguese.date((2026, 3, 7)), "07/03/2026")
    }
}
