#if canImport(Glibc)
import Glibc
#endif

/// The offsets from UTC of an IANA time zone (`America/Sao_Paulo`), read from its TZif file
/// (RFC 8536) under `/usr/share/zoneinfo`, without Foundation: what day it is for the lender.
///
/// Past the file's last transition the last offset holds (the footer's rule is not read), which
/// is exact for zones without daylight saving time now, such as every Brazilian zone since 2019.
public struct ZoneOffsets: Sendable, Equatable {
    /// Transition times (seconds since 1970), ascending, and the offset that starts at each.
    let transitions: [Int64]
    let offsets: [Int64]
    /// The offset before the first transition (or always, when there is none).
    let initial: Int64

    /// UTC: no offset.
    public static let utc = ZoneOffsets(transitions: [], offsets: [], initial: 0)

    init(transitions: [Int64], offsets: [Int64], initial: Int64) {
        self.transitions = transitions
        self.offsets = offsets
        self.initial = initial
    }

    /// The zone `name` from `directory`, or nil when its file is missing or not TZif.
    public init?(zone name: String, directory: String = "/usr/share/zoneinfo") {
        guard !name.contains(".."), let bytes = Self.contents(of: directory + "/" + name), let parsed = Self.parse(bytes) else { return nil }
        self = parsed
    }

    /// The offset from UTC, in seconds, at `seconds` since 1970.
    public func offset(at seconds: Int64) -> Int64 {
        var low = 0, high = transitions.count
        while low < high {
            let middle = (low + high) / 2
            if transitions[middle] <= seconds { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? initial : offsets[low - 1]
    }

    /// The local calendar day at `seconds` since 1970.
    public func day(at seconds: Double) -> (year: Int64, month: Int64, day: Int64) {
        let whole = Int64(seconds.rounded(.down))
        let local = whole + offset(at: whole)
        return CalendarDay.civil(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
    }

    /// A TZif file's 64-bit data (version 2 and later) or, for version 1, its 32-bit data.
    static func parse(_ bytes: [UInt8]) -> ZoneOffsets? {
        func number(_ at: Int, _ width: Int) -> Int64? {
            guard at >= 0, at + width <= bytes.count else { return nil }
            var value: UInt64 = 0
            for byte in bytes[at..<(at + width)] { value = value << 8 | UInt64(byte) }
            // Sign-extend: times and offsets are signed.
            let shift = UInt64(64 - width * 8)
            return Int64(bitPattern: value << shift) >> Int64(shift)
        }
        func header(_ at: Int) -> (counts: [Int], version: UInt8)? {
            guard bytes.count >= at + 44, bytes[at..<(at + 4)].elementsEqual("TZif".utf8) else { return nil }
            let counts = (0..<6).compactMap { number(at + 20 + $0 * 4, 4).map(Int.init) }
            guard counts.count == 6, counts.allSatisfy({ $0 >= 0 && $0 < 1 << 20 }) else { return nil }
            return (counts, bytes[at + 4])
        }
        guard var (counts, version) = header(0) else { return nil }
        var start = 44, timeWidth = 4
        if version >= UInt8(ascii: "2") {
            // Skip the 32-bit block to the second header, whose data has 64-bit times.
            let (isUT, isStd, leaps, times, types, chars) = (counts[0], counts[1], counts[2], counts[3], counts[4], counts[5])
            let skipped = times * 5 + types * 6 + chars + leaps * 8 + isStd + isUT
            guard let second = header(44 + skipped) else { return nil }
            (counts, version) = second
            start = 44 + skipped + 44
            timeWidth = 8
        }
        let (times, types) = (counts[3], counts[4])
        guard types > 0 else { return nil }
        let indexStart = start + times * timeWidth, typeStart = indexStart + times
        guard typeStart + types * 6 <= bytes.count else { return nil }
        var typeOffsets: [Int64] = []
        for type in 0..<types {
            guard let offset = number(typeStart + type * 6, 4) else { return nil }
            typeOffsets.append(offset)
        }
        var transitions: [Int64] = [], offsets: [Int64] = []
        for index in 0..<times {
            guard let time = number(start + index * timeWidth, timeWidth) else { return nil }
            let type = Int(bytes[indexStart + index])
            guard type < types else { return nil }
            transitions.append(time)
            offsets.append(typeOffsets[type])
        }
        return ZoneOffsets(transitions: transitions, offsets: offsets, initial: typeOffsets[0])
    }

    /// The file's bytes (a zone file is a few kilobytes; more than 1 MiB is refused).
    static func contents(of path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while bytes.count <= 1 << 20 {
            let count = read(descriptor, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
        }
        return nil
    }
}
