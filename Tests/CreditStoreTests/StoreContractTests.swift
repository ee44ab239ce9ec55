import CreditGovernance
import CreditTestSupport
import Foundation
import Testing

@testable import CreditStore

/// The store contract: what every backend must do, run on SQLite and on PostgreSQL (when
/// `CREDIT_TEST_DATABASE_URL` names a server, as `make test` does) with the same assertions.
/// With `CREDIT_REQUIRE_POSTGRES=1` (`make test`, CI) a run without a server fails.
@Suite final class StoreContractTests {
    /// The databases of this test, removed when it ends (Swift Testing makes a suite instance per
    /// test); a test's own references could be released before its connections are done.
    private var databases: [TestDatabase] = []

    private func makeDatabase(_ backend: StoreBackend) throws -> TestDatabase {
        let database = try backend.makeDatabase()
        databases.append(database)
        return database
    }

    /// A fresh database with two users.
    private func storeWithUsers(_ backend: StoreBackend) throws -> (TestDatabase, any StoreConnection, User, User) {
        let database = try makeDatabase(backend)
        let store = try database.open()
        let alice = try store.createUser(name: "alice", passwordHash: "h1", now: 1)
        let bob = try store.createUser(name: "bob", passwordHash: "h2", now: 1)
        return (database, store, alice, bob)
    }

    /// Skipped (and said so) when no server is configured, unless one is required: then it fails,
    /// since the PostgreSQL cases would otherwise vanish from the run without a word. A configured
    /// server that cannot be reached fails here once and in every PostgreSQL case (`makeDatabase`).
    @Test(
        .enabled(
            if: StoreBackend.postgresURL != nil || StoreBackend.postgresRequired,
            "CREDIT_TEST_DATABASE_URL is not set, so the contract runs on SQLite only; `make test` starts a PostgreSQL cluster for it"))
    func postgresIsPartOfTheRun() {
        guard let url = StoreBackend.postgresURL else {
            Issue.record(
                """
                PostgreSQL was required (CREDIT_REQUIRE_POSTGRES=1) but no server was configured: CREDIT_TEST_DATABASE_URL is empty, \
                so the store contract would run on SQLite only. Fix: run the tests through `scripts/postgres.sh run swift test ...` \
                (as `make test` does; it needs the postgresql package: `make test-deps` or apt-get install postgresql), \
                or set CREDIT_TEST_DATABASE_URL to a server's URL, or unset CREDIT_REQUIRE_POSTGRES to test SQLite alone.
                """)
            return
        }
        #expect(StoreBackend.available.contains(.postgres))
        do {
            _ = try PostgresConnection(url: url)
        } catch {
            Issue.record("CREDIT_TEST_DATABASE_URL is set but its PostgreSQL server cannot be reached: \(error)")
        }
    }

