#if canImport(Glibc)
import Glibc
import CreditGovernance
#endif

/// The store on a PostgreSQL server, for deployments on more than one host: every behaviour is
/// ``SQLStore``'s, shared with SQLite, except four that PostgreSQL does in one statement where
/// SQLite takes one a row (each a round trip here): storing a group commit's submissions,
/// recording a batch of outcomes, queueing a chunk of a batch, and recording a file of loan
/// outcomes. Workers claim with
/// `FOR UPDATE SKIP LOCKED` (``SQLDialect/skipLocked``), so they never wait for or share a job.
///
/// Each commit that queues jobs sends `NOTIFY credit_jobs`, which wakes listening workers
/// (``PostgresNotificationListener``). One instance is one connection, used by one thread at a time.
public final class PostgresStore: SQLStore {
    public let connection: PostgresConnection
    /// The channel that announces new jobs.
    public static let channel = "credit_jobs"

    /// Connects and applies pending migrations.
    public init(url: String) throws(StoreError) {
        connection = try PostgresConnection(url: url)
        try super.init(sql: connection)
    }

    public override var location: String { connection.displayURL }

    public override func enqueue(batch: [Submission]) throws(StoreError) -> [Result<EnqueueResult, StoreError>] {
        try connection.transaction { () throws(StoreError) -> [Result<EnqueueResult, StoreError>] in
            let ids = batch.map { JobID.new(now: $0.now) }
            let stored = try insertJobs(batch, ids: ids)
            // A submission not stored has an inactive owner or a repeated idempotency key: answered one by one.
            let results = zip(batch, ids).map { submission, id in
                Result { () throws(StoreError) -> EnqueueResult in
                    guard stored.contains(id) else { return try existingJob(submission) }
                    return EnqueueResult(job: Self.newJob(id: id, submission), created: true)
                }
            }
            if !stored.isEmpty { try notifyWorkers() }
            try appendAuditInTransaction(Submission.auditRows(batch, results))
            return results
        }
    }

    private func notifyWorkers() throws(StoreError) { try connection.query("SELECT pg_notify($1, '')", [Self.channel]) }

    override func jobsQueuedInTransaction() throws(StoreError) { try notifyWorkers() }

    /// Stores the submissions in one statement (one round trip for a whole group commit): each
    /// row's columns as arrays, unnested into jobs and their applications in order. A row whose
    /// owner is disabled or gone, or whose token generation is stale, is not stored, nor is one
    /// whose idempotency key the owner used before. Returns the ids of the rows stored.
    private func insertJobs(_ batch: [Submission], ids: [String]) throws(StoreError) -> Set<String> {
        let keys = batch.map { SearchKey(name: $0.applicantName, clientID: $0.clientID) }
        let words = SearchWordArrays(ids: ids, keys: keys)
        let inserted = try connection.query(
            """
            WITH input AS (
              SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::double precision[], $5::text[], $6::text[], $7::text[],
                                   $8::text[], $9::integer[], $10::text[], $11::text[], $12::text[], $13::text[])
                WITH ORDINALITY AS i(id, owner, key, at, hash, rescore, payload, record, generation, name, client, search_name, search_client,
                                     position)),
            job AS (
              INSERT INTO jobs (id, owner, status, idempotency_key, request_hash, rescore_of, submitted_at, applicant_name, client_id, search_name,
                                search_client)
              SELECT i.id, i.owner, 'queued', i.key, i.hash, i.rescore, i.at, i.name, i.client, i.search_name, i.search_client FROM input i
              WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = i.owner AND NOT u.disabled AND NOT u.must_change_password
                            AND (i.generation IS NULL OR u.token_generation = i.generation))
              ORDER BY i.position
              ON CONFLICT (owner, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
              RETURNING seq, id, owner),
            application AS (
              INSERT INTO job_payloads (seq, payload, record) SELECT job.seq, i.payload, i.record FROM job JOIN input i ON i.id = job.id),
            words AS (\(SearchWordArrays.insert("$14", "$15")))
            SELECT id FROM job
            """,
            [
                PostgresText.array(ids), PostgresText.array(batch.map { PostgresText.number($0.owner) }),
                PostgresText.array(batch.map(\.idempotencyKey)),
                PostgresText.array(batch.map { PostgresText.number($0.now) }), PostgresText.array(batch.map(\.requestHash)),
                PostgresText.array(batch.map(\.rescoreOf)), PostgresText.array(batch.map(\.storedPayload)), PostgresText.array(batch.map(\.record)),
                PostgresText.array(batch.map { $0.tokenGeneration.map { String($0) } }), PostgresText.array(batch.map(\.applicantName)),
                PostgresText.array(batch.map(\.clientID)), PostgresText.array(keys.map(\.name)), PostgresText.array(keys.map(\.client)),
                words.ids, words.words,
            ])
        return Set(try inserted.map { row throws(StoreError) in try row.string(0) })
    }

