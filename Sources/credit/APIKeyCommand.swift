import ArgumentParser
import CreditAPI
import CreditAuth
import CreditGovernance
import CreditStore
import CreditSystem
import Foundation

/// `credit apikey`: keys for machine clients (a loan system that submits applications), sent as
/// `Authorization: Bearer ck_…` instead of a person's password. A key is shown once; only its
/// SHA-256 is stored. Each acts as an account of its own, with the key's role.
struct APIKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apikey", abstract: "API keys for machine clients.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key and print it once (it cannot be shown again).")
        @OptionGroup var config: ConfigOption
        @Argument(help: "The key's name (its account's name: letters, digits, . _ - @).") var name: String
        @Option(help: "The role the key acts with.") var role: Role = .officer

        func validate() throws {
            guard (1...100).contains(name.count), name.allSatisfy({ $0.isLetter || $0.isNumber || "._-@".contains($0) }) else {
                throw ValidationError("a key's name has 1 to 100 letters, digits or . _ - @")
            }
        }

        func run() throws {
            let key = APIKey.prefix + Base64URL.encode(secureRandomBytes(32))  // 256 random bits
            let store = try openStore(try config.load())
            let audit = AuditEntry(actor: nil, actorName: "cli:" + NSUserName(), action: .apiKeyCreated, object: name, detail: role.rawValue)
            do {
                _ = try store.createAPIKey(
                    name: name, role: role, digest: APIKey.digest(key), hint: String(key.prefix(8)),
                    audit: audit, now: Date().timeIntervalSince1970)
            } catch { throw CommandError(error.description) }
            print(key)
            printError("API key \(name) (\(role.rawValue)) created. Keep it secret; it is not stored and cannot be shown again.")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The keys with their role, creation and last use (never the keys).")
        @OptionGroup var config: ConfigOption

        func run() throws {
            func when(_ seconds: Double?) -> String { seconds.map { String(Timestamp.rfc3339($0).prefix(19)) + "Z" } ?? "never" }
            for key in try openStore(try config.load()).apiKeys() {
                print(
                    "\(key.name)\t\(key.role.rawValue)\t\(key.hint)…\tcreated \(when(key.createdAt))\tlast used \(when(key.lastUsedAt))"
                        + (key.revokedAt.map { "\trevoked \(when($0))" } ?? ""))
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key: it stops working at once.")
        @OptionGroup var config: ConfigOption
        @Argument var name: String

        func run() throws {
            let audit = AuditEntry(actor: nil, actorName: "cli:" + NSUserName(), action: .apiKeyRevoked, object: name)
            do { try openStore(try config.load()).revokeAPIKey(name: name, audit: audit, now: Date().timeIntervalSince1970) } catch {
                throw CommandError("no unrevoked API key named \(name)")
            }
            print("API key \(name) revoked")
        }
    }
}
