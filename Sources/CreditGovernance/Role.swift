/// What an account may do. Stored with the user and carried in its tokens, but always read back
/// from the store on each request, so that a changed role or a disabled account counts at once.
public enum Role: String, Sendable, Equatable, CaseIterable, Comparable {
    /// Submits applications and sees their own.
    case officer
    /// Also sees every application in the review queue and records its final decision.
    case reviewer
    /// Also manages accounts, sees every application and reads the audit trail.
    case admin

    /// Ranks roles by power: each may do what the ones below it may.
    private var rank: Int { Role.allCases.firstIndex(of: self)! }
    public static func < (left: Role, right: Role) -> Bool { left.rank < right.rank }

    /// True when this role may do what `role` may.
    public func includes(_ role: Role) -> Bool { self >= role }
}
