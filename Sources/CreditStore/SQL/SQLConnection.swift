/// One connection to a SQL database, as the shared store (``SQLStore``) uses it: statements are
/// written once, with numbered placeholders (`?1`, `?2`, …), and the few places where the
/// databases differ are asked of ``dialect``. ``SQLiteDatabase`` and ``PostgresConnection``
/// implement it. Not thread-safe: one connection per thread.
public protocol SQLConnection: AnyObject {
    var dialect: SQLDialect { get }
    /// Runs one statement and returns how many rows it changed.
    @discardableResult
    func execute(_ sql: String, _ values: [SQLValue]) throws(StoreError) -> Int
    /// Runs one statement and decodes each of its rows with `read`.
    func query<T>(_ sql: String, _ values: [SQLValue], _ read: (any SQLRow) throws(StoreError) -> T) throws(StoreError) -> [T]
    /// Runs statements without parameters or results (migrations).
    func executeScript(_ sql: String) throws(StoreError)
    /// Runs `body` in a transaction: committed if it returns, rolled back if it throws.
    func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T
    /// Inserts rows into `table` (every row with the same kinds of value): one statement a row on
    /// SQLite, where a statement costs microseconds; one statement in all on PostgreSQL, where each
    /// costs a round trip.
    func insert(into table: String, columns: [String], rows: [[SQLValue]]) throws(StoreError)
    /// Deletes the rows of `table` whose `keys` columns hold one of `rows` (each row's values in
    /// the order of `keys`, every row with the same kinds of value): one statement a row on
    /// SQLite, each through the table's key; one statement in all on PostgreSQL.
    func delete(from table: String, keys: [String], rows: [[SQLValue]]) throws(StoreError)
    /// Takes `lock` until the end of the transaction, so that writers on every host take turns
    /// (PostgreSQL's advisory locks). On SQLite a write transaction holds the only write lock
    /// already, and this does nothing.
    func lock(_ lock: SQLLock) throws(StoreError)
}

extension SQLConnection {
    @discardableResult
    public func execute(_ sql: String) throws(StoreError) -> Int { try execute(sql, []) }
    public func query<T>(_ sql: String, _ read: (any SQLRow) throws(StoreError) -> T) throws(StoreError) -> [T] { try query(sql, [], read) }
}

/// The locks that make concurrent writers on several hosts take turns where a read and a write
/// must not interleave. The numbers are PostgreSQL advisory-lock keys unique to this program.
public enum SQLLock: Int64, Sendable {
    case migrations = 4242010001
    case signIn = 4242010002
    case audit = 4242010003
    case modelRegister = 4242010004
}

/// Where the two databases' SQL really differs; everything else is written once.
public enum SQLDialect: Sendable {
    case sqlite, postgres

    /// `column IN` a list bound as ``SQLValue/integers(_:)`` at `placeholder`.
    public func isIn(_ placeholder: String) -> String {
        switch self {
        case .sqlite: "IN (SELECT value FROM json_each(\(placeholder)))"
        case .postgres: "= ANY(\(placeholder))"
        }
    }

    /// Appended to a SELECT whose rows the transaction will change: on PostgreSQL a second writer
    /// waits for the first and then sees its change; SQLite's write transaction excludes others anyway.
    public var forUpdate: String {
        switch self {
        case .sqlite: ""
        case .postgres: " FOR UPDATE"
        }
    }

    /// Appended to a SELECT of queued jobs to claim: on PostgreSQL, rows another worker is
    /// claiming are skipped instead of waited for; SQLite has one writer at a time anyway.
    public var skipLocked: String {
        switch self {
        case .sqlite: ""
        case .postgres: " FOR UPDATE SKIP LOCKED"
        }
    }

    /// The text of member `key` of the JSON object in `column`.
    public func jsonText(_ column: String, _ key: String) -> String {
        switch self {
        case .sqlite: "json_extract(\(column), '$.\(key)')"
        case .postgres: "(\(column)::jsonb ->> '\(key)')"
        }
    }

    /// The number in member `key` of the JSON object in `column`.
    public func jsonNumber(_ column: String, _ key: String) -> String {
        switch self {
        case .sqlite: jsonText(column, key)
        case .postgres: "\(jsonText(column, key))::double precision"
        }
    }

    /// A user name equal to the one at `placeholder`, ignoring case: SQLite's `name` column is
    /// `NOCASE` (ASCII) and indexed so; PostgreSQL's unique index is on `lower(name)`.
    public func sameName(_ placeholder: String) -> String {
        switch self {
        case .sqlite: "name = \(placeholder)"
        case .postgres: "lower(name) = lower(\(placeholder))"
        }
    }

    /// The row id of a table without a key column of its own (`login_failures`).
    public var rowID: String {
        switch self {
        case .sqlite: "rowid"
        case .postgres: "id"
        }
    }
}
