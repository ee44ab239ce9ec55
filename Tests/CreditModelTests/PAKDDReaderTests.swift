import CreditTestSupport
import Foundation
import XCTest

@testable import CreditModel
@testable import CreditScoring

/// The PAKDD reader on small files written by the tests: CRLF, Latin-1, missing spellings, errors.
final class PAKDDReaderTests: XCTestCase {
    private var temporary: TemporaryDirectory!
    private var directory: URL { temporary.url }

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "reader")
    }

    override func tearDownWithError() throws { temporary.remove() }

    /// A real line from train.tsv (ID 2), as bytes, without its line ending.
    static let sampleFields =
        "2\tC\t15\tCarga\t0\t1\tF\t2\t0\t0\tRJ\trio de janeiro\t1\tRJ\tRIO DE JANEIRO\tCAMPO GRANDE\tY\t20\t1\t1\tN\t1\t750\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\tY\t \tNULL\tNULL\tN\t \t0\t11\t4\t11\tNULL\t0\t0\t0\t0\t1\tN\t34\t230\t230\t1"
        .split(separator: "\t", omittingEmptySubsequences: false).map(String.init)

    private func write(_ lines: [[String]], ending: String = "\r\n", finalEnding: Bool = true, latin1Borough: Bool = false) throws -> String {
        var bytes: [UInt8] = []
        for (index, fields) in lines.enumerated() {
            bytes += Array(fields.joined(separator: "\t").utf8)
            if index < lines.count - 1 || finalEnding { bytes += Array(ending.utf8) }
        }
        if latin1Borough, let position = bytes.firstIndex(of: UInt8(ascii: "@")) { bytes[position] = 0xAC }
        let url = directory.appendingPathComponent("data-\(UUID().uuidString).txt")
        try Data(bytes).write(to: url)
        return url.path
    }

    private func line(_ changes: [Int: String] = [:], dropTarget: Bool = false) -> [String] {
        var fields = Self.sampleFields
        for (column, value) in changes { fields[column - 1] = value }
        return dropTarget ? Array(fields.dropLast()) : fields
    }

    func testReadsALabelledFileWithCRLFAndNoFinalNewline() throws {
        let path = try write([line(), line([1: "3", 54: "0"])], finalEnding: false)
        let data = try PAKDDReader(path: path).readAll()
        XCTAssertEqual(data.ids, [2, 3])
        XCTAssertEqual(data.labels, [1, 0])
        let schema = ApplicantSchema.pakdd
        let applicant = data.applicants[0]
        XCTAssertEqual(applicant[schema.index(of: "age")!], .number(34))
        XCTAssertEqual(applicant[schema.index(of: "application_submission_type")!], .text("Carga"))
        XCTAssertEqual(applicant[schema.index(of: "flag_residencial_phone")!], .number(1), "Y is 1")
        XCTAssertEqual(applicant[schema.index(of: "company")!], .number(1))
        XCTAssertEqual(applicant[schema.index(of: "residencial_zip_3")!], .number(230))
        XCTAssertEqual(applicant[schema.index(of: "residencial_city")!], .text("RIO DE JANEIRO"))
        XCTAssertEqual(applicant[schema.index(of: "city_of_birth")!], .text("RIO DE JANEIRO"), "place names fold to upper case")
    }

    func testFileWithoutTargetHasNoLabels() throws {
        let path = try write([line(dropTarget: true), line([1: "9"], dropTarget: true)], ending: "\n")
        let data = try PAKDDReader(path: path).readAll()
        XCTAssertNil(data.labels)
        XCTAssertEqual(data.count, 2)
    }

    func testMissingSpellingsAndLatin1() throws {
        let path = try write([line([16: "ST@ TERESINHA", 19: "NULL", 7: " ", 52: "#DIV/0!", 53: "NUL", 18: ""])], latin1Borough: true)
        let applicant = try PAKDDReader(path: path).readAll().applicants[0]
        let schema = ApplicantSchema.pakdd
        for name in ["residence_type", "sex", "residencial_zip_3", "professional_zip_3", "residencial_phone_area_code"] {
            XCTAssertEqual(applicant[schema.index(of: name)!], .missing, name)
        }
        XCTAssertEqual(applicant[schema.index(of: "residencial_borough")!], .text("ST¬ TERESINHA"))
    }

    func testMalformedLinesNameFileAndLine() throws {
        let short = try write([line(), Array(line().prefix(40))])
        XCTAssertThrowsError(try PAKDDReader(path: short).readAll()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(short) && text.contains(":2:") && text.contains("found 40"), text)
        }
        let word = try write([line([51: "abc"])])
        XCTAssertThrowsError(try PAKDDReader(path: word).readAll()) { error in
            XCTAssertTrue("\(error)".contains("age") && "\(error)".contains(":1:"), "\(error)")
        }
        let target = try write([line([54: "2"])])
        XCTAssertThrowsError(try PAKDDReader(path: target).readAll()) { XCTAssertTrue("\($0)".contains("target")) }
        let badFlag = try write([line([17: "maybe"])])
        XCTAssertThrowsError(try PAKDDReader(path: badFlag).readAll()) { XCTAssertTrue("\($0)".contains("flag_residencial_phone")) }
    }

    func testMissingAndEmptyFiles() throws {
        let missing = directory.appendingPathComponent("nope.tsv").path
        XCTAssertThrowsError(try PAKDDReader(path: missing).readAll()) {
            XCTAssertEqual($0 as? DataReadError, .cannotOpen(path: missing, reason: "no such file"))
        }
        let empty = try write([])
        XCTAssertThrowsError(try PAKDDReader(path: empty).readAll()) { XCTAssertEqual($0 as? DataReadError, .empty(path: empty)) }
    }

    func testStreamsLargeFilesAcrossChunks() throws {
        let lines = (0..<5000).map { line([1: String($0 + 1)]) }
        let data = try PAKDDReader(path: try write(lines)).readAll()
        XCTAssertEqual(data.count, 5000)
        XCTAssertEqual(data.ids.last, 5000)
    }
}