    @Test(arguments: StoreBackend.available)
    func enqueueClaimFinish(_ backend: StoreBackend) throws {
        let (_, store, alice, _) = try storeWithUsers(backend)
        let submitted = try store.enqueue(owner: alice.id, payload: #"{"age":30}"#, idempotencyKey: nil, now: 100)
        #expect(submitted.created)
        #expect(submitted.job.status == .queued)
        #expect(submitted.job.id.count == 32)
        let claimed = try store.claim(worker: "w1", limit: 10, lease: 30, maxAttempts: 3, now: 101)
        #expect(claimed.map(\.id) == [submitted.job.id])
        #expect(claimed.first?.attempt == 1)
        #expect(claimed.first?.payload == #"{"age":30}"#)
        #expect(try store.job(id: submitted.job.id, owner: alice.id)?.status == .running)
        #expect(try store.claim(worker: "w2", limit: 10, lease: 30, maxAttempts: 3, now: 102) == [], "a leased job is not handed out twice")
        let result = #"{"pd":0.2,"text":"a \"quoted\" \\ back-slashed, {braced} ação"}"#
        #expect(try store.finish(worker: "w1", outcomes: [(claimed[0], .done(result: result))], now: 103) == 1)
        let done = try #require(try store.job(id: submitted.job.id, owner: alice.id))
        #expect(done.status == .done)
        #expect(done.result == result, "results come back byte for byte")
        #expect(done.submittedAt == 100)
        #expect(done.startedAt == 101)
        #expect(done.completedAt == 103)
    }

    @Test(arguments: StoreBackend.available)
    func groupCommitGivesEachSubmissionItsOwnOutcome(_ backend: StoreBackend) throws {
        let (_, store, alice, _) = try storeWithUsers(backend)
        let first = try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: "k", now: 1)
        let outcomes = try store.enqueue(batch: [
            Submission(owner: alice.id, payload: #"{"n":1}"#, idempotencyKey: nil, now: 2),
            Submission(owner: 999, payload: "{}", idempotencyKey: nil, now: 2),
            Submission(owner: alice.id, payload: "{}", idempotencyKey: "k", requestHash: "other", now: 2),
            Submission(owner: alice.id, payload: "{}", idempotencyKey: "k", now: 2),
            Submission(owner: alice.id, payload: #"{"n":2}"#, idempotencyKey: nil, rescoreOf: first.job.id, now: 3),
        ])
        #expect(try outcomes[0].get().created)
        #expect(throws: StoreError.ownerInactive(999)) { try outcomes[1].get() }
        // The first job was stored without a request hash (as before hashes were kept), so neither replay clashes.
        #expect(try outcomes[2].get().job.id == first.job.id)
        #expect(try outcomes[3].get().job.id == first.job.id)
        #expect(try !outcomes[3].get().created)
        #expect(try outcomes[4].get().job.rescoreOf == first.job.id)
        #expect(try store.jobs(owner: alice.id, limit: 10, before: nil).map(\.payload) == [#"{"n":2}"#, #"{"n":1}"#, "{}"])
        let hashed = try store.enqueue(batch: [Submission(owner: alice.id, payload: "{}", idempotencyKey: "h", requestHash: "one", now: 4)])
        #expect(try hashed[0].get().created)
        let reused = try store.enqueue(batch: [Submission(owner: alice.id, payload: "{}", idempotencyKey: "h", requestHash: "two", now: 5)])
        #expect(throws: StoreError.idempotencyKeyReused("h")) { try reused[0].get() }
    }

    @Test(arguments: StoreBackend.available)
    func idempotencyKeyReturnsTheSameJobPerOwner(_ backend: StoreBackend) throws {
        let (_, store, alice, bob) = try storeWithUsers(backend)
        let first = try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: "k1", now: 1)
        let again = try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: "k1", now: 2)
        #expect(!again.created)
        #expect(again.job.id == first.job.id)
        let other = try store.enqueue(owner: bob.id, payload: "{}", idempotencyKey: "k1", now: 3)
        #expect(other.created, "keys are per user")
        #expect(other.job.id != first.job.id)
        #expect(
            try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: nil, now: 4).job.id
                != store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: nil, now: 5).job.id)
    }

    @Test(arguments: StoreBackend.available)
    func noJobIsStoredForADisabledOrUnknownOwner(_ backend: StoreBackend) throws {
        let (_, store, alice, _) = try storeWithUsers(backend)
        _ = try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: "k1", now: 1)
        try store.setDisabled(name: "alice", disabled: true)
        #expect(throws: StoreError.ownerInactive(alice.id)) { try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: nil, now: 2) }
        #expect(throws: StoreError.ownerInactive(alice.id), "not even a replay") {
            try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: "k1", now: 3)
        }
        #expect(throws: StoreError.ownerInactive(999)) { try store.enqueue(owner: 999, payload: "{}", idempotencyKey: nil, now: 4) }
        #expect(try store.jobs(owner: alice.id, limit: 10, before: nil).count == 1)
        try store.setDisabled(name: "alice", disabled: false)
        #expect(try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: nil, now: 5).created)
        // A one-time password set by an administrator must be replaced before anything else.
        try store.updateUser(name: "alice", change: .password(hash: "h2", mustChange: true), audit: nil, now: 6)
        #expect(throws: StoreError.ownerInactive(alice.id)) { try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: nil, now: 7) }
        try store.updateUser(name: "alice", change: .password(hash: "h3", mustChange: false), audit: nil, now: 8)
        #expect(try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: nil, now: 9).created)
    }

    @Test(arguments: StoreBackend.available)
    func expiredLeaseRequeuesThenFailsAfterMaxAttempts(_ backend: StoreBackend) throws {
        let (_, store, alice, _) = try storeWithUsers(backend)
        let job = try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: nil, now: 0).job
        var now = 1.0
        for attempt in 1...3 {
            let claimed = try store.claim(worker: "w\(attempt)", limit: 1, lease: 10, maxAttempts: 3, now: now)
            #expect(claimed.first?.attempt == attempt)
            now += 11  // the worker died: its lease runs out
        }
        #expect(try store.claim(worker: "w4", limit: 1, lease: 10, maxAttempts: 3, now: now) == [])
        let failed = try #require(try store.job(id: job.id, owner: alice.id))
        #expect(failed.status == .failed)
        #expect(failed.attempts == 3)
        #expect(failed.error?.contains("3 attempts") == true, "\(failed.error ?? "no error")")
    }

    @Test(arguments: StoreBackend.available)
    func staleClaimCannotOverwriteTheCurrentOne(_ backend: StoreBackend) throws {
        let (_, store, alice, _) = try storeWithUsers(backend)
        let job = try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: nil, now: 0).job
        let first = try store.claim(worker: "slow", limit: 1, lease: 5, maxAttempts: 3, now: 1)[0]
        let second = try store.claim(worker: "fast", limit: 1, lease: 5, maxAttempts: 3, now: 10)[0]
        #expect(second.attempt == 2)
        #expect(try store.finish(worker: "fast", outcomes: [(second, .done(result: "B"))], now: 11) == 1)
        #expect(try store.finish(worker: "slow", outcomes: [(first, .done(result: "A"))], now: 12) == 0)
        #expect(try store.job(id: job.id, owner: alice.id)?.result == "B", "scored exactly once in its visible result")
    }

    @Test(arguments: StoreBackend.available)
    func finishAndClaimRecordsTheBatchAndTakesTheNext(_ backend: StoreBackend) throws {
        let (_, store, alice, _) = try storeWithUsers(backend)
        let ids = try (0..<5).map { try store.enqueue(owner: alice.id, payload: "{\"n\":\($0)}", idempotencyKey: nil, now: Double($0)).job.id }
        let first = try store.claim(worker: "w", limit: 3, lease: 30, maxAttempts: 3, now: 10)
        let outcomes: [(job: ClaimedJob, outcome: JobOutcome)] = first.map {
            ($0, $0.id == ids[1] ? .failed(error: "bad \"row\"") : .done(result: "ok-\($0.id)"))
        }
        let next = try store.finishAndClaim(worker: "w", outcomes: outcomes, limit: 3, lease: 30, maxAttempts: 3, now: 11)
        #expect(next.map(\.id) == Array(ids.suffix(2)))
        let jobs = try store.jobs(owner: alice.id, limit: 10, before: nil).reversed().map { $0 }
        #expect(jobs.map(\.status) == [.done, .failed, .done, .running, .running])
        #expect(jobs[0].result == "ok-\(ids[0])")
        #expect(jobs[1].error == "bad \"row\"")
    }

    @Test(arguments: StoreBackend.available)
    func claimsInOrderAndInBatches(_ backend: StoreBackend) throws {
        let (_, store, alice, _) = try storeWithUsers(backend)
        let ids = try (0..<10).map { try store.enqueue(owner: alice.id, payload: "{\"n\":\($0)}", idempotencyKey: nil, now: Double($0)).job.id }
        let batch = try store.claim(worker: "w", limit: 4, lease: 30, maxAttempts: 3, now: 20)
        #expect(batch.map(\.id) == Array(ids.prefix(4)))
        #expect(batch.map(\.payload) == (0..<4).map { "{\"n\":\($0)}" })
        #expect(try store.claim(worker: "w", limit: 100, lease: 30, maxAttempts: 3, now: 20).map(\.id) == Array(ids.dropFirst(4)))
    }

    @Test(arguments: StoreBackend.available)
    func concurrentWorkersNeverShareAJob(_ backend: StoreBackend) throws {
        let (database, store, alice, _) = try storeWithUsers(backend)
        for index in 0..<400 { _ = try store.enqueue(owner: alice.id, payload: "\(index)", idempotencyKey: nil, now: 0) }
        let results = Locked<[String]>([]), failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            do {
                let connection = try database.open()
                while true {
                    let batch = try connection.claim(worker: "w\(worker)", limit: 7, lease: 60, maxAttempts: 3, now: 1)
                    if batch.isEmpty { break }
                    results.withLock { $0 += batch.map(\.id) }
                }
            } catch { failures.withLock { $0.append("\(error)") } }
        }
        #expect(failures.value == [])
        #expect(results.value.count == 400)
        #expect(Set(results.value).count == 400)
    }

    @Test(arguments: StoreBackend.available)
    func parallelSignInReservationsNeverExceedTheLimit(_ backend: StoreBackend) throws {
        let (database, _, _, _) = try storeWithUsers(backend)
        let granted = Locked(0), failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 40) { index in
            do {
                let store = try database.open()
                let limits = [(key: "user:alice", limit: 5), (key: "ip:10.0.0.\(index % 3)", limit: 20)]
                if case .reserved = try store.reserveLoginAttempt(limits: limits, window: 900, budget: nil, knownUser: true, now: 1000) {
                    granted.withLock { $0 += 1 }
                }
            } catch { failures.withLock { $0.append("\(error)") } }
        }
        #expect(failures.value == [])
        #expect(granted.value == 5, "exactly the user's limit, however many run at once")
        let store = try database.open()
        #expect(try store.loginFailures(key: "user:alice", since: 0).count == 5)
        let sixth = try store.reserveLoginAttempt(limits: [(key: "user:alice", limit: 5)], window: 900, budget: nil, knownUser: true, now: 1100)
        #expect(sixth == .throttled(retryAfter: 800))
        guard
            case .reserved(let rows) = try store.reserveLoginAttempt(
                limits: [(key: "user:bob", limit: 5), (key: "ip:x", limit: 20)], window: 900,
                budget: nil, knownUser: true, now: 1100)
        else {
            Issue.record("bob has no failures")
            return
        }
        try store.confirmLogin(attempt: rows, clearing: "user:bob")
        #expect(try store.loginFailures(key: "ip:x", since: 0).count == 0, "a successful sign-in is not a failure of its address")
    }

    @Test(arguments: StoreBackend.available)
    func theSignInBudgetIsSharedAndCountsUnknownNamesApart(_ backend: StoreBackend) throws {
        let (_, store, _, _) = try storeWithUsers(backend)
        let budget = SignInBudget(attempts: 3, unknownAttempts: 1, window: 10)
        func attempt(_ index: Int, known: Bool, at now: Double) throws -> LoginReservation {
            try store.reserveLoginAttempt(limits: [(key: "user:u\(index)", limit: 5)], window: 900, budget: budget, knownUser: known, now: now)
        }
        guard case .reserved = try attempt(1, known: false, at: 100) else { Issue.record("the first unknown name passes"); return }
        #expect(try attempt(2, known: false, at: 101) == .busy(retryAfter: 9), "one unknown name per window")
        guard case .reserved = try attempt(3, known: true, at: 102), case .reserved = try attempt(4, known: true, at: 103) else {
            Issue.record("known names still pass"); return
        }
        #expect(try attempt(5, known: true, at: 104) == .busy(retryAfter: 6), "three attempts per window in all")
        guard case .reserved = try attempt(6, known: true, at: 111) else { Issue.record("the window moves on"); return }
    }

    @Test(arguments: StoreBackend.available)
    func ownersSeeOnlyTheirJobsNewestFirstWithPaging(_ backend: StoreBackend) throws {
        let (_, store, alice, bob) = try storeWithUsers(backend)
        let ids = try (0..<5).map { try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: nil, now: Double($0)).job.id }
        let bobs = try store.enqueue(owner: bob.id, payload: "{}", idempotencyKey: nil, now: 9).job.id
        #expect(try store.job(id: bobs, owner: alice.id) == nil)
        #expect(try store.jobs(owner: alice.id, limit: 2, before: nil).map(\.id) == [ids[4], ids[3]])
        #expect(try store.jobs(owner: alice.id, limit: 2, before: ids[3]).map(\.id) == [ids[2], ids[1]])
        #expect(try store.jobs(owner: alice.id, limit: 10, before: bobs).map(\.id) == [], "another user's cursor finds nothing")
    }

    @Test(arguments: StoreBackend.available)
    func healthHeartbeatAndPruning(_ backend: StoreBackend) throws {
        let (_, store, alice, _) = try storeWithUsers(backend)
        #expect(
            try store.health(now: 50)
                == QueueHealth(queued: 0, running: 0, oldestQueuedAge: nil, lastHeartbeatAge: nil, workerModel: nil, workerMode: nil))
        let old = try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: nil, now: 10).job
        _ = try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: nil, now: 20)
        try store.heartbeat(worker: "w", model: "gbdt-x", mode: .drain, now: 45)
        let health = try store.health(now: 50)
        #expect(health.queued == 2)
        #expect(health.oldestQueuedAge == 40)
        #expect(health.lastHeartbeatAge == 5)
        #expect(health.workerModel == "gbdt-x")
        #expect(health.workerMode == .drain)
        let claimed = try store.claim(worker: "w", limit: 1, lease: 30, maxAttempts: 3, now: 60)
        try store.finish(worker: "w", outcomes: [(claimed[0], .failed(error: "bad"))], now: 61)
        #expect(try store.pruneFinished(before: 100) == 1)
        // A tombstone stays: the job and its outcome, without the application.
        let tombstone = try #require(try store.job(id: old.id, owner: alice.id))
        #expect(tombstone.payload == "")
        #expect(tombstone.error == "bad")
        #expect(tombstone.submittedAt == 10)
        #expect(try store.pruneFinished(before: 100) == 0, "a tombstone is not purged twice")
        #expect(try store.health(now: 100).queued == 1, "queued jobs are never pruned")
        let purge = try store.auditRecords(AuditFilter(action: .retentionPurge), limit: 10)
        #expect(purge.count == 1)
        #expect(purge.first?.entry.detail.hasPrefix("1 applications") == true)
    }

    @Test(arguments: StoreBackend.available)
    func rolesAndAccountChangesAreAuditedWithThem(_ backend: StoreBackend) throws {
        let (_, store, alice, _) = try storeWithUsers(backend)
        #expect(alice.role == .officer, "accounts made without a role are officers")
        #expect(alice.tokenGeneration == 0)
        let admin = AuditEntry(actor: alice.id, actorName: "alice", action: .accountCreated, object: "rita", detail: "reviewer", address: "10.0.0.1")
        let rita = try store.createUser(name: "rita", passwordHash: "h", role: .reviewer, mustChangePassword: true, audit: admin, now: 5)
        #expect(rita.role == .reviewer)
        #expect(rita.mustChangePassword)
        #expect(throws: StoreError.userExists("RITA")) {
            try store.createUser(name: "RITA", passwordHash: "h", role: .admin, mustChangePassword: false, audit: admin, now: 6)
        }
        let changed = try store.updateUser(
            name: "rita", change: .password(hash: "h2", mustChange: false),
            audit: AuditEntry(actor: rita.id, actorName: "rita", action: .passwordChanged, object: "rita"), now: 7)
        #expect(changed.tokenGeneration == 1, "a password change revokes earlier tokens")
        #expect(!changed.mustChangePassword)
        #expect(try store.updateUser(name: "rita", change: .role(.admin), audit: nil, now: 8).role == .admin)
        #expect(try store.updateUser(name: "rita", change: .disabled(true), audit: nil, now: 9).disabled)
        #expect(throws: StoreError.noSuchUser("nobody")) { try store.updateUser(name: "nobody", change: .role(.admin), audit: admin, now: 10) }
        // A token of an earlier generation cannot queue a job.
        let stale = try store.enqueue(batch: [Submission(owner: alice.id, payload: "{}", idempotencyKey: nil, tokenGeneration: 3, now: 11)])
        #expect(throws: StoreError.ownerInactive(alice.id)) { try stale[0].get() }
        let current = try store.enqueue(batch: [
            Submission(
                owner: alice.id, payload: "{}", idempotencyKey: nil, tokenGeneration: 0,
                audit: AuditEntry(actor: alice.id, actorName: "alice", action: .submission), now: 12)
        ])
        let job = try current[0].get().job
        let trail = try store.auditChain(after: 0, limit: 100)
        // Only changes that came with an audit entry wrote one, in order; the failed ones wrote none.
        #expect(trail.map(\.entry.action) == [.accountCreated, .passwordChanged, .submission])
        #expect(trail.last?.entry.object == job.id, "a submission's row names its job")
        #expect(trail.map(\.seq) == [1, 2, 3])
        #expect(AuditChain.firstBroken(trail) == nil)
        #expect(trail[0].entry == admin, "every field comes back as written")
        var edited = trail
        edited[1].entry.detail = "changed"
        #expect(AuditChain.firstBroken(edited)?.seq == 2, "an edited row breaks the chain")
        #expect(AuditChain.firstBroken(Array(trail.dropFirst()))?.seq == 2, "so does a deleted one")
        let filtered = try store.auditRecords(AuditFilter(actorName: "rita"), limit: 10)
        #expect(filtered.map(\.entry.action) == [.passwordChanged])
        #expect(try store.auditRecords(AuditFilter(since: 12), limit: 10).map(\.seq) == [3])
        #expect(try store.auditRecords(AuditFilter(before: 3), limit: 1).map(\.seq) == [2], "newest first, paged by row")
    }

    @Test(arguments: StoreBackend.available)
    func theReviewQueueTakesReferralsAndRequestsAndOneDecisionEach(_ backend: StoreBackend) throws {
        let (_, store, alice, bob) = try storeWithUsers(backend)
        let reviewer = try store.createUser(name: "rita", passwordHash: "h", role: .reviewer, mustChangePassword: false, audit: nil, now: 1)
        let ids = try (0..<4).map { index in try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: nil, now: Double(10 + index)).job.id }
        let claimed = try store.claim(worker: "w", limit: 10, lease: 30, maxAttempts: 3, now: 20)
        #expect(claimed.map(\.id) == ids)
        try store.finish(
            worker: "w",
            outcomes: [
                (claimed[0], .done(result: #"{"decision":"review"}"#, referred: true)),
                (claimed[1], .done(result: #"{"decision":"approve"}"#)),
                (claimed[2], .done(result: #"{"decision":"reject"}"#)),
                (claimed[3], .failed(error: "bad")),
            ], now: 21)
        #expect(try store.reviews(open: true, limit: 10, after: nil).map(\.jobID) == [ids[0]], "a referral enters the queue as it is recorded")
        #expect(try store.review(jobID: ids[1]) == nil)
        // The officer sends an approved one to review; not another's, not a failed one, not twice.
        #expect(throws: StoreError.noSuchJob(ids[1])) { try store.requestReview(jobID: ids[1], requester: bob, note: "n", address: "", now: 22) }
        #expect(throws: StoreError.noSuchJob(ids[3])) { try store.requestReview(jobID: ids[3], requester: alice, note: "n", address: "", now: 22) }
        let requested = try store.requestReview(jobID: ids[1], requester: alice, note: "Income looks high", address: "10.0.0.2", now: 22)
        #expect(requested.origin == .officer)
        #expect(requested.requestNote == "Income looks high")
        #expect(throws: StoreError.conflict("This application is in the review queue already.")) {
            try store.requestReview(jobID: ids[1], requester: alice, note: "again", address: "", now: 23)
        }
        let open = try store.reviews(open: true, limit: 10, after: nil)
        #expect(open.map(\.jobID) == [ids[0], ids[1]], "oldest first")
        #expect(try store.reviews(open: true, limit: 10, after: ids[0]).map(\.jobID) == [ids[1]])
        #expect(open.first?.ownerName == "alice")
        let decided = try store.decide(
            jobID: ids[0],
            decision: ReviewDecision(
                decision: .approve, reasonCode: "income_verified", note: "ok",
                modelDecision: "review"), reviewer: reviewer, address: "10.0.0.3", now: 30)
        #expect(decided.decision == .approve)
        #expect(decided.decidedBy == "rita")
        #expect(decided.decidedAt == 30)
        #expect(throws: StoreError.conflict("This application was decided already (approve).")) {
            try store.decide(
                jobID: ids[0], decision: ReviewDecision(decision: .decline, reasonCode: "other", note: "x", modelDecision: "review"),
                reviewer: reviewer, address: "", now: 31)
        }
        // Deciding what the model rejected, without a referral, is an override.
        let override = try store.decide(
            jobID: ids[2],
            decision: ReviewDecision(
                decision: .approve, reasonCode: "collateral", note: "guarantor",
                modelDecision: "reject"), reviewer: reviewer, address: "", now: 32)
        #expect(override.origin == .override)
        #expect(throws: StoreError.noSuchJob(ids[3])) {
            try store.decide(
                jobID: ids[3], decision: ReviewDecision(decision: .approve, reasonCode: "other", note: "x", modelDecision: "review"),
                reviewer: reviewer, address: "", now: 33)
        }
        #expect(try store.reviews(open: true, limit: 10, after: nil).map(\.jobID) == [ids[1]])
        #expect(try store.reviews(open: false, limit: 10, after: nil).map(\.jobID) == [ids[2], ids[0]], "decided ones newest first")
        #expect(try store.job(id: ids[2])?.owner == alice.id, "reviewers read any application by id")
        let actions = try store.auditChain(after: 0, limit: 10).map(\.entry.action)
        #expect(actions == [.reviewRequested, .decision, .override])
    }

    @Test(arguments: StoreBackend.available)
    func usersAndLoginFailures(_ backend: StoreBackend) throws {
        let (_, store, alice, _) = try storeWithUsers(backend)
        #expect(throws: StoreError.userExists("ALICE")) { try store.createUser(name: "ALICE", passwordHash: "x", now: 2) }
        #expect(try store.user(named: "Alice")?.id == alice.id, "names are case-insensitive")
        try store.setDisabled(name: "alice", disabled: true)
        #expect(try store.user(id: alice.id)?.disabled == true)
        try store.setPasswordHash(name: "alice", passwordHash: "new")
        #expect(try store.user(named: "alice")?.passwordHash == "new")
        #expect(throws: StoreError.noSuchUser("nobody")) { try store.setDisabled(name: "nobody", disabled: true) }
        #expect(try store.users().map(\.name) == ["alice", "bob"])
        // An attempt counts as a failure from its reservation on.
        for (limits, now) in [([("user:alice", 5), ("ip:127.0.0.1", 20)], 10.0), ([("user:alice", 5)], 20.0)] {
            guard case .reserved = try store.reserveLoginAttempt(limits: limits, window: 900, budget: nil, knownUser: true, now: now) else {
                Issue.record("not reserved at \(now)"); return
            }
        }
        #expect(try store.loginFailures(key: "user:alice", since: 0).count == 2)
        #expect(try store.loginFailures(key: "user:alice", since: 15).count == 1)
        #expect(try store.loginFailures(key: "user:alice", since: 0).oldest == 10)
        try store.clearLoginFailures(key: "user:alice")
        #expect(try store.loginFailures(key: "user:alice", since: 0).count == 0)
        #expect(try store.loginFailures(key: "ip:127.0.0.1", since: 0).count == 1)
    }

    @Test(arguments: StoreBackend.available)
    func batchesQueueInChunksAndReportProgressAndResultsInFileOrder(_ backend: StoreBackend) throws {
        let (_, store, alice, bob) = try storeWithUsers(backend)
        let single = try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: nil, now: 1).job.id
        let batch = try store.createBatch(owner: alice.id, name: "março.csv", rows: 5, now: 2)
        #expect(try store.batch(id: batch.id, owner: bob.id) == nil, "another user's batch is not found")
        let rows = (0..<5).map { BatchRow(line: $0 + 2, clientID: $0 == 3 ? nil : "c-\($0)", record: "a1\u{1F}n\($0)") }
        try store.addBatchRows(batch: batch.id, owner: alice.id, rows: Array(rows.prefix(3)), now: 3)
        var progress = try #require(try store.batch(id: batch.id, owner: alice.id))
        #expect(!progress.loaded && progress.queued == 3 && !progress.finished)
        try store.addBatchRows(batch: batch.id, owner: alice.id, rows: Array(rows.suffix(2)), now: 3)
        try store.markBatchLoaded(batch: batch.id, owner: alice.id)
        let claimed = try store.claim(worker: "w", limit: 10, lease: 30, maxAttempts: 3, now: 4)
        #expect(claimed.count == 6, "the single application and the five rows")
        #expect(claimed.compactMap(\.record).sorted() == rows.map(\.record).sorted())
        let outcomes: [(job: ClaimedJob, outcome: JobOutcome)] = claimed.map {
            ($0, $0.id == single ? .done(result: "S") : .done(result: "R\($0.record ?? "")"))
        }
        try store.finish(worker: "w", outcomes: Array(outcomes.prefix(4)), now: 5)
        progress = try #require(try store.batch(id: batch.id, owner: alice.id))
        #expect(progress.loaded && progress.done + progress.running == 5 && progress.name == "março.csv")
        try store.finish(worker: "w", outcomes: Array(outcomes.suffix(2)), now: 5)
        #expect(try store.batch(id: batch.id, owner: alice.id)?.finished == true)
        let results = try store.batchResults(batch: batch.id, owner: alice.id, afterLine: 0, limit: 3)
        #expect(results.map(\.line) == [2, 3, 4])
        #expect(results.map(\.clientID) == ["c-0", "c-1", "c-2"])
        #expect(results.allSatisfy { $0.status == .done && $0.result == "R" + rows[$0.line - 2].record })
        #expect(try store.batchResults(batch: batch.id, owner: alice.id, afterLine: 4, limit: 10).map(\.clientID) == [nil, "c-4"])
        #expect(try store.batchResults(batch: batch.id, owner: bob.id, afterLine: 0, limit: 10) == [])
        #expect(try store.jobs(owner: alice.id, limit: 10, before: nil).map(\.id) == [single], "batch rows stay out of the history")
        #expect(try store.batches(owner: alice.id, limit: 10).map(\.id) == [batch.id])
        try store.setDisabled(name: "bob", disabled: true)
        #expect(throws: StoreError.ownerInactive(bob.id)) { try store.createBatch(owner: bob.id, name: "x", rows: 1, now: 6) }
    }

    @Test(arguments: StoreBackend.available)
    func batchResultsCarryTheirDialectNamesAndFinalDecisions(_ backend: StoreBackend) throws {
        let (_, store, alice, _) = try storeWithUsers(backend)
        let reviewer = try store.createUser(name: "rita", passwordHash: "h", role: .reviewer, mustChangePassword: false, audit: nil, now: 1)
        let batch = try store.createBatch(owner: alice.id, name: "planilha.csv", rows: 2, dialect: "semicolon", now: 2)
        #expect(batch.dialect == "semicolon")
        #expect(try store.batch(id: batch.id, owner: alice.id)?.dialect == "semicolon", "the upload's dialect is kept with the batch")
        #expect(try store.createBatch(owner: alice.id, name: "rows.jsonl", rows: 1, now: 2).dialect == nil)
        try store.addBatchRows(
            batch: batch.id, owner: alice.id,
            rows: [
                BatchRow(line: 2, clientID: "1", record: "r1", applicantName: "Maria da Conceição"),
                BatchRow(line: 3, clientID: "2", record: "r2", applicantName: "Luíza Gonçalves"),
            ], now: 2)
        try store.markBatchLoaded(batch: batch.id, owner: alice.id)
        let claimed = try store.claim(worker: "w", limit: 10, lease: 30, maxAttempts: 3, now: 3)
        try store.finish(worker: "w", outcomes: claimed.map { ($0, .done(result: "R")) }, now: 4)
        let first = try #require(try store.batchResults(batch: batch.id, owner: alice.id, afterLine: 0, limit: 1).first)
        _ = try store.decide(
            jobID: first.jobID, decision: ReviewDecision(decision: .decline, reasonCode: "fraud_suspected", note: "", modelDecision: "approve"),
            reviewer: reviewer, address: "", now: 5)
        let results = try store.batchResults(batch: batch.id, owner: alice.id, afterLine: 0, limit: 10)
        #expect(results.map(\.applicantName) == ["Maria da Conceição", "Luíza Gonçalves"])
        #expect(results.map(\.finalDecision) == [.decline, nil], "a reviewer's decision comes with its row")
        #expect(results.map(\.reviewOrigin) == [.override, nil])
    }

    @Test(arguments: StoreBackend.available)
    func theModelRegisterStacksPromotionsAndRefusesAStaleChange(_ backend: StoreBackend) throws {
        let (_, store, _, _) = try storeWithUsers(backend)
        #expect(try store.modelRegister() == ModelRegister(), "nothing promoted: the configured model")
        let a = ModelVersion(id: "gbdt-a", file: "a.json"), b = ModelVersion(id: "logistic-b", file: "b.json")
        func audit(_ action: AuditAction, _ object: String) -> AuditEntry {
            AuditEntry(actor: nil, actorName: "cli:test", action: action, object: object)
        }
        try store.assignModel(action: .promote, version: a, actorName: "cli:test", expectedLastSeq: 0, audit: audit(.modelPromoted, a.id), now: 1)
        var register = try store.modelRegister()
        try store.assignModel(
            action: .challenge, version: b, actorName: "cli:test", expectedLastSeq: register.lastSeq,
            audit: audit(.modelChallenged, b.id), now: 2)
        #expect(throws: StoreError.self, "a change made against an old view of the register is refused") {
            try store.assignModel(
                action: .rollback, version: nil, actorName: "cli:test", expectedLastSeq: register.lastSeq,
                audit: audit(.modelRolledBack, ""), now: 3)
        }
        register = try store.modelRegister()
        #expect(register.champion == a && register.challenger == b)
        try store.assignModel(
            action: .promote, version: b, actorName: "cli:test", expectedLastSeq: register.lastSeq,
            audit: audit(.modelPromoted, b.id), now: 4)
        register = try store.modelRegister()
        #expect(register.champion == b && register.challenger == nil, "promoting the challenger ends its challenge")
        #expect(register.rollbackTarget == .some(a))
        try store.assignModel(
            action: .rollback, version: nil, actorName: "cli:test", expectedLastSeq: register.lastSeq,
            audit: audit(.modelRolledBack, a.id), now: 5)
        register = try store.modelRegister()
        #expect(register.champion == a && register.rollbackTarget == .some(nil), "one more rollback returns to the configured model")
        #expect(try store.modelAssignments().map(\.action) == [.promote, .challenge, .promote, .rollback])
        #expect(try store.auditRecords(AuditFilter(action: .modelPromoted), limit: 10).count == 2, "each change is audited with it")
    }

    @Test(arguments: StoreBackend.available)
    func shadowResultsAreStoredWithTheJobComparedAndPurgedWithIt(_ backend: StoreBackend) throws {
        let (_, store, alice, _) = try storeWithUsers(backend)
        let pairs: [(Double, String, Double, String)] = [
            (0.10, "approve", 0.12, "approve"), (0.30, "review", 0.20, "approve"),
            (0.50, "decline", 0.45, "decline"), (0.05, "approve", 0.09, "approve"),
        ]
        var ids: [String] = []
        for _ in pairs { ids.append(try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: nil, now: 1).job.id) }
        let claimed = try store.claim(worker: "w", limit: 10, lease: 30, maxAttempts: 3, now: 2)
        let outcomes = zip(claimed, pairs).map { job, pair in
            (
                job,
                JobOutcome.done(
                    result: "R",
                    shadow: ShadowResult(
                        championModel: "A", championPD: pair.0, championDecision: pair.1,
                        challengerModel: "B", challengerPD: pair.2, challengerDecision: pair.3,
                        challengerResult: "B-result"))
            )
        }
        #expect(try store.finish(worker: "w", outcomes: outcomes, now: 3) == 4)
        let comparison = try store.shadowComparison(champion: "A", challenger: "B")
        #expect(comparison.count == 4)
        #expect(abs(comparison.agreementRate - 0.75) < 1e-12)
        #expect(abs(comparison.meanPDDifference - (0.02 - 0.10 - 0.05 + 0.04) / 4) < 1e-12)
        #expect(abs(comparison.meanAbsolutePDDifference - (0.02 + 0.10 + 0.05 + 0.04) / 4) < 1e-12)
        #expect(abs(comparison.maxAbsolutePDDifference - 0.10) < 1e-12)
        #expect(
            comparison.decisions.map { "\($0.champion)>\($0.challenger):\($0.count)" } == [
                "approve>approve:2", "decline>decline:1", "review>approve:1",
            ])
        #expect(try store.shadowComparison(champion: "B", challenger: "A").count == 0, "pairs count the right way round")
        #expect(try store.shadowResult(jobID: ids[1])?.challengerResult == "B-result")
        #expect(try store.job(id: ids[1], owner: alice.id)?.result == "R", "the job's own result is the champion's")
        try store.pruneFinished(before: 10)
        #expect(
            try store.shadowResult(jobID: ids[1])?.challengerResult == "",
            "a purge blanks the challenger's result (it holds the application's values)")
        #expect(try store.shadowComparison(champion: "A", challenger: "B").count == 4, "the figures stay")
    }

    @Test(arguments: StoreBackend.available)
    func outcomesMatchByJobOrClientIdAndComeBackWithTheirScores(_ backend: StoreBackend) throws {
        let (_, store, alice, _) = try storeWithUsers(backend)
        let single = try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: nil, now: 1).job.id
        let batch = try store.createBatch(owner: alice.id, name: "book.csv", rows: 3, now: 2)
        try store.addBatchRows(
            batch: batch.id, owner: alice.id,
            rows: ["c-1", "c-2", "c-2"].enumerated().map { line, client in
                BatchRow(line: line + 2, clientID: client, record: "r\(line)")
            }, now: 3)
        try store.markBatchLoaded(batch: batch.id, owner: alice.id)
        let unscored = try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: nil, now: 4).job.id
        let claimed = try store.claim(worker: "w", limit: 4, lease: 30, maxAttempts: 3, now: 5)
        #expect(claimed.count == 4)
        try store.finish(
            worker: "w",
            outcomes: claimed.enumerated().map { index, job in
                (job, .done(result: #"{"model":"m-\#(index % 2)","probability_of_default":0.\#(index + 1)}"#))
            }, now: 6)
        let outcomes = [
            Outcome(key: .job(single), defaulted: true, observedAt: 100), Outcome(key: .client("c-2"), defaulted: false, observedAt: nil),
            Outcome(key: .client("nobody"), defaulted: true, observedAt: nil), Outcome(key: .job(unscored), defaulted: true, observedAt: nil),
        ]
        let matched = try store.recordOutcomes(
            outcomes, audit: AuditEntry(actor: nil, actorName: "cli:test", action: .outcomesImported, detail: "4 lines"), now: 7)
        #expect(matched == [1, 2, 0, 0], "a client id matches each of its applications; an unscored one none")
        let scored = try store.scoredOutcomes(since: 0)
        #expect(scored.count == 3)
        #expect(scored.map(\.defaulted) == [true, false, false])
        #expect(scored.first?.probabilityOfDefault == 0.1 && scored.first?.model == "m-0")
        // A later file corrects an outcome rather than adding a second one.
        _ = try store.recordOutcomes(
            [Outcome(key: .job(single), defaulted: false, observedAt: nil)],
            audit: AuditEntry(actor: nil, actorName: "cli:test", action: .outcomesImported), now: 8)
        #expect(try store.scoredOutcomes(since: 0).map(\.defaulted) == [false, false, false])
        #expect(try store.scoredOutcomes(since: 2).count == 2, "since filters by submission time")
        #expect(try store.auditRecords(AuditFilter(action: .outcomesImported), limit: 10).count == 2)
    }

    @Test(arguments: StoreBackend.available)
    func apiKeysFindTheirAccountRecordUseAndStopWhenRevoked(_ backend: StoreBackend) throws {
        let (_, store, _, _) = try storeWithUsers(backend)
        let audit = AuditEntry(actor: nil, actorName: "cli:test", action: .apiKeyCreated, object: "feed")
        let key = try store.createAPIKey(name: "feed", role: .reviewer, digest: APIKey.digest("ck_secret"), hint: "ck_secr", audit: audit, now: 10)
        #expect(key.role == .reviewer && key.lastUsedAt == nil)
        #expect(throws: StoreError.userExists("alice"), "a key cannot take a person's name") {
            try store.createAPIKey(name: "alice", role: .officer, digest: "d", hint: "h", audit: audit, now: 10)
        }
        let user = try #require(try store.apiKeyUser(digest: APIKey.digest("ck_secret"), now: 100))
        #expect(user.name == "feed" && user.role == .reviewer && user.passwordHash == "!")
        #expect(try store.apiKeyUser(digest: APIKey.digest("ck_other"), now: 100) == nil)
        _ = try store.apiKeyUser(digest: APIKey.digest("ck_secret"), now: 130)
        #expect(try store.apiKeys().first?.lastUsedAt == 100, "a use within the minute is not written again")
        _ = try store.apiKeyUser(digest: APIKey.digest("ck_secret"), now: 200)
        #expect(try store.apiKeys().first?.lastUsedAt == 200)
        try store.revokeAPIKey(name: "feed", audit: AuditEntry(actor: nil, actorName: "cli:test", action: .apiKeyRevoked, object: "feed"), now: 300)
        #expect(try store.apiKeyUser(digest: APIKey.digest("ck_secret"), now: 301) == nil)
        #expect(try store.user(named: "feed")?.disabled == true)
        #expect(try store.apiKeys().first?.revokedAt == 300)
        #expect(throws: StoreError.noSuchUser("feed"), "revoked once") {
            try store.revokeAPIKey(name: "feed", audit: audit, now: 400)
        }
        #expect(APIKey.digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "SHA-256 of abc (FIPS 180-2)")
    }

    @Test(arguments: StoreBackend.available)
    func theApplicantsNameAndClientIdAreKeptBesideTheJobUntilAPurge(_ backend: StoreBackend) throws {
        let (_, store, alice, _) = try storeWithUsers(backend)
        let named = try store.enqueue(batch: [
            Submission(
                owner: alice.id, payload: "{}", idempotencyKey: nil, applicantName: "Maria Souza",
                clientID: "70001", now: 1)
        ])[0].get().job
        #expect(named.applicantName == "Maria Souza" && named.clientID == "70001")
        let listed = try #require(try store.jobs(owner: alice.id, limit: 1, before: nil).first)
        #expect(listed.applicantName == "Maria Souza" && listed.clientID == "70001", "a history reads them without the application")
        let batch = try store.createBatch(owner: alice.id, name: "b.csv", rows: 1, now: 2)
        try store.addBatchRows(
            batch: batch.id, owner: alice.id, rows: [BatchRow(line: 2, clientID: "c-9", record: "r", applicantName: "Ana")],
            now: 2)
        let claimed = try store.claim(worker: "w", limit: 10, lease: 30, maxAttempts: 3, now: 3)
        let row = try #require(try store.job(id: claimed[1].id))
        #expect(row.applicantName == "Ana" && row.clientID == "c-9")
        try store.finish(worker: "w", outcomes: claimed.map { ($0, .done(result: "R")) }, now: 4)
        try store.pruneFinished(before: 10)
        let tombstone = try #require(try store.job(id: named.id, owner: alice.id))
        #expect(tombstone.applicantName == nil, "a purge takes the name with the application")
        #expect(tombstone.clientID == "70001", "the client id stays, for outcomes to find the tombstone")
    }

    @Test(arguments: StoreBackend.available)
    func processesThatMigrateAtOnceBothSucceed(_ backend: StoreBackend) throws {
        let database = try makeDatabase(backend)
        let versions = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do { let version = try database.open().schemaVersion(); versions.withLock { $0.append("\(version)") } } catch {
                versions.withLock { $0.append("\(error)") }
            }
        }
        let latest = try database.open().latestSchemaVersion
        #expect(versions.value == Array(repeating: "\(latest)", count: 4))
    }

    @Test(arguments: StoreBackend.available)
    func thePoolSharesCommitsAcrossThreads(_ backend: StoreBackend) throws {
        let (database, store, alice, _) = try storeWithUsers(backend)
        let pool = try StorePool(opening: { () throws(StoreError) in try database.location.open() })
        let failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for index in 0..<25 {
                do {
                    _ = try pool.enqueue(Submission(owner: alice.id, payload: "\(thread)-\(index)", idempotencyKey: "\(thread)-\(index)", now: 1))
                } catch { failures.withLock { $0.append("\(error)") } }
            }
        }
        #expect(failures.value == [])
        #expect(try store.health(now: 2).queued == 200)
    }

    // MARK: The history search

    /// Alice's applications: five single ones a day apart (day 100 on), a batch of three, and one
    /// of Bob's; some scored (a decision each), the rest being scored. Names by job id.
    private func searchableHistory(_ backend: StoreBackend, limits: HistoryLimits) throws -> (any StoreConnection, User, User, [String: String]) {
        let (_, store, alice, bob) = try storeWithUsers(backend)
        (store as! SQLStore).historyLimits = limits
        let day = 86_400.0
        let singles: [(String, String?)] = [
            ("Maria da Conceição", "70001"), ("Luíza Gonçalves", "70002"), ("MARIA Souza", "80003"), ("João Conceicao", "12345"),
            ("Ana Maria Silva", nil),
        ]
        var names: [String: String] = [:]
        for (index, (name, client)) in singles.enumerated() {
            let submission = Submission(
                owner: alice.id, payload: "{}", idempotencyKey: nil, applicantName: name, clientID: client, now: (100 + Double(index)) * day + 1)
            names[try store.enqueue(batch: [submission])[0].get().job.id] = name
        }
        let bobs = Submission(
            owner: bob.id, payload: "{}", idempotencyKey: nil, applicantName: "Maria da Conceição", clientID: "70001", now: 100 * day)
        names[try store.enqueue(batch: [bobs])[0].get().job.id] = "Bob's Maria"
        let batch = try store.createBatch(owner: alice.id, name: "b.csv", rows: 3, now: 105 * day)
        let rows = [("Maria Batista", "c-77"), ("Pedro Álvares", "AB-12/3"), ("Mariana Maria", nil)].enumerated().map { line, row in
            BatchRow(line: line + 2, clientID: row.1, record: "r", applicantName: row.0)
        }
        try store.addBatchRows(batch: batch.id, owner: alice.id, rows: rows, now: 105 * day)
        for job in try store.batchResults(batch: batch.id, owner: alice.id, afterLine: 0, limit: 10) {
            names[job.jobID] = rows[job.line - 2].applicantName
        }
        let claimed = try store.claim(worker: "w", limit: 100, lease: 1e9, maxAttempts: 3, now: 106 * day)
        let decisions = ["Maria da Conceição": "reject", "Luíza Gonçalves": "review", "MARIA Souza": "approve", "Maria Batista": "approve"]
        let outcomes: [(job: ClaimedJob, outcome: JobOutcome)] = claimed.compactMap { job in
            decisions[names[job.id]!].map { (job, .done(result: #"{"decision":"\#($0)","probability_of_default":0.1}"#)) }
        }
        #expect(try store.finish(worker: "w", outcomes: outcomes, now: 106 * day) == 4)
        // Stored last, submitted first (a clock set back): the history goes by submission time.
        let late = Submission(owner: alice.id, payload: "{}", idempotencyKey: nil, applicantName: "Zé Antigo", now: 99 * day)
        names[try store.enqueue(batch: [late])[0].get().job.id] = "Zé Antigo"
        return (store, alice, bob, names)
    }

    /// Every page of a search, following `next` (a page may be short and still have one).
    private func allPages(
        _ store: any StoreConnection, _ owner: User, _ query: HistoryQuery, limit: Int = 100, names: [String: String]
    ) throws -> [String] {
        var found: [String] = [], before: String?
        repeat {
            let page = try store.jobs(owner: owner.id, matching: query, limit: limit, before: before)
            #expect(page.jobs.count <= limit)
            found += page.jobs.map { names[$0.id] ?? "?" }
            before = page.next
        } while before != nil
        return found
    }

    /// The same answers through the word index and through the scan of the owner's history (with
    /// limits so low that every word found is "frequent" and a page reads three applications).
    @Test(arguments: StoreBackend.available, [HistoryLimits(), HistoryLimits(candidates: 1, scanBudget: 3)])
    func theHistorySearchFindsNamesClientIdsAndIdsWithFilters(_ backend: StoreBackend, limits: HistoryLimits) throws {
        let (store, alice, _, names) = try searchableHistory(backend, limits: limits)
        func search(_ text: String, _ query: HistoryQuery = HistoryQuery()) throws -> [String] {
            var query = query
            query.text = try TextQuery(text)
            return try allPages(store, alice, query, names: names)
        }
        let conceicao = ["João Conceicao", "Maria da Conceição"]
        #expect(try search("conceicao") == conceicao, "accents, newest first, not Bob's")
        #expect(try search("CONCEIÇÃO") == conceicao)
        #expect(try search("Conceic\u{0327}a\u{0303}o") == conceicao, "decomposed accents")
        #expect(try search("gonc") == ["Luíza Gonçalves"], "a word's start")
        #expect(try search("luiza") == ["Luíza Gonçalves"])
        let marias = ["Mariana Maria", "Maria Batista", "Ana Maria Silva", "MARIA Souza", "Maria da Conceição"]
        #expect(try search("maria") == marias, "a batch's rows too")
        #expect(try search("mari") == marias, "two words of one name that start alike: the job once")
        #expect(try search("maria conc") == ["Maria da Conceição"], "every word must match")
        #expect(try search("silva maria") == ["Ana Maria Silva"], "in any order")
        #expect(try search("da") == ["Maria da Conceição"], "a particle, which the index leaves out")
        #expect(try search("nobody") == [])
        #expect(try search("7000") == ["Luíza Gonçalves", "Maria da Conceição"], "a client id's start")
        #expect(try search("70001") == ["Maria da Conceição"])
        #expect(try search("souza 80003") == ["MARIA Souza"], "a name and a client id")
        #expect(try search("ab-12") == ["Pedro Álvares"], "a client id typed with its separators")
        #expect(try search("AB12") == ["Pedro Álvares"])
        #expect(try search("alvares") == ["Pedro Álvares"])
        let souza = try #require(names.first { $0.value == "MARIA Souza" }?.key)
        #expect(try search(souza.uppercased()) == ["MARIA Souza"], "an application id")
        let prefix = String(souza.prefix(8))
        let sameStart = names.filter { $0.key.hasPrefix(prefix) && $0.value != "Bob's Maria" }.sorted { $0.key > $1.key }.map(\.value)
        #expect(try search(prefix) == sameStart && sameStart.contains("MARIA Souza"), "an id's first 8 digits")
        // Filters, with and without a text.
        #expect(try search("maria", HistoryQuery(batches: .exclude)) == ["Ana Maria Silva", "MARIA Souza", "Maria da Conceição"])
        #expect(try search("maria", HistoryQuery(batches: .only)) == ["Mariana Maria", "Maria Batista"])
        #expect(try search("maria", HistoryQuery(decision: .reject)) == ["Maria da Conceição"])
        #expect(try search("maria", HistoryQuery(decision: .approve)) == ["Maria Batista", "MARIA Souza"])
        #expect(try search("maria", HistoryQuery(decision: .pending)) == ["Mariana Maria", "Ana Maria Silva"])
        #expect(try allPages(store, alice, HistoryQuery(decision: .review), names: names) == ["Luíza Gonçalves"])
        #expect(try search("maria", HistoryQuery(submittedFrom: 101 * 86_400, submittedBefore: 103 * 86_400)) == ["MARIA Souza"])
        #expect(try allPages(store, alice, HistoryQuery(batches: .only), names: names) == ["Mariana Maria", "Pedro Álvares", "Maria Batista"])
        let everything = [
            "Mariana Maria", "Pedro Álvares", "Maria Batista", "Ana Maria Silva", "João Conceicao", "MARIA Souza", "Luíza Gonçalves",
            "Maria da Conceição", "Zé Antigo",
        ]
        #expect(try allPages(store, alice, HistoryQuery(), names: names) == everything)
        #expect(try allPages(store, alice, HistoryQuery(), limit: 4, names: names) == everything)
        #expect(
            try allPages(store, alice, HistoryQuery(submittedFrom: 101 * 86_400, submittedBefore: 103 * 86_400), names: names) == [
                "MARIA Souza", "Luíza Gonçalves",
            ])
        #expect(try allPages(store, alice, HistoryQuery(submittedBefore: 100 * 86_400), names: names) == ["Zé Antigo"])
        // Pages of two follow on with the filters, each job once.
        #expect(try allPages(store, alice, HistoryQuery(text: try TextQuery("maria")), limit: 2, names: names) == marias)
        #expect(
            try allPages(store, alice, HistoryQuery(text: try TextQuery("maria"), batches: .exclude), limit: 1, names: names)
                == ["Ana Maria Silva", "MARIA Souza", "Maria da Conceição"])
    }

    @Test(arguments: StoreBackend.available)
    func theHistorySearchShowsNoOtherOwnersJobsAndForgetsPurgedNames(_ backend: StoreBackend) throws {
        let (store, alice, bob, names) = try searchableHistory(backend, limits: HistoryLimits())
        let bobsQuery = HistoryQuery(text: try TextQuery("conceicao"))
        #expect(try allPages(store, bob, bobsQuery, names: names) == ["Bob's Maria"])
        let alicesJob = try #require(names.first { $0.value == "Maria da Conceição" }?.key)
        #expect(try store.jobs(owner: bob.id, matching: HistoryQuery(), limit: 10, before: alicesJob) == HistoryPage(jobs: [], next: nil))
        #expect(try allPages(store, bob, HistoryQuery(text: try TextQuery(alicesJob)), names: names) == [], "another's id finds nothing")
        // The retention purge takes the scored applications' names out of the search; their client id stays.
        try store.pruneFinished(before: 107 * 86_400)
        #expect(try allPages(store, alice, HistoryQuery(text: try TextQuery("conceicao")), names: names) == ["João Conceicao"])
        #expect(try allPages(store, alice, HistoryQuery(text: try TextQuery("luiza")), names: names) == [])
        #expect(try allPages(store, alice, HistoryQuery(text: try TextQuery("70001")), names: names) == ["Maria da Conceição"])
        #expect(try allPages(store, bob, bobsQuery, names: names) == ["Bob's Maria"], "not scored, so not purged")
        let sql = (store as! SQLStore).sql
        let words = try sql.query("SELECT w.word FROM search_words w JOIN jobs j ON j.seq = w.seq WHERE j.id = ?1", [.text(alicesJob)]) {
            row throws(StoreError) in try row.string(0)
        }
        #expect(words == [], "no word of the name is left in the index (the client id, digits alone, is in the index by client id)")
        let stored = try sql.query("SELECT search_name, search_client FROM jobs WHERE id = ?1", [.text(alicesJob)]) {
            row throws(StoreError) in [try row.optionalString(0), try row.optionalString(1)]
        }
        #expect(stored == [[nil, "70001"]])
    }

    @Test(arguments: StoreBackend.available)
    func theSearchMigrationIndexesTheJobsStoredBefore(_ backend: StoreBackend) throws {
        let (database, store, alice, _) = try storeWithUsers(backend)
        let job = try store.enqueue(batch: [
            Submission(owner: alice.id, payload: "{}", idempotencyKey: nil, applicantName: "Zé Ninguém", clientID: "5150", now: 1)
        ])[0].get().job
        // As a database before the migration: no key, no words, and the migration not applied.
        let sql = (store as! SQLStore).sql
        try sql.execute("UPDATE jobs SET search_name = NULL, search_client = NULL")
        try sql.execute("DELETE FROM search_words")
        try sql.execute("DELETE FROM schema_migrations WHERE name = 'history-search'")
        try sql.executeScript(
            """
            DROP TABLE search_words; DROP INDEX jobs_by_owner_time;
            CREATE INDEX jobs_single_by_owner ON jobs(owner, seq) WHERE batch_seq IS NULL;
            ALTER TABLE jobs DROP COLUMN search_name; ALTER TABLE jobs DROP COLUMN search_client
            """)
        let reopened = try database.open()
        #expect(try reopened.schemaVersion() == reopened.latestSchemaVersion)
        for text in ["ze", "ninguem", "515"] {
            let page = try reopened.jobs(owner: alice.id, matching: HistoryQuery(text: try TextQuery(text)), limit: 10, before: nil)
            #expect(page.jobs.map(\.id) == [job.id], "\(text)")
        }
    }
}

