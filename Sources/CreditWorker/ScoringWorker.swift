import CreditConfig
import CreditGovernance
import CreditJSON
import CreditScoring
import CreditStore
import CreditSystem
import CreditText
import Foundation

/// Drains the job queue: claims batches under a lease, scores them with the loaded model and
/// records every outcome of a batch in one transaction.
public final class ScoringWorker {
    public let configuration: ServiceConfiguration
    public let name: String
    let store: any StoreConnection
    /// The champion: its results are the ones officers see.
    private(set) var scorer: CreditScorer
    /// The champion's file and its modification time when loaded.
    private var championPath: String
    private var modelModified: Date?
    /// The challenger scored in the champion's shadow, if the register names one that loads.
    private(set) var challenger: CreditScorer?
    /// The challenger the register named when last read (loaded or not).
    private var challengerVersion: ModelVersion?
    /// The register row last acted on.
    private var registerSeq: Int64 = -1
    let log: (String) -> Void
    /// Jobs claimed at once.
    public var batchSize = 128
    /// Under open-loop load (jobs arriving whatever this worker records: a flood of independent
    /// submitters, a batch upload), how long a claim waits for its batch to fill: the next claim
    /// comes no sooner than this after the last began, unless arrivals stop first. Fewer, larger
    /// transactions cost the worker less CPU per job (measured under load with 16 clients: 76 µs
    /// at 14 jobs a claim without waiting, 42 µs at 48 with 5 ms, 36 µs at 96 with 10 ms), which
    /// leaves more of the cores to the responders. See ``gather(claimed:claimStarted:arrivals:)``.
    public var gatherDelay = 0.010
    /// The pause in arrivals that ends a gather: once no job has come for this long, the jobs that
    /// were coming have come. Closed-loop clients (an officer, a loan system waiting for each
    /// result) submit again only after their results, so their arrivals stop within a moment.
    public var arrivalGap = 0.0005
    /// How this worker runs, recorded with its heartbeat.
    public var mode = WorkerMode.resident

    /// The worker copies SQLite's log back into the database (the responder only does when no
    /// worker runs: see StorePool). Every 4000 pages (16 MiB) rather than SQLite's 1000: the
    /// queue's hot pages are rewritten many times between two checkpoints and copied once each.
    static let checkpointPages = 4000

    /// Opens the database and loads the model; fails if either is unusable.
    public init(configuration: ServiceConfiguration, name: String, log: @escaping (String) -> Void = { _ in }) throws {
        self.configuration = configuration
        self.name = name
        self.log = log
        store = try configuration.store.open(checkpointPages: Self.checkpointPages)
        let register = try store.modelRegister()
        championPath = register.champion.map { configuration.modelFile($0.file) } ?? configuration.modelPath
        modelModified = Self.modificationDate(championPath)
        do { scorer = try Self.load(championPath, expecting: register.champion?.id) } catch {
            throw ConfigurationError(
                description: "\(error) (set CREDIT_MODEL to a model file made by `credit train`, or promote one with `credit model promote`)")
        }
        registerSeq = register.lastSeq
        if let version = register.challenger { loadChallenger(version) }
    }

    /// Loads a model file, checking that it holds the model the register names.
    static func load(_ path: String, expecting id: String?) throws -> CreditScorer {
        let scorer = try CreditScorer(path: path)
        if let id, scorer.modelId != id {
            throw ConfigurationError(description: "\(path) holds model \(scorer.modelId), not \(id) as the model register says")
        }
        return scorer
    }

    public var modelId: String { scorer.modelId }

    /// The model last written to the audit trail by this worker.
    private var announcedModel: String?

    /// Writes the model in use to the audit trail when the trail's last model is another (so a
    /// worker run from cron every minute, or a second worker, adds no row for the same model).
    public func announceModel() {
        do {
            let last = try store.auditRecords(AuditFilter(action: .modelLoaded), limit: 1).first?.entry.object
            if last == scorer.modelId { announcedModel = scorer.modelId; return }
            try store.appendAudit(
                AuditEntry(
                    actor: nil, actorName: "worker:" + name, action: .modelLoaded, object: scorer.modelId,
                    detail: championPath), now: Date().timeIntervalSince1970)
            announcedModel = scorer.modelId
        } catch {
            log("could not record the model in the audit trail (will retry): \(error)")
        }
    }

