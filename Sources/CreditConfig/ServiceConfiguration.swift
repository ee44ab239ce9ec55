import CreditSchema
import CreditText

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

/// Settings shared by `credit`, `credit-fcgi` and `credit-worker`, read from environment variables
/// and from a configuration file (``ConfigFile``, named by `--config` or `CREDIT_CONFIG`).
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `CREDIT_DB` | `var/credit.sqlite` | the SQLite database (jobs and users) |
/// | `CREDIT_DATABASE_URL` | unset | `postgresql://…`: use this PostgreSQL server instead of the SQLite file |
/// | `CREDIT_MODEL` | `models/default.json` | the model the worker scores with |
/// | `CREDIT_SECRET_FILE` | `var/secret.key` | JWT signing key, ≥ 32 random bytes, mode 0600 (`credit init`) |
/// | `CREDIT_TOKEN_TTL` | `3600` | access-token lifetime in seconds (60 to 86400) |
/// | `CREDIT_WAKE_SOCKET` | `<CREDIT_DB>.wake` | unix datagram socket the responder pings after each commit |
/// | `CREDIT_RETENTION_DAYS` | unset: keep everything | days after which a finished application's data is purged (a tombstone stays); at least 760 (25 months) |
/// | `CREDIT_LOG_LEVEL` | `info` | trace, debug, info, notice, warning, error, critical or off: JSON lines on standard error |
/// | `CREDIT_AUDIT_SUBMISSIONS` | `1` | `0` leaves submissions out of the audit trail (their job rows still say who submitted what, when) |
/// | `CREDIT_RETENTION_ALLOW_SHORT` | unset | `1` allows a retention below 760 days (said in the log at start) |
/// | `CREDIT_REVIEW_REASONS` | see ``ServiceConfiguration/defaultReviewReasons`` | the reason codes a reviewer picks from: `code=label` separated by `;` |
/// | `CREDIT_ISSUER` / `CREDIT_AUDIENCE` | `credit-scoring` / `credit-api` | JWT `iss` and `aud` |
/// | `CREDIT_LEASE_SECONDS` | `30` | how long a worker may hold a job before it is given to another |
/// | `CREDIT_BASE_PATH` | found from the URL | the URL path the site is mounted at, e.g. `/credit/` |
/// | `CREDIT_DRAIN_INTERVAL` | `60` | seconds between two `credit-worker --drain` runs from cron |
/// | `CREDIT_SIGNIN_RATE` | `4` | sign-ins admitted per second (each costs a slow hash); twice as many at once |
/// | `CREDIT_UNKNOWN_SIGNIN_RATE` | `1` | of those, sign-ins per second for usernames that do not exist |
/// | `CREDIT_SIGNIN_CONCURRENCY` | `4` | sign-ins hashing or waiting for a hash at once; more get 503 at once |
/// | `CREDIT_LANGUAGE` | `pt-BR` | the language of a request that asks for none the product speaks (`pt-BR` or `en`) |
/// | `CREDIT_TIME_ZONE` | `America/Sao_Paulo` | the time zone the site shows dates in (an IANA name) |
/// | `CREDIT_LENDER_NAME` | `Financeira Exemplo S.A.` | the lender's name on the customer's decision letter |
/// | `CREDIT_LENDER_CNPJ` | `00.000.000/0001-91` | the lender's CNPJ on the letter (checked digits) |
/// | `CREDIT_LENDER_ADDRESS` | a sample address | the lender's postal address on the letter |
/// | `CREDIT_LENDER_CONTACT` | a sample channel | where a customer asks for a review (telephone, e-mail, site) |
/// | `CREDIT_REVIEW_DAYS` | `15` | days within which the lender answers a customer's request for review (1 to 90) |
public struct ServiceConfiguration: Sendable {
    /// Every setting a configuration file may hold.
    public static let settingNames: Set<String> = [
        "CREDIT_DB", "CREDIT_MODEL", "CREDIT_SECRET_FILE", "CREDIT_TOKEN_TTL", "CREDIT_WAKE_SOCKET", "CREDIT_RETENTION_DAYS",
        "CREDIT_ISSUER", "CREDIT_AUDIENCE", "CREDIT_LEASE_SECONDS", "CREDIT_BASE_PATH", "CREDIT_DRAIN_INTERVAL",
        "CREDIT_SIGNIN_RATE", "CREDIT_UNKNOWN_SIGNIN_RATE", "CREDIT_SIGNIN_CONCURRENCY", "CREDIT_DATABASE_URL",
        "CREDIT_RETENTION_ALLOW_SHORT", "CREDIT_REVIEW_REASONS", "CREDIT_AUDIT_SUBMISSIONS", "CREDIT_LOG_LEVEL",
        "CREDIT_LANGUAGE", "CREDIT_TIME_ZONE", "CREDIT_LENDER_NAME", "CREDIT_LENDER_CNPJ", "CREDIT_LENDER_ADDRESS",
        "CREDIT_LENDER_CONTACT", "CREDIT_REVIEW_DAYS",
    ]
    /// Settings that name files: relative values in a configuration file are relative to the file.
    public static let pathSettingNames: Set<String> = ["CREDIT_DB", "CREDIT_MODEL", "CREDIT_SECRET_FILE", "CREDIT_WAKE_SOCKET"]

