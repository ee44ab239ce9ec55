import CSQLite
import CreditSystem
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// SQLite's "copy this buffer" destructor, which Swift cannot import as a macro.
let transientDestructor = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One SQLite connection. Not thread-safe: use one per thread (see ``StorePool``).
public final class SQLiteDatabase: SQLConnection {
    public var dialect: SQLDialect { .sqlite }
    private var handle: OpaquePointer?
    public let path: String
    private var statements: [String: SQLiteStatement] = [:]
    /// The busy handler's clock; kept alive as long as the connection.
    private let busyWait: BusyWait

    /// How long a writer waits for another process's write lock unless told otherwise (seconds).
    public static let defaultBusyTimeout = 2.0
    /// Threads of this process that may be writing or waiting to write at once while the write
    /// lock is stuck (held for over ``stuckAfter`` seconds, by another process or a long
    /// transaction); more fail at once as busy, so a lock held elsewhere cannot tie up every
    /// thread of the responder. Ordinary contention, where commits take well under a
    /// millisecond, is never refused.
    public static let maxWaitingWriters = 3
    public static let stuckAfter = 0.1
    private static let writers = Mutex(WriterState())

    /// Opens (creating if needed) the database at `path` in WAL mode. A write that finds another
    /// process holding the write lock waits at most `busyTimeout` seconds, then fails with
    /// SQLITE_BUSY (``StoreError/isBusy``). `autoCheckpointPages` is the WAL size at which a commit
    /// through this connection copies the log back into the database (SQLite's default is 1000 pages).
    public init(
        path: String, autoCheckpointPages: Int = 1000, cacheKiB: Int = 512, busyTimeout: Double = SQLiteDatabase.defaultBusyTimeout
    ) throws(StoreError) {
        self.path = path
        // A new database is readable by its owner only (0600): it holds applications and password
        // hashes. SQLite gives the -wal and -shm files it creates the database file's mode.
        if !path.isEmpty, path != ":memory:", !path.hasPrefix("file:") {
            let created = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if created >= 0 { close(created) }
            // An existing file others can read exposes every application and password hash.
            var info = stat()
            if stat(path, &info) == 0, info.st_mode & 0o077 != 0 {
                throw .insecurePermissions(path: path, mode: String(info.st_mode & 0o777, radix: 8))
            }
        }
        var connection: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &connection, flags, nil)
        guard code == SQLITE_OK, let connection else {
            let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(connection)
            throw .cannotOpen(path: path, reason: message)
        }
        handle = connection
        // SQLite's lookaside allocator takes 120 KiB a connection by default; a responder keeps a
        // connection a thread, and 32 KiB each serves its short statements as well.
        _ = csqlite_set_lookaside(connection, 256, 128)
        busyWait = BusyWait(timeout: busyTimeout)
        // SQLite's own busy handler sleeps whole milliseconds (1, 2, 5, 10, ... ms) between
        // retries, which caps a busy queue at a few thousand commits per second, and the other
        // process's transactions take well under a millisecond. Retry after 20, 40, 80, 160 µs,
        // then every 250 µs, until the busy timeout has passed since the first retry.
        sqlite3_busy_handler(
            connection,
            { context, attempt in
                let wait = Unmanaged<BusyWait>.fromOpaque(context!).takeUnretainedValue()
                return wait.shouldRetry(attempt: attempt) ? 1 : 0
            }, Unmanaged.passUnretained(busyWait).toOpaque())
        // Switching to WAL takes the write lock; asking does not. A new connection (the pool
        // opens them as load grows) must not wait behind another process's write lock.
        if try query("PRAGMA journal_mode", { row throws(StoreError) in try row.string(0) }).first?.lowercased() != "wal" {
            try executeScript("PRAGMA journal_mode = WAL")
        }
        // NORMAL in WAL mode keeps every committed transaction through a process crash (kill -9);
        // only an OS crash or power loss can lose the last commits.
        try executeScript("PRAGMA synchronous = NORMAL")
        try executeScript("PRAGMA foreign_keys = ON")
        // Many connections live in one responder: keep each page cache small (`cacheKiB`).
        try executeScript("PRAGMA cache_size = -\(cacheKiB)")
        try executeScript("PRAGMA wal_autocheckpoint = \(autoCheckpointPages)")
    }

    /// Serialises writers of this process. SQLite lets one writer in at a time; threads that
    /// queue on this lock wake as soon as it is free, where SQLite's busy handler would sleep
    /// for milliseconds between retries. Other processes still meet the busy timeout.
    private static let writeLock = Mutex(())

    /// Runs `body` as the only writer of this process. Fails at once as busy when
    /// ``maxWaitingWriters`` threads are writing or waiting already.
    public func exclusively<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        let admitted = Self.writers.withLock { state -> Bool in
            guard !state.isStuck(now: SystemClock.monotonic()) || state.writerCount < Self.maxWaitingWriters else { return false }
            state.writerCount += 1
            return true
        }
        guard admitted else { throw .busy("too many writers are waiting for the database") }
        defer { Self.writers.withLock { $0.writerCount -= 1 } }
        return try Self.writeLock.withLock { _ throws(StoreError) -> T in
            Self.writers.withLock { $0.heldSince = SystemClock.monotonic() }
            defer { Self.writers.withLock { $0.heldSince = 0 } }
            do throws(StoreError) {
                let value = try body()
                Self.writers.withLock { $0.lastBusyFailure = 0 }  // the lock is free again
                return value
            } catch {
                if error.isBusy { Self.writers.withLock { $0.lastBusyFailure = SystemClock.monotonic() } }
                throw error
            }
        }
    }

    /// Whether writes are stuck: a writer has held this process's write lock for longer than
    /// ``stuckAfter``, or a write failed on a locked database within the last busy timeout
    /// (another process may still hold the lock).
    public static var writeLockIsStuck: Bool {
        writers.withLock { $0.isStuck(now: SystemClock.monotonic()) }
    }

    /// Whether a write failed on a locked database within the last busy timeout: a writer then
    /// only probes the lock briefly (``BusyWait/probeTimeout``) instead of waiting in full, so
    /// that no request waits much longer than one busy timeout in all.
    static var recentlyBusy: Bool {
        writers.withLock { $0.lastBusyFailure > 0 && SystemClock.monotonic() - $0.lastBusyFailure < defaultBusyTimeout }
    }

    /// The writers of this process: how many are writing or waiting, and the write lock's recent history.
    private struct WriterState {
        var writerCount = 0
        /// When the thread now holding the write lock took it (monotonic seconds), or 0.
        var heldSince = 0.0
        /// When a write last failed because the database stayed locked (monotonic seconds), or 0.
        var lastBusyFailure = 0.0

        func isStuck(now: Double) -> Bool {
            (heldSince > 0 && now - heldSince > stuckAfter) || (lastBusyFailure > 0 && now - lastBusyFailure < defaultBusyTimeout)
        }
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    var lastError: StoreError {
        .sqlite(code: sqlite3_extended_errcode(handle), message: String(cString: sqlite3_errmsg(handle)))
    }

    /// Runs one or more statements without parameters or results.
    public func executeScript(_ sql: String) throws(StoreError) {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        if code != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(message)
            throw .sqlite(code: code, message: text)
        }
    }

    @discardableResult
    public func execute(_ sql: String, _ values: [SQLValue]) throws(StoreError) -> Int {
        try prepare(sql).run(values)
        return changes
    }

    public func query<T>(_ sql: String, _ values: [SQLValue], _ read: (any SQLRow) throws(StoreError) -> T) throws(StoreError) -> [T] {
        do {
            return try prepare(sql).rows(values, read)
        } catch .decoding(let column, let value, let expected, _) {
            throw .decoding(column: column, value: value, expected: expected, query: sql)
        }
    }

    public func insert(into table: String, columns: [String], rows: [[SQLValue]]) throws(StoreError) {
        guard !rows.isEmpty else { return }
        let placeholders = (1...columns.count).map { "?\($0)" }.joined(separator: ", ")
        let statement = try prepare("INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(placeholders))")
        for row in rows { try statement.run(row) }
    }

    public func delete(from table: String, keys: [String], rows: [[SQLValue]]) throws(StoreError) {
        guard !rows.isEmpty else { return }
        let statement = try prepare(
            "DELETE FROM \(table) WHERE \(keys.enumerated().map { "\($0.element) = ?\($0.offset + 1)" }.joined(separator: " AND "))")
        for row in rows { try statement.run(row) }
    }

    /// A write transaction holds SQLite's only write lock: nothing more to take.
    public func lock(_ lock: SQLLock) throws(StoreError) {}

    /// A prepared statement, cached per SQL text.
    public func prepare(_ sql: String) throws(StoreError) -> SQLiteStatement {
        if let cached = statements[sql] {
            cached.reset()
            return cached
        }
        var statement: OpaquePointer?
        var trailing = false
        let code = sql.withCString { text in
            var tail: UnsafePointer<CChar>?
            let code = sqlite3_prepare_v3(handle, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, &tail)
            // A second statement would be silently ignored: scripts go through executeScript.
            trailing = tail.map { String(cString: $0).contains { !$0.isWhitespace && $0 != ";" } } ?? false
            return code
        }
        guard code == SQLITE_OK, let statement else { throw lastError }
        guard !trailing else {
            sqlite3_finalize(statement)
            throw .invalid("more than one statement given to prepare (use executeScript): \(sql.prefix(80))")
        }
        let wrapped = SQLiteStatement(statement, database: self)
        statements[sql] = wrapped
        return wrapped
    }

    /// Runs `body` in a transaction (`BEGIN IMMEDIATE` takes the write lock up front, so two
    /// writers queue on the busy timeout instead of failing halfway).
    public func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try exclusively { () throws(StoreError) -> T in
            try prepare("BEGIN IMMEDIATE").run()
            do throws(StoreError) {
                let value = try body()
                try prepare("COMMIT").run()
                return value
            } catch {
                // A failed ROLLBACK leaves nothing to undo (SQLite rolled back already); the first error is the one to report.
                _ = try? executeScript("ROLLBACK")
                throw error
            }
        }
    }

    /// Rows changed by the last statement.
    public var changes: Int { Int(sqlite3_changes(handle)) }
}

