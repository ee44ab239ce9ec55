import CreditGovernance
import CreditTestSupport
import Testing

@testable import CreditStore

/// The store contract for review rounds (a customer's request for review, verified inputs, later
/// rounds and overrides), on SQLite and, when configured, PostgreSQL.
@Suite final class ReviewRoundContractTests {
    private var databases: [TestDatabase] = []

    /// A fresh database with an officer, two reviewers and `decisions.count` applications scored
    /// with those model decisions (referred when `review`).
    private func scored(_ backend: StoreBackend, _ decisions: [String]) throws -> (any StoreConnection, User, User, User, [String]) {
        let database = try backend.makeDatabase()
        databases.append(database)
        let store = try database.open()
        let officer = try store.createUser(name: "olga", passwordHash: "h", now: 1)
        let rita = try store.createUser(name: "rita", passwordHash: "h", role: .reviewer, mustChangePassword: false, audit: nil, now: 1)
        let remo = try store.createUser(name: "remo", passwordHash: "h", role: .reviewer, mustChangePassword: false, audit: nil, now: 1)
        let ids = try decisions.indices.map { try store.enqueue(owner: officer.id, payload: "{}", idempotencyKey: nil, now: Double(10 + $0)).job.id }
        let claimed = try store.claim(worker: "w", limit: 10, lease: 30, maxAttempts: 3, now: 20)
        try store.finish(
            worker: "w",
            outcomes: zip(claimed, decisions).map { job, decision in
                (job, .done(result: #"{"decision":"\#(decision)"}"#, referred: decision == "review"))
            }, now: 21)
        return (store, officer, rita, remo, ids)
    }

    private static let day = 86_400.0

    private func request(_ statement: String, _ documents: [ReviewDocument] = [.paySlip]) -> CustomerReviewRequest {
        CustomerReviewRequest(statement: statement, documents: documents, reviewDays: 15)
    }

    private func decision(_ final: FinalDecision, model: String) -> ReviewDecision {
        ReviewDecision(decision: final, reasonCode: "income_verified", note: "", modelDecision: model)
    }

    @Test(arguments: StoreBackend.available)
    func aCustomerRequestOpensARoundDueInReviewDaysAndGoesFirst(_ backend: StoreBackend) throws {
        let (store, officer, _, _, ids) = try scored(backend, ["review", "reject", "approve"])
        let opened = try store.requestCustomerReview(
            jobID: ids[1], requester: officer, request: request("I earn more", [.bankStatement, .paySlip]), address: "10.0.0.1", now: 100)
        #expect(opened.origin == .customer && opened.round == 1 && opened.isOpen)
        #expect(opened.statement == "I earn more")
        #expect(opened.documents == [.paySlip, .bankStatement], "in the checklist's order")
        #expect(opened.dueAt == 100 + 15 * Self.day)
        #expect(throws: StoreError.conflict("This application is in the review queue already.")) {
            try store.requestCustomerReview(jobID: ids[1], requester: officer, request: request("again"), address: "", now: 101)
        }
        #expect(throws: StoreError.conflict("This application is in the review queue already."), "a referral is in the queue already") {
            try store.requestCustomerReview(jobID: ids[0], requester: officer, request: request("x"), address: "", now: 101)
        }
        let later = try store.requestCustomerReview(jobID: ids[2], requester: officer, request: request("later", []), address: "", now: 50)
        #expect(later.documents == [])
        // Customers' requests by due date first, then the referral (opened at 21).
        #expect(try store.reviews(open: true, limit: 10, after: nil).map(\.jobID) == [ids[2], ids[1], ids[0]])
        #expect(try store.reviews(open: true, limit: 1, after: ids[2]).map(\.jobID) == [ids[1]], "pages on in the same order")
        #expect(try store.reviews(open: true, limit: 10, after: ids[1]).map(\.jobID) == [ids[0]])
        #expect(try store.reviewRequests(open: true, limit: 10).map(\.jobID) == [ids[2], ids[1]])
        #expect(try store.overdueReviewRequests(now: 50 + 15 * Self.day) == 0, "due, not overdue, at the due date")
        #expect(try store.overdueReviewRequests(now: 50 + 15 * Self.day + 1) == 1)
        #expect(try store.overdueReviewRequests(now: 200 + 15 * Self.day) == 2)
        let audit = try store.auditChain(after: 0, limit: 10).map(\.entry)
        #expect(audit.map(\.action) == [.customerReviewRequested, .customerReviewRequested])
        #expect(audit[0].detail == "round 1; documents: pay_slip,bank_statement", "codes, never the statement")
        #expect(audit[1].detail == "round 1; documents: none")
    }