    /// Every outcome of a batch in one statement: arrays of ids, attempts, statuses and texts.
    override func finishInTransaction(worker: String, outcomes: [(job: ClaimedJob, outcome: JobOutcome)], now: Double) throws(StoreError) -> Int {
        guard !outcomes.isEmpty else { return 0 }
        var ids: [String?] = [], attempts: [String?] = [], statuses: [String?] = [], results: [String?] = [], errors: [String?] = []
        var referrals: [String?] = []
        var shadows: [(id: String, result: ShadowResult)] = []
        for (job, outcome) in outcomes {
            ids.append(job.id)
            attempts.append(String(job.attempt))
            switch outcome {
            case .done(let result, let referred, let shadow):
                statuses.append("done"); results.append(result); errors.append(nil); referrals.append(referred ? "true" : "false")
                if let shadow { shadows.append((job.id, shadow)) }
            case .failed(let error): statuses.append("failed"); results.append(nil); errors.append(error); referrals.append("false")
            }
        }
        // Only the current claim may record: the lease may have run out and the job gone to another worker.
        let recorded = try connection.query(
            """
            WITH outcome AS (
              SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[], $5::text[], $8::boolean[])
                AS o(id, attempt, status, result, error, referred)),
            updated AS (
              UPDATE jobs j SET status = o.status, completed_at = $6::double precision, lease_until = NULL FROM outcome o
              WHERE j.id = o.id AND j.status = 'running' AND j.worker = $7 AND j.attempts = o.attempt
              RETURNING j.seq, j.id, j.batch_seq),
            referred AS (
              -- A referred single application enters the review queue (a batch's rows and a
              -- reviewer's re-score with verified inputs do not).
              INSERT INTO reviews (seq, origin, opened_at)
              SELECT u.seq, 'model', $6::double precision FROM updated u JOIN outcome o ON o.id = u.id
              WHERE o.referred AND u.batch_seq IS NULL AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.rescore_seq = u.seq)
              ON CONFLICT DO NOTHING)
            INSERT INTO job_results (seq, result, error) SELECT u.seq, o.result, o.error FROM updated u JOIN outcome o ON o.id = u.id
            ON CONFLICT (seq) DO UPDATE SET result = excluded.result, error = excluded.error
            """,
            [
                PostgresText.array(ids), PostgresText.array(attempts), PostgresText.array(statuses), PostgresText.array(results),
                PostgresText.array(errors), PostgresText.number(now), worker, PostgresText.array(referrals),
            ])
        if !shadows.isEmpty { try recordShadows(shadows, worker: worker) }
        return recorded.changed
    }