    public var databasePath: String
    /// A PostgreSQL server to use instead of the SQLite file (`CREDIT_DATABASE_URL`).
    public var databaseURL: String?
    /// The database in use: PostgreSQL when a URL is set, else the SQLite file.
    public var store: StoreLocation { databaseURL.map { .postgres(url: $0) } ?? .sqlite(path: databasePath) }
    public var modelPath: String
    /// The folder of model versions: the one holding `CREDIT_MODEL`.
    public var modelsDirectory: String {
        guard let slash = modelPath.lastIndex(of: "/") else { return "." }
        return slash == modelPath.startIndex ? "/" : String(modelPath[..<slash])
    }

    /// The path of a model version's file, named in the model register.
    public func modelFile(_ name: String) -> String { modelsDirectory + "/" + name }
    public var secretFile: String
    public var tokenTTL: Int
    public var wakeSocket: String
    /// Days after which a finished application's data is purged, keeping a tombstone; nil keeps
    /// everything (the default: US Regulation B asks for 25 months, Brazil's rules for longer).
    public var retentionDays: Double?
    /// A retention below the minimum, allowed by `CREDIT_RETENTION_ALLOW_SHORT=1`: said in the logs at start.
    public var shortRetentionWarning: String? {
        guard let days = retentionDays, days < Self.minimumRetentionDays else { return nil }
        return "CREDIT_RETENTION_DAYS=\(days) is below 760 days (25 months), allowed by CREDIT_RETENTION_ALLOW_SHORT=1: "
            + "applications are purged sooner than US Regulation B requires a lender to keep them"
    }
    /// The shortest retention allowed without `CREDIT_RETENTION_ALLOW_SHORT=1`: 25 months.
    public static let minimumRetentionDays = 760.0
    /// The reason codes a reviewer picks from, with their labels, in order.
    public var reviewReasons: [(code: String, label: String)] = ServiceConfiguration.defaultReviewReasons
    public static let defaultReviewReasons: [(code: String, label: String)] = [
        ("income_verified", "Income verified"), ("income_not_verified", "Income could not be verified"),
        ("credit_history", "Credit history"), ("debt_burden", "Debt burden too high"), ("collateral", "Collateral or guarantor"),
        ("relationship", "Existing customer relationship"), ("policy_exception", "Policy exception"), ("documents_missing", "Documents missing"),
        ("fraud_suspected", "Fraud suspected"), ("other", "Other (see note)"),
    ]
    public var issuer: String
    public var audience: String
    /// Largest accepted request body.
    public var maxBodyBytes = 64 * 1024
    /// Largest file of applications accepted by `POST /api/batches`, and the most rows in it.
    public var maxBatchBytes = 64 << 20
    public var maxBatchRows = 100_000
    /// Failed sign-ins per username within `throttleWindow` before 429.
    public var maxFailuresPerUser = 5
    /// Failed sign-ins per client address within `throttleWindow` before 429.
    public var maxFailuresPerAddress = 20
    public var throttleWindow: Double = 15 * 60
    /// Sign-ins admitted per second across all users (each costs a slow hash), and at once.
    public var signInRate: Double = 4
    public var signInBurst: Double = 8
    /// Of those, sign-ins per second for usernames that do not exist, and at once.
    public var unknownSignInRate: Double = 1
    public var unknownSignInBurst: Double = 2
    /// Sign-ins hashing or waiting for a hashing slot at once; more are refused with 503.
    public var maxSignInsInFlight = 4
    /// Whether each submission writes an audit row (`CREDIT_AUDIT_SUBMISSIONS`, on by default).
    public var auditSubmissions = true
    /// The language of a request whose `Accept-Language` names none the product speaks (`CREDIT_LANGUAGE`).
    public var language: Language = .defaultLanguage
    /// The IANA time zone the site shows dates in (`CREDIT_TIME_ZONE`).
    public var timeZone = "America/Sao_Paulo"
    /// Who the customer's decision letter comes from (`CREDIT_LENDER_*`).
    public var lender = Lender.sample
    /// Days within which a customer's request for review is answered (`CREDIT_REVIEW_DAYS`).
    public var reviewDays = 15
    /// How much the processes log (`CREDIT_LOG_LEVEL`; nil: info).
    public var logLevel: String?
    /// Seconds a worker may hold a job before it goes back to the queue.
    public var lease: Double = 30
    public var maxAttempts = 3
    /// The URL path the API's parent is mounted at, without a trailing slash (`""` for the root,
    /// `/credit` for a prefix), or nil to find it from each request's URL (the part before `/api/`).
    public var basePath: String?
    /// Seconds between two drains when the worker runs from cron (`--drain`): health allows this
    /// much time between heartbeats and for the oldest queued job.
    public var drainInterval: Double = 60

