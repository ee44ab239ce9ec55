import XCTest

@testable import CreditSchema

/// A batch file's encoding is told from its bytes: UTF-8 with or without a byte-order mark,
/// Windows-1252 and ISO-8859-1 decode to the same text; a binary file is refused at its first bad byte.
final class TextEncodingTests: XCTestCase {
    private let names = "nome;cidade\r\nMaria da Conceição;São Paulo\r\nLuíza Gonçalves;Florianópolis\r\n"

    /// `text` in Windows-1252 (every character here is in it).
    private func windows1252(_ text: String) -> [UInt8] {
        text.unicodeScalars.map { scalar in
            if scalar.value < 0x80 || (0xA0...0xFF).contains(scalar.value) { return UInt8(scalar.value) }
            let high = TextEncoding.windows1252High.firstIndex(of: scalar.value)!
            return UInt8(0x80 + high)
        }
    }

    func testUTF8WithAndWithoutAByteOrderMarkIsReadAsItIs() throws {
        let plain = try TextEncoding.decode(Array(names.utf8))
        XCTAssertEqual(plain.encoding, .utf8)
        XCTAssertEqual(String(decoding: plain.text, as: UTF8.self), names)
        let marked = try TextEncoding.decode(TextEncoding.byteOrderMark + Array(names.utf8))
        XCTAssertEqual(marked.encoding, .utf8)
        XCTAssertEqual(marked.text, Array(names.utf8), "the byte-order mark is dropped")
    }

    func testAWindows1252FileDecodesToTheSameNames() throws {
        let bytes = windows1252(names + "“Aspas” – R$ 1.800,50 €\r\n")
        XCTAssertTrue(bytes.contains(0xE3) && bytes.contains(0x93) && bytes.contains(0x80), "ã, “ and € as single bytes")
        let decoded = try TextEncoding.decode(bytes)
        XCTAssertEqual(decoded.encoding, .windows1252)
        let text = String(decoding: decoded.text, as: UTF8.self)
        XCTAssertEqual(text, names + "“Aspas” – R$ 1.800,50 €\r\n")
        for name in ["São Paulo", "Conceição", "Luíza Gonçalves"] { XCTAssertTrue(text.contains(name), name) }
    }

    func testAnISO8859_1FileIsReadAsWindows1252() throws {
        // ISO-8859-1 and Windows-1252 agree on every printable character from 0xA0.
        let latin1 = Array("Jo\u{E3}o;Ara\u{FA}jo;\u{A7}\u{B0}\u{FF}\n".unicodeScalars.map { UInt8($0.value) })
        let decoded = try TextEncoding.decode(latin1)
        XCTAssertEqual(decoded.encoding, .windows1252)
        XCTAssertEqual(String(decoding: decoded.text, as: UTF8.self), "João;Araújo;§°ÿ\n")
    }

    func testEveryDefinedWindows1252ByteDecodesToItsCharacter() throws {
        let defined = (0x20...0xFF).map(UInt8.init).filter { !TextEncoding.isUndefinedInWindows1252($0) && $0 != 0x7F }
        XCTAssertEqual(defined.count, 224 - 1 - 5)
        let decoded = try TextEncoding.decode(defined + [0xE7])  // ç makes it invalid UTF-8 whatever comes before
        XCTAssertEqual(decoded.encoding, .windows1252)
        let scalars = String(decoding: decoded.text, as: UTF8.self).unicodeScalars.map(\.value)
        XCTAssertEqual(scalars.count, defined.count + 1)
        XCTAssertEqual(scalars[defined.firstIndex(of: 0x80)!], 0x20AC)
        XCTAssertEqual(scalars[defined.firstIndex(of: 0x9F)!], 0x0178)
        XCTAssertEqual(scalars[defined.firstIndex(of: 0xA0)!], 0xA0)
        XCTAssertEqual(scalars.last, 0xE7)
    }

    func testABinaryFileIsRefusedAtItsFirstBadByteByLineAndPosition() {
        // An .xlsx workbook is a ZIP archive: "PK", then NUL bytes on its first line.
        XCTAssertThrowsError(try TextEncoding.decode([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00])) { error in
            XCTAssertEqual(error as? TextDecodingError, TextDecodingError(line: 1, byte: 3, byteInLine: 3, value: 0x03))
        }
        // A byte Windows-1252 leaves undefined, on line 3 of a file that is not UTF-8.
        var bytes = windows1252("a;b\r\nSão;1\r\nxy")
        bytes += [0x8D, 0x41, 0x0A]
        XCTAssertThrowsError(try TextEncoding.decode(bytes)) { error in
            let error = error as? TextDecodingError
            XCTAssertEqual(error, TextDecodingError(line: 3, byte: 15, byteInLine: 3, value: 0x8D))
            XCTAssertEqual(
                error?.description,
                "The file is not text in UTF-8, Windows-1252 or ISO-8859-1: line 3 has the byte 0x8D (byte 3 of the line, byte 15 of the file). "
                    + "Save the spreadsheet as CSV (comma- or semicolon-separated), not as a workbook, and upload it again.")
        }
        for undefined: UInt8 in [0x81, 0x8D, 0x8F, 0x90, 0x9D] {
            XCTAssertThrowsError(try TextEncoding.decode([0x61, undefined]), "0x\(String(undefined, radix: 16))")
        }
    }

    func testControlBytesAreRefusedEvenInValidUTF8() {
        XCTAssertThrowsError(try TextEncoding.decode(Array("idade\n30\u{1B}\n".utf8))) { error in
            XCTAssertEqual(error as? TextDecodingError, TextDecodingError(line: 2, byte: 9, byteInLine: 3, value: 0x1B))
        }
        XCTAssertNoThrow(try TextEncoding.decode(Array("a\tb\r\nc\n".utf8)), "tab, CR and LF are text")
    }

    func testAfterAUTF8ByteOrderMarkTheFileMustBeUTF8() {
        XCTAssertThrowsError(try TextEncoding.decode(TextEncoding.byteOrderMark + [0x53, 0xE3, 0x6F])) { error in
            XCTAssertEqual((error as? TextDecodingError)?.byte, 5, "the Windows-1252 ã after a UTF-8 mark")
        }
    }

    func testUTF16IsNamedInTheMessage() {
        XCTAssertThrowsError(try TextEncoding.decode([0xFF, 0xFE, 0x61, 0x00, 0x0A, 0x00])) { error in
            let error = error as? TextDecodingError
            XCTAssertEqual(error?.byte, 4)
            XCTAssertTrue(error?.description.hasPrefix("The file is UTF-16") == true)
        }
    }

    func testMalformedUTF8IsFoundWhereItStarts() {
        XCTAssertNil(TextEncoding.firstInvalidUTF8(Array("ação 😀 €".utf8)))
        XCTAssertEqual(TextEncoding.firstInvalidUTF8([0x61, 0xC0, 0xAF]), 1, "overlong")
        XCTAssertEqual(TextEncoding.firstInvalidUTF8([0x61, 0xED, 0xA0, 0x80]), 1, "surrogate")
        XCTAssertEqual(TextEncoding.firstInvalidUTF8([0x61, 0x62, 0xE2, 0x82]), 2, "cut short")
        XCTAssertEqual(TextEncoding.firstInvalidUTF8([0xF4, 0x90, 0x80, 0x80]), 0, "past U+10FFFF")
        XCTAssertEqual(TextEncoding.firstInvalidUTF8([0xE2, 0x82, 0x41]), 0, "a continuation missing")
    }
}
