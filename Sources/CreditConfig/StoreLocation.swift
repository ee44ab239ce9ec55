/// Which database holds the service's data, from `CREDIT_DB` or `CREDIT_DATABASE_URL`.
/// (CreditStore opens it.)
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    /// The embedded default: one SQLite file.
    case sqlite(path: String)
    /// A PostgreSQL server (a `postgresql://` URL or any libpq connection string).
    case postgres(url: String)

    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let url): Self.redacted(url)
        }
    }

    /// `postgresql://user:secret@host/db` as `postgresql://user:***@host/db`, for messages.
    public static func redacted(_ url: String) -> String {
        let characters = Array(url)
        guard
            let scheme = (0..<max(0, characters.count - 2)).first(where: {
                characters[$0] == ":" && characters[$0 + 1] == "/" && characters[$0 + 2] == "/"
            })
        else { return url }
        let start = scheme + 3
        guard let at = characters[start...].firstIndex(of: "@"),
            let colon = characters[start..<at].firstIndex(of: ":")
        else { return url }
        return String(characters[..<(colon + 1)]) + "***" + String(characters[at...])
    }
}