    /// Writes the challengers' results of jobs just recorded by `worker` (inside the caller's transaction).
    private func recordShadows(_ shadows: [(id: String, result: ShadowResult)], worker: String) throws(StoreError) {
        func column(_ value: (ShadowResult) -> String) -> String? { PostgresText.array(shadows.map { value($0.result) }) }
        try connection.query(
            """
            INSERT INTO shadow_results (seq, champion_model, champion_pd, champion_decision, challenger_model, challenger_pd, challenger_decision, challenger_result)
            SELECT j.seq, s.champion_model, s.champion_pd, s.champion_decision, s.challenger_model, s.challenger_pd, s.challenger_decision, s.challenger_result
            FROM unnest($1::text[], $2::text[], $3::double precision[], $4::text[], $5::text[], $6::double precision[], $7::text[], $8::text[])
              AS s(id, champion_model, champion_pd, champion_decision, challenger_model, challenger_pd, challenger_decision, challenger_result)
            JOIN jobs j ON j.id = s.id AND j.status = 'done' AND j.worker = $9
            ON CONFLICT (seq) DO UPDATE SET champion_model = excluded.champion_model, champion_pd = excluded.champion_pd,
              champion_decision = excluded.champion_decision, challenger_model = excluded.challenger_model, challenger_pd = excluded.challenger_pd,
              challenger_decision = excluded.challenger_decision, challenger_result = excluded.challenger_result
            """,
            [
                PostgresText.array(shadows.map { $0.id }), column { $0.championModel }, column { PostgresText.number($0.championPD) },
                column { $0.championDecision }, column { $0.challengerModel }, column { PostgresText.number($0.challengerPD) },
                column { $0.challengerDecision }, column { $0.challengerResult }, worker,
            ])
    }

    /// Every outcome of a file in one statement; `ord` keeps the file's order for the counts.
    public override func recordOutcomes(_ outcomes: [Outcome], audit: AuditEntry, now: Double) throws(StoreError) -> [Int] {
        try connection.transaction { () throws(StoreError) -> [Int] in
            var kinds: [String?] = [], keys: [String?] = [], flags: [String?] = [], times: [String?] = []
            for outcome in outcomes {
                switch outcome.key {
                case .job(let id): kinds.append("job"); keys.append(id)
                case .client(let id): kinds.append("client"); keys.append(id)
                }
                flags.append(outcome.defaulted ? "true" : "false")
                times.append(outcome.observedAt.map(PostgresText.number))
            }
            // Every outcome in one statement; `ord` keeps the file's order for the counts.
            let rows = try connection.query(
                """
                WITH given AS (
                  SELECT * FROM unnest($1::text[], $2::text[], $3::boolean[], $4::double precision[]) WITH ORDINALITY AS g(kind, key, defaulted, observed_at, ord)),
                matched AS (
                  SELECT g.ord, j.seq, g.defaulted, g.observed_at FROM given g
                  JOIN jobs j ON j.status = 'done' AND ((g.kind = 'job' AND j.id = g.key) OR (g.kind = 'client' AND j.client_id = g.key))),
                latest AS (SELECT DISTINCT ON (seq) * FROM matched ORDER BY seq, ord DESC),
                stored AS (
                  INSERT INTO outcomes (seq, defaulted, observed_at, recorded_at) SELECT seq, defaulted, observed_at, $5::double precision FROM latest
                  ON CONFLICT (seq) DO UPDATE SET defaulted = excluded.defaulted, observed_at = excluded.observed_at, recorded_at = excluded.recorded_at)
                SELECT g.ord, count(m.seq) FROM given g LEFT JOIN matched m ON m.ord = g.ord GROUP BY g.ord ORDER BY g.ord
                """,
                [PostgresText.array(kinds), PostgresText.array(keys), PostgresText.array(flags), PostgresText.array(times), PostgresText.number(now)])
            try appendAuditInTransaction([(audit, now)])
            return try rows.map { row throws(StoreError) in try row.int(1) }
        }
    }

