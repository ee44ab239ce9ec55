import CreditGovernance
import CreditTestSupport
import Foundation
import XCTest

@testable import CreditStore

/// What only the SQLite store does: file permissions, reopening, migrating old files. The
/// behaviour both backends share is in ``StoreContractTests``.
final class SQLiteStoreTests: XCTestCase {
    private var temporary: TemporaryDirectory!
    private var directory: URL { temporary.url }
    private var path: String { directory.appendingPathComponent("credit.sqlite").path }

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "store")
    }

    override func tearDownWithError() throws {
        temporary.remove()
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

    func testBusyAndLockedAreRecognisedWithTheirExtendedCodes() {
        // SQLITE_BUSY 5, SQLITE_LOCKED 6, SQLITE_BUSY_RECOVERY 261, SQLITE_BUSY_SNAPSHOT 517, SQLITE_LOCKED_SHAREDCACHE 262.
        for code: Int32 in [5, 6, 261, 517, 262] { XCTAssertTrue(StoreError.sqlite(code: code, message: "").isBusy, "\(code)") }
        // SQLITE_ERROR 1, SQLITE_CONSTRAINT_UNIQUE 2067, SQLITE_IOERR_WRITE 778, SQLITE_FULL 13.
        for code: Int32 in [1, 2067, 778, 13] { XCTAssertFalse(StoreError.sqlite(code: code, message: "").isBusy, "\(code)") }
    }

    func testJobIDsAreTimeOrderedHexWithEightyRandomBits() {
        let ids = (0..<2000).map { JobID.new(now: 1_800_000_000 + Double($0) / 1000) }
        XCTAssertEqual(Set(ids).count, ids.count)
        XCTAssertTrue(ids.allSatisfy { $0.utf8.count == 32 && $0.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) } })
        XCTAssertEqual(ids, ids.sorted(), "the first 12 digits are the time in milliseconds")
        XCTAssertEqual(String(ids[0].prefix(12)), String(UInt64(1_800_000_000_000), radix: 16).leftPadded(to: 12))
        // The random part varies in every position (a constant digit would show a broken generator).
        for position in 12..<32 {
            XCTAssertGreaterThan(Set(ids.map { Array($0.utf8)[position] }).count, 4, "digit \(position)")
        }
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
        try raw.executeScript(SQLiteMigrations.steps[0] + "; PRAGMA user_version = 1")
        try raw.executeScript(
            """
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
        // Accounts of before roles are officers with their first token generation; the new tables work.
        let alice = try XCTUnwrap(try store.user(id: 1))
        XCTAssertEqual(alice.role, .officer)
        XCTAssertEqual(alice.tokenGeneration, 0)
        XCTAssertFalse(alice.mustChangePassword)
        XCTAssertEqual(
            try store.decide(
                jobID: "a", decision: ReviewDecision(decision: .approve, reasonCode: "other", note: "old job", modelDecision: "approve"),
                reviewer: alice, address: "", now: 22
            ).origin, .override)
        // Approving what the model approved agrees with it: a decision, not an override.
        XCTAssertEqual(try store.auditChain(after: 0, limit: 10).map(\.entry.action), [.decision])
    }

    func testRefusesANewerSchema() throws {
        _ = try SQLiteStore(path: path)
        let raw = try SQLiteDatabase(path: path)
        // A newer program applied a migration this one does not know.
        try raw.execute("INSERT INTO schema_migrations (name, applied_at) VALUES ('from-the-future', 1)")
        XCTAssertThrowsError(try SQLiteStore(path: path)) { error in
            XCTAssertEqual(error as? StoreError, .newerSchema(found: SQLiteStore.latestSchemaVersion + 1, supported: SQLiteStore.latestSchemaVersion))
        }
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
