import CLibPQ
import CreditConfig

#if canImport(Glibc)
import Glibc
#endif

/// One libpq connection. Not thread-safe: use one per thread (see ``PostgresStore`` and the pool).
///
/// Statements are prepared once per connection and reused; parameters and results travel as
/// text. A lost connection is reset once before a statement outside a transaction is retried.
public final class PostgresConnection: SQLConnection {
    public var dialect: SQLDialect { .postgres }
    private var handle: OpaquePointer?
    /// The connection URL without its password, for messages.
    public let displayURL: String
    private var prepared: [String: String] = [:]
    private var inTransaction = false

    /// Connects to `url` (`postgresql://user@host:port/db?...`, any libpq connection string).
    public init(url: String) throws(StoreError) {
        displayURL = StoreLocation.redacted(url)
        var message = [CChar](repeating: 0, count: 512)
        guard cpq_load(&message, Int32(message.count)) == 0 else {
            throw .cannotOpen(path: displayURL, reason: message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        handle = cpq_connectdb(url)
        guard let handle, cpq_status(handle) == CONNECTION_OK else {
            let reason = handle.map { String(cString: cpq_errorMessage($0)) } ?? "out of memory"
            if let handle { cpq_finish(handle) }
            self.handle = nil
            throw .cannotOpen(path: displayURL, reason: reason.trimmingTrailingNewlines())
        }
        cpq_silenceNotices(handle)
    }

    deinit { if let handle { cpq_finish(handle) } }

    /// Runs one or more statements without parameters (migrations, BEGIN, COMMIT).
    public func executeScript(_ sql: String) throws(StoreError) {
        let result = try checked(cpq_exec(handle, sql), sql: sql)
        cpq_clear(result)
    }

    /// Runs a statement with text parameters (nil is NULL) whose types the statement gives
    /// (`$1::bigint`), and returns its rows: for PostgreSQL's own statements (`unnest` of arrays).
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) throws(StoreError) -> PostgresRows {
        try run(sql, parameters, types: nil)
    }

    @discardableResult
    public func execute(_ sql: String, _ values: [SQLValue]) throws(StoreError) -> Int {
        try typed(sql, values).changed
    }

    public func query<T>(_ sql: String, _ values: [SQLValue], _ read: (any SQLRow) throws(StoreError) -> T) throws(StoreError) -> [T] {
        let rows = try typed(sql, values)
        do {
            return try (0..<rows.count).map { (index) throws(StoreError) -> T in try read(rows[index]) }
        } catch .decoding(let column, let value, let expected, _) {
            throw .decoding(column: column, value: value, expected: expected, query: sql)
        }
    }

    /// A shared statement: `?N` placeholders become `$N`, and each parameter's type is its value's.
    private func typed(_ sql: String, _ values: [SQLValue]) throws(StoreError) -> PostgresRows {
        try run(Self.numberedParameters(sql), values.map(PostgresText.value), types: values.map(PostgresText.type), key: sql)
    }

    /// `?1` as `$1`, outside quoted strings.
    static func numberedParameters(_ sql: String) -> String {
        var output = "", quoted = false, previous: Character = " "
        output.reserveCapacity(sql.utf8.count)
        for character in sql {
            if character == "'" { quoted.toggle() }
            if !quoted, previous == "?", character.isNumber { output.removeLast(); output.append("$") }
            output.append(character)
            previous = character
        }
        return output
    }

    public func insert(into table: String, columns: [String], rows: [[SQLValue]]) throws(StoreError) {
        guard let first = rows.first else { return }
        let arrays = columns.indices.map { column in "$\(column + 1)::\(PostgresText.arrayType(first[column]))" }
        try query(
            "INSERT INTO \(table) (\(columns.joined(separator: ", "))) SELECT * FROM unnest(\(arrays.joined(separator: ", ")))",
            columns.indices.map { column in PostgresText.array(rows.map { PostgresText.value($0[column]) }) })
    }

    public func delete(from table: String, keys: [String], rows: [[SQLValue]]) throws(StoreError) {
        guard let first = rows.first else { return }
        let arrays = keys.indices.map { column in "$\(column + 1)::\(PostgresText.arrayType(first[column]))" }
        try query(
            """
            DELETE FROM \(table) USING unnest(\(arrays.joined(separator: ", "))) AS k(\(keys.joined(separator: ", ")))
            WHERE \(keys.map { "\(table).\($0) = k.\($0)" }.joined(separator: " AND "))
            """,
            keys.indices.map { column in PostgresText.array(rows.map { PostgresText.value($0[column]) }) })
    }

    public func lock(_ lock: SQLLock) throws(StoreError) {
        try query("SELECT pg_advisory_xact_lock($1::bigint)", [String(lock.rawValue)])
    }

    private func run(_ sql: String, _ parameters: [String?], types: [UInt32]?, key: String? = nil) throws(StoreError) -> PostgresRows {
        do {
            return try runOnce(sql, parameters, types: types, key: key ?? sql)
        } catch {
            // A server restart or a dropped connection: one reconnect, unless a transaction was
            // open (its work is gone and the caller must start over).
            guard !inTransaction, let handle, cpq_status(handle) != CONNECTION_OK else { throw error }
            cpq_reset(handle)
            guard cpq_status(handle) == CONNECTION_OK else { throw error }
            cpq_silenceNotices(handle)
            prepared.removeAll()
            return try runOnce(sql, parameters, types: types, key: key ?? sql)
        }
    }

    private func runOnce(_ sql: String, _ parameters: [String?], types: [UInt32]?, key: String) throws(StoreError) -> PostgresRows {
        let name: String
        if let known = prepared[key] {
            name = known
        } else {
            name = "s\(prepared.count)"
            let result = try checked(cpq_prepare(handle, name, sql, Int32(parameters.count), types), sql: sql)
            cpq_clear(result)
            prepared[key] = name
        }
        let result = try Self.withCStrings(parameters) { (values) throws(StoreError) -> OpaquePointer in
            try checked(cpq_execPrepared(handle, name, Int32(parameters.count), values), sql: sql)
        }
        return PostgresRows(result)
    }

    /// Runs `body` in a transaction: committed if it returns, rolled back if it throws.
    public func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        // The server restarted or the network dropped since the last use: start on a new connection.
        if cpq_status(handle) != CONNECTION_OK { _ = reconnect() }
        try executeScript("BEGIN")
        inTransaction = true
        defer { inTransaction = false }
        do {
            let value = try body()
            try executeScript("COMMIT")
            return value
        } catch {
            // A failed ROLLBACK (a lost connection) leaves the server to roll back; the first error is the one to report.
            _ = try? executeScript("ROLLBACK")
            throw error
        }
    }

