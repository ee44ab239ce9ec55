import CreditJSON
import CreditMonitoring
import CreditStore
import Synchronization

#if canImport(Glibc)
import Glibc
import CreditGovernance
#endif

extension CreditService {
    /// `GET /api/model`: the champion's card (the model whose results officers see), with the
    /// challenger's card when one is scored in the shadow.
    func modelCard() throws -> HTTPResponse {
        let register = try stores.withStore { try $0.modelRegister() }
        let path = register.champion.map { configuration.modelFile($0.file) } ?? configuration.modelPath
        guard case .object(var card)? = modelInfo.card(path: path) else {
            throw Problem.unavailable("The model's card cannot be read right now; an administrator can check the models with `credit model list`.")
        }
        card["challenger"] =
            register.challenger.map { modelInfo.card(path: configuration.modelFile($0.file)) ?? .object(["id": .string($0.id)]) } ?? .null
        return JSONOutput.object(card).response()
    }

    /// `GET /api/model/comparison` (administrators): the challenger's results against the
    /// champion's on the same applications.
    func modelComparison(_ request: HTTPRequest) throws -> HTTPResponse {
        _ = try authenticate(request, minimum: .admin)
        let register = try stores.withStore { try $0.modelRegister() }
        guard let challenger = register.challenger else {
            return JSONOutput.object(["challenger": .null, "champion": championId(register).map(JSONOutput.string) ?? .null]).response()
        }
        guard let champion = championId(register) else {
            throw Problem.unavailable("The model's card cannot be read right now; an administrator can check the models with `credit model list`.")
        }
        let comparison = try stores.withStore { try $0.shadowComparison(champion: champion, challenger: challenger.id) }
        func rounded(_ value: Double) -> JSONOutput { .number((value * 1e6).rounded() / 1e6) }
        return JSONOutput.object([
            "champion": .string(champion), "challenger": .string(challenger.id), "applications": .number(Double(comparison.count)),
            "agreement_rate": rounded(comparison.agreementRate), "mean_pd_difference": rounded(comparison.meanPDDifference),
            "mean_absolute_pd_difference": rounded(comparison.meanAbsolutePDDifference),
            "max_absolute_pd_difference": rounded(comparison.maxAbsolutePDDifference),
            "decisions": .array(
                comparison.decisions.map {
                    .object([
                        "champion": .string($0.champion), "challenger": .string($0.challenger),
                        "count": .number(Double($0.count)),
                    ])
                }),
        ]).response()
    }

    /// The champion's model id: the register's, else the configured model file's.
    func championId(_ register: ModelRegister) -> String? {
        if let champion = register.champion { return champion.id }
        guard case .object(let card)? = modelInfo.card(path: configuration.modelPath), case .string(let id)? = card["id"] else { return nil }
        return id
    }

    /// `GET /api/health`: database, queue and worker; 503 when the service cannot take work.
    func health() throws -> HTTPResponse {
        let now = clock()
        let queue: QueueHealth
        do { queue = try stores.withStore { try $0.health(now: now) } } catch {
            // The client learns only that the database is unreachable; the log says why.
            logStoreFailure("health check: database unreachable", error)
            return JSONOutput.object(["status": .string("unavailable"), "database": .string("unreachable")]).response(status: 503)
        }
        let workerAlive = Self.workerKeepsUp(queue, drainInterval: configuration.drainInterval)
        return JSONOutput.object([
            "status": .string(workerAlive ? "ok" : "degraded"),
            "database": .string("ok"),
            "queue": .object([
                "queued": .number(Double(queue.queued)), "running": .number(Double(queue.running)),
                "oldest_queued_seconds": queue.oldestQueuedAge.map { .number(($0 * 1000).rounded() / 1000) } ?? .null,
            ]),
            "worker": .object([
                "last_heartbeat_seconds": queue.lastHeartbeatAge.map { .number(($0 * 1000).rounded() / 1000) } ?? .null,
                "model": queue.workerModel.map { .string($0) } ?? .null,
                "mode": queue.workerMode.map { .string($0 == .drain ? "cron" : "resident") } ?? .null,
                "alive": .bool(workerAlive),
            ]),
        ]).response()
    }

    /// `GET /api/health/live`: the process answers (nothing else is checked: a failing database
    /// makes it unready, not dead, so an orchestrator does not restart it for that).
    func liveness() -> HTTPResponse {
        JSONOutput.object(["status": .string("live")]).response()
    }

