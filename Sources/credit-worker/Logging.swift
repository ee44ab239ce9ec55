import CreditLog

/// Logs a lifecycle event at level notice.
func logLine(_ text: String) {
    workerLogger.notice("\(text)")
}

/// The worker's logger: plain lines on standard error until the configuration is read, then JSON
/// lines at `CREDIT_LOG_LEVEL` (see `CreditLogging`).
nonisolated(unsafe) var workerLogger = Logger(label: "credit-worker")
