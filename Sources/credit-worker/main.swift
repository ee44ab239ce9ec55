import CreditAPI
import CreditWorker
import CreditStore
import Foundation

// credit-worker: scores queued applications. Configuration comes from the CREDIT_* environment
// variables (see ServiceConfiguration). Options:
//   --drain        score what is queued, then exit (for cron on shared hosting)
//   --name NAME    worker name in leases and heartbeats (default: host-pid)

let usage = "usage: credit-worker [--drain] [--name NAME]"
var drain = false
var name = "\(ProcessInfo.processInfo.hostName)-\(getpid())"
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--drain": drain = true
    case "--name":
        guard let value = arguments.popFirst() else { logLine(usage); exit(64) }
        name = value
    case "-h", "--help": print(usage); exit(0)
    default: logLine("unknown option \(argument); \(usage)"); exit(64)
    }
}

installSignalHandlers()
let worker: ScoringWorker
let configuration: ServiceConfiguration
do {
    configuration = try ServiceConfiguration.fromEnvironment()
    worker = try ScoringWorker(configuration: configuration, name: name, log: logLine)
} catch {
    logLine("cannot start: \(error)")
    exit(78)
}
let listener = drain ? nil : (try? QueueWakeupListener(path: configuration.wakeSocket))
if !drain && listener == nil { logLine("no wake-up socket at \(configuration.wakeSocket); polling every second") }
logLine("\(drain ? "draining" : "serving") with model \(worker.modelId), database \(configuration.databasePath)")

var lastHousekeeping = 0.0, lastPrune = 0.0, scored = 0, batches = 0
while stopRequested == 0 {
    if reloadRequested != 0 {
        reloadRequested = 0
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
    do { processed = try worker.processBatch() } catch {
        logLine("batch failed, retrying: \(error)")
        usleep(100_000)
        continue
    }
    scored += processed
    if processed > 0 { batches += 1 }
    if processed == 0 {
        if drain { break }
        if let listener { listener.wait(timeout: 1) } else { usleep(1_000_000) }
    }
}
do { try worker.flush() } catch { logLine("could not record the last results (their leases will expire and they are scored again): \(error)") }
logLine("stopped after scoring \(scored) applications in \(batches) batches")