/// The folding both the stored names and the queries go through.
@Suite struct SearchTextTests {
    @Test func foldsCaseAccentsAndSeparators() throws {
        #expect(SearchText.words("Maria da Conceição") == ["maria", "da", "conceicao"])
        #expect(SearchText.words("LUÍZA  Gonçalves-Ávila") == ["luiza", "goncalves", "avila"])
        #expect(SearchText.words("D'Ávila Straße Łukasz ØRSTED Æsir œuvre") == ["davila", "strasse", "lukasz", "orsted", "aesir", "oeuvre"])
        #expect(SearchText.words("Conceic\u{0327}a\u{0303}o") == ["conceicao"], "decomposed")
        #expect(SearchText.words("123.456-78 ×2") == ["123", "456", "78", "2"])
        #expect(SearchText.words("ΩΜΈΓΑ") == ["ωμέγα"], "other scripts are lowercased")
        #expect(SearchText.words(" -- ") == [])
        #expect(SearchText.upperBound(prefix: "gonc") == "gond")
        #expect(SearchText.indexCovers(prefix: "conc") && !SearchText.indexCovers(prefix: "d") && !SearchText.indexCovers(prefix: "mar"))
        #expect(SearchText.digitsUpperBound(prefix: "129") == "13" && SearchText.digitsUpperBound(prefix: "99") == nil)
        let key = SearchKey(name: "Maria da Maria Conceição Zanella", clientID: "AB-12/3")
        #expect(key.words == ["conceicao", "zanella", "ab123"], "not the particles or the commonest names; a client id of letters too")
        #expect(key.name == " maria da maria conceicao zanella" && key.client == "ab123")
        #expect(SearchKey(name: "Zé", clientID: "70001").words == ["ze"], "a client id of digits is in the index by client id")
    }

    @Test func refusesQueriesWithoutWordsOrTooLong() throws {
        #expect(throws: TextQueryError.noWords) { try TextQuery(" ;-) ") }
        #expect(throws: TextQueryError.tooManyWords(9)) { try TextQuery("a b c d e f g h i") }
        #expect(throws: TextQueryError.tooLong(201)) { try TextQuery(String(repeating: "a", count: 201)) }
        #expect(try TextQuery("Maria maria").words == ["maria"])
        #expect(try TextQuery("123.456").compact == "123456")
        #expect(try TextQuery("0123abcd").idPrefix == "0123abcd" && (try TextQuery("0123abc").idPrefix) == nil)
    }
}
