import CreditLog
#if canImport(Glibc)
import Glibc
#endif

/// Flags set by signal handlers (kept outside main.swift, whose globals are main-actor isolated).
nonisolated(unsafe) var stopRequested: sig_atomic_t = 0
nonisolated(unsafe) var reloadRequested: sig_atomic_t = 0

/// SIGTERM and SIGINT finish the current batch and exit; SIGHUP reloads the model.
func installSignalHandlers() {
    signal(SIGTERM) { _ in stopRequested = 1 }
    signal(SIGINT) { _ in stopRequested = 1 }
    signal(SIGHUP) { _ in reloadRequested = 1 }
    signal(SIGPIPE, SIG_IGN)
}

/// Writes a line to standard error (fd 2).
func logLine(_ text: String) {
    workerLogger.notice("\(text)")
}

/// The worker's logger: plain lines on standard error until the configuration is read, then JSON
/// lines at `CREDIT_LOG_LEVEL` (see `CreditLogging`).
nonisolated(unsafe) var workerLogger = Logger(label: "credit-worker")
