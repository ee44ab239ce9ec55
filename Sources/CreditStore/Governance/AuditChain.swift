import COpenSSL

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
        for field in [previousHash, String(seq), "\(at)", entry.actor.map(String.init) ?? "", entry.actorName, entry.action.rawValue,
                      entry.object, entry.detail, entry.address] {
            bytes.append(contentsOf: String(field.utf8.count).utf8)
            bytes.append(0x3A)
            bytes.append(contentsOf: field.utf8)
        }
        return SHA256Digest.hex(bytes)
    }

    /// The first row, in sequence order, whose hash or link does not hold; nil when the chain is intact.
    public static func firstBroken(_ records: [AuditRecord]) -> AuditRecord? {
        var previous = origin
        for record in records {
            if record.previousHash != previous || hash(seq: record.seq, at: record.at, entry: record.entry, previousHash: record.previousHash) != record.hash {
                return record
            }
            previous = record.hash
        }
        return nil
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Seconds since 1970 from the system clock, for audit rows of actions that have no caller's clock (retention).
func wallClockSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
