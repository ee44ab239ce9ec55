/// A value bound to a statement parameter, on either database. Each case carries its type even
/// when the value is missing (`.text(nil)` is a NULL of type text), so PostgreSQL knows every
/// parameter's type without casts written into the statement.
public enum SQLValue: Sendable, Equatable {
    case integer(Int64?)
    case real(Double?)
    case text(String?)
    case boolean(Bool?)
    /// A list of integers, for ``SQLDialect/isIn(_:)``: JSON text on SQLite, an array on PostgreSQL.
    case integers([Int64])

    /// An `Int` as an integer parameter.
    public static func int(_ value: Int) -> SQLValue { .integer(Int64(value)) }
}