    /// The chunk in one statement: arrays of the rows' columns, unnested into jobs and applications.
    public override func addBatchRows(batch id: String, owner: Int64, rows: [BatchRow], now: Double) throws(StoreError) {
        guard !rows.isEmpty else { return }
        try connection.transaction { () throws(StoreError) in
            let ids = rows.map { _ in JobID.new(now: now) }
            let keys = rows.map { SearchKey(name: $0.applicantName, clientID: $0.clientID) }
            let words = SearchWordArrays(ids: ids, keys: keys)
            let inserted = try connection.query(
                """
                WITH input AS (
                  SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[], $8::text[], $9::text[], $10::text[])
                    AS i(id, line, client_id, record, applicant_name, search_name, search_client)),
                job AS (
                  INSERT INTO jobs (id, owner, status, submitted_at, batch_seq, batch_line, client_id, applicant_name, search_name, search_client)
                  SELECT i.id, $5::bigint, 'queued', $6::double precision, b.seq, i.line, i.client_id, i.applicant_name, i.search_name, i.search_client
                  FROM input i JOIN batches b ON b.id = $7 AND b.owner = $5::bigint ORDER BY i.line
                  RETURNING seq, id, owner),
                words AS (\(SearchWordArrays.insert("$11", "$12")))
                INSERT INTO job_payloads (seq, payload, record) SELECT job.seq, '', i.record FROM job JOIN input i ON i.id = job.id
                """,
                [
                    PostgresText.array(ids), PostgresText.array(rows.map { String($0.line) }),
                    PostgresText.array(rows.map(\.clientID)), PostgresText.array(rows.map(\.record)),
                    PostgresText.number(owner), PostgresText.number(now), id, PostgresText.array(rows.map(\.applicantName)),
                    PostgresText.array(keys.map(\.name)), PostgresText.array(keys.map(\.client)), words.ids, words.words,
                ])
            guard inserted.changed == rows.count else { throw .invalid("no batch \(id)") }
            try notifyWorkers()
        }
    }
}

/// The words of jobs stored in one statement, as two parallel arrays (each word beside its job's
/// id), and the part of that statement that indexes them from the CTE `job` (`seq`, `id`, `owner`).
private struct SearchWordArrays {
    var ids: String
    var words: String

    init(ids: [String], keys: [SearchKey]) {
        let pairs = zip(ids, keys).flatMap { id, key in key.words.map { (id, $0) } }
        self.ids = PostgresText.array(pairs.map(\.0))
        words = PostgresText.array(pairs.map(\.1))
    }

    static func insert(_ ids: String, _ words: String) -> String {
        "INSERT INTO search_words (owner, word, seq) SELECT job.owner, w.word, job.seq FROM unnest(\(ids)::text[], \(words)::text[]) AS w(id, word) JOIN job ON job.id = w.id"
    }
}

/// A worker's wake-up on PostgreSQL: a connection of its own that LISTENs on
/// ``PostgresStore/channel``; responders on any host NOTIFY it when they queue jobs.
public final class PostgresNotificationListener: QueueWaiting {
    private let connection: PostgresConnection

    public init(url: String) throws(StoreError) {
        connection = try PostgresConnection(url: url)
        try connection.executeScript("LISTEN \(PostgresStore.channel)")
    }

    /// Waits for a notification. A lost connection (a server restart) is re-established, and
    /// until it is the wait lasts the whole timeout, so the worker falls back to polling.
    @discardableResult
    public func wait(timeout: Double) -> Bool {
        if let pending = connection.takeNotifications(), pending > 0 { return true }
        var descriptors = pollfd(fd: connection.socket, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptors, 1, Int32(max(0, (timeout * 1000).rounded(.up)))) > 0 else { return false }
        if let pending = connection.takeNotifications() { return pending > 0 }
        if connection.reconnect(), (try? connection.executeScript("LISTEN \(PostgresStore.channel)")) != nil { return true }
        usleep(UInt32(max(0, timeout) * 1_000_000))
        return true  // a poll of the queue covers whatever was announced meanwhile
    }

    public func arrivals() -> Int { connection.takeNotifications() ?? 0 }
}