    public init(
        databasePath: String, modelPath: String, secretFile: String, tokenTTL: Int = 3600, wakeSocket: String? = nil,
        retentionDays: Double? = nil, issuer: String = "credit-scoring", audience: String = "credit-api"
    ) {
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
        var retention: Double?
        let retentionText = value("CREDIT_RETENTION_DAYS", "")
        if !retentionText.isEmpty {
            guard let days = Double(retentionText), days > 0, days <= 36_500 else {
                throw ConfigurationError(
                    description: "CREDIT_RETENTION_DAYS must be a positive number of days, not \(retentionText) (leave it unset to keep everything)")
            }
            if days < minimumRetentionDays && value("CREDIT_RETENTION_ALLOW_SHORT", "0") != "1" {
                throw ConfigurationError(
                    description:
                        "CREDIT_RETENTION_DAYS=\(retentionText) is below 760 days (25 months, what US Regulation B requires a lender to keep); "
                        + "set CREDIT_RETENTION_ALLOW_SHORT=1 as well if your rules allow it")
            }
            retention = days
        }
        let leaseText = value("CREDIT_LEASE_SECONDS", "30")
        guard let lease = Double(leaseText), lease >= 1, lease <= 3600 else {
            throw ConfigurationError(description: "CREDIT_LEASE_SECONDS must be a number of seconds from 1 to 3600, not \(leaseText)")
        }
        let database = value("CREDIT_DB", "var/credit.sqlite")
        var configuration = ServiceConfiguration(
            databasePath: database, modelPath: value("CREDIT_MODEL", "models/default.json"),
            secretFile: value("CREDIT_SECRET_FILE", "var/secret.key"), tokenTTL: ttl,
            wakeSocket: value("CREDIT_WAKE_SOCKET", database + ".wake"), retentionDays: retention,
            issuer: value("CREDIT_ISSUER", "credit-scoring"), audience: value("CREDIT_AUDIENCE", "credit-api"))
        configuration.lease = lease
        if let url = environment["CREDIT_DATABASE_URL"]?.trimmingSpaces(), !url.isEmpty {
            guard url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") else {
                throw ConfigurationError(
                    description: "CREDIT_DATABASE_URL must be a postgresql:// URL (leave it unset to use the SQLite file CREDIT_DB)")
            }
            configuration.databaseURL = url
        }
        if let reasons = environment["CREDIT_REVIEW_REASONS"]?.trimmingSpaces(), !reasons.isEmpty {
            var list: [(code: String, label: String)] = []
            for item in reasons.split(separator: ";") {
                let parts = item.split(separator: "=", maxSplits: 1).map { String($0).trimmingSpaces() }
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, parts[0].utf8.count <= 64,
                    parts[0].utf8.allSatisfy({ $0 == UInt8(ascii: "_") || ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) })
                else {
                    throw ConfigurationError(
                        description: "CREDIT_REVIEW_REASONS must be code=label pairs separated by ';' (codes in a-z, 0-9 and _), not \(item)")
                }
                list.append((parts[0], parts[1]))
            }
            configuration.reviewReasons = list
        }
        let drainText = value("CREDIT_DRAIN_INTERVAL", "60")
        guard let drain = Double(drainText), drain >= 1, drain <= 86_400 else {
            throw ConfigurationError(description: "CREDIT_DRAIN_INTERVAL must be a number of seconds from 1 to 86400, not \(drainText)")
        }
        configuration.drainInterval = drain
        for (name, fallback) in [("CREDIT_SIGNIN_RATE", "4"), ("CREDIT_UNKNOWN_SIGNIN_RATE", "1")] {
            let text = value(name, fallback)
            guard let rate = Double(text), rate >= 0.1, rate <= 1000 else {
                throw ConfigurationError(description: "\(name) must be a number of sign-ins per second from 0.1 to 1000, not \(text)")
            }
            if name == "CREDIT_SIGNIN_RATE" {
                configuration.signInRate = rate; configuration.signInBurst = max(1, 2 * rate)
            } else {
                configuration.unknownSignInRate = rate; configuration.unknownSignInBurst = max(1, 2 * rate)
            }
        }
        let concurrencyText = value("CREDIT_SIGNIN_CONCURRENCY", "4")
        guard let concurrency = Int(concurrencyText), (1...256).contains(concurrency) else {
            throw ConfigurationError(description: "CREDIT_SIGNIN_CONCURRENCY must be a whole number from 1 to 256, not \(concurrencyText)")
        }
        configuration.maxSignInsInFlight = concurrency
        let level = value("CREDIT_LOG_LEVEL", "info").lowercased()
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical", "off"].contains(level) else {
            throw ConfigurationError(
                description: "CREDIT_LOG_LEVEL must be trace, debug, info, notice, warning, error, critical or off, not \(level)")
        }
        configuration.logLevel = level
        let languageText = value("CREDIT_LANGUAGE", Language.defaultLanguage.rawValue)
        guard let language = Language(tag: languageText) else {
            throw ConfigurationError(description: "CREDIT_LANGUAGE must be pt-BR or en, not \(languageText)")
        }
        configuration.language = language
        let zone = value("CREDIT_TIME_ZONE", "America/Sao_Paulo")
        guard zone.utf8.count <= 64, !zone.hasPrefix("/"), !zone.contains(".."),
            zone.utf8.allSatisfy({ $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+")
                || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) })
        else {
            throw ConfigurationError(description: "CREDIT_TIME_ZONE must be an IANA time zone such as America/Sao_Paulo, not \(zone)")
        }
        configuration.timeZone = zone
        configuration.lender = try Lender(
            name: value("CREDIT_LENDER_NAME", Lender.sample.name), cnpj: value("CREDIT_LENDER_CNPJ", Lender.sample.cnpj),
            address: value("CREDIT_LENDER_ADDRESS", Lender.sample.address), contact: value("CREDIT_LENDER_CONTACT", Lender.sample.contact))
        let reviewDaysText = value("CREDIT_REVIEW_DAYS", "15")
        guard let reviewDays = Int(reviewDaysText), (1...90).contains(reviewDays) else {
            throw ConfigurationError(description: "CREDIT_REVIEW_DAYS must be a whole number of days from 1 to 90, not \(reviewDaysText)")
        }
        configuration.reviewDays = reviewDays
        switch value("CREDIT_AUDIT_SUBMISSIONS", "1") {
        case "1": configuration.auditSubmissions = true
        case "0": configuration.auditSubmissions = false
        case let other: throw ConfigurationError(description: "CREDIT_AUDIT_SUBMISSIONS must be 1 or 0, not \(other)")
        }
        if let base = environment["CREDIT_BASE_PATH"]?.trimmingSpaces(), !base.isEmpty {
            guard base.hasPrefix("/"), !base.utf8.contains(where: { $0 <= 32 || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) else {
                throw ConfigurationError(description: "CREDIT_BASE_PATH must be a URL path such as /credit/, not \(base)")
            }
            configuration.basePath = base.hasSuffix("/") ? String(base.dropLast()) : base
        }
        return configuration
    }

    /// Reads the settings from the environment and the configuration file: `configFile` (from
    /// `--config`) or else `CREDIT_CONFIG`. The environment wins over the file. Variables Apache
    /// renames after an internal redirect (`REDIRECT_CREDIT_DB`) count as their plain names.
    public static func load(
        configFile: String? = nil,
        environment: [String: String] = processEnvironment()
    ) throws(ConfigurationError) -> ServiceConfiguration {
        var settings = withoutRedirectPrefixes(environment)
        if let path = configFile ?? settings["CREDIT_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) {
            for (name, value) in try ConfigFile(path: path).values where settings[name]?.trimmingSpaces().isEmpty ?? true {
                settings[name] = value
            }
        }
        return try fromEnvironment(settings)
    }

    /// `environment` plus, for each `REDIRECT_CREDIT_…` (any number of `REDIRECT_` prefixes,
    /// one per internal redirect), the plain `CREDIT_…` name when that is not set itself.
    static func withoutRedirectPrefixes(_ environment: [String: String]) -> [String: String] {
        var result = environment
        for (name, value) in environment where name.hasPrefix("REDIRECT_") {
            var plain = Substring(name)
            while plain.hasPrefix("REDIRECT_") { plain = plain.dropFirst("REDIRECT_".count) }
            if plain.hasPrefix("CREDIT_"), result[String(plain)] == nil { result[String(plain)] = value }
        }
        return result
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
