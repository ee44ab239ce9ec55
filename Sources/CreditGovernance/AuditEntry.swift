/// One action to be written to the audit trail: who did what to which object. Never a password
/// or a token: only names, ids and short facts.
public struct AuditEntry: Sendable, Equatable {
    /// The account that acted, or nil (a failed sign-in with an unknown name, the worker).
    public var actor: Int64?
    /// The actor's name as given (the name tried, for a failed sign-in; the worker's name).
    public var actorName: String
    public var action: AuditAction
    /// The object acted on: an application id, a user name, a model id.
    public var object: String
    /// A short fact about the action (a role, a decision and its reason code).
    public var detail: String
    /// The client's address, when the action came through the API.
    public var address: String

    public init(actor: Int64?, actorName: String, action: AuditAction, object: String = "", detail: String = "", address: String = "") {
        self.actor = actor
        self.actorName = actorName
        self.action = action
        self.object = object
        self.detail = detail
        self.address = address
    }
}

/// The actions the audit trail records.
public enum AuditAction: String, Sendable, Equatable, CaseIterable {
    case signIn = "sign_in"
    case signInFailed = "sign_in_failed"
    /// A valid token refused because its account is disabled or its password changed since.
    case tokenRefused = "token_refused"
    case submission
    /// An application viewed by someone other than its officer.
    case view
    case export
    case reviewRequested = "review_requested"
    /// A customer's request for review recorded by its officer (the documents' codes, never the statement).
    case customerReviewRequested = "customer_review_requested"
    /// A reviewer corrected inputs verified from the customer's documents: the names of the
    /// fields changed and the linked re-score's id, never the values.
    case inputsCorrected = "inputs_corrected"
    case decision
    /// A final decision that overrides the model's approve or decline.
    case override
    case accountCreated = "account_created"
    case roleChanged = "role_changed"
    case accountDisabled = "account_disabled"
    case accountEnabled = "account_enabled"
    case passwordChanged = "password_changed"
    /// An administrator set a one-time password.
    case passwordReset = "password_reset"
    case modelLoaded = "model_loaded"
    /// A model made champion (`credit model promote`).
    case modelPromoted = "model_promoted"
    /// The champion returned to the one before (`credit model rollback`).
    case modelRolledBack = "model_rolled_back"
    /// A challenger set or cleared (`credit model challenge`).
    case modelChallenged = "model_challenged"
    /// Outcomes recorded against scored applications (`credit outcomes import`).
    case outcomesImported = "outcomes_imported"
    case apiKeyCreated = "api_key_created"
    case apiKeyRevoked = "api_key_revoked"
    case retentionPurge = "retention_purge"
    /// A customer's decision letter was issued (its language in the detail).
    case letterIssued = "letter_issued"
}

/// An audit row as stored: the entry, when, its place in the chain and the chain's hashes.
public struct AuditRecord: Sendable, Equatable {
    public var seq: Int64
    public var at: Double
    public var entry: AuditEntry
    /// The previous row's hash (64 zeros for the first row).
    public var previousHash: String
    /// SHA-256 of this row's fields and `previousHash`: see ``AuditChain``.
    public var hash: String

    public init(seq: Int64, at: Double, entry: AuditEntry, previousHash: String, hash: String) {
        self.seq = seq
        self.at = at
        self.entry = entry
        self.previousHash = previousHash
        self.hash = hash
    }
}

/// Which audit rows to read.
public struct AuditFilter: Sendable, Equatable {
    public var actorName: String?
    public var action: AuditAction?
    public var since: Double?
    public var until: Double?
    /// Rows before this sequence number (paging, newest first).
    public var before: Int64?

    public init(actorName: String? = nil, action: AuditAction? = nil, since: Double? = nil, until: Double? = nil, before: Int64? = nil) {
        self.actorName = actorName
        self.action = action
        self.since = since
        self.until = until
        self.before = before
    }
}