    /// The socket, for waiting on notifications.
    var socket: Int32 { cpq_socket(handle) }

    /// Reads what the server sent and discards pending notifications; returns how many there
    /// were, or nil when the connection is lost.
    func takeNotifications() -> Int? {
        guard cpq_consumeInput(handle) == 1 else { return nil }
        return Int(cpq_drainNotifies(handle))
    }

    /// Connects again after a lost connection; true when it is back.
    func reconnect() -> Bool {
        cpq_reset(handle)
        prepared.removeAll()
        guard cpq_status(handle) == CONNECTION_OK else { return false }
        cpq_silenceNotices(handle)
        return true
    }

    private func checked(_ result: OpaquePointer?, sql: String) throws(StoreError) -> OpaquePointer {
        guard let result else {
            throw .postgres(state: "08006", message: String(cString: cpq_errorMessage(handle)).trimmingTrailingNewlines())
        }
        let status = cpq_resultStatus(result)
        if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK { return result }
        let state = cpq_resultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? "XX000"
        let message = String(cString: cpq_resultErrorMessage(result)).trimmingTrailingNewlines()
        cpq_clear(result)
        throw .postgres(state: state, message: message)
    }

    private static func withCStrings<T>(_ values: [String?], _ body: ([UnsafePointer<CChar>?]) throws(StoreError) -> T) throws(StoreError) -> T {
        let copies: [UnsafeMutablePointer<CChar>?] = values.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        return try body(copies.map { $0.map { UnsafePointer($0) } })
    }
}

/// The rows of one statement's result, as text. Frees the result when released.
public final class PostgresRows {
    private let result: OpaquePointer
    public let count: Int

