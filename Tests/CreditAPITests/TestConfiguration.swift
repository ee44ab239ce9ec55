import CreditAPI
import CreditAuth
import CreditGovernance
import CreditStore
import CreditTestSupport
import CreditText
import Foundation

/// What the API tests share: the repository's root, and a service configuration whose database
/// and signing key live in a test's own temporary directory, scoring with the shipped model, in English.
enum TestConfiguration {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A configuration in `directory`, with a new signing key there.
    static func inDirectory(_ directory: TemporaryDirectory) throws -> ServiceConfiguration {
        var configuration = ServiceConfiguration(
            databasePath: directory.file("db.sqlite"),
            modelPath: repositoryRoot.appendingPathComponent("models/default.json").path,
            secretFile: directory.file("secret.key"), tokenTTL: 600)
        // The tests read the messages as the program writes them; the languages have tests of their own.
        configuration.language = .english
        try SecretKeyFile.create(path: configuration.secretFile)
        return configuration
    }

    /// A service on a new database in `directory` with `users` (name and role), all with
    /// `password`, its clock stopped at `now` (or `clock`, when given).
    static func service(
        in directory: TemporaryDirectory, users: [(String, Role)], password: String, now: Double,
        clock: (@Sendable () -> Double)? = nil
    ) throws -> CreditService {
        let configuration = try inDirectory(directory)
        let hasher = PasswordHasher(parameters: .fastForTests)
        let store = try SQLiteStore(path: configuration.databasePath)
        for (name, role) in users {
            _ = try store.createUser(name: name, passwordHash: hasher.hash(password), role: role, mustChangePassword: false, audit: nil, now: now)
        }
        return try CreditService(configuration: configuration, hasher: hasher, clock: clock ?? { now })
    }
}
