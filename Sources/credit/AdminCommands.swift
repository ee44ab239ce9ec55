import ArgumentParser
import CreditAPI
import CreditAuth
import CreditGovernance
import CreditStore
import Foundation

/// `--config FILE`, shared by every command that uses the service's settings.
struct ConfigOption: ParsableArguments {
    @Option(
        name: .customLong("config"),
        help: ArgumentHelp("A file of CREDIT_NAME=value lines (else CREDIT_CONFIG); the environment wins over it.", valueName: "file"))
    var path: String?

    /// The shared CREDIT_* settings, a bad one turned into a clean error.
    func load() throws -> ServiceConfiguration {
        do { return try ServiceConfiguration.load(configFile: path) } catch { throw CommandError(error.description) }
    }
}

func openStore(_ configuration: ServiceConfiguration) throws -> any StoreConnection {
    do {
        if case .sqlite(let path) = configuration.store { try createPrivateDirectory(containing: path) }
        return try configuration.store.open()
    } catch let error as StoreError { throw CommandError(error.description) }
}

/// Creates the folder holding `path` when missing, readable by its owner only (0700): it will
/// hold the signing key or the database. An existing folder is left as it is.
func createPrivateDirectory(containing path: String) throws {
    let directory = (path as NSString).deletingLastPathComponent
    guard !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) else { return }
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
}

/// What `credit init` does: the signing key (0600) unless it exists, and the database at the
/// latest schema (0600). Returns what it did, a line each.
func initialiseState(_ settings: ServiceConfiguration) throws -> [String] {
    var report: [String] = []
    try createPrivateDirectory(containing: settings.secretFile)
    do {
        try SecretKeyFile.create(path: settings.secretFile)
        report.append("created signing key \(settings.secretFile)")
    } catch SecretKeyError.alreadyExists {
        report.append("signing key \(settings.secretFile) exists; kept")
    } catch { throw CommandError("\(error)") }
    let store = try openStore(settings)
    report.append("database \(store.location) at schema version \(try store.schemaVersion())")
    if getuid() == 0 {
        report.append(
            "warning: these files belong to root; the responder and the worker must run as the account that owns them "
                + "(run `credit init` as that account, e.g. `sudo -u credit credit init --config …`)")
    }
    return report
}

/// The account use cases at the command line: scrypt in this process, the operator as actor.
let accounts = AccountAdministration(hash: { PasswordHasher().hash($0) })
let commandLineActor = Actor.commandLine(NSUserName())

/// Checks a new user's name and password and creates the account.
func addUser(name: String, password: String, role: Role = .officer, settings: ServiceConfiguration) throws {
    do {
        _ = try accounts.addUser(
            name: name, password: password, role: role, oneTimePassword: false, by: commandLineActor,
            in: try openStore(settings), now: Date().timeIntervalSince1970)
    } catch let refusal as AccountAdministration.Refusal { throw CommandError(refusal.description) } catch let error as StoreError {
        throw CommandError(error.description)
    }
}

/// Changes an account from the command line, with its audit row.
func changeAccount(_ name: String, _ edit: AccountAdministration.Edit, settings: ServiceConfiguration) throws {
    do { _ = try accounts.change(name, [edit], by: commandLineActor, in: try openStore(settings), now: Date().timeIntervalSince1970) } catch let
        refusal as AccountAdministration.Refusal
    { throw CommandError(refusal.description) } catch let error as StoreError { throw CommandError(error.description) }
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

/// `credit init`: creates the signing key and the database.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create the JWT signing key (mode 0600) and the database.")
    @OptionGroup var config: ConfigOption

    func run() throws {
        for line in try initialiseState(try config.load()) { print(line) }
    }
}

/// `credit db`: database maintenance.
struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Database maintenance.",
        subcommands: [Migrate.self, Prune.self])

    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply pending schema migrations (also done at every start).")
        @OptionGroup var config: ConfigOption
        func run() throws {
            let settings = try config.load()
            let store = try openStore(settings)
            print("database \(store.location) at schema version \(try store.schemaVersion()) (latest \(store.latestSchemaVersion))")
        }
    }

    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Purge the data of applications finished more than CREDIT_RETENTION_DAYS ago (a tombstone stays).")
        @OptionGroup var config: ConfigOption
        func run() throws {
            let settings = try config.load()
            guard let days = settings.retentionDays else {
                print("nothing purged: CREDIT_RETENTION_DAYS is not set, so every application is kept")
                return
            }
            let removed = try openStore(settings).pruneFinished(before: Date().timeIntervalSince1970 - days * 86_400)
            print("purged the data of \(removed) applications (their tombstones stay)")
        }
    }
}

/// `credit user`: accounts of loan officers.
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage user accounts.",
        subcommands: [Add.self, List.self, SetRole.self, Disable.self, Enable.self, Passwd.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user.")
        @OptionGroup var config: ConfigOption
        @Argument(help: "User name (letters, digits, . _ -).") var name: String
        @Option(
            help: ArgumentHelp(
                "The account's role: an officer submits applications and sees their own, a reviewer also decides referred applications, an admin also manages accounts and reads the audit trail.",
                discussion: "Without --role, the first account is an admin and later ones are officers."))
        var role: Role?
        @Flag(help: "Read the password from the first line of standard input.") var passwordStdin = false
        func run() throws {
            let password = try readPassword(fromStandardInput: passwordStdin)
            let settings = try config.load()
            let chosen = try role ?? (openStore(settings).users().isEmpty ? .admin : .officer)
            try addUser(name: name, password: password, role: chosen, settings: settings)
            print("created user \(name) (\(chosen.rawValue)\(role == nil && chosen == .admin ? ": the first account administers the others" : ""))")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")
        @OptionGroup var config: ConfigOption
        func run() throws {
            for user in try openStore(try config.load()).users() {
                print(
                    "\(user.name)\t\(user.role.rawValue)\t\(user.disabled ? "disabled" : "active")\tcreated \(Date(timeIntervalSince1970: user.createdAt))"
                )
            }
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a user; their tokens stop working at once.")
        @OptionGroup var config: ConfigOption
        @Argument var name: String
        func run() throws {
            try changeAccount(name, .disabled(true), settings: try config.load())
            print("disabled \(name)")
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled user.")
        @OptionGroup var config: ConfigOption
        @Argument var name: String
        func run() throws {
            try changeAccount(name, .disabled(false), settings: try config.load())
            print("enabled \(name)")
        }
    }

    struct SetRole: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "role", abstract: "Set a user's role (officer, reviewer or admin); it counts at once.")
        @OptionGroup var config: ConfigOption
        @Argument var name: String
        @Argument(help: "The new role.") var role: Role
        func run() throws {
            try changeAccount(name, .role(role), settings: try config.load())
            print("\(name) is now \(role.rawValue)")
        }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a user's password.")
        @OptionGroup var config: ConfigOption
        @Argument var name: String
        @Flag(help: "Read the password from the first line of standard input.") var passwordStdin = false
        func run() throws {
            let password = try readPassword(fromStandardInput: passwordStdin)
            try changeAccount(name, .password(password, oneTime: false), settings: try config.load())
            print("password of \(name) changed")
        }
    }
}
