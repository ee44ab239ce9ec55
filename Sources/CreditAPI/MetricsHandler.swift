import CreditJSON
import CreditStore

extension CreditService {
    /// `GET /api/metrics`: Prometheus text. From loopback (a scraper on the host), or with an
    /// administrator's token or key from anywhere else.
    func metrics(_ request: HTTPRequest) throws -> HTTPResponse {
        if !Self.isLoopback(request.remoteAddress) { _ = try authenticate(request, minimum: .admin) }
        let counters = serviceMetrics.snapshot()
        var out = PrometheusText()
        out.family("credit_http_requests_total", "counter", "Requests answered by this responder process, by route, method and status.")
        let series = counters.requests.sorted { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }
        for (key, count) in series {
            out.sample("credit_http_requests_total", [("route", key.route), ("method", key.method), ("status", String(key.status))], Double(count))
        }
        out.family("credit_http_request_duration_seconds", "histogram", "Time to answer a request in the responder, by route.")
        for (route, histogram) in counters.latency.sorted(by: { $0.key < $1.key }) {
            for (index, bound) in ServiceMetrics.buckets.enumerated() {
                out.sample(
                    "credit_http_request_duration_seconds_bucket", [("route", route), ("le", PrometheusText.number(bound))],
                    Double(histogram.counts[index]))
            }
            out.sample("credit_http_request_duration_seconds_bucket", [("route", route), ("le", "+Inf")], Double(histogram.total))
            out.sample("credit_http_request_duration_seconds_sum", [("route", route)], histogram.sum)
            out.sample("credit_http_request_duration_seconds_count", [("route", route)], Double(histogram.total))
        }
        out.family("credit_submissions_total", "counter", "Applications accepted (202) by this responder process.")
        out.sample("credit_submissions_total", [], Double(counters.submissions))
        out.family("credit_sign_ins_total", "counter", "Sign-ins at /api/token by this responder process, by outcome.")
        for outcome in ["success", "failure", "throttled", "busy", "error"] {
            out.sample("credit_sign_ins_total", [("outcome", outcome)], Double(counters.signIns[outcome] ?? 0))
        }
        out.family(
            "credit_audit_write_failures_total", "counter",
            "Audit rows this responder process could not write (each logged at error level with its request id).")
        out.sample("credit_audit_write_failures_total", [], Double(counters.auditWriteFailures))
        // From the store: the same for every responder, and right in CGI mode too.
        let now = clock()
        let (queue, statistics, register, overdue) = try stores.withStore { store in
            (try store.health(now: now), try store.jobStatistics(), try store.modelRegister(), try store.overdueReviewRequests(now: now))
        }
        out.family("credit_queue_jobs", "gauge", "Jobs waiting or being scored.")
        out.sample("credit_queue_jobs", [("status", "queued")], Double(queue.queued))
        out.sample("credit_queue_jobs", [("status", "running")], Double(queue.running))
        out.family("credit_queue_oldest_age_seconds", "gauge", "Age of the oldest queued job (0 when none waits).")
        out.sample("credit_queue_oldest_age_seconds", [], queue.oldestQueuedAge ?? 0)
        out.family("credit_jobs_finished", "gauge", "Jobs in the store that were scored (done) or could not be (failed).")
        out.sample("credit_jobs_finished", [("status", "done")], Double(statistics.byStatus["done"] ?? 0))
        out.sample("credit_jobs_finished", [("status", "failed")], Double(statistics.byStatus["failed"] ?? 0))
        out.family("credit_job_scoring_seconds", "gauge", "Mean seconds from claim to recorded result over the last 1,000 scored jobs.")
        out.sample("credit_job_scoring_seconds", [], statistics.recentMeanSeconds ?? 0)
        out.family("credit_worker_heartbeat_age_seconds", "gauge", "Seconds since a worker last beat (-1: never).")
        out.sample("credit_worker_heartbeat_age_seconds", [], queue.lastHeartbeatAge ?? -1)
        out.family("credit_review_requests_overdue", "gauge", "Customers' requests for review still open past their due date (CREDIT_REVIEW_DAYS).")
        out.sample("credit_review_requests_overdue", [], Double(overdue))
        out.family(
            "credit_model_info", "gauge", "The champion model (from the register, else the configured file) and the model the last worker ran.")
        let champion = championId(register) ?? "unknown"
        out.sample("credit_model_info", [("role", "champion"), ("model", champion)], 1)
        if let running = queue.workerModel { out.sample("credit_model_info", [("role", "worker"), ("model", running)], 1) }
        if let challenger = register.challenger { out.sample("credit_model_info", [("role", "challenger"), ("model", challenger.id)], 1) }
        return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")], body: Array(out.text.utf8))
    }

    /// True for 127.0.0.0/8 and ::1 (nginx passes the client's address as REMOTE_ADDR).
    static func isLoopback(_ address: String) -> Bool {
        address.hasPrefix("127.") || address == "::1" || address == "::ffff:127.0.0.1"
    }
}
