import XCTest

@testable import CreditModel
@testable import CreditScoring

/// The Newton solver reaches the optimum of the penalised log-loss.
final class LogisticRegressionTests: XCTestCase {
    private func problem(rows: Int, seed: UInt64) -> LogisticTrainer {
        var generator = SplitMix64(seed: seed)
        let levelCounts = [3, 5, 2, 4]
        var levels: [Int32] = []
        var labels: [Int] = []
        let truth: [[Double]] = [[-0.5, 0, 0.8], [0.3, -0.2, 0, 0.6, -1], [0.4, -0.4], [0, 0, 1.2, -0.3]]
        for _ in 0..<rows {
            var z = -0.8
            for (input, count) in levelCounts.enumerated() {
                let level = Int.random(in: 0..<count, using: &generator)
                levels.append(Int32(level))
                z += truth[input][level]
            }
            labels.append(Double.random(in: 0..<1, using: &generator) < 1 / (1 + exp(-z)) ? 1 : 0)
        }
        return LogisticTrainer(levelCounts: levelCounts, levels: levels, labels: labels)
    }

    func testNewtonReachesStationaryPoint() throws {
        let trainer = problem(rows: 4000, seed: 1)
        let lambda = 2.0
        let (beta, iterations) = try trainer.solve(lambda: lambda, options: LogisticOptions())
        XCTAssertLessThan(iterations, 20)
        let gradient = trainer.gradient(beta, lambda: lambda)
        let norm = gradient.map { $0 * $0 }.reduce(0, +).squareRoot()
        XCTAssertLessThan(norm / Double(trainer.rows), 1e-9, "gradient norm per row")
    }

    func testNoNearbyPointHasLowerObjective() throws {
        let trainer = problem(rows: 3000, seed: 2)
        let lambda = 1.0
        let beta = try trainer.solve(lambda: lambda, options: LogisticOptions()).beta
        let optimum = trainer.objective(beta, lambda: lambda)
        var generator = SplitMix64(seed: 9)
        for _ in 0..<50 {
            let moved = beta.map { $0 + Double.random(in: -0.01...0.01, using: &generator) }
            XCTAssertGreaterThan(trainer.objective(moved, lambda: lambda), optimum)
        }
        // Mean log-loss at the optimum is within 1e-6 of a much longer run from another start.
        var options = LogisticOptions()
        options.tolerance = 0
        options.maxIterations = 40
        let polished = try trainer.solve(lambda: lambda, options: options, start: [Double](repeating: 0.3, count: beta.count)).beta
        XCTAssertEqual(optimum / Double(trainer.rows), trainer.objective(polished, lambda: lambda) / Double(trainer.rows), accuracy: 1e-6)
    }

    func testRecoversGeneratingWeightsWithWeakPenalty() throws {
        let trainer = problem(rows: 60000, seed: 3)
        let beta = try trainer.solve(lambda: 0.01, options: LogisticOptions()).beta
        let model = trainer.model(from: beta, lambda: 0.01)
        // Differences between levels are identified (the absolute level is shared with the intercept).
        XCTAssertEqual(model.weights[0][2] - model.weights[0][0], 1.3, accuracy: 0.1)
        XCTAssertEqual(model.weights[1][3] - model.weights[1][4], 1.6, accuracy: 0.12)
        XCTAssertEqual(model.weights[2][0] - model.weights[2][1], 0.8, accuracy: 0.08)
    }

    func testContributionsSumToScoreMinusBase() throws {
        let trainer = problem(rows: 1000, seed: 4)
        let model = trainer.model(from: try trainer.solve(lambda: 1, options: LogisticOptions()).beta, lambda: 1)
        let levels: [Int32] = [2, 0, 1, 3]
        let sum = model.contributions(levels: levels).reduce(model.baseValue, +)
        XCTAssertEqual(sum, model.rawScore(levels: levels), accuracy: 1e-12)
    }

    func testCholeskySolvesKnownSystem() {
        let a: [Double] = [4, 12, -16, 12, 37, -43, -16, -43, 98]
        let x = choleskySolve(a, [1, 2, 3], 3)!
        for row in 0..<3 {
            let product = (0..<3).reduce(0.0) { $0 + a[row * 3 + $1] * x[$1] }
            XCTAssertEqual(product, [1.0, 2, 3][row], accuracy: 1e-9)
        }
        XCTAssertNil(choleskySolve([1, 2, 2, 1], [1, 1], 2), "indefinite matrix must be refused")
    }

    /// Input 1's true weights go up and down ([0.3, -0.2, 0, 0.6, -1]); held to a falling risk over
    /// its first four levels (the fifth free, as a missing level is), the fit never rises there,
    /// the free inputs keep their shape, and it costs little log-loss.
    func testMonotoneBinsNeverGoTheWrongWayAndLeaveTheRestFree() throws {
        let trainer = problem(rows: 6000, seed: 3)
        let free = try trainer.solve(lambda: 1, options: LogisticOptions()).beta
        let (beta, _) = try trainer.solveMonotone(lambda: 1, options: LogisticOptions(), constraints: [0, -1, 0, 0], binCounts: [0, 4, 0, 0])
        let weights = (0..<5).map { beta[trainer.offsets[1] + $0] }
        let freeWeights = (0..<5).map { free[trainer.offsets[1] + $0] }
        XCTAssertTrue(
            zip(freeWeights.dropLast(2), freeWeights.dropFirst().dropLast()).contains { $1 > $0 }, "unconstrained, the risk rises somewhere")
        for level in 1..<4 { XCTAssertLessThanOrEqual(weights[level], weights[level - 1] + 1e-12, "level \(level): \(weights)") }
        XCTAssertLessThan(weights[4], weights[3], "the free level keeps its own weight (truth −1)")
        // Input 3 is free: its level 2 (truth 1.2) stays the largest.
        XCTAssertEqual((0..<4).max { beta[trainer.offsets[3] + $0] < beta[trainer.offsets[3] + $1] }, 2)
        let cost = trainer.objective(beta, lambda: 1) - trainer.objective(free, lambda: 1)
        XCTAssertGreaterThan(cost, 0, "a constraint that binds costs something")
        XCTAssertLessThan(cost / Double(trainer.rows), 0.01, "and not much")
    }
}
