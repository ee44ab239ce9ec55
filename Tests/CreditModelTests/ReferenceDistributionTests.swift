import XCTest

@testable import CreditModel
@testable import CreditScoring

/// The bins and stability indexes behind `credit monitor`.
final class ReferenceDistributionTests: XCTestCase {
    func testDecilesMissingValuesAndTies() {
        let bins = BinnedShares.deciles((1...100).map { Double($0) } + [nil, nil])
        XCTAssertEqual(bins.edges, [11, 21, 31, 41, 51, 61, 71, 81, 91])
        XCTAssertEqual(bins.shares.count, 11)
        XCTAssertEqual(bins.shares.last!, 2.0 / 102, accuracy: 1e-12, "the missing bin")
        XCTAssertEqual(bins.bin(10.99), 0)
        XCTAssertEqual(bins.bin(11), 1, "a value on an edge goes above it")
        XCTAssertEqual(bins.bin(1e9), 9)
        XCTAssertEqual(bins.bin(Double?.none), 10)
        XCTAssertEqual(bins.bin(.nan), 10)
        // Heavy ties: one edge, not nine equal ones, and nothing below the smallest value.
        let tied = BinnedShares.deciles(Array(repeating: 0.0, count: 90) + (1...10).map { Double($0) })
        XCTAssertEqual(tied.edges, [1])
        XCTAssertEqual(tied.shares, [0.9, 0.1, 0])
    }

    func testCodesKeepTheTenCommonestThenOtherThenMissing() {
        let values: [FieldValue] = (0..<12).flatMap { code in Array(repeating: FieldValue.text("c\(code)"), count: 20 - code) } + [.missing]
        let bins = BinnedShares.codes(values)
        XCTAssertEqual(bins.codes, (0..<10).map { "c\($0)" })
        XCTAssertEqual(bins.bin(.text("c11")), 10, "a rarer or unseen code is other")
        XCTAssertEqual(bins.bin(.text("never seen")), 10)
        XCTAssertEqual(bins.bin(.missing), 11)
        XCTAssertEqual(bins.shares.reduce(0, +), 1, accuracy: 1e-12)
    }

    func testStabilityIsZeroForTheSameSharesAndGrowsWithTheShift() {
        let bins = BinnedShares.deciles((1...1000).map { Double($0) })
        XCTAssertEqual(bins.stability(of: bins.shares), 0, accuracy: 1e-12)
        let shifted = bins.shares(of: (1...1000).map { bins.bin(Double($0) * 1.2) })
        let more = bins.shares(of: (1...1000).map { bins.bin(Double($0) * 2) })
        XCTAssertGreaterThan(bins.stability(of: shifted), 0.01)
        XCTAssertGreaterThan(bins.stability(of: more), bins.stability(of: shifted))
        // By hand: half the mass moved from the first bin into the second.
        let twoBins = BinnedShares(edges: [0], codes: nil, shares: [0.5, 0.5, 0])
        XCTAssertEqual(twoBins.stability(of: [0.25, 0.75, 0]), (0.25 - 0.5) * log(0.25 / 0.5) + (0.75 - 0.5) * log(0.75 / 0.5), accuracy: 1e-12)
    }
}
