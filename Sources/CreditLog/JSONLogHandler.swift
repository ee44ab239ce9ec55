import CreditSystem
@_exported import Logging

#if canImport(Glibc)
import Glibc
#endif

/// A swift-log handler that writes each event as one JSON line on standard error:
/// `{"time":"2026-11-25T21:30:00.123Z","level":"info","label":"credit-fcgi","message":"request",…metadata}`.
/// One `write` per line, so lines from threads and processes sharing the stream never interleave.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String

    public init(label: String, level: Logger.Level) {
        self.label = label
        logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let level = event.level, message = event.message, explicit = event.metadata
        // Built as bytes in one buffer and written with one call: a line per request must cost
        // little next to the request (`bench/scale.py` measures it).
        var out: [UInt8] = []
        out.reserveCapacity(320)
        out.append(contentsOf: #"{"time":""#.utf8)
        Self.appendTimestamp(to: &out)
        out.append(contentsOf: #"","level":""#.utf8)
        out.append(contentsOf: level.rawValue.utf8)
        out.append(contentsOf: #"","label":"#.utf8)
        Self.appendQuoted(label, to: &out)
        out.append(contentsOf: #","message":"#.utf8)
        Self.appendQuoted(message.description, to: &out)
        let merged = metadata.isEmpty ? (explicit ?? [:]) : metadata.merging(explicit ?? [:]) { $1 }
        for key in merged.keys.sorted() {
            out.append(UInt8(ascii: ","))
            Self.appendQuoted(key, to: &out)
            out.append(UInt8(ascii: ":"))
            Self.appendJSON(merged[key]!, to: &out)
        }
        out.append(contentsOf: "}\n".utf8)
        _ = out.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }

    /// Writes a metadata value as JSON straight into the line (no string per value): strings
    /// quoted, `.stringConvertible` numbers as numbers.
    static func appendJSON(_ value: Logger.Metadata.Value, to out: inout [UInt8]) {
        switch value {
        case .string(let text): appendQuoted(text, to: &out)
        case .stringConvertible(let convertible):
            let text = convertible.description
            if isJSONNumber(text) { out.append(contentsOf: text.utf8) } else { appendQuoted(text, to: &out) }
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, item) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                appendJSON(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .dictionary(let values):
            out.append(UInt8(ascii: "{"))
            for (index, key) in values.keys.sorted().enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                appendQuoted(key, to: &out)
                out.append(UInt8(ascii: ":"))
                appendJSON(values[key]!, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Whether `text` is a number as JSON writes one (`-12`, `0.5`, `1e-06`): not `inf`, `nan`,
    /// `+1` or `01`, which a `Double` would read but a JSON parser refuses.
    static func isJSONNumber(_ text: String) -> Bool {
        var bytes = text.utf8.makeIterator()
        var byte = bytes.next()
        func digits() -> Int {
            var count = 0
            while let digit = byte, digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") { count += 1; byte = bytes.next() }
            return count
        }
        if byte == UInt8(ascii: "-") { byte = bytes.next() }
        if byte == UInt8(ascii: "0") { byte = bytes.next() } else if digits() == 0 { return false }
        if byte == UInt8(ascii: ".") { byte = bytes.next(); if digits() == 0 { return false } }
        if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            byte = bytes.next()
            if byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") { byte = bytes.next() }
            if digits() == 0 { return false }
        }
        return byte == nil
    }

    /// `text` as a JSON string, control characters escaped.
    static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\n"): out.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\r"): out.append(contentsOf: #"\r"#.utf8)
            case UInt8(ascii: "\t"): out.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20:
                let digits = Array("0123456789abcdef".utf8)
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 15)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Now in UTC with milliseconds (`2026-11-25T21:30:00.123Z`).
    static func appendTimestamp(to out: inout [UInt8]) {
        out.append(contentsOf: Timestamp.rfc3339(SystemClock.wall()).utf8)
    }
}

/// The service's logging set-up, shared by the responder, the worker and the command line.
public enum CreditLogging {
    /// Sends every logger of the process to ``JSONLogHandler`` at `CREDIT_LOG_LEVEL` (trace,
    /// debug, info, notice, warning, error, critical; `off` for none; info when unset). Returns
    /// the level, or nil with the bad value's message.
    @discardableResult
    public static func bootstrap(environment value: String?) -> (level: Logger.Level?, problem: String?) {
        let text = (value ?? "info").lowercased()
        let level: Logger.Level?
        var problem: String?
        if text == "off" || text == "none" {
            level = nil
        } else if let parsed = Logger.Level(rawValue: text) {
            level = parsed
        } else {
            level = .info
            problem = "CREDIT_LOG_LEVEL must be trace, debug, info, notice, warning, error, critical or off, not \(value ?? "")"
        }
        LoggingSystem.bootstrap { label in
            guard let level else { return SwiftLogNoOpLogHandler() }
            return JSONLogHandler(label: label, level: level)
        }
        return (level, problem)
    }
}