    @Test(arguments: StoreBackend.available)
    func aDecidedApplicationGetsASecondRoundThatItsFirstReviewerCannotDecide(_ backend: StoreBackend) throws {
        let (store, officer, rita, remo, ids) = try scored(backend, ["review"])
        _ = try store.decide(jobID: ids[0], decision: decision(.decline, model: "review"), reviewer: rita, address: "", now: 30)
        let second = try store.requestCustomerReview(jobID: ids[0], requester: officer, request: request("new pay slip"), address: "", now: 40)
        #expect(second.round == 2 && second.isOpen && second.previousDecidedBy == "rita")
        #expect(try store.review(jobID: ids[0])?.round == 2, "the latest round is the application's review")
        #expect(try store.reviews(jobIDs: ids).map(\.round) == [2], "a history page shows the latest round only")
        #expect(throws: StoreError.refused(ReviewRules.secondReviewRefusal)) {
            try store.decide(jobID: ids[0], decision: decision(.approve, model: "review"), reviewer: rita, address: "", now: 41)
        }
        #expect(try store.review(jobID: ids[0])?.isOpen == true, "a refusal writes nothing")
        let decided = try store.decide(jobID: ids[0], decision: decision(.approve, model: "review"), reviewer: remo, address: "", now: 42)
        #expect(decided.round == 2 && decided.decision == .approve && decided.decidedBy == "remo")
        let rounds = try store.reviewRounds(jobID: ids[0])
        #expect(rounds.map(\.decision) == [.decline, .approve])
        #expect(rounds.map(\.origin) == [.model, .customer])
        #expect(try store.reviews(open: false, limit: 10, after: nil).map(\.round) == [2, 1], "every decided round, newest first")
        #expect(try store.reviewRequests(open: false, limit: 10).map(\.round) == [2])
        #expect(try store.auditChain(after: 0, limit: 10).map(\.entry.action) == [.decision, .customerReviewRequested, .decision])
        // A retention purge takes the customer's words of a decided round with the application.
        _ = try store.requestCustomerReview(jobID: ids[0], requester: officer, request: request("third time"), address: "", now: 50)
        try store.pruneFinished(before: 1_000)
        let kept = try store.reviewRounds(jobID: ids[0])
        #expect(kept.map(\.statement) == [nil, nil, "third time"], "an open round keeps the statement until decided")
        #expect(kept[1].documents == [.paySlip] && kept[1].decision == .approve)
    }

    @Test(arguments: StoreBackend.available)
    func overridesAreAuditedByTheModelsAndTheFinalDecision(_ backend: StoreBackend) throws {
        let (store, officer, rita, _, ids) = try scored(backend, ["reject", "approve", "reject", "review"])
        // Sent by its officer or by the customer, approving a reject still overrides the model.
        _ = try store.requestReview(jobID: ids[0], requester: officer, note: "look", address: "", now: 30)
        _ = try store.decide(jobID: ids[0], decision: decision(.approve, model: "reject"), reviewer: rita, address: "", now: 31)
        _ = try store.requestCustomerReview(jobID: ids[1], requester: officer, request: request("x"), address: "", now: 32)
        _ = try store.decide(jobID: ids[1], decision: decision(.decline, model: "approve"), reviewer: rita, address: "", now: 33)
        // Agreeing with the model is a decision, whatever the origin.
        let agreed = try store.decide(jobID: ids[2], decision: decision(.decline, model: "reject"), reviewer: rita, address: "", now: 34)
        #expect(agreed.origin == .override, "a reviewer's own decision without a request keeps its origin")
        _ = try store.decide(jobID: ids[3], decision: decision(.approve, model: "review"), reviewer: rita, address: "", now: 35)
        let rows = try store.auditChain(after: 0, limit: 10).map(\.entry).filter { $0.action == .override || $0.action == .decision }
        #expect(rows.map(\.action) == [.override, .override, .decision, .decision])
        #expect(rows[0].detail == "approve income_verified (model: reject)")
    }

    @Test(arguments: StoreBackend.available)
    func verifiedInputsQueueALinkedRescoreOfTheOfficerThatStaysOutOfTheQueue(_ backend: StoreBackend) throws {
        let (store, officer, rita, _, ids) = try scored(backend, ["reject", "approve"])
        func rescore(of id: String, owner: Int64) -> Submission {
            Submission(owner: owner, payload: #"{"income":1450}"#, idempotencyKey: nil, rescoreOf: id, now: 60)
        }
        #expect(throws: StoreError.conflict("Inputs can be corrected only while the application is in the review queue.")) {
            try store.correctInputs(
                jobID: ids[0], rescore: rescore(of: ids[0], owner: officer.id), fields: ["income"], reviewer: rita, address: "", now: 60)
        }
        _ = try store.requestCustomerReview(jobID: ids[0], requester: officer, request: request("pay slip"), address: "", now: 50)
        #expect(throws: StoreError.self, "the re-score is the officer's") {
            try store.correctInputs(
                jobID: ids[0], rescore: rescore(of: ids[0], owner: rita.id), fields: ["income"], reviewer: rita, address: "", now: 60)
        }
        let job = try store.correctInputs(
            jobID: ids[0], rescore: rescore(of: ids[0], owner: officer.id), fields: ["personal_monthly_income", "flag_income_proof"],
            reviewer: rita, address: "10.0.0.9", now: 60)
        #expect(job.owner == officer.id && job.rescoreOf == ids[0] && job.status == .queued)
        #expect(try store.review(jobID: ids[0])?.rescoreID == job.id)
        // The worker scores it; even referred, it does not enter the queue.
        let claimed = try store.claim(worker: "w", limit: 10, lease: 30, maxAttempts: 3, now: 61)
        #expect(claimed.map(\.id) == [job.id])
        try store.finish(worker: "w", outcomes: [(claimed[0], .done(result: #"{"decision":"review"}"#, referred: true))], now: 62)
        #expect(try store.review(jobID: job.id) == nil)
        #expect(try store.reviews(open: true, limit: 10, after: nil).map(\.jobID) == [ids[0]])
        let audit = try #require(try store.auditChain(after: 0, limit: 10).last?.entry)
        #expect(audit.action == .inputsCorrected && audit.actorName == "rita" && audit.object == ids[0])
        #expect(audit.detail == "rescore \(job.id); fields: flag_income_proof, personal_monthly_income", "names, never values")
        // An officer's own re-score of a scored application still enters the queue when referred.
        let own = try store.enqueue(batch: [Submission(owner: officer.id, payload: "{}", idempotencyKey: nil, rescoreOf: ids[1], now: 70)])[0].get()
        let again = try store.claim(worker: "w", limit: 10, lease: 30, maxAttempts: 3, now: 71)
        try store.finish(worker: "w", outcomes: [(again[0], .done(result: #"{"decision":"review"}"#, referred: true))], now: 72)
        #expect(try store.review(jobID: own.job.id)?.origin == .model)
    }

    /// A database at the migration before `review-rounds`, with a decided review and an open one,
    /// keeps both as round 1 (decision, decider, origin) and takes later rounds after it.
    @Test(arguments: StoreBackend.available)
    func theReviewRoundsMigrationKeepsEveryReviewAsItsFirstRound(_ backend: StoreBackend) throws {
        let database = try backend.makeDatabase()
        databases.append(database)
        let raw: any SQLConnection =
            switch database.location {
            case .sqlite(let path): try SQLiteDatabase(path: path)
            case .postgres(let url): try PostgresConnection(url: url)
            }
        let before = Migrator.names.firstIndex(of: "review-rounds")!
        try raw.executeScript("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)")
        for index in 0..<before {
            let script = Migrator.script(index, raw.dialect)
            if !script.isEmpty { try raw.executeScript(script) }
            try raw.executeScript("INSERT INTO schema_migrations (name, applied_at) VALUES ('\(Migrator.names[index])', 0)")
        }
        try raw.executeScript(
            """
            INSERT INTO users (id, name, password_hash, created_at, role) VALUES (1, 'olga', 'h', 1, 'officer'), (2, 'rita', 'h', 1, 'reviewer');
            INSERT INTO jobs (seq, id, owner, status, submitted_at, completed_at) VALUES (1, 'a1', 1, 'done', 10, 11), (2, 'b2', 1, 'done', 12, 13);
            INSERT INTO job_payloads (seq, payload) VALUES (1, '{}'), (2, '{}');
            INSERT INTO job_results (seq, result) VALUES (1, '{"decision":"review"}'), (2, '{"decision":"approve"}');
            INSERT INTO reviews (seq, origin, opened_at, decision, reason_code, note, decided_by, decided_at)
            VALUES (1, 'model', 11, 'decline', 'debt_burden', 'n', 2, 20), (2, 'officer', 14, NULL, NULL, NULL, NULL, NULL);
            """)
        let store = try database.open()
        #expect(try store.schemaVersion() == Migrator.latest)
        let decided = try #require(try store.review(jobID: "a1"))
        #expect(decided.round == 1 && decided.origin == .model && decided.decision == .decline && decided.decidedBy == "rita")
        #expect(try store.review(jobID: "b2")?.isOpen == true)
        #expect(try store.reviews(open: true, limit: 10, after: nil).map(\.jobID) == ["b2"])
        let officer = try #require(try store.user(id: 1))
        let next = try store.requestCustomerReview(jobID: "a1", requester: officer, request: request("again"), address: "", now: 30)
        #expect(next.round == 2 && next.previousDecidedBy == "rita")
    }
}