    static func modificationDate(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    /// Follows the model register (a promotion, rollback or new challenger) and reloads the
    /// champion when forced (SIGHUP) or when its file changed. A file that does not load is
    /// reported and the current model kept.
    public func reloadModel(force: Bool = false) {
        defer { if scorer.modelId != announcedModel { announceModel() } }
        var expected: String?
        var path = championPath
        do {
            let register = try store.modelRegister()
            if register.lastSeq != registerSeq {
                expected = register.champion?.id
                path = register.champion.map { configuration.modelFile($0.file) } ?? configuration.modelPath
                if register.challenger != challengerVersion {
                    if let version = register.challenger {
                        loadChallenger(version)
                    } else {
                        if let old = challenger { log("challenger \(old.modelId) withdrawn") }
                        challenger = nil
                        challengerVersion = nil
                    }
                }
                registerSeq = register.lastSeq
            }
        } catch {
            log("could not read the model register (keeping \(scorer.modelId)): \(error)")
        }
        let modified = Self.modificationDate(path)
        guard force || path != championPath || modified != modelModified else { return }
        do {
            let replacement = try Self.load(path, expecting: expected)
            if replacement.modelId != scorer.modelId || path != championPath {
                log("champion model now \(replacement.modelId) (was \(scorer.modelId))")
            }
            scorer = replacement
            championPath = path
            modelModified = modified
        } catch {
            log("model reload failed, keeping \(scorer.modelId): \(error)")
            if path == championPath { modelModified = modified }
        }
    }

    /// Loads the challenger the register names; one that does not load is reported and left out.
    private func loadChallenger(_ version: ModelVersion) {
        challengerVersion = version
        do {
            challenger = try Self.load(configuration.modelFile(version.file), expecting: version.id)
            log("challenger \(version.id) scored in the shadow of the champion")
        } catch {
            log("cannot load the challenger, scoring without it: \(error)")
            challenger = nil
        }
    }

    /// Scores one claimed application: from its compact record when it has one (validated when it
    /// was submitted), else from the JSON, which is validated here.
    func score(_ job: ClaimedJob) -> JobOutcome {
        if let record = job.record, let applicant = ApplicantRecord.decode(record, fieldCount: ApplicantSchema.pakdd.fields.count) {
            return outcome(applicant)
        }
        return score(job.payload)
    }

    /// The champion's outcome, with the challenger's result beside it when one is tried.
    func outcome(_ applicant: Applicant) -> JobOutcome {
        let prediction = scorer.predict(applicant)
        guard let challenger else { return Self.outcome(prediction) }
        let shadow = challenger.predict(applicant, recourse: false)  // recourse is the champion's to give
        return .done(
            result: Self.resultText(prediction), referred: prediction.decision == .review,
            shadow: ShadowResult(
                championModel: prediction.model, championPD: prediction.probabilityOfDefault,
                championDecision: prediction.decision.rawValue, challengerModel: shadow.model,
                challengerPD: shadow.probabilityOfDefault, challengerDecision: shadow.decision.rawValue,
                challengerResult: Self.resultText(shadow)))
    }

    /// Scores one JSON application; a payload the schema rejects fails the job with the reasons.
    func score(_ payload: String) -> JobOutcome {
        let applicant: Applicant
        do {
            let json = try JSONValue.parse(payload)
            applicant = try ApplicantSchema.pakdd.validate(json)
        } catch let error as ApplicantValidationError {
            return .failed(error: "The application is invalid: \(error.description)")
        } catch {
            return .failed(error: "The stored application is not valid JSON.")
        }
        return outcome(applicant)
    }

    /// A scored job's outcome: the result text, and whether the model refers it to a reviewer.
    static func outcome(_ prediction: Prediction) -> JobOutcome {
        .done(result: resultText(prediction), referred: prediction.decision == .review)
    }

    /// Seconds the last batch took to score (features, model, reasons; not the database).
    public private(set) var lastScoringSeconds = 0.0

    /// Scored outcomes not yet recorded: written together with the next claim.
    private var unrecorded: [(job: ClaimedJob, outcome: JobOutcome)] = []

    /// Records the previous batch's outcomes, claims the next batch in the same transaction and
    /// scores it. Returns the number of jobs claimed; when it returns 0 nothing is left unrecorded.
    @discardableResult
    public func processBatch(now: Double = Date().timeIntervalSince1970) throws -> Int {
        let claimed = try store.finishAndClaim(
            worker: name, outcomes: unrecorded, limit: batchSize, lease: configuration.lease,
            maxAttempts: configuration.maxAttempts, now: now)
        let scoringStarted = SystemClock.monotonic()
        unrecorded = claimed.map { (job: $0, outcome: score($0)) }
        lastScoringSeconds = SystemClock.monotonic() - scoringStarted
        if claimed.isEmpty { return 0 }
        return claimed.count
    }

    /// After a claim of `claimed` jobs that began at `claimStarted` (seconds on the monotonic
    /// clock), decides whether to wait for the next batch to fill. It waits only when jobs arrived
    /// while these were scored (a wake-up is pending) and the claim was of several jobs but less
    /// than a batch (a lone job or a backlog never waits). It then records these results first,
    /// so that no client waits for the gather, and waits until as many commits as it claimed jobs
    /// have come (so batches at least double while arrivals outpace the worker), or none came for
    /// ``arrivalGap`` (closed-loop clients have all submitted again), or ``gatherDelay`` has
    /// passed since the claim began. It reads wake-ups only, never the database, while it waits.
    /// Returns whether it waited.
    @discardableResult
    public func gather(claimed: Int, claimStarted: Double, arrivals: any QueueWaiting) throws -> Bool {
        guard claimed >= 2, claimed < batchSize else { return false }
        var arrived = arrivals.arrivals()
        guard arrived > 0 else { return false }
        try flush()
        // Sleeps a gap at a time and looks whether anything came meanwhile: one wake-up a gap,
        // not one for every commit of the responders.
        let deadline = claimStarted + gatherDelay
        while true {
            let remaining = deadline - SystemClock.monotonic()
            guard remaining > 0 else { break }
            usleep(useconds_t(min(remaining, arrivalGap) * 1e6))
            let more = arrivals.arrivals()
            arrived += more
            guard more > 0, arrived < claimed else { break }
        }
        return true
    }

    /// Records outcomes still held (before the worker stops or sleeps).
    public func flush() throws {
        guard !unrecorded.isEmpty else { return }
        try store.finish(worker: name, outcomes: unrecorded, now: Date().timeIntervalSince1970)
        unrecorded = []
    }

    /// Records the heartbeat and prunes jobs past the retention period.
    public func housekeeping(now: Double = Date().timeIntervalSince1970, prune: Bool) throws {
        try store.heartbeat(worker: name, model: scorer.modelId, mode: mode, now: now)
        if prune, let days = configuration.retentionDays {
            let removed = try store.pruneFinished(before: now - days * 86_400)
            if removed > 0 { log("purged the data of \(removed) applications finished more than \(days) days ago (their tombstones stay)") }
        }
    }

    /// The prediction as the API returns it in `result`, written straight to text: keys sorted as
    /// ``JSONOutput`` writes them, without building and sorting dictionaries for every job.
    static func resultText(_ prediction: Prediction) -> String {
        var writer = JSONStreamWriter(capacity: 4096)  // eight reasons and three suggestions are about 3 KB
        func rounded(_ value: Double) -> Double { (value * 1e6).rounded() / 1e6 }
        // One key per language of ``Language``, sorted.
        func texts(_ english: String, _ texts: [String: String]) {
            writer.key("text"); writer.string(english)
            writer.key("texts"); writer.beginObject()
            writer.key("en"); writer.string(english)
            writer.key("pt-BR"); writer.string(texts[Language.portuguese.rawValue] ?? english)
            writer.endObject()
        }
        func reasons(_ list: [Reason]) {
            writer.beginArray()
            for reason in list {
                writer.beginObject()
                writer.key("code"); writer.string(reason.code)
                writer.key("contribution"); writer.number(rounded(reason.contribution))
                writer.key("family"); writer.string(reason.family)
                writer.key("fields"); writer.beginArray()
                for input in reason.fields {
                    writer.beginObject()
                    writer.key("contribution"); writer.number(rounded(input.contribution))
                    writer.key("field"); writer.string(input.field)
                    writer.key("value"); writer.optionalString(input.value)
                    writer.endObject()
                }
                writer.endArray()
                writer.key("label"); writer.string(reason.label)
                texts(reason.text, reason.texts)
                writer.endObject()
            }
            writer.endArray()
        }
        // Keys in sorted order, as JSONOutput writes them.
        writer.beginObject()
        writer.key("decision"); writer.string(prediction.decision.rawValue)
        writer.key("model"); writer.string(prediction.model)
        writer.key("probability_of_default"); writer.number(rounded(prediction.probabilityOfDefault))
        writer.key("reasons"); reasons(prediction.reasons)
        writer.key("recourse"); writer.beginArray()
        for option in prediction.recourse {
            writer.beginObject()
            writer.key("changes"); writer.beginArray()
            for change in option.changes {
                writer.beginObject()
                writer.key("field"); writer.string(change.field)
                writer.key("from"); writer.optionalString(change.from)
                writer.key("to"); writer.string(change.to)
                writer.endObject()
            }
            writer.endArray()
            writer.key("decision"); writer.string(option.decision.rawValue)
            writer.key("probability_of_default"); writer.number(rounded(option.probabilityOfDefault))
            texts(option.text, option.texts)
            writer.endObject()
        }
        writer.endArray()
        writer.key("score"); writer.number(Double(prediction.score))
        writer.key("strengths"); reasons(prediction.strengths)
        writer.endObject()
        return writer.text
    }
}
