/// One row of a result, on either database. Decoding is typed and throws
/// ``StoreError/decoding(column:value:expected:)`` for a value of the wrong kind: a missing or
/// unreadable column is an error, never a zero or a default.
public protocol SQLRow {
    /// Whether the column is NULL.
    func isNull(_ column: Int) -> Bool
    func int64(_ column: Int) throws(StoreError) -> Int64
    func double(_ column: Int) throws(StoreError) -> Double
    func string(_ column: Int) throws(StoreError) -> String
    /// A boolean column: 0 or 1 on SQLite, `t` or `f` on PostgreSQL.
    func bool(_ column: Int) throws(StoreError) -> Bool
}

extension SQLRow {
    public func int(_ column: Int) throws(StoreError) -> Int { Int(try int64(column)) }
    public func optionalString(_ column: Int) throws(StoreError) -> String? { isNull(column) ? nil : try string(column) }
    public func optionalDouble(_ column: Int) throws(StoreError) -> Double? { isNull(column) ? nil : try double(column) }
    public func optionalInt64(_ column: Int) throws(StoreError) -> Int64? { isNull(column) ? nil : try int64(column) }

    /// A column holding one of an enumeration's raw values; any other text is an error.
    public func decode<Value: RawRepresentable>(_ type: Value.Type, _ column: Int) throws(StoreError) -> Value where Value.RawValue == String {
        let text = try string(column)
        guard let value = Value(rawValue: text) else {
            throw .decoding(column: column, value: String(text.prefix(64)), expected: "\(Value.self)", query: "")
        }
        return value
    }

    public func optionalDecode<Value: RawRepresentable>(_ type: Value.Type, _ column: Int) throws(StoreError) -> Value?
    where Value.RawValue == String {
        isNull(column) ? nil : try decode(type, column)
    }
}
