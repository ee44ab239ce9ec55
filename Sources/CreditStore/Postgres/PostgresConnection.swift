import CLibPQ
#if canImport(Glibc)
import Glibc
#endif

/// One libpq connection. Not thread-safe: use one per thread (see ``PostgresStore`` and the pool).
///
/// Statements are prepared once per connection and reused; parameters and results travel as
/// text. A lost connection is reset once before a statement outside a transaction is retried.
public final class PostgresConnection {
    private var handle: OpaquePointer?
    /// The connection URL without its password, for messages.
    public let displayURL: String
    private var prepared: [String: String] = [:]
    private var inTransaction = false

    /// Connects to `url` (`postgresql://user@host:port/db?...`, any libpq connection string).
    public init(url: String) throws(StoreError) {
        displayURL = Self.redacted(url)
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

    /// `postgresql://user:secret@host/db` as `postgresql://user:***@host/db`.
    static func redacted(_ url: String) -> String {
        let characters = Array(url)
        guard let scheme = (0..<max(0, characters.count - 2)).first(where: { characters[$0] == ":" && characters[$0 + 1] == "/" && characters[$0 + 2] == "/" })
        else { return url }
        let start = scheme + 3
        guard let at = characters[start...].firstIndex(of: "@"),
              let colon = characters[start..<at].firstIndex(of: ":") else { return url }
        return String(characters[..<(colon + 1)]) + "***" + String(characters[at...])
    }

    /// Runs one or more statements without parameters (migrations, BEGIN, COMMIT).
    public func execute(_ sql: String) throws(StoreError) {
        let result = try checked(cpq_exec(handle, sql), sql: sql)
        cpq_clear(result)
    }

    /// Runs a statement with text parameters (nil is NULL) and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) throws(StoreError) -> PostgresRows {
        do {
            return try run(sql, parameters)
        } catch {
            // A server restart or a dropped connection: one reconnect, unless a transaction was
            // open (its work is gone and the caller must start over).
            guard !inTransaction, let handle, cpq_status(handle) != CONNECTION_OK else { throw error }
            cpq_reset(handle)
            guard cpq_status(handle) == CONNECTION_OK else { throw error }
            cpq_silenceNotices(handle)
            prepared.removeAll()
            return try run(sql, parameters)
        }
    }

    private func run(_ sql: String, _ parameters: [String?]) throws(StoreError) -> PostgresRows {
        let name: String
        if let known = prepared[sql] {
            name = known
        } else {
            name = "s\(prepared.count)"
            let result = try checked(cpq_prepare(handle, name, sql, Int32(parameters.count)), sql: sql)
            cpq_clear(result)
            prepared[sql] = name
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
        try execute("BEGIN")
        inTransaction = true
        defer { inTransaction = false }
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
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

    public func isNull(_ row: Int, _ column: Int) -> Bool { cpq_getisnull(result, Int32(row), Int32(column)) != 0 }
    public func string(_ row: Int, _ column: Int) -> String { String(cString: cpq_getvalue(result, Int32(row), Int32(column))) }
    public func optionalString(_ row: Int, _ column: Int) -> String? { isNull(row, column) ? nil : string(row, column) }
    public func int(_ row: Int, _ column: Int) -> Int64 { Int64(string(row, column)) ?? 0 }
    public func double(_ row: Int, _ column: Int) -> Double { Double(string(row, column)) ?? 0 }
    public func optionalDouble(_ row: Int, _ column: Int) -> Double? { isNull(row, column) ? nil : double(row, column) }
    public func bool(_ row: Int, _ column: Int) -> Bool { string(row, column) == "t" }

    /// Each row mapped by `transform`.
    public func map<T>(_ transform: (Int) -> T) -> [T] { (0..<count).map(transform) }
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
