import COpenSSL
import Synchronization

/// Tokens whose signature this process has already checked, with their claims, so that the
/// requests of a signed-in officer (a submission, then a poll a second) cost a comparison instead
/// of base64, HMAC-SHA256 and JSON each time: 4 to 5 µs a request on the responder.
///
/// Direct-mapped: a token's last characters (its signature's) choose one of ``slots`` slots, and a
/// token found there is compared whole in constant time, so that a forged token learns nothing
/// from how long the look-up took. Only tokens that passed every check are kept; the times
/// (`exp`, `nbf`, `iat`) are checked again at every use by the caller. Nothing is kept across a
/// restart, nor across signing keys: each ``JWTSigner`` has its own.
final class VerifiedTokens: Sendable {
    static let slots = 256
    private struct Entry {
        var token: [UInt8]
        var claims: JWTClaims
    }
    private let entries = Mutex([Entry?](repeating: nil, count: VerifiedTokens.slots))

    /// The slot for `token`: from its last two bytes (the end of the signature, which is random).
    private static func slot(_ token: [UInt8]) -> Int {
        guard token.count >= 2 else { return 0 }
        return (Int(token[token.count - 1]) &* 31 &+ Int(token[token.count - 2])) % slots
    }

    /// The claims of `token` when it was verified before.
    func claims(of token: [UInt8]) -> JWTClaims? {
        let entry = entries.withLock { $0[Self.slot(token)] }
        guard let entry, entry.token.count == token.count else { return nil }
        let same = entry.token.withUnsafeBytes { kept in
            token.withUnsafeBytes { given in
                CRYPTO_memcmp(kept.baseAddress, given.baseAddress, token.count) == 0
            }
        }
        return same ? entry.claims : nil
    }

    /// Keeps a token that passed every check (replacing whichever token had its slot).
    func remember(_ token: [UInt8], claims: JWTClaims) {
        entries.withLock { $0[Self.slot(token)] = Entry(token: token, claims: claims) }
    }
}
