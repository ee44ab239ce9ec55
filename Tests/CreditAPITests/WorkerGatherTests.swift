import CreditConfig
import CreditStore
import CreditSystem
import CreditTestSupport
import Foundation
import XCTest

@testable import CreditWorker

/// When the worker waits for its next batch to fill: only while jobs keep arriving whatever it
/// records (open loop), never for a lone job, a backlog or clients waiting on their results.
final class WorkerGatherTests: XCTestCase {
    /// Wake-ups told from a script: each look returns the next count (0 once the script ends).
    final class ScriptedArrivals: QueueWaiting {
        var script: [Int]
        private(set) var looks = 0
        init(_ script: [Int]) { self.script = script }
        func wait(timeout: Double) -> Bool { arrivals() > 0 }
        func arrivals() -> Int {
            looks += 1
            return script.isEmpty ? 0 : script.removeFirst()
        }
    }

    private var directory: TemporaryDirectory!
    private var worker: ScoringWorker!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(prefix: "gather")
        let configuration = try TestConfiguration.inDirectory(directory)
        worker = try ScoringWorker(configuration: configuration, name: "gather-test")
        worker.gatherDelay = 0.2
        worker.arrivalGap = 0.001
    }

    override func tearDownWithError() throws {
        worker = nil
        directory.remove()
    }

    func testALoneJobABacklogOrNoArrivalsNeverWait() throws {
        let start = SystemClock.monotonic()
        XCTAssertFalse(try worker.gather(claimed: 1, claimStarted: start, arrivals: ScriptedArrivals([5, 5, 5])), "a lone job")
        XCTAssertFalse(try worker.gather(claimed: worker.batchSize, claimStarted: start, arrivals: ScriptedArrivals([5, 5])), "a full batch")
        let quiet = ScriptedArrivals([])
        XCTAssertFalse(try worker.gather(claimed: 10, claimStarted: start, arrivals: quiet), "nothing arrived while scoring: clients wait on results")
        XCTAssertEqual(quiet.looks, 1)
    }

    func testItStopsWhenArrivalsPause() throws {
        let arrivals = ScriptedArrivals([1, 1, 1, 0, 9, 9])
        let start = SystemClock.monotonic()
        XCTAssertTrue(try worker.gather(claimed: 50, claimStarted: start, arrivals: arrivals))
        XCTAssertEqual(arrivals.looks, 4, "the first look, two gaps with arrivals, then a gap without")
        XCTAssertLessThan(SystemClock.monotonic() - start, worker.gatherDelay, "it stopped at the pause, not at the deadline")
    }

    func testItStopsOnceAsManyCommitsAsItClaimedJobsCame() throws {
        let arrivals = ScriptedArrivals(Array(repeating: 1, count: 100))
        XCTAssertTrue(try worker.gather(claimed: 4, claimStarted: SystemClock.monotonic(), arrivals: arrivals))
        XCTAssertEqual(arrivals.looks, 4, "one arrival a look: the fourth makes as many as it claimed")
    }

    func testItWaitsNoLongerThanTheGatherDelay() throws {
        worker.gatherDelay = 0.02
        let arrivals = ScriptedArrivals(Array(repeating: 1, count: 1_000))
        let start = SystemClock.monotonic()
        XCTAssertTrue(try worker.gather(claimed: worker.batchSize - 1, claimStarted: start, arrivals: arrivals))
        let waited = SystemClock.monotonic() - start
        XCTAssertGreaterThanOrEqual(waited, 0.02)
        XCTAssertLessThan(waited, 0.5, "bounded by the delay (generously, for a loaded machine)")
    }
}
