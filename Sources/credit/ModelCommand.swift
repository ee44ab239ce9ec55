import ArgumentParser
import CreditAPI
import CreditGovernance
import CreditModel
import CreditStore
import Foundation

/// `credit model`: the model versions in the models folder, and which of them is the champion
/// (whose results officers see) and the challenger (scored in its shadow). Workers follow a
/// change within a second; every change is in the audit trail.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model", abstract: "List model versions; promote, roll back, or try a challenger in the shadow.",
        discussion: "Versions are the model files in the folder of CREDIT_MODEL. With nothing promoted, CREDIT_MODEL is the champion.",
        subcommands: [List.self, Promote.self, Rollback.self, Challenge.self])

    /// One model file of the folder.
    struct Version {
        var file: String
        var document: ModelDocument
    }

    /// Every readable model file in the models folder, by file name.
    static func versions(_ settings: ServiceConfiguration) throws -> [Version] {
        let directory = settings.modelsDirectory
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().compactMap { name in
            (try? ModelDocument.load(path: directory + "/" + name)).map { Version(file: name, document: $0) }
        }
    }

    /// The file to use for a model id: `<id>.json` if there is one, else one with a model card
    /// beside it (`credit report`), else the first by name.
    static func version(_ id: String, in versions: [Version], settings: ServiceConfiguration) throws -> ModelVersion {
        let matching = versions.filter { $0.document.modelId == id }
        guard !matching.isEmpty else {
            let known = Set(versions.map { $0.document.modelId }).sorted().joined(separator: ", ")
            throw CommandError("no model \(id) in \(settings.modelsDirectory) (there: \(known.isEmpty ? "none" : known))")
        }
        let withCard = matching.first { FileManager.default.fileExists(atPath: settings.modelFile(String($0.file.dropLast(5)) + ".md")) }
        let chosen = matching.first { $0.file == id + ".json" } ?? withCard ?? matching[0]
        return ModelVersion(id: id, file: chosen.file)
    }

    /// Appends a register row with its audit row; a concurrent change is a clean error.
    static func assign(
        _ action: ModelAssignmentAction, _ version: ModelVersion?, register: ModelRegister, store: any StoreConnection,
        auditAction: AuditAction, object: String, detail: String
    ) throws {
        let actor = "cli:" + NSUserName()
        do {
            try store.assignModel(
                action: action, version: version, actorName: actor, expectedLastSeq: register.lastSeq,
                audit: AuditEntry(actor: nil, actorName: actor, action: auditAction, object: object, detail: detail),
                now: Date().timeIntervalSince1970)
        } catch { throw CommandError(error.description) }
    }

    /// The id of the configured model (CREDIT_MODEL), or its path when it does not load.
    static func configuredId(_ settings: ServiceConfiguration) -> String {
        (try? ModelDocument.load(path: settings.modelPath))?.modelId ?? settings.modelPath
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The model versions, with the champion and challenger marked.")
        @OptionGroup var config: ConfigOption
        @Flag(help: "Print JSON lines instead of a table.") var json = false

        func run() throws {
            let settings = try config.load()
            let register = try openStore(settings).modelRegister()
            let championId = register.champion?.id ?? configuredId(settings)
            var seen = Set<String>()
            if !json { print("  " + "id".padding(toLength: 34, withPad: " ", startingAt: 0) + "kind      valid AUC  trained               file") }
            for version in try versions(settings) {
                let document = version.document
                let role = document.modelId == championId ? "champion" : document.modelId == register.challenger?.id ? "challenger" : ""
                let duplicate = !seen.insert(document.modelId).inserted
                if json {
                    print(
                        try jsonLine([
                            "id": document.modelId, "kind": document.kind.rawValue, "file": version.file, "role": role,
                            "valid_auc": String(format: "%.4f", document.metrics.valid.summary.auc), "trained_at": document.createdAt,
                        ]))
                } else {
                    let mark = role == "champion" ? "* " : role == "challenger" ? "~ " : "  "
                    print(
                        mark + document.modelId.padding(toLength: 34, withPad: " ", startingAt: 0)
                            + document.kind.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
                            + String(format: "%.4f     ", document.metrics.valid.summary.auc)
                            + document.createdAt.padding(toLength: 22, withPad: " ", startingAt: 0) + version.file
                            + (duplicate ? " (same model)" : ""))
                }
            }
            if !json {
                print(
                    "* champion\(register.champion == nil ? " (the configured CREDIT_MODEL; nothing promoted)" : "")"
                        + (register.challenger.map { ", ~ challenger \($0.id), scored in the shadow" } ?? ", no challenger"))
            }
        }
    }

    struct Promote: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a model version the champion; workers switch within a second.")
        @OptionGroup var config: ConfigOption
        @Argument(help: "The model id (see `credit model list`).") var id: String

        func run() throws {
            let settings = try config.load()
            let version = try ModelCommand.version(id, in: try versions(settings), settings: settings)
            _ = try loadScorer(settings.modelFile(version.file))  // refuses a file the worker could not load
            let store = try openStore(settings)
            let register = try store.modelRegister()
            let current = register.champion?.id ?? configuredId(settings)
            guard current != id else { throw CommandError("\(id) is the champion already") }
            try assign(
                .promote, version, register: register, store: store, auditAction: .modelPromoted, object: id,
                detail: "\(version.file); replaces \(current)")
            print("\(id) is the champion (was \(current))\(register.challenger?.id == id ? "; its challenge ends" : "")")
        }
    }

    struct Rollback: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Return the champion to the one the last promotion replaced.")
        @OptionGroup var config: ConfigOption

        func run() throws {
            let settings = try config.load()
            let store = try openStore(settings)
            let register = try store.modelRegister()
            guard let current = register.champion, let target = register.rollbackTarget else {
                throw CommandError("nothing to roll back: no model was promoted, so the champion is the configured CREDIT_MODEL")
            }
            let targetId = target?.id ?? configuredId(settings)
            try assign(
                .rollback, nil, register: register, store: store, auditAction: .modelRolledBack, object: targetId,
                detail: "from \(current.id)")
            print("\(targetId) is the champion again (was \(current.id))")
        }
    }

    struct Challenge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score a model in the shadow of the champion: stored and compared, never shown to officers.")
        @OptionGroup var config: ConfigOption
        @Argument(help: "The challenger's model id.") var id: String?
        @Flag(help: "End the current challenge.") var none = false

        func validate() throws {
            guard (id == nil) != (!none) else { throw ValidationError("give a model id, or --none to end the challenge") }
        }

        func run() throws {
            let settings = try config.load()
            let store = try openStore(settings)
            let register = try store.modelRegister()
            guard let id else {
                guard let current = register.challenger else { throw CommandError("there is no challenger") }
                try assign(.challenge, nil, register: register, store: store, auditAction: .modelChallenged, object: current.id, detail: "ended")
                print("challenge of \(current.id) ended")
                return
            }
            let version = try ModelCommand.version(id, in: try versions(settings), settings: settings)
            _ = try loadScorer(settings.modelFile(version.file))
            guard id != (register.champion?.id ?? configuredId(settings)) else {
                throw CommandError("\(id) is the champion; a challenger must be another model")
            }
            try assign(.challenge, version, register: register, store: store, auditAction: .modelChallenged, object: id, detail: version.file)
            print("\(id) is scored in the shadow of the champion from now on")
        }
    }
}
