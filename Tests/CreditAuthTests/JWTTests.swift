import Foundation
import XCTest

@testable import CreditAuth

/// HS256 tokens: round trip and every rejection the responder relies on.
final class JWTTests: XCTestCase {
    let key = Array("0123456789abcdef0123456789abcdef".utf8)
    lazy var signer = JWTSigner(key: key, issuer: "credit-scoring", audience: "credit-api")
    let now = 1_800_000_000

    private func forge(header: String, payload: String, key signingKey: [UInt8]?) -> String {
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        let signature = signingKey.map { Base64URL.encode(hmacSHA256(key: $0, message: Array(input.utf8))) } ?? ""
        return input + "." + signature
    }

    private func payload(
        sub: String = "1", iat: Int? = nil, nbf: Int? = nil, exp: Int? = nil, iss: String = "credit-scoring", aud: String = "credit-api"
    ) -> String {
        #"{"sub":"\#(sub)","iat":\#(iat ?? now),"nbf":\#(nbf ?? now),"exp":\#(exp ?? now + 600),"iss":"\#(iss)","aud":"\#(aud)","jti":"x"}"#
    }

    func testRoundTrip() throws {
        let (token, claims) = signer.sign(subject: "42", ttl: 600, now: now)
        XCTAssertEqual(try signer.verify(token, now: now + 10), claims)
        XCTAssertEqual(claims.exp, now + 600)
        XCTAssertNotEqual(signer.sign(subject: "42", ttl: 600, now: now).claims.jti, claims.jti, "every token has its own jti")
        XCTAssertEqual(try signer.verify(forge(header: #"{"alg":"HS256"}"#, payload: payload(), key: key), now: now).sub, "1")
    }

    func testRejectsOtherAlgorithms() {
        for header in [
            #"{"alg":"none"}"#, #"{"alg":"None","typ":"JWT"}"#, #"{"alg":"HS512"}"#, #"{"alg":"RS256"}"#, #"{"typ":"JWT"}"#,
            #"{"alg":"HS256","crit":["exp"]}"#, #"{"alg":"HS256","typ":"at+jwt"}"#,
        ] {
            for signingKey in [key, nil] as [[UInt8]?] {
                XCTAssertThrowsError(try signer.verify(forge(header: header, payload: payload(), key: signingKey), now: now), header) { error in
                    guard case .unsupportedAlgorithm = error as? JWTError else { return XCTFail("\(header): \(error)") }
                }
            }
        }
    }

    func testRejectsTamperingAndOtherKeys() {
        let (token, _) = signer.sign(subject: "1", ttl: 600, now: now)
        let parts = token.split(separator: ".").map(String.init)
        let otherSubject = parts[0] + "." + Base64URL.encode(Array(payload(sub: "2").utf8)) + "." + parts[2]
        XCTAssertEqual(verifyError(otherSubject), .badSignature)
        var signature = Array(parts[2].utf8)
        signature[0] = signature[0] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        XCTAssertEqual(verifyError(parts[0] + "." + parts[1] + "." + String(decoding: signature, as: UTF8.self)), .badSignature)
        XCTAssertEqual(verifyError(forge(header: #"{"alg":"HS256"}"#, payload: payload(), key: Array(repeating: 7, count: 32))), .badSignature)
    }

    func testRejectsBadTimesIssuerAndAudience() {
        func token(_ body: String) -> String { forge(header: #"{"alg":"HS256"}"#, payload: body, key: key) }
        XCTAssertEqual(verifyError(token(payload(exp: now - 31))), .expired)
        XCTAssertNoThrow(try signer.verify(token(payload(exp: now - 29)), now: now), "30 s of leeway")
        XCTAssertEqual(verifyError(token(payload(nbf: now + 31))), .notYetValid)
        XCTAssertEqual(verifyError(token(payload(iat: now + 3600))), .notYetValid)
        XCTAssertEqual(verifyError(token(payload(iss: "evil"))), .wrongIssuer)
        XCTAssertEqual(verifyError(token(payload(aud: "other"))), .wrongAudience)
    }

    func testRejectsMalformedTokens() {
        let (token, _) = signer.sign(subject: "1", ttl: 600, now: now)
        let parts = token.split(separator: ".").map(String.init)
        let malformed = [
            "", "a.b", parts.joined(separator: ".") + ".d", "%%%." + parts[1] + "." + parts[2], parts[0] + ".@@@." + parts[2],
            parts[0] + "." + parts[1] + ".===", forge(header: #"{"alg":"HS256"}"#, payload: "[]", key: key),
            forge(header: #"{"alg":"HS256"}"#, payload: #"{"sub":"1","iat":"now","nbf":1,"exp":2,"iss":"a","aud":"b","jti":"c"}"#, key: key),
            forge(header: #"{"alg":"HS256"}"#, payload: #"{"sub":1}"#, key: key),
            forge(header: "not json", payload: payload(), key: key),
            String(repeating: "a", count: 9000),
        ]
        for text in malformed {
            XCTAssertEqual(verifyError(text), .malformed, text.prefix(80).description)
        }
    }

    private func verifyError(_ token: String, now: Int? = nil) -> JWTError? {
        do { _ = try signer.verify(token, now: now ?? self.now); return nil } catch { return error }
    }

    /// A verified token is kept (``VerifiedTokens``): the next use is a comparison, its times are
    /// still checked every time, and only the whole token matches.
    func testAVerifiedTokenIsRecognisedWholeAndItsTimesAreCheckedEveryTime() throws {
        let (token, claims) = signer.sign(subject: "7", ttl: 60, now: now)
        XCTAssertEqual(try signer.verify(token, now: now), claims)
        XCTAssertEqual(try signer.verify(token, now: now + 30), claims, "the kept token")
        XCTAssertEqual(verifyError(token, now: now + 60 + 31), .expired, "expiry is checked on the kept token too")
        XCTAssertEqual(verifyError(token, now: now - 31), .notYetValid)
        // Same length, same last characters (so the same slot), another subject: checked in full.
        let parts = token.split(separator: ".").map(String.init)
        let otherPayload = Base64URL.encode(Array(payload(sub: "8").utf8))
        XCTAssertEqual(verifyError(parts[0] + "." + otherPayload + "." + parts[2]), .badSignature)
        // A token one character short of the kept one is no match either.
        // (Malformed or a bad signature, depending on the random signature's last bits.)
        XCTAssertTrue([.malformed, .badSignature].contains(verifyError(String(token.dropLast()))), "a prefix of the kept token is refused")
        // Many tokens share the slots: each still verifies, twice, with its own claims.
        let many = (0..<600).map { signer.sign(subject: "\($0)", ttl: 600, now: now) }
        for (token, claims) in many + many { XCTAssertEqual(try signer.verify(token, now: now), claims) }
        XCTAssertEqual(verifyError(token, now: now + 60 + 31), .expired)
    }
}

/// base64url, HMAC-SHA256 and constant-time comparison.
final class CryptoTests: XCTestCase {
    func testBase64URLRoundTripAndStrictness() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
            XCTAssertEqual(Base64URL.decode(Substring(Base64URL.encode(bytes))), bytes)
        }
        XCTAssertEqual(Base64URL.encode(Array("f".utf8)), "Zg")
        XCTAssertEqual(Base64URL.encode([0xfb, 0xff]), "-_8")
        for bad in ["Zg==", "Z", "a+b/", "a b", "Zh"] { XCTAssertNil(Base64URL.decode(Substring(bad)), bad) }
    }

    func testHMACMatchesRFC4231() {
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        XCTAssertEqual(
            hex(hmacSHA256(key: Array(repeating: 0x0b, count: 20), message: Array("Hi There".utf8))),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        XCTAssertEqual(
            hex(hmacSHA256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        XCTAssertEqual(
            hex(
                hmacSHA256(
                    key: Array(repeating: 0xaa, count: 131),
                    message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8))),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    func testConstantTimeEquals() {
        XCTAssertTrue(constantTimeEquals([1, 2, 3], [1, 2, 3]))
        XCTAssertFalse(constantTimeEquals([1, 2, 3], [1, 2, 4]))
        XCTAssertFalse(constantTimeEquals([1, 2, 3], [1, 2]))
        XCTAssertTrue(constantTimeEquals([], []))
        XCTAssertNotEqual(secureRandomBytes(32), secureRandomBytes(32))
    }
}
