import CreditGovernance
import CreditJSON
import CreditSchema
import CreditStore
import CreditSystem
import CreditText

extension CreditService {
    /// Rows queued per transaction while a batch is stored: short enough that single
    /// submissions never wait long behind a large file.
    static let batchChunkRows = 1000
    /// Bad rows described in a 422 answer; the count covers them all.
    static let maxListedBadRows = 1000

    /// The file format from the request's content type.
    static func batchFormat(_ request: HTTPRequest) throws -> ApplicationFile.Format {
        let type = (request.header("content-type") ?? "").lowercased().split(separator: ";").first.map { String($0).trimmingSpaces() } ?? ""
        switch type {
        case "text/csv", "application/csv": return .csv
        case "application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/jsonlines": return .jsonl
        default: throw Problem.unsupportedMediaType("text/csv (a header row of field names) or application/x-ndjson (one JSON application a line)")
        }
    }

    /// `POST /api/batches?name=FILE`: a CSV or JSON-lines file of up to 100,000 applications. Every
    /// row is validated before any is queued: a file with bad rows gets one 422 that lists each
    /// by line number, and nothing is stored. A good file is queued in chunks; 202 with its id.
    func submitBatch(_ request: HTTPRequest) throws -> HTTPResponse {
        let userID = try authenticate(request).id
        if request.bodyTooLarge || request.body.count > configuration.maxBatchBytes { throw Problem.tooLarge(limit: configuration.maxBatchBytes) }
        let format = try Self.batchFormat(request)
        let name = Self.batchName(request.queryItems["name"], format: format)
        let file: ApplicationFile
        do { file = try ApplicationFile(bytes: request.body, format: format) } catch {
            var problem = Problem(type: "invalid-batch", title: "The file cannot be read", status: 422, detail: error.description)
            if case .notText(let place) = error {
                problem.title = "The file is not text"
                problem.extensions = [
                    "line": .number(Double(place.line)), "byte": .number(Double(place.byte)), "byte_in_line": .number(Double(place.byteInLine)),
                ]
            }
            throw problem
        }
        let catalog = language(of: request).catalog
        // Pass 1: validate every row, keeping only the problems.
        var rows = 0, badRows = 0, listed: [JSONOutput] = []
        file.forEachRow { row in
            rows += 1
            if case .failure(let bad) = row {
                badRows += 1
                if listed.count < Self.maxListedBadRows {
                    listed.append(
                        .object([
                            "line": .number(Double(bad.line)),
                            "errors": .object(bad.errors.mapValues { .array($0.map { .string(catalog.translate($0)) }) }),
                        ]))
                }
            }
            return rows <= configuration.maxBatchRows
        }
        if rows > configuration.maxBatchRows {
            throw Problem(
                type: "invalid-batch", title: "Too many applications", status: 422,
                detail: "A batch holds at most \(configuration.maxBatchRows) applications; split the file.")
        }
        if rows == 0 {
            throw Problem(type: "invalid-batch", title: "No applications", status: 422, detail: "The file holds no applications.")
        }
        if badRows > 0 {
            var problem = Problem(
                type: "invalid-batch", title: "The file has invalid rows", status: 422,
                detail: "\(badRows) of \(rows) rows are invalid; nothing was queued. Correct the rows listed in rows and upload the file again.")
            problem.extensions = ["rows": .array(listed), "invalid_rows": .number(Double(badRows)), "total_rows": .number(Double(rows))]
            throw problem
        }
        // Pass 2: the file is valid; queue it in chunks, waking the workers after each.
        let now = clock()
        let batch: Batch
        do {
            batch = try stores.withStore { try $0.createBatch(owner: userID, name: name, rows: rows, dialect: file.dialect?.rawValue, now: now) }
        } catch StoreError.ownerInactive {
            throw Self.inactiveAccount
        }
        var chunk: [BatchRow] = []
        chunk.reserveCapacity(Self.batchChunkRows)
        var failure: Error?
        func flush() {
            guard failure == nil, !chunk.isEmpty else { return }
            do {
                try stores.withStore { try $0.addBatchRows(batch: batch.id, owner: userID, rows: chunk, now: now) }
                stores.notifyWorkers()
            } catch { failure = error }
            chunk.removeAll(keepingCapacity: true)
        }
        file.forEachRow { row in
            guard case .success(let valid) = row else { return true }
            chunk.append(
                BatchRow(
                    line: valid.line, clientID: valid.clientID, record: ApplicantRecord.encode(valid.applicant),
                    applicantName: valid.applicant.name(in: .pakdd)))
            if chunk.count == Self.batchChunkRows { flush() }
            return failure == nil
        }
        flush()
        if let failure { throw failure }
        try stores.withStore { try $0.markBatchLoaded(batch: batch.id, owner: userID) }
        var loaded = batch
        loaded.loaded = true
        loaded.queued = rows
        let location = request.basePath + "/api/batches/\(batch.id)"
        return Self.representation(of: loaded, basePath: request.basePath).response(status: 202, headers: [("Location", location)])
    }

    /// `GET /api/batches`: the caller's batches, newest first, with their progress.
    func listBatches(_ request: HTTPRequest) throws -> HTTPResponse {
        let user = try authenticate(request)
        let batches = try stores.withStore { try $0.batches(owner: user.id, limit: 20) }
        return JSONOutput.object(["items": .array(batches.map { Self.representation(of: $0, basePath: request.basePath) })]).response()
    }

    /// `GET /api/batches/{id}`: one batch's progress.
    func getBatch(_ request: HTTPRequest, id: String) throws -> HTTPResponse {
        let user = try authenticate(request)
        guard Self.isJobID(id), let batch = try stores.withStore({ try $0.batch(id: id, owner: user.id) }) else {
            throw Problem.notFound("You have no batch with id \(id.prefix(64)).")
        }
        return Self.representation(of: batch, basePath: request.basePath).response()
    }

