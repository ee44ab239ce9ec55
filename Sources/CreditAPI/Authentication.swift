import CreditAuth
import CreditStore

extension CreditService {
    /// The signed-in user from the bearer token, or 401.
    func authenticate(_ request: HTTPRequest) throws -> User {
        let id = try authenticatedUserID(request)
        guard let user = try stores.withStore({ try $0.user(id: id) }), !user.disabled else { throw Self.inactiveAccount }
        return user
    }

    /// The user id from a valid bearer token, or 401. Whether the account is still active is
    /// not checked here: the caller must (``authenticate(_:)``, or the store on enqueue).
    func authenticatedUserID(_ request: HTTPRequest) throws -> Int64 {
        guard let header = request.header("authorization") else {
            throw Problem.unauthorized("Send an access token from POST /api/token as `Authorization: Bearer <token>`.", error: "invalid_request")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Problem.unauthorized("The Authorization header must be `Bearer <token>`.", error: "invalid_request")
        }
        let claims: JWTClaims
        do { claims = try signer.verify(String(parts[1]), now: Int(clock())) } catch {
            throw Problem.unauthorized(Self.explain(error))
        }
        guard let id = Int64(claims.sub) else { throw Problem.unauthorized(Self.explain(.malformed)) }
        return id
    }

    /// True when `authorization` (the header's value) holds a valid bearer token: the server
    /// reads a large body (a file of applications) only for a caller who has signed in.
    public func carriesValidToken(_ authorization: String?) -> Bool {
        guard let authorization else { return false }
        return (try? authenticatedUserID(HTTPRequest(method: "POST", path: "/", headers: ["authorization": authorization]))) != nil
    }

    static let inactiveAccount = Problem.unauthorized("The account behind this token is disabled or no longer exists.")

    static func explain(_ error: JWTError) -> String {
        switch error {
        case .expired: return "The access token has expired; sign in again."
        case .notYetValid: return "The access token is not valid yet; check the clocks."
        case .unsupportedAlgorithm: return "The access token uses an algorithm this service does not accept (only HS256)."
        case .badSignature: return "The access token's signature is not valid."
        case .wrongIssuer, .wrongAudience: return "The access token was not issued for this service."
        case .malformed: return "The access token is malformed."
        }
    }
}
