import CreditJSON
import Foundation
import XCTest

/// The Foundation-free encoder used by the responder: same output as Foundation's JSONEncoder.
final class JSONOutputEncoderTests: XCTestCase {
    private struct Inner: Codable, Equatable {
        var name: String
        var weights: [Double]
    }

    private struct Sample: Codable, Equatable {
        var id: Int
        var label: String?
        var missing: String?
        var flag: Bool
        var inner: Inner
        var list: [Inner]
        var nested: [[Int]]
        var map: [String: Int]
        var value: JSONValue

        enum CodingKeys: String, CodingKey {
            case id, label, missing, flag, inner, list, nested, map, value = "the_value"
        }
    }

    private let sample = Sample(
        id: 7, label: "x \"quoted\" <tag>", missing: nil, flag: true, inner: Inner(name: "a", weights: [0.5, -2, 1e-7]),
        list: [Inner(name: "b", weights: [])], nested: [[1, 2], []], map: ["k": 1, "j": 2],
        value: .object(["n": .null, "a": .array([.bool(false), .string("s")])]))

    func testMatchesFoundationsEncoder() throws {
        let ours = try JSONValue.parse(try JSONOutputEncoder.encode(sample).bytes)
        let theirs = try JSONValue.parse(Array(JSONEncoder().encode(sample)))
        XCTAssertEqual(ours, theirs)
        XCTAssertEqual(try JSONDecoder().decode(Sample.self, from: Data(try JSONOutputEncoder.encode(sample).bytes)), sample, "round trip")
    }

    func testLeavesOutNilOptionalsAndSortsKeys() throws {
        let text = try JSONOutputEncoder.encode(sample).text
        XCTAssertFalse(text.contains("missing"))
        XCTAssertTrue(text.hasPrefix(#"{"flag":true,"id":7,"inner":{"name":"a","weights":[0.5,-2,1e-07]},"label":"x \"quoted\" \u003ctag>""#), text)
    }

    func testRefusesNonFiniteNumbers() {
        XCTAssertThrowsError(try JSONOutputEncoder.encode(Inner(name: "a", weights: [1, .nan]))) { error in
            XCTAssertTrue("\(error)".contains("weights.1"), "\(error)")
        }
    }

    func testConvertsParsedValuesBack() throws {
        let value = try JSONValue.parse(#"{"b":[1,{"c":null}],"a":"x"}"#)
        XCTAssertEqual(JSONOutput(value).text, #"{"a":"x","b":[1,{"c":null}]}"#)
        XCTAssertEqual(value["b"], .array([.number(1), .object(["c": .null])]))
        XCTAssertNil(value["zzz"])
        XCTAssertNil(JSONValue.string("s")["a"])
    }

    func testWritesEveryStringSoThatItParsesBack() throws {
        let controls = String((0..<32).map { Character(Unicode.Scalar(UInt8($0))) })
        let samples = ["", "plain", controls, "tab\tCR\rLF\n", "quote \" backslash \\ slash /", "</script><b>", "é 😀 \u{7F} end"]
        for sample in samples {
            let text = JSONOutput.string(sample).text
            XCTAssertEqual(try JSONValue.parse(text), .string(sample), text)
            XCTAssertFalse(text.contains("<"), "no raw '<' in \(text)")
            XCTAssertFalse(text.utf8.dropFirst().dropLast().contains { $0 < 0x20 || $0 == 0x7F }, "no raw control character in \(text)")
        }
    }

    func testWritesNumbersAsTheyRoundTrip() throws {
        let numbers: [Double] = [0, -0.0, 7, -12, 999_999_999_999_999, -1e15, 1e20, 0.1, -2.5e-8, 0.2575168454886711]
        let text = JSONOutput.array(numbers.map(JSONOutput.number) + [.number(.nan)]).text
        XCTAssertEqual(text, "[0,0,7,-12,999999999999999,-1000000000000000.0,1e+20,0.1,-2.5e-08,0.2575168454886711,null]")
        guard case .array(let parsed) = try JSONValue.parse(text) else { return XCTFail("an array") }
        XCTAssertEqual(parsed.dropLast(), numbers.map(JSONValue.number)[...])
    }
}
