import CreditText
import XCTest

@testable import CreditSchema

/// The CSV the service writes: a dialect's separator and decimal mark, RFC 4180 quoting, no
/// formula a spreadsheet would run, and the byte-order mark and CRLF that make a double click open it.
final class CSVWriterTests: XCTestCase {
    private let semicolon = CSVWriter(dialect: .semicolon), comma = CSVWriter(dialect: .comma)

    func testEachDialectWritesItsSeparatorAndDecimalMark() {
        let cells: [CSVCell] = [
            "Maria da Conceição", .number(0.1234567, digits: 6), .integer(612), .number(1800.5, digits: nil), .number(-0.5, digits: 2),
        ]
        XCTAssertEqual(semicolon.line(cells), "Maria da Conceição;0,123457;612;1800,5;-0,50\r\n")
        XCTAssertEqual(comma.line(cells), "Maria da Conceição,0.123457,612,1800.5,-0.50\r\n")
        XCTAssertEqual(semicolon.number(1_234_567.891, digits: 2), "1234567,89", "no thousands separators")
        XCTAssertEqual(CSVDialect(language: .portuguese), .semicolon)
        XCTAssertEqual(CSVDialect(language: .english), .comma)
    }

    func testCellsAreQuotedByRFC4180WhenTheyHoldTheSeparatorAQuoteOrALineBreak() {
        XCTAssertEqual(semicolon.line(["a;b", "a,b", "diz \"sim\"", "duas\nlinhas"]), "\"a;b\";a,b;\"diz \"\"sim\"\"\";\"duas\nlinhas\"\r\n")
        XCTAssertEqual(comma.line(["a;b", "a,b"]), "a;b,\"a,b\"\r\n")
    }

    func testTextThatASpreadsheetWouldRunAsAFormulaGetsAnApostropheButNumbersDoNot() {
        XCTAssertEqual(comma.line(["=1+1", "+55 11", "-x", "@SUM(A1)", "\tx", "a=b"]), "'=1+1,'+55 11,'-x,'@SUM(A1),'\tx,a=b\r\n")
        XCTAssertEqual(semicolon.line([.number(-3, digits: 0), "=HYPERLINK(\"x\";\"y\")"]), "-3;\"'=HYPERLINK(\"\"x\"\";\"\"y\"\")\"\r\n")
    }

    func testTheTemplateIsAByteOrderMarkAHeaderOfFieldNamesAndAnExampleInTheDialect() throws {
        let template = ApplicationTemplate.csv(dialect: .semicolon)
        XCTAssertTrue(template.hasPrefix("\u{FEFF}id_client;applicant_name;clerk_type;"))
        let lines = template.dropFirst().components(separatedBy: "\r\n")
        XCTAssertEqual(lines.count, 3, "header, example, and the CRLF after it")
        XCTAssertEqual(lines[0].split(separator: ";").map(String.init), ApplicantSchema.pakdd.fields.map(\.name))
        XCTAssertTrue(lines[1].contains(";Maria da Conceição;") && lines[1].contains(";1800,50;"), lines[1])
        let english = ApplicationTemplate.csv(dialect: .comma)
        XCTAssertTrue(english.contains(",1800.50,") && english.hasSuffix("\r\n"))
    }
}
