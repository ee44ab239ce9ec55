import CreditJSON

/// Claims of our access tokens.
public struct JWTClaims: Codable, Sendable, Equatable {
    public var sub: String
    public var iat: Int
    public var nbf: Int
    public var exp: Int
    public var iss: String
    public var aud: String
    public var jti: String
    /// The account's role when the token was issued (the service checks the stored role).
    public var role: String? = nil
    /// The account's token generation when issued: a password change moves it on, revoking the token.
    public var gen: Int? = nil
    /// The account's name, for audit rows of actions that do not read the account (submissions).
    public var name: String? = nil
}

/// Why a token was refused.
public enum JWTError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not three base64url parts, bad base64 or JSON, missing or mistyped claims, too long.
    case malformed
    /// Any algorithm but HS256 (`none` included), or a header this service does not understand.
    case unsupportedAlgorithm(String)
    case badSignature
    case expired
    case notYetValid
    case wrongIssuer
    case wrongAudience

    public var description: String {
        switch self {
        case .malformed: return "the token is malformed"
        case .unsupportedAlgorithm(let name): return "the token's algorithm \(name) is not accepted (only HS256)"
        case .badSignature: return "the token's signature is not valid"
        case .expired: return "the token has expired"
        case .notYetValid: return "the token is not valid yet"
        case .wrongIssuer: return "the token was issued by someone else"
        case .wrongAudience: return "the token is meant for another service"
        }
    }
}

/// Issues and verifies HS256 JSON Web Tokens.
///
/// Verification order: shape and size, header (`alg` exactly `HS256`, no `crit`), the signature
/// compared in constant time, then the claims (`exp`, `nbf`, `iat` with `leeway` seconds of clock
/// skew, `iss`, `aud`). A token verified before is recognised by a constant-time comparison
/// (``VerifiedTokens``); its times are checked again every time.
public struct JWTSigner: Sendable {
    private let key: HMACKey
    public let issuer: String
    public let audience: String
    public let leeway: Int
    /// Longest token accepted.
    public static let maxTokenLength = 8192
    /// Tokens this signer has verified.
    private let verified = VerifiedTokens()

    public init(key: [UInt8], issuer: String, audience: String, leeway: Int = 30) {
        self.key = HMACKey(key)
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
    }

    private static let header = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
    /// The header every token of ours carries, as it appears in the token.
    private static let headerBytes = Array(header.utf8)

    /// A token for `subject` valid from `now` for `ttl` seconds.
    public func sign(
        subject: String, ttl: Int, now: Int, role: String? = nil, generation: Int? = nil, name: String? = nil
    ) -> (token: String, claims: JWTClaims) {
        let claims = JWTClaims(
            sub: subject, iat: now, nbf: now, exp: now + ttl, iss: issuer, aud: audience,
            jti: Base64URL.encode(secureRandomBytes(16)), role: role, gen: generation, name: name)
        // Claims are plain strings and integers: encoding cannot fail.
        let payload = Base64URL.encode((try? JSONOutputEncoder.encode(claims))?.bytes ?? [])
        let signingInput = Self.header + "." + payload
        return (signingInput + "." + Base64URL.encode(key.authenticate(Array(signingInput.utf8)[...])), claims)
    }

    /// Reads the claims; nil when one is missing or of the wrong type.
    static func claims(from bytes: [UInt8]) -> JWTClaims? {
        guard case .object(let object)? = try? JSONValue.parse(bytes, maxDepth: 4) else { return nil }
        func text(_ key: String) -> String? { if case .string(let value)? = object[key] { return value } else { return nil } }
        func time(_ key: String) -> Int? {
            if case .number(let value)? = object[key], value == value.rounded(), abs(value) < 1e15 { return Int(value) }
            return nil
        }
        guard let sub = text("sub"), let iat = time("iat"), let nbf = time("nbf"), let exp = time("exp"), let iss = text("iss"),
            let aud = text("aud"), let jti = text("jti")
        else { return nil }
        var claims = JWTClaims(sub: sub, iat: iat, nbf: nbf, exp: exp, iss: iss, aud: aud, jti: jti)
        claims.role = text("role")
        claims.name = text("name")
        if object["gen"] != nil {
            guard let generation = time("gen") else { return nil }
            claims.gen = generation
        }
        return claims
    }

    /// The claims of a valid token, or why it is not valid.
    public func verify(_ token: String, now: Int) throws(JWTError) -> JWTClaims {
        let bytes = Array(token.utf8)
        guard bytes.count <= Self.maxTokenLength else { throw .malformed }
        if let claims = verified.claims(of: bytes) {
            try checkTimes(claims, now: now)
            return claims
        }
        let dot = UInt8(ascii: ".")
        guard let firstDot = bytes.firstIndex(of: dot), let secondDot = bytes[(firstDot + 1)...].firstIndex(of: dot),
            !bytes[(secondDot + 1)...].contains(dot)
        else {
            throw .malformed
        }
        let headerPart = bytes[..<firstDot]
        // Our own header, byte for byte, needs no parsing; any other is read and checked in full.
        if !headerPart.elementsEqual(Self.headerBytes) {
            guard let headerBytes = Base64URL.decode(bytes: headerPart) else { throw .malformed }
            guard case .object(let header)? = try? JSONValue.parse(headerBytes, maxDepth: 4) else { throw .malformed }
            guard case .string(let algorithm)? = header["alg"] else { throw .unsupportedAlgorithm("(none given)") }
            guard algorithm == "HS256" else { throw .unsupportedAlgorithm(algorithm) }
            if header["crit"] != nil { throw .unsupportedAlgorithm("HS256 with critical extensions") }
            if let type = header["typ"], type != .string("JWT") { throw .unsupportedAlgorithm("HS256 with another typ") }
        }
        guard let payloadBytes = Base64URL.decode(bytes: bytes[(firstDot + 1)..<secondDot]),
            let signature = Base64URL.decode(bytes: bytes[(secondDot + 1)...])
        else {
            throw .malformed
        }
        let expected = key.authenticate(bytes[..<secondDot])
        guard constantTimeEquals(expected, signature) else { throw .badSignature }
        guard let claims = Self.claims(from: payloadBytes) else { throw .malformed }
        try checkTimes(claims, now: now)
        guard claims.iss == issuer else { throw .wrongIssuer }
        guard claims.aud == audience else { throw .wrongAudience }
        verified.remember(bytes, claims: claims)
        return claims
    }

    /// `exp`, `nbf` and `iat` against `now`, with ``leeway`` seconds of clock skew.
    private func checkTimes(_ claims: JWTClaims, now: Int) throws(JWTError) {
        guard claims.exp > now - leeway else { throw .expired }
        guard claims.nbf <= now + leeway, claims.iat <= now + leeway else { throw .notYetValid }
    }
}
