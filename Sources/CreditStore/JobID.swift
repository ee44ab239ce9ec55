#if canImport(Glibc)
import Glibc
#endif

/// Job identifiers, the same for every backend.
enum JobID {
    /// A new job id: 32 hex digits, the first 12 the submission time in milliseconds and the
    /// other 20 random (80 bits, unguessable). Time-ordered ids keep the unique index growing
    /// at its end, so an insert touches the same few pages instead of a random one.
    static func new(now: Double) -> String {
        let milliseconds = UInt64(max(0, now * 1000)) & 0xFFFF_FFFF_FFFF
        // The kernel's generator through glibc, 80 bits in one call.
        var bits: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &bits) { arc4random_buf($0.baseAddress!, 10) }
        let (random, more) = bits
        func hex(_ value: UInt64, _ digits: Int) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: max(0, digits - text.count)) + text.suffix(digits)
        }
        return hex(milliseconds, 12) + hex(random, 16) + hex(more & 0xFFFF, 4)
    }
}
