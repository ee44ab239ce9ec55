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
        // Written digit by digit into the string's own storage: every submission makes one.
        return String(unsafeUninitializedCapacity: 32) { digits in
            func put(_ value: UInt64, count: Int, from start: Int) {
                var value = value
                for index in (start..<(start + count)).reversed() {
                    let nibble = UInt8(value & 15)
                    digits[index] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
                    value >>= 4
                }
            }
            put(milliseconds, count: 12, from: 0)
            put(random, count: 16, from: 12)
            put(more & 0xFFFF, count: 4, from: 28)
            return 32
        }
    }
}
