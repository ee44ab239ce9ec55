import ArgumentParser
import CreditAPI
import CreditAuth
import CreditStore
import Foundation

/// Reads the shared CREDIT_* configuration, turning a bad setting into a clean error.
func serviceConfiguration() throws -> ServiceConfiguration {
    do { return try ServiceConfiguration.fromEnvironment() } catch { throw CommandError(error.description) }
}

func openStore(_ configuration: ServiceConfiguration) throws -> SQLiteStore {
    do {
        let directory = (configuration.databasePath as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        return try SQLiteStore(path: configuration.databasePath)
    } catch let error as StoreError { throw CommandError(error.description) }
}

/// Reads a password: one line from standard input with `--password-stdin`, else asked twice on the terminal.
func readPassword(fromStandardInput: Bool) throws -> String {
    if fromStandardInput {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else { throw CommandError("no password on standard input") }
        return line
    }
    guard let first = getpass("Password: ").map({ String(cString: $0) }), !first.isEmpty else { throw CommandError("no password given") }
    guard let second = getpass("Repeat password: ").map({ String(cString: $0) }), second == first else { throw CommandError("the passwords differ") }
    return first
}

func checkPasswordStrength(_ password: String) throws {
    guard password.count >= 10 else { throw CommandError("a password needs at least 10 characters") }
    guard password.utf8.count <= 1024 else { throw CommandError("a password has at most 1024 bytes") }
}

/// `credit init`: creates the signing key and the database.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create the JWT signing key (mode 0600) and the database.")

    func run() throws {
        let config = try serviceConfiguration()
        let keyDirectory = (config.secretFile as NSString).deletingLastPathComponent
        if !keyDirectory.isEmpty { try FileManager.default.createDirectory(atPath: keyDirectory, withIntermediateDirectories: true) }
        do {
            try SecretKeyFile.create(path: config.secretFile)
            print("created signing key \(config.secretFile)")
        } catch SecretKeyError.alreadyExists {
            print("signing key \(config.secretFile) exists; kept")
        } catch { throw CommandError("\(error)") }
        let store = try openStore(config)
        print("database \(config.databasePath) at schema version \(try store.schemaVersion())")
    }
}

/// `credit db`: database maintenance.
struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "db", abstract: "Database maintenance.",
                                                    subcommands: [Migrate.self, Prune.self])

    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply pending schema migrations (also done at every start).")
        func run() throws {
            let config = try serviceConfiguration()
            let store = try openStore(config)
            print("database \(config.databasePath) at schema version \(try store.schemaVersion()) (latest \(SQLiteStore.latestSchemaVersion))")
        }
    }

    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete finished jobs older than CREDIT_RETENTION_DAYS.")
        func run() throws {
            let config = try serviceConfiguration()
            let removed = try openStore(config).pruneFinished(before: Date().timeIntervalSince1970 - config.retentionDays * 86_400)
            print("removed \(removed) finished jobs")
        }
    }
}

/// `credit user`: accounts of loan officers.
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage user accounts.",
                                                    subcommands: [Add.self, List.self, Disable.self, Enable.self, Passwd.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user.")
        @Argument(help: "User name (letters, digits, . _ -).") var name: String
        @Flag(help: "Read the password from the first line of standard input.") var passwordStdin = false
        func run() throws {
            guard (1...100).contains(name.count), name.allSatisfy({ $0.isLetter || $0.isNumber || "._-@".contains($0) }) else {
                throw CommandError("a user name has 1 to 100 letters, digits or . _ - @")
            }
            let password = try readPassword(fromStandardInput: passwordStdin)
            try checkPasswordStrength(password)
            let store = try openStore(try serviceConfiguration())
            do { _ = try store.createUser(name: name, passwordHash: PasswordHasher().hash(password), now: Date().timeIntervalSince1970) }
            catch { throw CommandError("\(error)") }
            print("created user \(name)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")
        func run() throws {
            for user in try openStore(try serviceConfiguration()).users() {
                print("\(user.name)\t\(user.disabled ? "disabled" : "active")\tcreated \(Date(timeIntervalSince1970: user.createdAt))")
            }
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a user; their tokens stop working at once.")
        @Argument var name: String
        func run() throws {
            do { try openStore(try serviceConfiguration()).setDisabled(name: name, disabled: true) } catch let error as StoreError { throw CommandError(error.description) }
            print("disabled \(name)")
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled user.")
        @Argument var name: String
        func run() throws {
            do { try openStore(try serviceConfiguration()).setDisabled(name: name, disabled: false) } catch let error as StoreError { throw CommandError(error.description) }
            print("enabled \(name)")
        }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a user's password.")
        @Argument var name: String
        @Flag(help: "Read the password from the first line of standard input.") var passwordStdin = false
        func run() throws {
            let password = try readPassword(fromStandardInput: passwordStdin)
            try checkPasswordStrength(password)
            do { try openStore(try serviceConfiguration()).setPasswordHash(name: name, passwordHash: PasswordHasher().hash(password)) }
            catch let error as StoreError { throw CommandError(error.description) }
            print("password of \(name) changed")
        }
    }
}
