import CreditSchema
#if canImport(Glibc)
import Glibc
#endif

/// A setting that cannot be used, with what to change.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

/// Settings shared by `credit`, `credit-fcgi` and `credit-worker`, read from environment variables.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `CREDIT_DB` | `var/credit.sqlite` | the SQLite database (jobs and users) |
/// | `CREDIT_MODEL` | `models/default.json` | the model the worker scores with |
/// | `CREDIT_SECRET_FILE` | `var/secret.key` | JWT signing key, ≥ 32 random bytes, mode 0600 (`credit init`) |
/// | `CREDIT_TOKEN_TTL` | `3600` | access-token lifetime in seconds (60 to 86400) |
/// | `CREDIT_WAKE_SOCKET` | `<CREDIT_DB>.wake` | unix datagram socket the responder pings after each commit |
/// | `CREDIT_RETENTION_DAYS` | `30` | finished jobs older than this are pruned by the worker |
/// | `CREDIT_ISSUER` / `CREDIT_AUDIENCE` | `credit-scoring` / `credit-api` | JWT `iss` and `aud` |
/// | `CREDIT_LEASE_SECONDS` | `30` | how long a worker may hold a job before it is given to another |
public struct ServiceConfiguration: Sendable {
    public var databasePath: String
    public var modelPath: String
    public var secretFile: String
    public var tokenTTL: Int
    public var wakeSocket: String
    public var retentionDays: Double
    public var issuer: String
    public var audience: String
    /// Largest accepted request body.
    public var maxBodyBytes = 64 * 1024
    /// Failed sign-ins per username within `throttleWindow` before 429.
    public var maxFailuresPerUser = 5
    /// Failed sign-ins per client address within `throttleWindow` before 429.
    public var maxFailuresPerAddress = 20
    public var throttleWindow: Double = 15 * 60
    /// Seconds a worker may hold a job before it goes back to the queue.
    public var lease: Double = 30
    public var maxAttempts = 3

    public init(databasePath: String, modelPath: String, secretFile: String, tokenTTL: Int = 3600, wakeSocket: String? = nil,
                retentionDays: Double = 30, issuer: String = "credit-scoring", audience: String = "credit-api") {
        self.databasePath = databasePath
        self.modelPath = modelPath
        self.secretFile = secretFile
        self.tokenTTL = tokenTTL
        self.wakeSocket = wakeSocket ?? databasePath + ".wake"
        self.retentionDays = retentionDays
        self.issuer = issuer
        self.audience = audience
    }

    /// Reads the settings from `environment`, checking each.
    public static func fromEnvironment(_ environment: [String: String] = processEnvironment()) throws(ConfigurationError) -> ServiceConfiguration {
        func value(_ name: String, _ fallback: String) -> String {
            let text = environment[name]?.trimmingSpaces() ?? ""
            return text.isEmpty ? fallback : text
        }
        let ttlText = value("CREDIT_TOKEN_TTL", "3600")
        guard let ttl = Int(ttlText), (60...86_400).contains(ttl) else {
            throw ConfigurationError(description: "CREDIT_TOKEN_TTL must be a whole number of seconds from 60 to 86400, not \(ttlText)")
        }
        let retentionText = value("CREDIT_RETENTION_DAYS", "30")
        guard let retention = Double(retentionText), retention > 0, retention <= 36_500 else {
            throw ConfigurationError(description: "CREDIT_RETENTION_DAYS must be a positive number of days, not \(retentionText)")
        }
        let leaseText = value("CREDIT_LEASE_SECONDS", "30")
        guard let lease = Double(leaseText), lease >= 1, lease <= 3600 else {
            throw ConfigurationError(description: "CREDIT_LEASE_SECONDS must be a number of seconds from 1 to 3600, not \(leaseText)")
        }
        let database = value("CREDIT_DB", "var/credit.sqlite")
        var configuration = ServiceConfiguration(databasePath: database, modelPath: value("CREDIT_MODEL", "models/default.json"),
                                    secretFile: value("CREDIT_SECRET_FILE", "var/secret.key"), tokenTTL: ttl,
                                    wakeSocket: value("CREDIT_WAKE_SOCKET", database + ".wake"), retentionDays: retention,
                                    issuer: value("CREDIT_ISSUER", "credit-scoring"), audience: value("CREDIT_AUDIENCE", "credit-api"))
        configuration.lease = lease
        return configuration
    }
}

extension ServiceConfiguration {
    /// This process's environment variables (the first value of a name that repeats).
    public static func processEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "="), result[String(text[..<equals])] == nil {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            entry += 1
        }
        return result
    }
}
