import Foundation
import XCTest

@testable import CreditModel
@testable import CreditScoring
import CreditJSON
import CreditText

/// Reasons by family and recourse on the shipped models, with hand-made applicants (no data files needed).
final class ReasonFamilyTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private func scorer(_ name: String) throws -> CreditScorer {
        try CreditScorer(path: Self.root.appendingPathComponent("models/\(name).json").path)
    }

    /// A complete application (a real PAKDD row's values), with changes.
    private func applicant(_ changes: [String: JSONValue] = [:]) throws -> Applicant {
        var fields: [String: JSONValue] = [
            "payment_day": .number(10), "application_submission_type": .string("Web"), "postal_address_type": .number(1), "sex": .string("F"),
            "marital_status": .number(2), "quant_dependants": .number(1), "state_of_birth": .string("RJ"), "nacionality": .number(1),
            "residencial_state": .string("RJ"), "residencial_city": .string("Rio de Janeiro"), "residencial_borough": .string("Centro"),
            "flag_residencial_phone": .string("Y"), "residencial_phone_area_code": .string("20"), "residence_type": .number(1),
            "months_in_residence": .number(24), "flag_email": .number(1), "personal_monthly_income": .number(1500), "other_incomes": .number(0),
            "quant_banking_accounts": .number(1), "personal_assets_value": .number(0), "company": .string("Y"),
            "professional_state": .string("RJ"), "flag_professional_phone": .string("N"), "months_in_the_job": .number(0),
            "profession_code": .number(9), "occupation_type": .number(4), "product": .number(1), "age": .number(34),
            "residencial_zip_3": .string("230"), "professional_zip_3": .string("230"),
        ]
        for (key, value) in changes { fields[key] = value }
        return try ApplicantSchema.pakdd.validate(.object(fields))
    }

    func testEveryFieldIsInOneFamilyAndAFileWithAHoleIsRefused() throws {
        let families = ReasonFamilies.standard
        XCTAssertNoThrow(try families.validate(fields: ApplicantSchema.pakdd.fields.map(\.name)))
        var holed = families
        holed.families[0].fields.removeAll { $0 == "other_incomes" }
        XCTAssertThrowsError(try holed.validate(fields: ApplicantSchema.pakdd.fields.map(\.name))) { error in
            XCTAssertTrue("\(error)".contains("other_incomes"))
        }
        // The table round-trips through JSON, and one written before `yes_is_adverse` still reads.
        let data = try JSONEncoder().encode(families)
        XCTAssertEqual(try JSONDecoder().decode(ReasonFamilies.self, from: data), families)
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        object["yes_is_adverse"] = nil
        let older = try JSONDecoder().decode(ReasonFamilies.self, from: JSONSerialization.data(withJSONObject: object))
        XCTAssertEqual(older.yesIsAdverse, [])
        XCTAssertEqual(older.families, families.families)
        var twice = families
        twice.families[1].fields.append("age")
        XCTAssertThrowsError(try twice.validate(fields: ApplicantSchema.pakdd.fields.map(\.name)))
    }

    func testAPhoneNotHeldIsOneFactAndBlankFieldsOneFamilyNeverAStrength() throws {
        for name in ["default", "logistic"] {
            let scorer = try scorer(name)
            let prediction = scorer.predict(
                try applicant([
                    "flag_residencial_phone": .string("N"), "residencial_phone_area_code": .null, "profession_code": .null,
                    "residencial_borough": .null, "months_in_residence": .null,
                ]))
            let all = prediction.reasons + prediction.strengths
            XCTAssertFalse(all.contains { $0.fields.contains { $0.field == "residencial_phone_area_code" } && $0.family == ReasonFamily.missingName })
            XCTAssertFalse(prediction.strengths.contains { $0.family == ReasonFamily.missingName }, name)
            if let missing = prediction.reasons.first(where: { $0.family == ReasonFamily.missingName }) {
                XCTAssertTrue(missing.texts["pt-BR"]!.hasPrefix("Informações não fornecidas — "), missing.texts["pt-BR"]!)
                XCTAssertFalse(missing.texts["en"]!.contains("area code"), "the area code of a phone not held is not 'not given'")
            }
            for reason in all {
                XCTAssertFalse(reason.statesRawCode(schema: .pakdd), "\(reason.texts)")
                XCTAssertEqual(reason.contribution, reason.fields.map(\.contribution).reduce(0, +), accuracy: 1e-9, "a family sums its inputs")
            }
        }
    }

    func testAmountsInTheReadersFormatAndAgeByItsBandNeverAgainstTheElderly() throws {
        let scorer = try scorer("default")
        let young = scorer.predict(try applicant(["age": .number(19), "personal_monthly_income": .number(350)]))
        let texts = (young.reasons + young.strengths).flatMap { [$0.texts["pt-BR"]!, $0.texts["en"]!] }
        if let income = (young.reasons + young.strengths).first(where: { $0.family == "income" }) {
            XCTAssertTrue(income.texts["pt-BR"]!.contains("R$ 350,00") && income.texts["en"]!.contains("R$350.00"), "\(income.texts)")
        }
        XCTAssertFalse(texts.contains { $0.contains("Young") || $0.contains("Pouca idade") })
        if let age = young.reasons.first(where: { $0.family == "age" }) {
            XCTAssertEqual(age.texts["pt-BR"], "Idade — faixa etária abaixo de 25 anos")
        }
        for age in [62.0, 70, 85] {
            let elderly = scorer.predict(try applicant(["age": .number(age), "personal_monthly_income": .number(350)]))
            XCTAssertFalse(elderly.reasons.contains { $0.family == "age" }, "age \(age)")
        }
    }

    func testEverySuggestionIsRescoredAndOnlyRaisesActionableInputs() throws {
        var checked = 0
        for name in ["default", "logistic"] {
            let scorer = try scorer(name)
            for income in [100.0, 350, 500, 900] {
                for (phone, email) in [("Y", 1.0), ("N", 0.0)] {
                    let base = try applicant([
                        "age": .number(21), "personal_monthly_income": .number(income), "flag_residencial_phone": .string(phone),
                        "residencial_phone_area_code": phone == "Y" ? .string("20") : .null, "flag_email": .number(email),
                        "payment_day": .number(1), "months_in_residence": .number(0),
                    ])
                    let prediction = scorer.predict(base)
                    if prediction.decision == .approve { XCTAssertTrue(prediction.recourse.isEmpty) }
                    for option in prediction.recourse {
                        var changed = base
                        for change in option.changes {
                            XCTAssertTrue(scorer.actionableFields.contains(change.field), change.field)
                            let index = ApplicantSchema.pakdd.index(of: change.field)!
                            let to = try XCTUnwrap(Double(change.to))
                            XCTAssertGreaterThan(to, base.values[index].number ?? -1, "\(change.field) only goes up")
                            changed.values[index] = .number(to)
                        }
                        let rescored = scorer.predict(changed, recourse: false)
                        XCTAssertEqual(rescored.decision, option.decision)
                        XCTAssertEqual(rescored.probabilityOfDefault, option.probabilityOfDefault, accuracy: 1e-12)
                        XCTAssertTrue(prediction.decision == .reject ? option.decision != .reject : option.decision == .approve)
                        XCTAssertTrue(option.texts["pt-BR"]!.hasPrefix("A solicitação seria "), option.texts["pt-BR"]!)
                        checked += 1
                    }
                }
            }
        }
        XCTAssertGreaterThan(checked, 5, "the hand-made applicants include some that can reach a better decision")
    }
}