    /// `GET /api/batches/template.csv`: a file to fill in, with the schema's field names and one
    /// example application, in the dialect of the request's language.
    func batchTemplate(_ request: HTTPRequest) throws -> HTTPResponse {
        _ = try authenticate(request)
        let language = language(of: request)
        return Self.csvFile(ApplicationTemplate.csv(dialect: CSVDialect(language: language)), name: "template.csv", language: language)
    }

    /// `GET /api/batches/{id}/results.csv[?dialect=semicolon|comma]`: every row in file order with
    /// its outcome so far, in the uploaded file's dialect (else the one chosen, else the language's),
    /// with the header and the words in the request's language.
    func batchResults(_ request: HTTPRequest, id: String) throws -> HTTPResponse {
        let user = try authenticate(request)
        let chosen = try Self.dialect(request)
        guard Self.isJobID(id), let batch = try stores.withStore({ try $0.batch(id: id, owner: user.id) }) else {
            throw Problem.notFound("You have no batch with id \(id.prefix(64)).")
        }
        let language = language(of: request)
        let writer = CSVWriter(dialect: chosen ?? batch.dialect.flatMap(CSVDialect.init(rawValue:)) ?? CSVDialect(language: language))
        try stores.withStore {
            try appendAuditOrFail(
                AuditEntry(
                    actor: user.id, actorName: user.name, action: .export, object: id, detail: "batch results CSV",
                    address: request.remoteAddress), now: clock(), to: $0)
        }
        var text = CSVWriter.byteOrderMark + writer.line(ResultTable.header(language.catalog))
        var after = 0
        while true {
            let page = try stores.withStore { try $0.batchResults(batch: id, owner: user.id, afterLine: after, limit: 5000) }
            for row in page { text += writer.line(ResultTable.cells(Self.tableRow(row, language: language), language.catalog)) }
            guard let last = page.last, page.count == 5000 else { break }
            after = last.line
        }
        return Self.csvFile(text, name: "batch-\(id).csv", language: language)
    }

    /// The `?dialect=` of a CSV download, if given.
    static func dialect(_ request: HTTPRequest) throws -> CSVDialect? {
        guard let given = request.queryItems["dialect"] else { return nil }
        guard let dialect = CSVDialect(rawValue: given) else {
            throw Problem.badRequest("The query has invalid parameters.", errors: ["dialect": ["dialect must be semicolon or comma."]])
        }
        return dialect
    }

    /// A CSV file to save, in `language`.
    static func csvFile(_ text: String, name: String, language: Language) -> HTTPResponse {
        HTTPResponse(
            status: 200,
            headers: [
                ("Content-Type", "text/csv; charset=utf-8"), ("Content-Disposition", "attachment; filename=\"\(name)\""),
                ("Content-Language", language.rawValue), ("Vary", "Accept-Language"),
            ], body: Array(text.utf8))
    }

    /// A result row as the table shows it, from the stored prediction: its reasons' texts in
    /// `language` (English for results stored before reasons had every language).
    static func tableRow(_ row: BatchResult, language: Language) -> ResultTable.Row {
        var probability: Double?, score: Int?, decision: String?, reasons: [(code: String, text: String)] = []
        if let result = row.result, case .object(let fields)? = try? JSONValue.parse(result) {
            if case .number(let value)? = fields["probability_of_default"] { probability = value }
            if case .number(let value)? = fields["score"] { score = Int(value) }
            if case .string(let value)? = fields["decision"] { decision = value }
            if case .array(let list)? = fields["reasons"] {
                for case .object(let reason) in list {
                    guard case .string(let code)? = reason["code"] ?? reason["field"], case .string(let english)? = reason["text"] else { continue }
                    var text = english
                    if case .object(let texts)? = reason["texts"], case .string(let translated)? = texts[language.rawValue] { text = translated }
                    reasons.append((code, text))
                }
            }
        }
        return ResultTable.Row(
            line: row.line, id: row.jobID, clientID: row.clientID, applicantName: row.applicantName, status: row.status.rawValue,
            probabilityOfDefault: probability, score: score, modelDecision: decision, finalDecision: row.finalDecision?.rawValue,
            reviewOrigin: row.reviewOrigin?.rawValue, reasons: reasons, error: row.error)
    }

    /// A batch as the API shows it.
    static func representation(of batch: Batch, basePath: String) -> JSONOutput {
        let link = basePath + "/api/batches/\(batch.id)"
        let status = !batch.loaded ? "loading" : batch.finished ? "done" : "scoring"
        return .object([
            "id": .string(batch.id), "name": .string(batch.name), "status": .string(status), "rows": .number(Double(batch.rows)),
            "queued": .number(Double(batch.queued)), "running": .number(Double(batch.running)), "done": .number(Double(batch.done)),
            "failed": .number(Double(batch.failed)), "created_at": .string(Timestamp.rfc3339(batch.createdAt)),
            "status_url": .string(link), "results_url": .string(link + "/results.csv"),
        ])
    }

    /// The file's name as given (`?name=`), cleaned for display, or a default.
    static func batchName(_ given: String?, format: ApplicationFile.Format) -> String {
        let cleaned = String(
            String.UnicodeScalarView(
                (given ?? "").unicodeScalars.filter { $0.value >= 0x20 && !(0x7F...0x9F).contains($0.value) }
                    .prefix(120))
        ).trimmingSpaces()
        return cleaned.isEmpty ? "applications.\(format.rawValue)" : cleaned
    }
}
