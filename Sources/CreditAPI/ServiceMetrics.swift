import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The responder's own counters for `/api/metrics`: requests by route, method and status, a
/// latency histogram, submissions, sign-ins and audit rows that could not be written. Held in
/// memory, so they count from the process's start (Prometheus handles restarts); a CGI process
/// answers one request and keeps none, which is why the queue's and the jobs' figures are read
/// from the store at each scrape.
final class ServiceMetrics: Sendable {
    /// Upper bounds of the latency histogram's buckets, in seconds.
    static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

    /// One route's latency histogram.
    struct Histogram {
        var counts = [UInt64](repeating: 0, count: ServiceMetrics.buckets.count)
        var total: UInt64 = 0
        var sum = 0.0

        mutating func record(_ seconds: Double) {
            for (index, bound) in ServiceMetrics.buckets.enumerated() where seconds <= bound { counts[index] += 1 }
            total += 1
            sum += seconds
        }
    }

    /// One series of `credit_http_requests_total`.
    struct RequestKey: Hashable {
        var route: String
        var method: String
        var status: Int
    }

    struct State {
        var requests: [RequestKey: UInt64] = [:]
        var latency: [String: Histogram] = [:]
        var signIns: [String: UInt64] = [:]
        var submissions: UInt64 = 0
        /// Audit rows that could not be written (see ``CreditService/reportAuditWriteFailure(_:at:_:)``).
        var auditWriteFailures: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Counts a finished request.
    func record(route: String, method: String, status: Int, seconds: Double) {
        state.withLock { state in
            state.requests[RequestKey(route: route, method: method, status: status), default: 0] += 1
            // In place: a copy taken out and put back would copy the counts under the lock every time.
            state.latency[route, default: Histogram()].record(seconds)
            if route == "/api/predictions" && method == "POST" && status == 202 { state.submissions += 1 }
            if route == "/api/token" && method == "POST" {
                let outcome =
                    switch status {
                    case 200: "success"
                    case 400: "failure"
                    case 429: "throttled"
                    case 503: "busy"
                    default: "error"
                    }
                state.signIns[outcome, default: 0] += 1
            }
        }
    }

    /// Counts an audit row that could not be written.
    func recordAuditWriteFailure() {
        state.withLock { $0.auditWriteFailures += 1 }
    }

    func snapshot() -> State { state.withLock { $0 } }

}

/// The Prometheus text exposition format (version 0.0.4), written without a library.
struct PrometheusText {
    private(set) var text = ""

    /// `# HELP` and `# TYPE` of a metric family.
    mutating func family(_ name: String, _ type: String, _ help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " " + Self.number(value) + "\n"
    }

    static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
