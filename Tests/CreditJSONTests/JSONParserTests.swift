import CreditJSON
import Foundation
import XCTest

/// The request-body parser: strict RFC 8259, safe against hostile input, and agreeing with Foundation.
final class JSONParserTests: XCTestCase {
    func testParsesEveryKindOfValue() throws {
        let value = try JSONValue.parse(#" {"a": [1, -2.5e3, 0.125, true, false, null], "b": {"c": "x\"y\\z\/\n\u00e9\ud83d\ude00"}, "": 0} "#)
        XCTAssertEqual(
            value,
            .object([
                "a": .array([.number(1), .number(-2500), .number(0.125), .bool(true), .bool(false), .null]),
                "b": .object(["c": .string("x\"y\\z/\né😀")]), "": .number(0),
            ]))
        XCTAssertEqual(try JSONValue.parse("\"plain\""), .string("plain"))
        XCTAssertEqual(try JSONValue.parse("[]"), .array([]))
        XCTAssertEqual(try JSONValue.parse("{\"k\":1,\"k\":2}"), .object(["k": .number(2)]), "the last duplicate wins")
    }

    func testRejectsInvalidJSON() {
        let invalid = [
            "", "{", "}", "[1,]", "{\"a\":1,}", "{a:1}", "'x'", "01", "1.", ".5", "-", "1e", "+1", "NaN", "Infinity", "tru", "nul",
            "\"unterminated", "\"bad \\x escape\"", "\"\u{01}\"", "[1 2]", "{\"a\" 1}", "1 2", "\"\\ud800\"", "\"\\udc00\"", "// c\n1",
        ]
        for text in invalid {
            XCTAssertThrowsError(try JSONValue.parse(text), "accepted \(text.debugDescription)")
        }
        XCTAssertThrowsError(try JSONValue.parse([0x22, 0xFF, 0x22]), "invalid UTF-8 in a string")
        // Overlong "/", an encoded surrogate, a truncated sequence, and the same after an escape.
        for bad: [UInt8] in [[0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0x5C, 0x6E, 0xC3]] {
            XCTAssertThrowsError(try JSONValue.parse([0x22] + bad + [0x22]), "\(bad)")
        }
        XCTAssertEqual(try JSONValue.parse([0x22, 0x5C, 0x6E, 0xC3, 0xA9, 0x22]), .string("\né"))
        XCTAssertEqual(try JSONValue.parse(Array("\"São Paulo 😀\"".utf8)), .string("São Paulo 😀"))
    }

    func testDeepNestingIsRefusedNotCrashed() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        XCTAssertThrowsError(try JSONValue.parse(deep, maxDepth: 32)) { error in
            XCTAssertTrue("\(error)".contains("deeper than 32"))
        }
        XCTAssertNoThrow(try JSONValue.parse(String(repeating: "[", count: 32) + String(repeating: "]", count: 32), maxDepth: 32))
        XCTAssertThrowsError(try JSONValue.parse(String(repeating: "{\"a\":", count: 40) + "1" + String(repeating: "}", count: 40), maxDepth: 32))
    }

    /// Reading an object member by member accepts and refuses exactly what parsing it whole does,
    /// with the same error and offset, and hands over every member in order.
    func testReadingMembersAgreesWithParsingWhole() throws {
        let texts = [
            #" {"a": [1, {"x": null}], "b": "x\"y", "": 0, "k": 1, "k": 2} "#, "{}", " { } ", #"{"\u0061ge": 3, "é": "ü"}"#,
            #"{"age": x}"#, #"{"a":1,}"#, #"{"a" 1}"#, #"{"a":1} 2"#, "{", #"{"a":"#, #"{"\x": 1}"#, "{\"a\u{01}\": 1}", "{a:1}",
            #"{"a":1 "b":2}"#, String(repeating: #"{"a":"#, count: 40) + "1" + String(repeating: "}", count: 40),
        ]
        for text in texts {
            let bytes = Array(text.utf8)
            var members: [String: JSONValue] = [:]
            let whole = Result { try JSONValue.parse(bytes, maxDepth: 32) }
            let read = Result {
                try JSONValue.parseMembers(ofObject: bytes, maxDepth: 32) { key, value in members[String(decoding: key, as: UTF8.self)] = value }
            }
            switch (whole, read) {
            case (.success(let value), .success(let isObject)):
                XCTAssertTrue(isObject, text)
                XCTAssertEqual(value, .object(members), text)
            case (.failure(let expected), .failure(let error)):
                XCTAssertEqual(error as? JSONParseError, expected as? JSONParseError, text)
            default:
                XCTFail("\(text.debugDescription): whole \(whole), member by member \(read)")
            }
        }
        var keys: [String] = []
        _ = try JSONValue.parseMembers(ofObject: Array(#"{"k":1,"j":2,"k":3}"#.utf8)) { key, _ in keys.append(String(decoding: key, as: UTF8.self)) }
        XCTAssertEqual(keys, ["k", "j", "k"], "in order, a repeated key each time")
        for notAnObject in ["[1]", "\"x\"", "3", "", "  ", "x{"] {
            XCTAssertFalse(
                try JSONValue.parseMembers(ofObject: Array(notAnObject.utf8)) { _, _ in XCTFail("a member of \(notAnObject)") }, notAnObject)
        }
        XCTAssertThrowsError(try JSONValue.parseMembers(ofObject: [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]) { _, _ in }, "invalid UTF-8 in a key")
    }

    func testErrorsCarryTheOffset() {
        XCTAssertThrowsError(try JSONValue.parse("{\"age\": x}")) { error in
            XCTAssertEqual((error as? JSONParseError)?.offset, 8)
        }
    }

    func testAgreesWithFoundationOnGeneratedDocuments() throws {
        var generator = SeededGenerator(state: 20261126)
        for _ in 0..<200 {
            let object: [String: Any] = [
                "n": Double(Int.random(in: -1_000_000...1_000_000, using: &generator)) / 7,
                "s": String(
                    (0..<Int.random(in: 0...20, using: &generator)).map { _ in
                        Character(Unicode.Scalar(UInt8.random(in: 32...126, using: &generator)))
                    }),
                "b": Bool.random(using: &generator), "a": [1, 2, 3],
            ]
            let data = try JSONSerialization.data(withJSONObject: object)
            guard case .object(let parsed) = try JSONValue.parse(Array(data)) else { return XCTFail("not an object") }
            XCTAssertEqual(parsed["n"], .number(object["n"] as! Double))
            XCTAssertEqual(parsed["s"], .string(object["s"] as! String))
            XCTAssertEqual(parsed["b"], .bool(object["b"] as! Bool))
        }
    }

    func testOutputRoundTrips() throws {
        let output = JSONOutput.object([
            "text": .string("quote \" backslash \\ newline \n tab \t <tag> é"), "list": .array([.number(1.5), .null, .bool(true)]),
        ])
        let parsed = try JSONValue.parse(output.bytes)
        XCTAssertEqual(
            parsed,
            .object([
                "text": .string("quote \" backslash \\ newline \n tab \t <tag> é"),
                "list": .array([.number(1.5), .null, .bool(true)]),
            ]))
        XCTAssertFalse(output.text.contains("<"), "< is escaped")
    }
}

/// A seeded generator (a 64-bit LCG with an output mix), so the generated documents are the same every run.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state ^ (state >> 29)
    }
}
