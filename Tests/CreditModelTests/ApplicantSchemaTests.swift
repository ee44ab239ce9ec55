import CreditJSON
import Foundation
import XCTest

@testable import CreditModel
@testable import CreditScoring

/// Validation of submitted applications and the exported schema.
final class ApplicantSchemaTests: XCTestCase {
    let schema = ApplicantSchema.pakdd

    /// A complete valid application: every required field.
    private var valid: [String: JSONValue] {
        [
            "payment_day": .number(10), "marital_status": .number(2), "quant_dependants": .number(0), "residencial_state": .string("SP"),
            "flag_residencial_phone": .string("Y"), "flag_email": .number(1), "personal_monthly_income": .number(900),
            "quant_banking_accounts": .number(0), "company": .bool(false), "flag_professional_phone": .string("N"), "product": .number(1),
            "age": .number(29),
        ]
    }

    private func errors(_ object: [String: JSONValue]) -> [String: [String]] {
        do { _ = try schema.validate(.object(object)); return [:] } catch { return error.fieldErrors }
    }

    func testRequiredFieldsAreExactlyTheOnesWithoutDefaultOrMissing() throws {
        XCTAssertEqual(Set(schema.fields.filter(\.isRequired).map(\.name)), Set(valid.keys))
        let applicant = try schema.validate(.object(valid))
        XCTAssertEqual(applicant[schema.index(of: "clerk_type")!], .text("C"), "defaults fill absent fields")
        XCTAssertEqual(applicant[schema.index(of: "company")!], .number(0))
        XCTAssertEqual(applicant[schema.index(of: "sex")!], .missing)
    }

