import CreditGovernance
import CreditLog
import CreditStore

/// Audit rows the API writes on their own (not inside a change's transaction), and the store
/// errors a request goes on without: each failure leaves a trace in the log, with the request's
/// id, and an audit row that could not be written counts in `credit_audit_write_failures_total`.
///
/// A change (a submission, a decision, an account change) writes its audit row in its own
/// transaction instead, so that a failed write fails the change; the request's own log line then
/// carries the database's error.
extension CreditService {
    /// Appends `entry` for an event that stands whether or not it is recorded (a sign-in, a
    /// failed sign-in, a refused token): a failed write is logged and counted, and the request
    /// goes on.
    func appendAuditReportingFailure(_ entry: AuditEntry, now: Double) {
        do {
            try stores.withStore { try $0.appendAudit(entry, now: now) }
        } catch {
            reportAuditWriteFailure(entry, at: now, error)
        }
    }

    /// Appends `entry` through `store` for an access that must not happen unrecorded (viewing
    /// another's application, exporting results): a failed write is logged and counted, and
    /// thrown, so the request fails.
    func appendAuditOrFail(_ entry: AuditEntry, now: Double, to store: any GovernanceStore) throws {
        do {
            try store.appendAudit(entry, now: now)
        } catch {
            reportAuditWriteFailure(entry, at: now, error)
            throw error
        }
    }

    /// An error line standing for the row the trail lacks: what it would have said, except a
    /// name tried at a failed sign-in that matched no account (it may be a mistyped password).
    func reportAuditWriteFailure(_ entry: AuditEntry, at time: Double, _ error: any Error) {
        serviceMetrics.recordAuditWriteFailure()
        var metadata: Logger.Metadata = ["audit_action": .string(entry.action.rawValue), "audit_at": .stringConvertible(time)]
        if let actor = entry.actor {
            metadata["audit_actor_id"] = .stringConvertible(actor)
            metadata["audit_actor"] = .string(entry.actorName)
        }
        if !entry.object.isEmpty { metadata["audit_object"] = .string(entry.object) }
        if !entry.detail.isEmpty { metadata["audit_detail"] = .string(entry.detail) }
        if !entry.address.isEmpty { metadata["address"] = .string(entry.address) }
        logStoreFailure("audit write failed", error, metadata: metadata)
    }

    /// Logs a store error that the client is not told about (its text may name files and
    /// tables), with the request's id and account when known.
    func logStoreFailure(_ message: Logger.Message, _ error: any Error, level: Logger.Level = .error, metadata: Logger.Metadata = [:]) {
        var metadata = metadata
        metadata["error"] = .string("\(error)")
        if let context = RequestLog.current {
            metadata["request_id"] = .string(context.requestID)
            if let user = context.userID { metadata["user_id"] = .stringConvertible(user) }
        }
        logger.log(level: level, message, metadata: metadata)
    }
}
