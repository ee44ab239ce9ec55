import CreditConfig
import CreditLog
import CreditStore
import CreditSystem
import CreditWorker
import Foundation

// credit-worker: scores queued applications. Configuration comes from the CREDIT_* environment
// variables and `--config FILE` or CREDIT_CONFIG (see ServiceConfiguration). The options
// (--drain, --name NAME, --config FILE) are in WorkerOptions.

// Everything this program creates (the database, its WAL and SHM, the wake-up socket) is private to its account.
umask(0o077)
let options = WorkerOptions.parseOrExit()
let drain = options.drain
let name = options.name ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())"
let configFile = options.configFile

// SIGTERM and SIGINT finish the current batch and exit; SIGHUP reloads the model.
let signals = SignalPipe()
signals.install([SIGTERM, SIGINT, SIGHUP])
var stopping = false, reloading = false
let worker: ScoringWorker
let configuration: ServiceConfiguration
do {
    configuration = try ServiceConfiguration.load(configFile: configFile)
    CreditLogging.bootstrap(environment: configuration.logLevel)
    workerLogger = Logger(label: "credit-worker")
    worker = try ScoringWorker(configuration: configuration, name: name, log: logLine)
} catch {
    logLine("cannot start: \(error)")
    exit(78)
}
if drain { worker.mode = .drain }
let listener = drain ? nil : configuration.store.wakeupListener(socket: configuration.wakeSocket)
if !drain {
    if listener == nil { logLine("no wake-up channel (\(configuration.wakeSocket) or LISTEN); polling every second") }
    logLine("serving with model \(worker.modelId), database \(configuration.store)")
    logLine(
        configuration.retentionDays.map { "purging applications \($0) days after they finish (tombstones stay)" }
            ?? "keeping every application (CREDIT_RETENTION_DAYS is not set)")
    if let warning = configuration.shortRetentionWarning { logLine("warning: " + warning) }
}

var lastHousekeeping = 0.0, lastPrune = 0.0, scored = 0, batches = 0
while true {
    while let number = signals.next(milliseconds: 0) {
        if number == SIGHUP { reloading = true } else { stopping = true }
    }
    if stopping { break }
    if reloading {
        reloading = false
        logLine("SIGHUP: reloading the model")
        worker.reloadModel(force: true)
    }
    let now = Date().timeIntervalSince1970
    if now - lastHousekeeping >= 1 {
        worker.reloadModel()
        let prune = now - lastPrune >= 3600
        do { try worker.housekeeping(now: now, prune: prune) } catch { logLine("housekeeping failed: \(error)") }
        if prune { lastPrune = now }
        lastHousekeeping = now
    }
    let processed: Int
    let claimStarted = SystemClock.monotonic()
    do { processed = try worker.processBatch() } catch {
        logLine("batch failed, retrying: \(error)")
        usleep(100_000)
        continue
    }
    scored += processed
    if processed > 0 {
        batches += 1
        workerLogger.info(
            "batch",
            metadata: [
                "jobs": .stringConvertible(processed), "model": .string(worker.modelId),
                "scoring_ms": .stringConvertible((worker.lastScoringSeconds * 1e6).rounded() / 1e3),
            ])
    }
    if let listener {
        do { try worker.gather(claimed: processed, claimStarted: claimStarted, arrivals: listener) } catch {
            logLine("could not record a batch before gathering the next (it is recorded with the next claim): \(error)")
        }
    }
    if processed == 0 {
        if drain { break }
        if let listener { listener.wait(timeout: 1) } else { usleep(1_000_000) }
    }
}
do { try worker.flush() } catch { logLine("could not record the last results (their leases will expire and they are scored again): \(error)") }
if !drain || scored > 0 {
    logLine("\(drain ? "drained" : "stopped after scoring") \(scored) applications in \(batches) batches with model \(worker.modelId)")
}
