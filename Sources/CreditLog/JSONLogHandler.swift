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

    public func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String, file: String,
                    function: String, line: UInt) {
        var text = "{\"time\":\"" + Self.timestamp() + "\",\"level\":\"" + level.rawValue + "\",\"label\":" + Self.quoted(label)
            + ",\"message\":" + Self.quoted(message.description)
        var merged = metadata
        if let explicit { merged.merge(explicit) { $1 } }
        for key in merged.keys.sorted() { text += "," + Self.quoted(key) + ":" + Self.json(merged[key]!) }
        text += "}\n"
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }

    /// A metadata value as JSON: strings quoted, `.stringConvertible` numbers as numbers.
    static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): return quoted(text)
        case .stringConvertible(let convertible):
            let text = convertible.description
            return Double(text) != nil && text.first != "+" ? text : quoted(text)
        case .array(let values): return "[" + values.map(json).joined(separator: ",") + "]"
        case .dictionary(let values): return "{" + values.keys.sorted().map { quoted($0) + ":" + json(values[$0]!) }.joined(separator: ",") + "}"
        }
    }

    /// `text` as a JSON string, control characters escaped.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Now in UTC with milliseconds, without Foundation.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millis = Int(now.tv_nsec / 1_000_000)
        let fraction = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(fraction)Z"
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
