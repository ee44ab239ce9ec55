import CreditSystem
import Foundation
import XCTest

@testable import CreditModel
@testable import CreditScoring

/// Metrics against hand-computed values; calibration, policy and score scale.
final class MetricsTests: XCTestCase {
    func testAUCWithAndWithoutTies() {
        XCTAssertEqual(Metrics.auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75, accuracy: 1e-12)
        // Pairs (bad, good): (0.5, 0.5) tie counts 1/2, (0.5, 0.2) wins, (0.9, both) win: 3.5 / 4.
        XCTAssertEqual(Metrics.auc([0.5, 0.9, 0.5, 0.2], [1, 1, 0, 0]), 0.875, accuracy: 1e-12)
        XCTAssertEqual(Metrics.auc([0.3, 0.2], [1, 1]), 0.5, "one class only")
    }

    func testKSBrierLogLoss() {
        // Sorted by score: bads at 0.9, 0.6; goods at 0.7, 0.2. After 0.9: tpr 0.5, fpr 0 → gap 0.5.
        XCTAssertEqual(Metrics.ks([0.9, 0.7, 0.6, 0.2], [1, 0, 1, 0]), 0.5, accuracy: 1e-12)
        XCTAssertEqual(Metrics.brier([0.8, 0.3], [1, 0]), (0.04 + 0.09) / 2, accuracy: 1e-12)
        XCTAssertEqual(Metrics.logLoss([0.8, 0.3], [1, 0]), -(log(0.8) + log(0.7)) / 2, accuracy: 1e-12)
        let curve = Metrics.rocCurve([0.9, 0.7, 0.6, 0.2], [1, 0, 1, 0])
        XCTAssertEqual(curve.first?.fpr, 0)
        XCTAssertEqual(curve.last?.tpr, 1)
        XCTAssertEqual(curve.map(\.fpr), curve.map(\.fpr).sorted())
    }

    func testCalibrationTableCoversEveryRow() {
        let probabilities = (0..<1005).map { Double($0) / 1005 }
        let labels = probabilities.map { $0 > 0.5 ? 1 : 0 }
        let table = Metrics.calibrationTable(probabilities, labels)
        XCTAssertEqual(table.count, 10)
        XCTAssertEqual(table.reduce(0) { $0 + $1.count }, 1005)
        XCTAssertEqual(table.map(\.meanPredicted), table.map(\.meanPredicted).sorted())
        XCTAssertEqual(table.first?.observedRate, 0)
        XCTAssertEqual(table.last?.observedRate, 1)
    }

    func testPlattRecoversAKnownCalibration() {
        var generator = SplitMix64(seed: 5)
        let raw = (0..<20_000).map { _ in Double.random(in: -3...3, using: &generator) }
        let labels = raw.map { Double.random(in: 0..<1, using: &generator) < 1 / (1 + exp(-(2 * $0 - 1))) ? 1 : 0 }
        let fitted = PlattCalibration.fit(raw: raw, labels: labels)
        XCTAssertEqual(fitted.slope, 2, accuracy: 0.1)
        XCTAssertEqual(fitted.intercept, -1, accuracy: 0.1)
    }

    func testPolicySharesAndScoreScale() throws {
        let pds = (1...100).map { Double($0) / 100 }
        let policy = try DecisionPolicy.fromShares(validationProbabilities: pds, approveShare: 0.5, rejectShare: 0.2)
        let decisions = pds.map { policy.decision(probability: $0) }
        XCTAssertEqual(decisions.filter { $0 == .approve }.count, 50)
        XCTAssertEqual(decisions.filter { $0 == .reject }.count, 20)
        XCTAssertThrowsError(try DecisionPolicy.fromShares(validationProbabilities: pds, approveShare: 0.7, rejectShare: 0.5))
        let scale = ScoreScale()
        XCTAssertEqual(scale.score(probability: 1.0 / 51), 600, "600 points at odds 50:1")
        XCTAssertEqual(scale.score(probability: 1.0 / 101), 620, "20 more when the odds double")
        XCTAssertEqual(scale.score(probability: 1e-300), 1000)
        XCTAssertEqual(scale.score(probability: 1), 0)
    }

    func testSHA256KnownVectors() {
        XCTAssertEqual(SHA256Digest.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256Digest.hex([UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(
            SHA256Digest.hex(Array(repeating: UInt8(ascii: "a"), count: 1_000_000)),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}
