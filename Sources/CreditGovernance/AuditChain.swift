import CreditSystem

/// The audit trail's hash chain: each row's hash covers its own fields and the previous row's
/// hash, so that editing or deleting any row breaks every hash after it.
public enum AuditChain {
    /// The previous hash of the first row.
    public static let origin = String(repeating: "0", count: 64)

    /// The hash of a row: SHA-256 over its fields, each length-prefixed so that no two different
    /// rows give the same bytes, times written exactly (Swift prints a Double so it reads back the same).
    public static func hash(seq: Int64, at: Double, entry: AuditEntry, previousHash: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        for field in [
            previousHash, String(seq), "\(at)", entry.actor.map(String.init) ?? "", entry.actorName, entry.action.rawValue,
            entry.object, entry.detail, entry.address,
        ] {
            bytes.append(contentsOf: String(field.utf8.count).utf8)
            bytes.append(0x3A)
            bytes.append(contentsOf: field.utf8)
        }
        return SHA256Digest.hex(bytes)
    }

    /// The first row, in sequence order, that breaks the chain (see ``AuditChainVerifier``);
    /// nil when `records`, read from the first row, are intact.
    public static func firstBroken(_ records: [AuditRecord]) -> AuditRecord? {
        var verifier = AuditChainVerifier()
        do throws(AuditChainBreak) {
            try verifier.check(records)
            return nil
        } catch {
            return records.first { $0.seq == error.seq }
        }
    }
}

/// Checks the audit trail page by page from its first row: sequence numbers run from 1 without a
/// gap (a gap is a deleted row), each row links to the one before it, and each row's contents
/// match its hash. The one chain checker (`credit audit verify`, the tests).
public struct AuditChainVerifier: Sendable {
    /// Rows checked so far.
    public private(set) var verified = 0
    /// The last good row's hash (the origin before the first).
    public private(set) var lastHash = AuditChain.origin
    /// The last good row's number.
    public private(set) var lastSeq: Int64 = 0

    public init() {}

    /// Checks the next rows, which follow those checked before; throws at the first break.
    public mutating func check(_ records: [AuditRecord]) throws(AuditChainBreak) {
        for record in records {
            let reason: AuditChainBreak.Reason? =
                record.seq != lastSeq + 1
                ? .missing(lastSeq + 1)
                : record.previousHash != lastHash
                    ? .unlinked
                    : AuditChain.hash(seq: record.seq, at: record.at, entry: record.entry, previousHash: record.previousHash) != record.hash
                        ? .altered
                        : nil
            if let reason { throw AuditChainBreak(seq: record.seq, record: record, reason: reason, verifiedBefore: verified) }
            lastHash = record.hash
            lastSeq = record.seq
            verified += 1
        }
    }
}

/// Where and why the audit trail's chain breaks.
public struct AuditChainBreak: Error, Sendable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The row with this number is gone.
        case missing(Int64)
        /// The row does not link to the one before it.
        case unlinked
        /// The row's contents do not match its hash.
        case altered
    }
    public let seq: Int64
    public let record: AuditRecord
    public let reason: Reason
    /// Rows verified before the break.
    public let verifiedBefore: Int

    public var description: String {
        let why =
            switch reason {
            case .missing(let seq): "row \(seq) is missing"
            case .unlinked: "it does not link to the row before it"
            case .altered: "its contents do not match its hash"
            }
        return
            "the audit trail is broken at row \(seq) (\(record.entry.action.rawValue) at \(Timestamp.rfc3339(record.at))): \(why); \(verifiedBefore) rows before it verified"
    }
}