    /// The JSON text read member by member into the fields gives what validating the parsed value
    /// gives: the same applicant, or the same errors, for valid, invalid and odd texts.
    func testReadingTheTextAgreesWithValidatingTheParsedValue() throws {
        let base = JSONOutput(JSONValue.object(valid)).text
        let texts = [
            base, String(base.dropLast()) + #","age":31,"age":30}"#, String(base.dropLast()) + #","bogus":1,"bogus":2,"é":null}"#,
            String(base.dropLast()) + #","\u0061ge":40}"#, String(base.dropLast()) + #","sex":"X","product":null}"#,
            #"{"age":200}"#, "{}", " {\"age\": 30, \"sex\": \"F\" } ",
        ]
        for text in texts {
            let bytes = Array(text.utf8)
            let value = try JSONValue.parse(bytes)
            let whole = Result { () throws(ApplicantValidationError) in try schema.validate(value) }
            let read = Result { () throws(ApplicationReadError) in try schema.validate(jsonObject: bytes, maxDepth: 32) }
            switch (whole, read) {
            case (.success(let expected), .success(let applicant)): XCTAssertEqual(applicant, expected, text)
            case (.failure(let expected), .failure(.invalid(let error))): XCTAssertEqual(error, expected, text)
            default: XCTFail("\(text): whole \(whole), read \(read)")
            }
        }
        XCTAssertNil(try schema.validate(jsonObject: Array("[1]".utf8), maxDepth: 32), "not an object: the caller parses it for the error")
        XCTAssertThrowsError(try schema.validate(jsonObject: Array(#"{"age": x}"#.utf8), maxDepth: 32)) { error in
            guard case .invalidJSON(let parseError)? = error as? ApplicationReadError else { return XCTFail("\(error)") }
            XCTAssertEqual(parseError.offset, 8)
        }
    }

    func testEveryErrorIsReportedAtOnce() {
        var object = valid
        object["age"] = .number(200)
        object["personal_monthly_income"] = .string("lots")
        object["quant_dependants"] = .number(1.5)
        object["sex"] = .string("X")
        object["flag_email"] = .string("maybe")
        object["city_of_birth"] = .number(3)
        object["bogus"] = .number(1)
        object.removeValue(forKey: "product")
        let found = errors(object)
        XCTAssertEqual(
            Set(found.keys), ["age", "personal_monthly_income", "quant_dependants", "sex", "flag_email", "city_of_birth", "bogus", "product"])
        XCTAssertEqual(found["age"], ["Age must be between 0 and 120 years."])
        XCTAssertEqual(found["product"], ["Product is required."])
        XCTAssertEqual(found["sex"], ["Sex must be one of: F, M, N."])
        XCTAssertEqual(found["quant_dependants"], ["Dependants must be a whole number."])
    }

    func testCodesAsStringsOrIntegersAndUnseenCodes() throws {
        var asString = valid, asNumber = valid
        asString["residencial_zip_3"] = .string("023")
        asNumber["residencial_zip_3"] = .number(23)
        let zip = schema.index(of: "residencial_zip_3")!
        XCTAssertEqual(try schema.validate(.object(asString))[zip], try schema.validate(.object(asNumber))[zip])
        var unseen = valid
        unseen["payment_day"] = .number(7)
        unseen["profession_code"] = .string("999")
        XCTAssertNoThrow(try schema.validate(.object(unseen)), "open code lists accept codes never seen")
        // Closed lists (states, the documented marital status codes) refuse anything else.
        for (field, code) in [("residencial_state", JSONValue.string("ZZ")), ("state_of_birth", .string("QQ")), ("marital_status", .number(9))] {
            var closed = valid
            closed[field] = code
            XCTAssertNotNil(errors(closed)[field], "\(field) = \(code)")
        }
    }

    func testFlagsAcceptTheUsualSpellings() throws {
        let field = schema.index(of: "flag_email")!
        for (value, expected) in [(JSONValue.bool(true), 1.0), (.string("Y"), 1), (.string("n"), 0), (.number(0), 0), (.string("1"), 1)] {
            var object = valid
            object["flag_email"] = value
            XCTAssertEqual(try schema.validate(.object(object))[field], .number(expected), "\(value)")
        }
    }

    func testHostileShapes() {
        for body in [JSONValue.array([]), .string("x"), .null, .number(1)] {
            XCTAssertNotNil(errors(["x": body])["x"], "unknown keys are named")
            do { _ = try schema.validate(body); XCTFail("accepted \(body)") } catch { XCTAssertNotNil(error.fieldErrors[""]) }
        }
        var object = valid
        object["applicant_name"] = .string("Ana\u{0}Maria")
        XCTAssertNotNil(errors(object)["applicant_name"], "control characters are refused")
        object["applicant_name"] = .string(String(repeating: "a", count: 201))
        XCTAssertNotNil(errors(object)["applicant_name"])
        object = valid
        object["age"] = .number(.infinity)
        XCTAssertNotNil(errors(object)["age"])
    }

    func testLimitsCountScalarsAndRefuseHiddenCharacters() {
        func nameError(_ text: String) -> String? {
            var object = valid; object["applicant_name"] = .string(text); return errors(object)["applicant_name"]?.first
        }
        func cityError(_ text: String) -> String? {
            var object = valid; object["residencial_city"] = .string(text); return errors(object)["residencial_city"]?.first
        }
        func codeError(_ text: String) -> String? {
            var object = valid; object["residencial_zip_3"] = .string(text); return errors(object)["residencial_zip_3"]?.first
        }
        // One grapheme cluster of 32,001 scalars (64 KB): no longer one character.
        let stacked = "Z" + String(repeating: "\u{0301}", count: 32_000)
        XCTAssertNotNil(nameError(stacked))
        XCTAssertNotNil(cityError(stacked))
        XCTAssertNotNil(codeError(stacked))
        XCTAssertEqual(nameError("Zo\u{0301}\u{0302}\u{0303}\u{0304}e"), "Applicant name has too many accents on one letter.")
        XCTAssertNil(nameError("Jos\u{0065}\u{0301} Conceic\u{0327}a\u{0303}o"), "decomposed Portuguese accents are fine")
        XCTAssertNil(nameError("João Conceição"))
        XCTAssertNil(nameError(String(repeating: "ã", count: 200)), "200 two-byte letters fit")
        XCTAssertNotNil(nameError(String(repeating: "ã", count: 201)))
        for hidden in ["Ana\u{202E}airaM", "Ana\u{2066}x\u{2069}", "Ana\u{2028}Maria", "Ana\u{200F}", "Ana\u{85}", "Ana\u{9B}x"] {
            XCTAssertNotNil(nameError(hidden), hidden.debugDescription)
        }
    }

    func testSchemaDocumentCoversEveryPAKDDColumn() throws {
        let columns = schema.fields.compactMap(\.column).sorted()
        XCTAssertEqual(columns, Array(1...53))
        XCTAssertEqual(schema.fields.first { $0.column == 44 }?.name, "mate_education_level")
        XCTAssertTrue(schema.fields.allSatisfy { $0.name == $0.name.lowercased() && !$0.label.isEmpty && !$0.help.isEmpty })
        XCTAssertFalse(schema.field(named: "id_client")!.isModelInput)
        XCTAssertFalse(schema.field(named: "applicant_name")!.isModelInput)
        let document = try JSONValue.parse(Array(SchemaDocument(schema: schema).jsonData()))
        guard case .object(let root) = document, case .array(let fields)? = root["fields"], case .array(let groups)? = root["groups"] else {
            return XCTFail("schema document shape")
        }
        XCTAssertEqual(fields.count, schema.fields.count)
        XCTAssertEqual(groups.count, 7)
        // The responder serves the schema through CreditJSON's encoder; it must say the same.
        XCTAssertEqual(try JSONValue.parse(SchemaDocument(schema: schema).json().bytes), document)
    }
}

/// The compact record the responder stores and the worker reads instead of the JSON.
final class ApplicantRecordTests: XCTestCase {
    func testEveryValidatedApplicantComesBackTheSame() throws {
        let schema = ApplicantSchema.pakdd
        // Seeded variety: every field missing, a number, or a text with separators' neighbours and accents.
        var generator = SplitMix64(seed: 20261125)
        for _ in 0..<300 {
            let values: [FieldValue] = schema.fields.map { _ in
                switch generator.next() % 4 {
                case 0: .missing
                case 1: .number(Double(Int64(generator.next() % 2_000_001) - 1_000_000) / 64)
                case 2:
                    .number(
                        [0, 1, -0.0, 1e-7, 123_456.789, 0.1 + 0.2, -42, 999_999_999_999_999, 1_234_567_890_123_456, -1e300][
                            Int(generator.next() % 10)])
                default: .text(["RJ", "São Paulo", "Zoë \"Zé\"", "n1", "t", " x ", "a\u{20}b", "😀"][Int(generator.next() % 8)])
                }
            }
            let applicant = Applicant(values: values)
            let record = ApplicantRecord.encode(applicant)
            XCTAssertEqual(ApplicantRecord.decode(record, fieldCount: schema.fields.count), applicant, record)
        }
    }

    /// The store keeps a validated application only as its record; the API gives it back as JSON
    /// from the record, which an officer's edit sends again: it must validate to the same applicant.
    func testTheStoredApplicationValidatesToTheSameApplicant() throws {
        let schema = ApplicantSchema.pakdd
        var generator = SplitMix64(seed: 20261126)
        for _ in 0..<300 {
            var object: [String: JSONValue] = [:]
            for field in schema.fields {
                if field.missingAllowed, generator.next() % 4 == 0 { object[field.name] = .null; continue }
                switch field.kind {
                case .number(_, let range, let integer):
                    let fraction = Double(generator.next() % 10_001) / 10_000
                    var value = range.lowerBound + fraction * (min(range.upperBound, range.lowerBound + 1e6) - range.lowerBound)
                    if integer { value = value.rounded(.down) }
                    object[field.name] = .number(value)
                case .category(let known, _):
                    // An open list without documented codes (ZIP areas) takes any code.
                    object[field.name] = .string(known.isEmpty ? "123" : known[Int(generator.next() % UInt64(known.count))].code)
                case .flag(let yes, let no):
                    object[field.name] = .string(generator.next() % 2 == 0 ? yes : no)
                case .text:
                    object[field.name] = .string(["São Paulo", "Zoë \"Zé\" <b>", "RJ"][Int(generator.next() % 3)])
                }
            }
            let applicant = try schema.validate(.object(object))
            let stored = try XCTUnwrap(schema.storedApplication(payload: "", record: ApplicantRecord.encode(applicant)))
            XCTAssertEqual(try schema.validate(JSONValue.parse(stored)), applicant, stored)
            // Written member by member, it is the same text as the sorted-object writer gives.
            var members: [String: JSONOutput] = [:]
            for (index, field) in schema.fields.enumerated() {
                switch (field.kind, applicant.values[index]) {
                case (_, .missing): if field.defaultValue != nil { members[field.name] = .null }
                case (.flag(let yes, let no), .number(let number)): members[field.name] = .string(number >= 0.5 ? yes : no)
                case (.number, .number(let number)): members[field.name] = .number(number)
                case (_, let value): if let text = value.display { members[field.name] = .string(text) }
                }
            }
            XCTAssertEqual(stored, JSONOutput.object(members).text)
        }
        XCTAssertEqual(
            schema.storedApplication(payload: #"{"age":30}"#, record: nil), #"{"age":30}"#, "JSON stored as it came is given back as it is")
        XCTAssertNil(schema.storedApplication(payload: "", record: nil), "nothing is left after a retention purge")
    }

    func testARecordOfAnotherShapeIsIgnored() {
        let count = ApplicantSchema.pakdd.fields.count
        let good = ApplicantRecord.encode(Applicant(values: Array(repeating: .number(1), count: count)))
        XCTAssertNotNil(ApplicantRecord.decode(good, fieldCount: count))
        XCTAssertNil(ApplicantRecord.decode(good, fieldCount: count + 1), "another schema")
        XCTAssertNil(ApplicantRecord.decode("a0" + good.dropFirst(2), fieldCount: count), "another version")
        XCTAssertNil(ApplicantRecord.decode(good.replacingOccurrences(of: "n1", with: "nx"), fieldCount: count), "not a number")
        XCTAssertNil(ApplicantRecord.decode(good.replacingOccurrences(of: "n1", with: "q1"), fieldCount: count), "unknown kind")
        XCTAssertNil(ApplicantRecord.decode("", fieldCount: count))
    }
}