    /// `GET /api/health/ready`: 200 only when the database takes a write (a full disk or a
    /// read-only file fails it), its schema is the one this program writes, and a worker has
    /// beaten within its mode's interval; else 503 with the checks that failed.
    func readiness() -> HTTPResponse {
        let now = clock()
        var checks: [String: JSONOutput] = [:]
        var ready = true
        do {
            let schema = try stores.withStore { try $0.readinessProbe(now: now) }
            checks["database"] = .string("ok")
            if schema.schema == schema.latest {
                checks["migrations"] = .string("ok")
            } else {
                ready = false
                checks["migrations"] = .string("schema version \(schema.schema), this program writes \(schema.latest)")
            }
            let queue = try stores.withStore { try $0.health(now: now) }
            let working = Self.workerKeepsUp(queue, drainInterval: configuration.drainInterval)
            checks["worker"] = .string(working ? "ok" : queue.lastHeartbeatAge == nil ? "no heartbeat" : "heartbeat too old")
            ready = ready && working
        } catch let error as StoreError {
            // The client learns busy or cannot write; the log says why.
            ready = false
            checks["database"] = .string(error.isBusy ? "busy" : "cannot write")
            logStoreFailure("readiness check: database \(error.isBusy ? "busy" : "cannot write")", error, level: error.isBusy ? .warning : .error)
        } catch {
            ready = false
            checks["database"] = .string("cannot write")
            logStoreFailure("readiness check: database cannot write", error)
        }
        return JSONOutput.object(["status": .string(ready ? "ready" : "not ready"), "checks": .object(checks)]).response(status: ready ? 200 : 503)
    }

    /// Whether the queue is being worked. A resident worker beats every second: it must have
    /// beaten within 30 s. A worker drained from cron beats once per run: the last run must lie
    /// within the drain interval (plus 30 s for a run's own length and cron's jitter), and no
    /// queued job may have waited longer than that.
    static func workerKeepsUp(_ queue: QueueHealth, drainInterval: Double) -> Bool {
        guard let age = queue.lastHeartbeatAge else { return false }
        guard queue.workerMode == .drain else { return age < 30 }
        let allowed = drainInterval + 30
        return age <= allowed && (queue.oldestQueuedAge ?? 0) <= allowed
    }
}

/// The model cards for `/api/model`, read from the model files (as plain JSON: the responder
/// does not link the model engine) and rebuilt when a file changes.
final class ModelInfo: Sendable {
    /// What is read from one model file: its card, and its validation PD bins for monitoring.
    struct Entry: Sendable {
        var card: JSONOutput
        var modelID: String
        var probabilityReference: BinnedShares?
        /// Each input field's validation bins, for the inputs' stability.
        var fieldReferences: [String: BinnedShares] = [:]
    }

    /// By file path: its modification time (nanoseconds) and what was read from it.
    private let cached = Mutex<[String: (modified: Int, entry: Entry)]>([:])

    /// The model file's name without folder and `.json`: `credit report --name` names the card so.
    static func cardName(modelPath: String) -> String {
        var name = Substring(modelPath)
        if let slash = name.lastIndex(of: "/") { name = name[name.index(after: slash)...] }
        if name.hasSuffix(".json") { name = name.dropLast(5) }
        return String(name)
    }

    /// The card of the model file at `path`, or nil when it cannot be read.
    func card(path: String) -> JSONOutput? { entry(path: path)?.card }

