import CreditJSON
import XCTest

@testable import CreditLog

/// The log line's values: numbers stay numbers only when JSON can read them back.
final class JSONLogHandlerTests: XCTestCase {
    private func json(_ value: Logger.Metadata.Value) -> String {
        var out: [UInt8] = []
        JSONLogHandler.appendJSON(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    func testNumbersAreWrittenBareOnlyWhenJSONReadsThem() {
        for number in ["0", "-12", "0.5", "1e-06", "2.5E+10", "200", "-0.0"] {
            XCTAssertTrue(JSONLogHandler.isJSONNumber(number), number)
        }
        for text in ["", "-", "inf", "-inf", "nan", "+1", "01", "1.", ".5", "1e", "1e+", "0x10", "12a", " 1"] {
            XCTAssertFalse(JSONLogHandler.isJSONNumber(text), text)
        }
    }

    func testEveryValueIsValidJSON() throws {
        let values: [Logger.Metadata.Value] = [
            .stringConvertible(202), .stringConvertible(1.25), .stringConvertible(Double.infinity), .stringConvertible(Double.nan),
            .string("say \"hi\"\n\u{1}"), .array([.stringConvertible(1), .string("a")]),
            .dictionary(["b": .stringConvertible(2), "a": .string("x")]),
        ]
        let expected: [JSONValue] = [
            .number(202), .number(1.25), .string("inf"), .string("nan"), .string("say \"hi\"\n\u{1}"),
            .array([.number(1), .string("a")]), .object(["a": .string("x"), "b": .number(2)]),
        ]
        for (value, wanted) in zip(values, expected) {
            let text = json(value)
            XCTAssertEqual(try JSONValue.parse(Array(text.utf8)), wanted, text)
        }
        XCTAssertEqual(json(.dictionary(["b": .string("2"), "a": .string("1")])), #"{"a":"1","b":"2"}"#, "keys sorted")
    }
}
