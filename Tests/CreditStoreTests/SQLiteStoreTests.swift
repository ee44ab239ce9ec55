import Foundation
import XCTest
@testable import CreditStore

/// The job queue and users on a real SQLite file.
final class SQLiteStoreTests: XCTestCase {
    private var directory: URL!
    private var path: String { directory.appendingPathComponent("credit.sqlite").path }

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func storeWithUsers() throws -> (SQLiteStore, User, User) {
        let store = try SQLiteStore(path: path)
        let alice = try store.createUser(name: "alice", passwordHash: "h1", now: 1)
        let bob = try store.createUser(name: "bob", passwordHash: "h2", now: 1)
        return (store, alice, bob)
    }

    func testDatabaseFilesAreReadableByTheirOwnerOnly() throws {
        let (store, alice, _) = try storeWithUsers()
        _ = try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: nil, now: 1)
        for suffix in ["", "-wal", "-shm"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: path + suffix)
            XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600, "credit.sqlite\(suffix)")
        }
    }

    func testParallelSignInReservationsNeverExceedTheLimit() throws {
        _ = try storeWithUsers()
        let granted = Counter(), path = self.path
        DispatchQueue.concurrentPerform(iterations: 40) { index in
            guard let store = try? SQLiteStore(path: path) else { return }
            let limits = [(key: "user:alice", limit: 5), (key: "ip:10.0.0.\(index % 3)", limit: 20)]
            if case .reserved? = try? store.reserveLoginAttempt(limits: limits, window: 900, now: 1000) { granted.add() }
        }
        XCTAssertEqual(granted.value, 5, "exactly the user's limit, however many run at once")
        let store = try SQLiteStore(path: path)
        XCTAssertEqual(try store.loginFailures(key: "user:alice", since: 0).count, 5)
        guard case .throttled(let wait) = try store.reserveLoginAttempt(limits: [(key: "user:alice", limit: 5)], window: 900, now: 1100) else {
            return XCTFail("the sixth attempt must be throttled")
        }
        XCTAssertEqual(wait, 800)
        guard case .reserved(let rows) = try store.reserveLoginAttempt(limits: [(key: "user:bob", limit: 5), (key: "ip:x", limit: 20)], window: 900, now: 1100) else {
            return XCTFail("bob has no failures")
        }
        try store.confirmLogin(attempt: rows, clearing: "user:bob")
        XCTAssertEqual(try store.loginFailures(key: "ip:x", since: 0).count, 0, "a successful sign-in is not a failure of its address")
    }

    func testEnqueueClaimFinish() throws {
        let (store, alice, _) = try storeWithUsers()
        let submitted = try store.enqueue(owner: alice.id, payload: #"{"age":30}"#, idempotencyKey: nil, now: 100)
        XCTAssertTrue(submitted.created)
        XCTAssertEqual(submitted.job.status, .queued)
        XCTAssertEqual(submitted.job.id.count, 32)
        let claimed = try store.claim(worker: "w1", limit: 10, lease: 30, maxAttempts: 3, now: 101)
        XCTAssertEqual(claimed.map(\.id), [submitted.job.id])
        XCTAssertEqual(claimed[0].attempt, 1)
        XCTAssertEqual(try store.job(id: submitted.job.id, owner: alice.id)?.status, .running)
        XCTAssertEqual(try store.claim(worker: "w2", limit: 10, lease: 30, maxAttempts: 3, now: 102), [], "a leased job is not handed out twice")
        XCTAssertEqual(try store.finish(worker: "w1", outcomes: [(claimed[0], .done(result: #"{"pd":0.2}"#))], now: 103), 1)
        let done = try XCTUnwrap(try store.job(id: submitted.job.id, owner: alice.id))
        XCTAssertEqual(done.status, .done)
        XCTAssertEqual(done.result, #"{"pd":0.2}"#)
        XCTAssertEqual(done.submittedAt, 100)
        XCTAssertEqual(done.startedAt, 101)
        XCTAssertEqual(done.completedAt, 103)
    }

    func testJobIDsAreTimeOrderedHexWithEightyRandomBits() {
        let ids = (0..<2000).map { SQLiteStore.newJobID(now: 1_800_000_000 + Double($0) / 1000) }
        XCTAssertEqual(Set(ids).count, ids.count)
        XCTAssertTrue(ids.allSatisfy { $0.utf8.count == 32 && $0.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) } })
        XCTAssertEqual(ids, ids.sorted(), "the first 12 digits are the time in milliseconds")
        XCTAssertEqual(String(ids[0].prefix(12)), String(UInt64(1_800_000_000_000), radix: 16).leftPadded(to: 12))
        // The random part varies in every position (a constant digit would show a broken generator).
        for position in 12..<32 {
            XCTAssertGreaterThan(Set(ids.map { Array($0.utf8)[position] }).count, 4, "digit \(position)")
        }
    }

    func testIdempotencyKeyReturnsTheSameJobPerOwner() throws {
        let (store, alice, bob) = try storeWithUsers()
        let first = try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: "k1", now: 1)
        let again = try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: "k1", now: 2)
        XCTAssertFalse(again.created)
        XCTAssertEqual(again.job.id, first.job.id)
        let other = try store.enqueue(owner: bob.id, payload: "{}", idempotencyKey: "k1", now: 3)
        XCTAssertTrue(other.created, "keys are per user")
        XCTAssertNotEqual(other.job.id, first.job.id)
        XCTAssertNotEqual(try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: nil, now: 4).job.id,
                          try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: nil, now: 5).job.id)
    }

    func testNoJobIsStoredForADisabledOrUnknownOwner() throws {
        let (store, alice, _) = try storeWithUsers()
        _ = try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: "k1", now: 1)
        try store.setDisabled(name: "alice", disabled: true)
        XCTAssertThrowsError(try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: nil, now: 2)) {
            XCTAssertEqual($0 as? StoreError, .ownerInactive(alice.id))
        }
        XCTAssertThrowsError(try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: "k1", now: 3), "not even a replay") {
            XCTAssertEqual($0 as? StoreError, .ownerInactive(alice.id))
        }
        XCTAssertThrowsError(try store.enqueue(owner: 999, payload: "{}", idempotencyKey: nil, now: 4)) {
            XCTAssertEqual($0 as? StoreError, .ownerInactive(999))
        }
        XCTAssertEqual(try store.jobs(owner: alice.id, limit: 10, before: nil).count, 1)
        try store.setDisabled(name: "alice", disabled: false)
        XCTAssertTrue(try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: nil, now: 5).created)
    }

    func testExpiredLeaseRequeuesThenFailsAfterMaxAttempts() throws {
        let (store, alice, _) = try storeWithUsers()
        let job = try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: nil, now: 0).job
        var now = 1.0
        for attempt in 1...3 {
            let claimed = try store.claim(worker: "w\(attempt)", limit: 1, lease: 10, maxAttempts: 3, now: now)
            XCTAssertEqual(claimed.first?.attempt, attempt)
            now += 11  // the worker died: its lease runs out
        }
        XCTAssertEqual(try store.claim(worker: "w4", limit: 1, lease: 10, maxAttempts: 3, now: now), [])
        let failed = try XCTUnwrap(try store.job(id: job.id, owner: alice.id))
        XCTAssertEqual(failed.status, .failed)
        XCTAssertEqual(failed.attempts, 3)
        XCTAssertTrue(failed.error?.contains("3 attempts") ?? false, failed.error ?? "")
    }

    func testStaleClaimCannotOverwriteTheCurrentOne() throws {
        let (store, alice, _) = try storeWithUsers()
        let job = try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: nil, now: 0).job
        let first = try store.claim(worker: "slow", limit: 1, lease: 5, maxAttempts: 3, now: 1)[0]
        let second = try store.claim(worker: "fast", limit: 1, lease: 5, maxAttempts: 3, now: 10)[0]
        XCTAssertEqual(second.attempt, 2)
        XCTAssertEqual(try store.finish(worker: "fast", outcomes: [(second, .done(result: "B"))], now: 11), 1)
        XCTAssertEqual(try store.finish(worker: "slow", outcomes: [(first, .done(result: "A"))], now: 12), 0)
        XCTAssertEqual(try store.job(id: job.id, owner: alice.id)?.result, "B", "scored exactly once in its visible result")
    }

    func testClaimsInOrderAndInBatches() throws {
        let (store, alice, _) = try storeWithUsers()
        let ids = try (0..<10).map { try store.enqueue(owner: alice.id, payload: "{\"n\":\($0)}", idempotencyKey: nil, now: Double($0)).job.id }
        let batch = try store.claim(worker: "w", limit: 4, lease: 30, maxAttempts: 3, now: 20)
        XCTAssertEqual(batch.map(\.id), Array(ids.prefix(4)))
        XCTAssertEqual(try store.claim(worker: "w", limit: 100, lease: 30, maxAttempts: 3, now: 20).map(\.id), Array(ids.dropFirst(4)))
    }

    func testConcurrentWorkersNeverShareAJob() throws {
        let (store, alice, _) = try storeWithUsers()
        for index in 0..<400 { _ = try store.enqueue(owner: alice.id, payload: "\(index)", idempotencyKey: nil, now: 0) }
        let path = self.path
        let results = LockedArray()
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            guard let connection = try? SQLiteStore(path: path) else { return }
            while let batch = try? connection.claim(worker: "w\(worker)", limit: 7, lease: 60, maxAttempts: 3, now: 1), !batch.isEmpty {
                results.append(batch.map(\.id))
            }
        }
        XCTAssertEqual(results.values.count, 400)
        XCTAssertEqual(Set(results.values).count, 400)
    }

    func testOwnersSeeOnlyTheirJobsNewestFirstWithPaging() throws {
        let (store, alice, bob) = try storeWithUsers()
        let ids = try (0..<5).map { try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: nil, now: Double($0)).job.id }
        let bobs = try store.enqueue(owner: bob.id, payload: "{}", idempotencyKey: nil, now: 9).job.id
        XCTAssertNil(try store.job(id: bobs, owner: alice.id))
        XCTAssertEqual(try store.jobs(owner: alice.id, limit: 2, before: nil).map(\.id), [ids[4], ids[3]])
        XCTAssertEqual(try store.jobs(owner: alice.id, limit: 2, before: ids[3]).map(\.id), [ids[2], ids[1]])
        XCTAssertEqual(try store.jobs(owner: alice.id, limit: 10, before: bobs).map(\.id), [], "another user's cursor finds nothing")
    }

    func testHealthHeartbeatAndPruning() throws {
        let (store, alice, _) = try storeWithUsers()
        XCTAssertEqual(try store.health(now: 50), QueueHealth(queued: 0, running: 0, oldestQueuedAge: nil, lastHeartbeatAge: nil, workerModel: nil, workerMode: nil))
        let old = try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: nil, now: 10).job
        _ = try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: nil, now: 20)
        try store.heartbeat(worker: "w", model: "gbdt-x", mode: .drain, now: 45)
        let health = try store.health(now: 50)
        XCTAssertEqual(health.queued, 2)
        XCTAssertEqual(health.oldestQueuedAge, 40)
        XCTAssertEqual(health.lastHeartbeatAge, 5)
        XCTAssertEqual(health.workerModel, "gbdt-x")
        XCTAssertEqual(health.workerMode, .drain)
        let claimed = try store.claim(worker: "w", limit: 1, lease: 30, maxAttempts: 3, now: 60)
        try store.finish(worker: "w", outcomes: [(claimed[0], .failed(error: "bad"))], now: 61)
        XCTAssertEqual(try store.pruneFinished(before: 100), 1)
        XCTAssertNil(try store.job(id: old.id, owner: alice.id))
        XCTAssertEqual(try store.health(now: 100).queued, 1, "queued jobs are never pruned")
    }

    func testJobsSurviveReopeningTheFile() throws {
        let (store, alice, _) = try storeWithUsers()
        let id = try store.enqueue(owner: alice.id, payload: "{}", idempotencyKey: nil, now: 1).job.id
        let reopened = try SQLiteStore(path: path)
        XCTAssertEqual(try reopened.job(id: id, owner: alice.id)?.status, .queued)
        XCTAssertEqual(try reopened.schemaVersion(), SQLiteStore.latestSchemaVersion)
    }

    func testMigratesAVersion1FileKeepingEveryJob() throws {
        let raw = try SQLiteDatabase(path: path)
        try raw.execute(Migrations.steps[0] + "; PRAGMA user_version = 1")
        try raw.execute("""
            INSERT INTO users (id, name, password_hash, created_at) VALUES (1, 'alice', 'h', 1);
            INSERT INTO jobs (seq, id, owner, status, payload, result, error, attempts, idempotency_key, submitted_at, completed_at)
            VALUES (1, 'a', 1, 'done', '{"x":1}', '{"pd":0.1}', NULL, 1, 'k1', 10, 12),
                   (2, 'b', 1, 'failed', '{"x":2}', NULL, 'no model', 3, NULL, 11, 13),
                   (3, 'c', 1, 'queued', '{"x":3}', NULL, NULL, 0, NULL, 14, NULL);
            """)
        let store = try SQLiteStore(path: path)
        XCTAssertEqual(try store.schemaVersion(), SQLiteStore.latestSchemaVersion)
        let jobs = try store.jobs(owner: 1, limit: 10, before: nil)
        XCTAssertEqual(jobs.map(\.id), ["c", "b", "a"])
        XCTAssertEqual(jobs.map(\.payload), [#"{"x":3}"#, #"{"x":2}"#, #"{"x":1}"#])
        XCTAssertEqual(jobs.map(\.result), [nil, nil, #"{"pd":0.1}"#])
        XCTAssertEqual(jobs.map(\.error), [nil, "no model", nil])
        XCTAssertEqual(try store.enqueue(owner: 1, payload: "{}", idempotencyKey: "k1", now: 20).job.id, "a", "idempotency keys still hold")
        XCTAssertEqual(try store.claim(worker: "w", limit: 10, lease: 30, maxAttempts: 3, now: 21).map(\.payload), [#"{"x":3}"#])
    }

    func testRefusesANewerSchema() throws {
        _ = try SQLiteStore(path: path)
        let raw = try SQLiteDatabase(path: path)
        try raw.execute("PRAGMA user_version = 99")
        XCTAssertThrowsError(try SQLiteStore(path: path)) { error in
            XCTAssertEqual(error as? StoreError, .newerSchema(found: 99, supported: SQLiteStore.latestSchemaVersion))
        }
    }

    func testUsersAndLoginFailures() throws {
        let (store, alice, _) = try storeWithUsers()
        XCTAssertThrowsError(try store.createUser(name: "ALICE", passwordHash: "x", now: 2)) { XCTAssertEqual($0 as? StoreError, .userExists("ALICE")) }
        XCTAssertEqual(try store.user(named: "Alice")?.id, alice.id, "names are case-insensitive")
        try store.setDisabled(name: "alice", disabled: true)
        XCTAssertEqual(try store.user(id: alice.id)?.disabled, true)
        try store.setPasswordHash(name: "alice", passwordHash: "new")
        XCTAssertEqual(try store.user(named: "alice")?.passwordHash, "new")
        XCTAssertThrowsError(try store.setDisabled(name: "nobody", disabled: true)) { XCTAssertEqual($0 as? StoreError, .noSuchUser("nobody")) }
        XCTAssertEqual(try store.users().map(\.name), ["alice", "bob"])
        // An attempt counts as a failure from its reservation on.
        for (limits, now) in [([("user:alice", 5), ("ip:127.0.0.1", 20)], 10.0), ([("user:alice", 5)], 20.0)] {
            guard case .reserved = try store.reserveLoginAttempt(limits: limits, window: 900, now: now) else { return XCTFail("not reserved at \(now)") }
        }
        XCTAssertEqual(try store.loginFailures(key: "user:alice", since: 0).count, 2)
        XCTAssertEqual(try store.loginFailures(key: "user:alice", since: 15).count, 1)
        XCTAssertEqual(try store.loginFailures(key: "user:alice", since: 0).oldest, 10)
        try store.clearLoginFailures(key: "user:alice")
        XCTAssertEqual(try store.loginFailures(key: "user:alice", since: 0).count, 0)
        XCTAssertEqual(try store.loginFailures(key: "ip:127.0.0.1", since: 0).count, 1)
    }
}

/// Collects strings from several threads.
final class LockedArray: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    func append(_ items: [String]) { lock.lock(); storage += items; lock.unlock() }
    var values: [String] { lock.lock(); defer { lock.unlock() }; return storage }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// A thread-safe count, for tests that run work in parallel.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
