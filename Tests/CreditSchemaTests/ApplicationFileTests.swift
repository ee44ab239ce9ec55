import XCTest

@testable import CreditSchema

/// A CSV file of applications is read whatever its separator, decimal mark, line ends and
/// encoding: as Excel in Brazil writes it, as Excel in English does, and as the template comes.
final class ApplicationFileTests: XCTestCase {
    /// A valid application's cells, by field.
    private let fields: [(String, String)] = [
        ("id_client", "7"), ("applicant_name", "Luíza Gonçalves"), ("payment_day", "10"), ("application_submission_type", "Web"),
        ("marital_status", "2"), ("residencial_city", "São Paulo"), ("personal_monthly_income", "{income}"), ("product", "1"), ("age", "34"),
        ("residence_type", "1"), ("occupation_type", "4"), ("profession_code", "9"), ("months_in_residence", "24"),
        ("quant_banking_accounts", "1"), ("flag_residencial_phone", "Y"), ("flag_email", "1"), ("flag_professional_phone", "N"),
        ("company", "Y"), ("residencial_state", "SP"), ("quant_dependants", "1"),
    ]

    private func csv(separator: String, income: String, lineEnd: String = "\r\n") -> String {
        fields.map(\.0).joined(separator: separator) + lineEnd
            + fields.map { $0.1 == "{income}" ? income : $0.1 }.joined(separator: separator) + lineEnd
    }

    private func rows(_ file: ApplicationFile) -> [Result<ApplicationFile.Row, ApplicationFile.RowError>] {
        var rows: [Result<ApplicationFile.Row, ApplicationFile.RowError>] = []
        file.forEachRow {
            rows.append($0); return true
        }
        return rows
    }

    private func income(_ file: ApplicationFile) throws -> Double? {
        let row = try XCTUnwrap(rows(file).first).get()
        return row.applicant[ApplicantSchema.pakdd.index(of: "personal_monthly_income")!].number
    }

    func testTheSeparatorComesFromTheHeaderAndTheDecimalMarkFollowsIt() throws {
        let semicolons = try ApplicationFile(bytes: Array(csv(separator: ";", income: "1.800,50").utf8), format: .csv)
        XCTAssertEqual(semicolons.separator, UInt8(ascii: ";"))
        XCTAssertEqual(semicolons.dialect, .semicolon)
        XCTAssertEqual(try income(semicolons), 1800.5)
        let plain = try ApplicationFile(bytes: Array(csv(separator: ";", income: "1800,5").utf8), format: .csv)
        XCTAssertEqual(try income(plain), 1800.5)
        let commas = try ApplicationFile(bytes: Array(csv(separator: ",", income: "1800.50", lineEnd: "\n").utf8), format: .csv)
        XCTAssertEqual(commas.dialect, .comma)
        XCTAssertEqual(try income(commas), 1800.5)
        let quoted = try ApplicationFile(bytes: Array(csv(separator: ",", income: "\"1.800,50\"").utf8), format: .csv)
        XCTAssertEqual(try income(quoted), 1800.5, "a quoted decimal comma in a comma file")
    }

    func testATabFileHasDecimalCommasWhenANumberCellHoldsOne() throws {
        let brazil = try ApplicationFile(bytes: Array(csv(separator: "\t", income: "1.800,50").utf8), format: .csv)
        XCTAssertEqual(brazil.separator, UInt8(ascii: "\t"))
        XCTAssertTrue(brazil.decimalComma)
        XCTAssertEqual(try income(brazil), 1800.5)
        let english = try ApplicationFile(bytes: Array(csv(separator: "\t", income: "1800.5").utf8), format: .csv)
        XCTAssertFalse(english.decimalComma)
        XCTAssertEqual(english.dialect, .comma)
        XCTAssertEqual(try income(english), 1800.5)
    }

    func testAThousandsDotInASemicolonFileIsNeverADecimalPoint() throws {
        let file = try ApplicationFile(bytes: Array(csv(separator: ";", income: "1.500").utf8), format: .csv)
        XCTAssertEqual(try income(file), 1500)
        let refused = try ApplicationFile(bytes: Array(csv(separator: ";", income: "1500.5").utf8), format: .csv)
        guard case .failure(let error)? = rows(refused).first else { return XCTFail("1500.5 is not guessed") }
        XCTAssertEqual(error.line, 2)
        XCTAssertEqual(Array(error.errors.keys), ["personal_monthly_income"])
    }

    func testAWindows1252FileWithCRLFKeepsItsNames() throws {
        let text = csv(separator: ";", income: "1.800,50")
        let bytes = text.unicodeScalars.map { UInt8($0.value) }  // ISO-8859-1, Windows-1252's printable range
        let file = try ApplicationFile(bytes: bytes, format: .csv)
        XCTAssertEqual(file.encoding, .windows1252)
        let row = try XCTUnwrap(rows(file).first).get()
        XCTAssertEqual(row.applicant.name(in: .pakdd), "Luíza Gonçalves")
        XCTAssertEqual(row.clientID, "7")
        XCTAssertEqual(row.line, 2)
    }

    func testABinaryFileIsRefusedWholeWithItsLineAndByte() {
        let bytes = Array("id_client;age\r\n1;30\r\n".utf8) + [0x50, 0x4B, 0x00]
        XCTAssertThrowsError(try ApplicationFile(bytes: bytes, format: .csv)) { error in
            XCTAssertEqual(error as? ApplicationFileError, .notText(TextDecodingError(line: 3, byte: 24, byteInLine: 3, value: 0)))
        }
        XCTAssertThrowsError(try ApplicationFile(bytes: [0x7B, 0x00, 0x7D], format: .jsonl), "JSON lines are decoded the same way")
    }

    func testTheTemplateReadsBackAsOneValidApplicationInEitherDialect() throws {
        for dialect in CSVDialect.allCases {
            let file = try ApplicationFile(bytes: Array(ApplicationTemplate.csv(dialect: dialect).utf8), format: .csv)
            XCTAssertEqual(file.dialect, dialect)
            let read = rows(file)
            XCTAssertEqual(read.count, 1)
            let row = try XCTUnwrap(read.first).get()
            XCTAssertEqual(row.applicant.name(in: .pakdd), "Maria da Conceição")
            XCTAssertEqual(row.applicant[ApplicantSchema.pakdd.index(of: "personal_monthly_income")!].number, 1800.5)
        }
    }
}