/// A prepared statement with typed binding and column access.
public final class SQLiteStatement: SQLRow {
    private let statement: OpaquePointer
    private unowned let database: SQLiteDatabase

    init(_ statement: OpaquePointer, database: SQLiteDatabase) {
        self.statement = statement
        self.database = database
    }

    deinit { sqlite3_finalize(statement) }

    func reset() {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
    }

    /// Binds values to parameters 1...n.
    public func bind(_ values: [SQLValue]) throws(StoreError) {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .integer(let number?): code = sqlite3_bind_int64(statement, index, number)
            case .real(let number?): code = sqlite3_bind_double(statement, index, number)
            case .text(let text?): code = sqlite3_bind_text(statement, index, text, -1, transientDestructor)
            case .boolean(let flag?): code = sqlite3_bind_int64(statement, index, flag ? 1 : 0)
            case .integers(let list):
                code = sqlite3_bind_text(statement, index, "[" + list.map { String($0) }.joined(separator: ",") + "]", -1, transientDestructor)
            case .integer(nil), .real(nil), .text(nil), .boolean(nil): code = sqlite3_bind_null(statement, index)
            }
            if code != SQLITE_OK { throw database.lastError }
        }
    }

    /// Advances to the next row; false when done.
    public func step() throws(StoreError) -> Bool {
        let code = sqlite3_step(statement)
        if code == SQLITE_ROW { return true }
        if code == SQLITE_DONE { return false }
        let error = database.lastError
        sqlite3_reset(statement)
        throw error
    }

    /// Binds, runs to completion and returns every row through `read`.
    public func rows<T>(_ values: [SQLValue] = [], _ read: (any SQLRow) throws(StoreError) -> T) throws(StoreError) -> [T] {
        try bind(values)
        defer { sqlite3_reset(statement) }
        var result: [T] = []
        while try step() { result.append(try read(self)) }
        return result
    }

    /// Binds and runs a statement that returns no rows.
    public func run(_ values: [SQLValue] = []) throws(StoreError) {
        try bind(values)
        while try step() {}
        sqlite3_reset(statement)
    }

    private func type(_ column: Int) -> Int32 { sqlite3_column_type(statement, Int32(column)) }

    private func text(_ column: Int) -> String {
        guard let text = sqlite3_column_text(statement, Int32(column)) else { return "" }
        return String(cString: text)
    }

    private func mismatch(_ column: Int, _ expected: String) -> StoreError {
        .decoding(column: column, value: type(column) == SQLITE_NULL ? "NULL" : String(text(column).prefix(64)), expected: expected, query: "")
    }

    public func isNull(_ column: Int) -> Bool { type(column) == SQLITE_NULL }

    public func int64(_ column: Int) throws(StoreError) -> Int64 {
        switch type(column) {
        case SQLITE_INTEGER: return sqlite3_column_int64(statement, Int32(column))
        case SQLITE_TEXT: if let number = Int64(text(column)) { return number }
        default: break
        }
        throw mismatch(column, "an integer")
    }

    public func double(_ column: Int) throws(StoreError) -> Double {
        switch type(column) {
        case SQLITE_INTEGER, SQLITE_FLOAT: return sqlite3_column_double(statement, Int32(column))
        case SQLITE_TEXT: if let number = Double(text(column)) { return number }
        default: break
        }
        throw mismatch(column, "a number")
    }

    public func string(_ column: Int) throws(StoreError) -> String {
        guard type(column) != SQLITE_NULL else { throw mismatch(column, "text") }
        return text(column)
    }

    public func bool(_ column: Int) throws(StoreError) -> Bool {
        guard type(column) == SQLITE_INTEGER else { throw mismatch(column, "0 or 1") }
        switch sqlite3_column_int64(statement, Int32(column)) {
        case 0: return false
        case 1: return true
        default: throw mismatch(column, "0 or 1")
        }
    }
}

/// The busy handler's state for one connection: when the current wait began, and how long it may last.
final class BusyWait {
    let timeout: Double
    /// How long a wait lasts while writes are known to be failing on a held lock.
    static let probeTimeout = 0.25
    private var started = 0.0
    private var limit = 0.0

    init(timeout: Double) { self.timeout = timeout }

    /// Sleeps a little and says whether to try again (SQLite counts `attempt` from 0 for each wait).
    func shouldRetry(attempt: Int32) -> Bool {
        let seconds = SystemClock.monotonic()
        if attempt == 0 {
            started = seconds
            limit = SQLiteDatabase.recentlyBusy ? min(timeout, Self.probeTimeout) : timeout
        }
        if seconds - started >= limit { return false }
        usleep(useconds_t(attempt < 4 ? 20 << attempt : 250))
        return true
    }
}