    init(_ result: OpaquePointer) {
        self.result = result
        count = Int(cpq_ntuples(result))
    }

    deinit { cpq_clear(result) }

    /// Rows the statement changed (UPDATE, DELETE, INSERT without RETURNING).
    public var changed: Int { Int(String(cString: cpq_cmdTuples(result))) ?? 0 }

    /// Row `index`, for typed decoding.
    public subscript(index: Int) -> PostgresRow { PostgresRow(rows: self, index: index) }

    fileprivate func isNull(_ row: Int, _ column: Int) -> Bool { cpq_getisnull(result, Int32(row), Int32(column)) != 0 }
    fileprivate func text(_ row: Int, _ column: Int) -> String { String(cString: cpq_getvalue(result, Int32(row), Int32(column))) }

    /// Each row decoded by `read`.
    public func map<T>(_ read: (PostgresRow) throws(StoreError) -> T) throws(StoreError) -> [T] {
        try (0..<count).map { (index) throws(StoreError) -> T in try read(self[index]) }
    }
}

/// One row of a PostgreSQL result, whose values arrive as text and are parsed here.
public struct PostgresRow: SQLRow {
    let rows: PostgresRows
    let index: Int

    public func isNull(_ column: Int) -> Bool { rows.isNull(index, column) }

    private func text(_ column: Int, _ expected: String) throws(StoreError) -> String {
        guard !isNull(column) else { throw .decoding(column: column, value: "NULL", expected: expected, query: "") }
        return rows.text(index, column)
    }

    private func parsed<T>(_ column: Int, _ expected: String, _ parse: (String) -> T?) throws(StoreError) -> T {
        let value = try text(column, expected)
        guard let parsed = parse(value) else { throw .decoding(column: column, value: String(value.prefix(64)), expected: expected, query: "") }
        return parsed
    }

    public func int64(_ column: Int) throws(StoreError) -> Int64 { try parsed(column, "an integer") { Int64($0) } }
    public func double(_ column: Int) throws(StoreError) -> Double { try parsed(column, "a number") { Double($0) } }
    public func string(_ column: Int) throws(StoreError) -> String { try text(column, "text") }
    public func bool(_ column: Int) throws(StoreError) -> Bool {
        try parsed(column, "t or f") { $0 == "t" ? true : $0 == "f" ? false : nil }
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var text = self
        while text.last == "\n" || text.last == " " { text.removeLast() }
        return text
    }
}

/// Text forms of values for PostgreSQL parameters.
enum PostgresText {
    /// A double with every digit it needs to read back the same.
    static func number(_ value: Double) -> String { "\(value)" }
    static func number(_ value: Int64) -> String { "\(value)" }
    static func number(_ value: Int) -> String { "\(value)" }

    /// A shared statement's parameter as text (nil is NULL).
    static func value(_ value: SQLValue) -> String? {
        switch value {
        case .integer(let number): number.map { String($0) }
        case .real(let real): real.map { Self.number($0) }
        case .text(let text): text
        case .boolean(let flag): flag.map { $0 ? "true" : "false" }
        case .integers(let list): "{" + list.map { String($0) }.joined(separator: ",") + "}"
        }
    }

    /// The type OID of a shared statement's parameter (int8, float8, text, bool, int8[]).
    static func type(_ value: SQLValue) -> UInt32 {
        switch value {
        case .integer: 20
        case .real: 701
        case .text: 25
        case .boolean: 16
        case .integers: 1016
        }
    }

    /// The array type of a column of such values, for `unnest`.
    static func arrayType(_ value: SQLValue) -> String {
        switch value {
        case .integer, .integers: "bigint[]"
        case .real: "double precision[]"
        case .text: "text[]"
        case .boolean: "boolean[]"
        }
    }

    /// An array literal (`{"a","b",NULL}`) for `$n::text[]`, built byte by byte (results are kilobytes each).
    static func array(_ values: [String?]) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        bytes.reserveCapacity(values.reduce(2) { $0 + ($1?.utf8.count ?? 4) + 3 })
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            guard let value else { bytes.append(contentsOf: "NULL".utf8); continue }
            bytes.append(UInt8(ascii: "\""))
            for byte in value.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }
}
