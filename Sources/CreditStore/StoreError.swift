import CSQLite

/// Errors from the store, with what went wrong and what to do about it.
public enum StoreError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The database file could not be opened.
    case cannotOpen(path: String, reason: String)
    /// SQLite reported an error.
    case sqlite(code: Int32, message: String)
    /// The database was written by a newer version of this program.
    case newerSchema(found: Int, supported: Int)
    /// A user with this name exists already.
    case userExists(String)
    /// No user has this name.
    case noSuchUser(String)
    /// The user a job was submitted for is disabled, no longer exists, or holds a one-time password
    /// (or the token's generation is stale).
    case ownerInactive(Int64)
    /// A value the store cannot accept.
    case invalid(String)
    /// The database file is readable or writable by other accounts.
    case insecurePermissions(path: String, mode: String)
    /// The idempotency key was used before for a different request body.
    case idempotencyKeyReused(String)
    /// PostgreSQL reported an error: its SQLSTATE code and message.
    case postgres(state: String, message: String)
    /// The action cannot be taken in the object's current state (decided already, in review already).
    case conflict(String)
    /// No application has this id.
    case noSuchJob(String)
    /// A rule forbids this person the action (a later review round decided by the reviewer who
    /// decided the round before): the text says who may act instead.
    case refused(String)
    /// Too many writers are waiting, or another process holds the database's write lock: try
    /// again in a moment (HTTP 503 with Retry-After).
    case busy(String)
    /// A column held a value of the wrong kind for what the program reads there (a damaged or
    /// hand-edited database): which column of which statement, the value, and what was expected.
    case decoding(column: Int, value: String, expected: String, query: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): return "cannot open the database \(path): \(reason)"
        case .sqlite(let code, let message): return "database error \(code): \(message)"
        case .newerSchema(let found, let supported):
            return "the database has schema version \(found), newer than this program supports (\(supported)); upgrade the program"
        case .userExists(let name): return "a user named \(name) exists already"
        case .noSuchUser(let name): return "no user named \(name)"
        case .ownerInactive(let id): return "user \(id) is disabled, no longer exists, or must first replace a one-time password"
        case .invalid(let text): return text
        case .insecurePermissions(let path, let mode):
            return "the database \(path) is open to other accounts (mode \(mode)); run `chmod 600 \(path)*` (the -wal and -shm files too)"
        case .idempotencyKeyReused(let key): return "the idempotency key \(key.prefix(64)) was used for a different request"
        case .postgres(let state, let message): return "PostgreSQL error \(state): \(message)"
        case .conflict(let text): return text
        case .noSuchJob(let id): return "no application has the id \(id)"
        case .refused(let text): return text
        case .busy(let text): return "the database is busy: \(text); try again in a moment"
        case .decoding(let column, let value, let expected, let query):
            return
                "the database holds \(value) in column \(column) where \(expected) was expected (\(query.prefix(120))); the file may be damaged or edited by hand"
        }
    }

    /// True when the database was locked by another writer for longer than the busy timeout
    /// (SQLITE_BUSY or SQLITE_LOCKED, with or without an extended code such as 261 or 517).
    /// SQLite's primary result code of an extended one (SQLITE_BUSY_SNAPSHOT, 517, is SQLITE_BUSY, 5):
    /// the connections run with extended result codes on, so compare through this.
    public static func primaryCode(_ code: Int32) -> Int32 { code & 0xFF }

    public var isBusy: Bool {
        if case .busy = self { return true }
        if case .sqlite(let code, _) = self { return [SQLITE_BUSY, SQLITE_LOCKED].contains(Self.primaryCode(code)) }
        // PostgreSQL: lock not available, serialization failure, deadlock, too many connections.
        if case .postgres(let state, _) = self { return ["55P03", "40001", "40P01", "53300"].contains(state) }
        return false
    }
}
