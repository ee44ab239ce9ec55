import CreditTestSupport
import Foundation
import XCTest

@testable import CreditStore

/// Group commit: many threads submitting at once, each answered with its own job.
final class StorePoolTests: XCTestCase {
    private var temporary: TemporaryDirectory!
    private var directory: URL { temporary.url }
    private var path: String { directory.appendingPathComponent("pool.sqlite").path }

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "pool")
    }

    override func tearDownWithError() throws {
        temporary.remove()
    }

    func testConcurrentSubmissionsAreEachStoredOnceAndAnswered() throws {
        let owner = try SQLiteStore(path: path).createUser(name: "alice", passwordHash: "h", now: 1).id
        let commits = Locked(0)
        let pool = try StorePool(path: path, afterCommit: { commits.withLock { $0 += 1 } })
        let threads = 16, perThread = 150
        let outcomes = Locked<[Result<EnqueueResult, any Error>]>([])
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for index in 0..<perThread {
                // Every tenth submission repeats a key another thread also sends.
                let key = index % 10 == 0 ? "shared-\(index)" : nil
                let payload = #"{"thread":\#(thread),"index":\#(index)}"#
                let outcome = Result { try pool.enqueue(Submission(owner: owner, payload: payload, idempotencyKey: key, now: Double(index))) }  // outside the lock: the submissions must overlap
                outcomes.withLock { $0.append(outcome) }
            }
        }
        let results = try outcomes.value.map { try $0.get() }
        XCTAssertEqual(results.count, threads * perThread)
        let created = results.filter(\.created)
        let keyed = Set(results.compactMap { $0.job.idempotencyKey })
        XCTAssertEqual(created.count, threads * perThread - threads * keyed.count + keyed.count, "one job per idempotency key")
        XCTAssertEqual(Set(created.map(\.job.id)).count, created.count, "every new job has its own id")
        for key in keyed {
            XCTAssertEqual(Set(results.filter { $0.job.idempotencyKey == key }.map(\.job.id)).count, 1, "all senders of \(key) get one job")
        }
        let store = try SQLiteStore(path: path)
        XCTAssertEqual(try store.health(now: 1000).queued, created.count, "every acknowledged job is in the file")
        for result in created.prefix(50) {
            XCTAssertEqual(try store.job(id: result.job.id, owner: owner)?.payload, result.job.payload)
        }
        XCTAssertGreaterThan(commits.value, 0)
        XCTAssertLessThanOrEqual(commits.value, created.count, "at most one wake-up per commit")
        // Group commit: sixteen threads submitting at once share commits, so there are fewer commits
        // than stored jobs (one each would be equal; on a fast disk they share less, about 3 in 4 here).
        XCTAssertLessThan(commits.value, created.count, "\(commits.value) commits for \(created.count) stored submissions")
    }

    func testADisabledOwnerFailsAloneInASharedCommit() throws {
        let store = try SQLiteStore(path: path)
        let alice = try store.createUser(name: "alice", passwordHash: "h", now: 1).id
        let bob = try store.createUser(name: "bob", passwordHash: "h", now: 1).id
        try store.setDisabled(name: "bob", disabled: true)
        let pool = try StorePool(path: path)
        let outcomes = Locked<[Result<EnqueueResult, any Error>]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for _ in 0..<50 {
                let owner = thread % 2 == 0 ? alice : bob
                let outcome = Result { try pool.enqueue(Submission(owner: owner, payload: "{}", idempotencyKey: nil, now: 1)) }  // outside the lock: the submissions must overlap
                outcomes.withLock { $0.append(outcome) }
            }
        }
        let all = outcomes.value
        XCTAssertEqual(all.filter { (try? $0.get())?.job.owner == alice }.count, 200)
        XCTAssertEqual(all.filter { ($0.error as? StoreError) == .ownerInactive(bob) }.count, 200)
    }
}

private extension Result {
    var error: Failure? { if case .failure(let error) = self { error } else { nil } }
}