    /// The model file at `path` as read for the card and monitoring, or nil when it cannot be read.
    func entry(path: String) -> Entry? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let modified = info.st_mtim.tv_sec * 1_000_000_000 + info.st_mtim.tv_nsec
        if let entry = cached.withLock({ $0[path].flatMap { $0.modified == modified ? $0.entry : nil } }) { return entry }
        guard let document = JSONValue.parse(contentsOfFile: path),
            case .object(var card)? = Self.summary(document, name: Self.cardName(modelPath: path)),
            case .string(let modelID)? = document["model_id"]
        else {
            return nil
        }
        // Link only the card and plots that `credit report` wrote beside this file.
        let folder = path.lastIndex(of: "/").map { String(path[...$0]) } ?? ""
        if case .object(let links)? = card["card"] {
            let present = links.filter { _, link in
                guard case .string(let relative) = link, let slash = relative.lastIndex(of: "/") else { return false }
                return access(folder + relative[relative.index(after: slash)...], F_OK) == 0
            }
            card["card"] = present.isEmpty ? .null : .object(present)
        }
        var fields: [String: BinnedShares] = [:]
        if case .object(let members)? = document["reference"]?["fields"] {
            for (field, value) in members { if let bins = Self.bins(value) { fields[field] = bins } }
        }
        let entry = Entry(
            card: .object(card), modelID: modelID, probabilityReference: Self.bins(document["reference"]?["probability"]), fieldReferences: fields)
        cached.withLock { $0[path] = (modified, entry) }
        return entry
    }

    /// Bins as the model file stores them: number `edges` or category `codes`, and `shares`; nil
    /// when malformed.
    static func bins(_ value: JSONValue?) -> BinnedShares? {
        guard case .array(let shares)? = value?["shares"] else { return nil }
        let numbers = { (values: [JSONValue]) -> [Double] in values.compactMap { if case .number(let n) = $0 { n } else { nil } } }
        let shareValues = numbers(shares)
        guard shareValues.count == shares.count else { return nil }
        if case .array(let codes)? = value?["codes"] {
            let texts = codes.compactMap { if case .string(let text) = $0 { text } else { nil } }
            let bins = BinnedShares(edges: [], codes: texts, shares: shareValues)
            return texts.count == codes.count && shareValues.count == texts.count + 2 ? bins : nil
        }
        guard case .array(let edges)? = value?["edges"] else { return nil }
        let bins = BinnedShares(edges: numbers(edges), codes: nil, shares: shareValues)
        return bins.edges.count == edges.count && bins.shares.count == bins.edges.count + 2 ? bins : nil
    }

    /// The card of a model file (see `ModelDocument` in CreditModel for the format), or nil when
    /// the file lacks a part of it.
    static func summary(_ document: JSONValue, name: String = "default") -> JSONOutput? {
        /// The named members of `object`, each required.
        func pick(_ object: JSONValue?, _ keys: [String]) -> JSONOutput? {
            var members: [String: JSONOutput] = [:]
            for key in keys {
                guard let value = object?[key] else { return nil }
                members[key] = JSONOutput(value)
            }
            return .object(members)
        }
        let valid = document["metrics"]?["valid"]
        guard case .array(let encoders)? = document["pipeline"]?["encoders"], case .array(let bins)? = valid?["calibration"],
            case .number(let version)? = document["format_version"], version <= 1,
            let modelID = document["model_id"], let kind = document["kind"], let trainedAt = document["created_at"],
            let trainingData = pick(document["training_data"], ["train_file", "train_rows", "train_sha256", "valid_file", "valid_rows"]),
            case .object(var validation)? = pick(valid?["summary"], ["rows", "auc", "gini", "ks", "brier", "logloss", "bad_rate"]),
            let approvalRate = valid?["policy"]?["approval_rate"],
            let policy = pick(document["policy"], ["approve_below", "reject_from", "rule"]),
            let scoreScale = pick(document["score_scale"], ["base_score", "base_odds", "points_to_double_odds"])
        else {
            return nil
        }
        let calibration = bins.compactMap { pick($0, ["mean_predicted", "observed_rate", "count"]) }
        guard calibration.count == bins.count else { return nil }
        validation["approval_rate"] = JSONOutput(approvalRate)
        validation["calibration"] = .array(calibration)
        return .object([
            // What the model may use and say, and what each part of that cost in validation AUC.
            "model_policy": document["model_policy"].map(JSONOutput.init) ?? .null,
            "policy_costs": document["policy_costs"].map(JSONOutput.init) ?? .null,
            "fairness": valid?["fairness"].map(JSONOutput.init) ?? .null,
            "id": JSONOutput(modelID), "kind": JSONOutput(kind), "trained_at": JSONOutput(trainedAt),
            "format_version": .number(version), "training_data": trainingData,
            "inputs": .array(encoders.compactMap { $0["field"].map(JSONOutput.init) }),
            "validation": .object(validation), "policy": policy, "score_scale": scoreScale,
            // Relative to the site's page, wherever the site is mounted: the card and plots that
            // `credit report` writes beside the model file, named after it.
            "card": .object([
                "markdown": .string("models/\(name).md"), "roc": .string("models/\(name)-roc.svg"),
                "calibration": .string("models/\(name)-calibration.svg"), "scores": .string("models/\(name)-scores.svg"),
            ]),
        ])
    }
}
