/// What actually happened to an applicant: whether the credit defaulted, as the lender learned it
/// later. Matched to applications by job id or by the lender's client id.
public struct Outcome: Sendable, Equatable {
    /// How an outcome names its application.
    public enum Key: Sendable, Equatable {
        /// The job id the API returned (one application).
        case job(String)
        /// The lender's client id (`id_client` in a batch): every scored application with it.
        case client(String)
    }

    public var key: Key
    public var defaulted: Bool
    /// When the outcome was observed (seconds since 1970), if the file says.
    public var observedAt: Double?

    public init(key: Key, defaulted: Bool, observedAt: Double?) {
        self.key = key
        self.defaulted = defaulted
        self.observedAt = observedAt
    }
}

/// A scored application with its recorded outcome, for back-testing.
public struct ScoredOutcome: Sendable, Equatable {
    public var submittedAt: Double
    public var model: String
    public var probabilityOfDefault: Double
    public var defaulted: Bool

    public init(submittedAt: Double, model: String, probabilityOfDefault: Double, defaulted: Bool) {
        self.submittedAt = submittedAt
        self.model = model
        self.probabilityOfDefault = probabilityOfDefault
        self.defaulted = defaulted
    }
}
