import XCTest

@testable import CreditModel
@testable import CreditScoring

/// Histogram tree learning: split finding, missing values, determinism, early stopping.
final class GradientBoostingTests: XCTestCase {
    private func options(_ change: (inout BoostingOptions) -> Void) -> BoostingOptions {
        var options = BoostingOptions()
        options.minRowsInLeaf = 10
        options.rowSubsample = 1
        options.featureSubsample = 1
        change(&options)
        return options
    }

    func testSingleSplitFindsTheStep() throws {
        var generator = SplitMix64(seed: 1)
        let rows = 4000
        let x = (0..<rows).map { _ in Double.random(in: 0..<1, using: &generator) }
        let labels = x.map { Double.random(in: 0..<1, using: &generator) < ($0 > 0.6 ? 0.9 : 0.1) ? 1 : 0 }
        let opts = options {
            $0.maxLeaves = 2; $0.maxTrees = 1; $0.learningRate = 1
        }
        let tree = try BoostingTrainer(options: opts).train(train: x, trainLabels: labels, valid: x, validLabels: labels, inputCount: 1).ensemble
            .trees[0]
        XCTAssertEqual(tree.feature[0], 0)
        XCTAssertEqual(tree.cut[0], 0.6, accuracy: 0.02)
        XCTAssertLessThan(tree.value[Int(tree.left[0])], 0, "low x is the good side")
        XCTAssertGreaterThan(tree.value[Int(tree.right[0])], 0)
    }

    func testMissingValuesGoToTheSideTheyResemble() throws {
        var generator = SplitMix64(seed: 2)
        let rows = 4000
        var x: [Double] = []
        var labels: [Int] = []
        for _ in 0..<rows {
            let value = Double.random(in: 0..<1, using: &generator)
            let missing = Double.random(in: 0..<1, using: &generator) < 0.2
            // Missing rows are as risky as high values.
            let risky = missing || value > 0.5
            x.append(missing ? .nan : value)
            labels.append(Double.random(in: 0..<1, using: &generator) < (risky ? 0.8 : 0.2) ? 1 : 0)
        }
        let opts = options {
            $0.maxLeaves = 2; $0.maxTrees = 1
        }
        let tree = try BoostingTrainer(options: opts).train(train: x, trainLabels: labels, valid: x, validLabels: labels, inputCount: 1).ensemble
            .trees[0]
        XCTAssertEqual(tree.cut[0], 0.5, accuracy: 0.03)
        XCTAssertFalse(tree.defaultLeft[0], "missing should join the risky right side")
    }

    func testLearnsAnInteraction() throws {
        var generator = SplitMix64(seed: 3)
        func sample(_ rows: Int) -> ([Double], [Int]) {
            var a: [Double] = [], b: [Double] = [], labels: [Int] = []
            for _ in 0..<rows {
                let x = Double.random(in: 0..<1, using: &generator), y = Double.random(in: 0..<1, using: &generator)
                a.append(x); b.append(y)
                labels.append((x > 0.5) != (y > 0.5) ? 1 : 0)
            }
            return (a + b, labels)
        }
        let (train, trainLabels) = sample(3000)
        let (valid, validLabels) = sample(1000)
        let opts = options {
            $0.maxTrees = 100; $0.learningRate = 0.3
        }
        let ensemble = try BoostingTrainer(options: opts).train(
            train: train, trainLabels: trainLabels, valid: valid, validLabels: validLabels, inputCount: 2
        ).ensemble
        let scores = (0..<1000).map { row in [valid[row], valid[1000 + row]].withUnsafeBufferPointer { ensemble.rawScore($0) } }
        XCTAssertGreaterThan(Metrics.auc(scores, validLabels), 0.97)
    }

    /// Risk shaped like a U in x0 (and rising with x1): with x0 constrained to lower the risk as it
    /// grows, the model's output never rises along x0 whatever x1 is; without, it does.
    func testMonotoneConstraintHoldsEverywhereAndBindsOnlyWhereAsked() throws {
        var generator = SplitMix64(seed: 11)
        func sample(_ rows: Int) -> ([Double], [Int]) {
            var a: [Double] = [], b: [Double] = [], labels: [Int] = []
            for _ in 0..<rows {
                let x = Double.random(in: 0..<1, using: &generator), y = Double.random(in: 0..<1, using: &generator)
                a.append(x); b.append(y)
                let p = 0.1 + 0.5 * abs(x - 0.5) * 2 + (y > 0.5 ? 0.3 : 0)
                labels.append(Double.random(in: 0..<1, using: &generator) < p ? 1 : 0)
            }
            return (a + b, labels)
        }
        let (train, trainLabels) = sample(6000)
        let (valid, validLabels) = sample(2000)
        func fit(_ constraints: [Int]?) throws -> TreeEnsemble {
            let opts = options {
                $0.maxTrees = 200; $0.learningRate = 0.1; $0.earlyStoppingRounds = 1000; $0.monotoneConstraints = constraints
            }
            return try BoostingTrainer(options: opts).train(
                train: train, trainLabels: trainLabels, valid: valid, validLabels: validLabels, inputCount: 2
            ).ensemble
        }
        func largestRise(_ ensemble: TreeEnsemble) -> Double {
            var rise = -Double.infinity
            for y in stride(from: 0.05, to: 1, by: 0.1) {
                var previous = Double.infinity * -1
                for step in 0...100 {
                    let score = [Double(step) / 100, y].withUnsafeBufferPointer { ensemble.rawScore($0) }
                    if step > 0 { rise = max(rise, score - previous) }
                    previous = score
                }
            }
            return rise
        }
        let constrained = try fit([-1, 0])
        XCTAssertLessThanOrEqual(largestRise(constrained), 1e-12, "the output never rises along x0")
        XCTAssertGreaterThan(largestRise(try fit(nil)), 0.05, "unconstrained, the U shows (so the check can fail)")
        // x1 stays free and is still learned: higher x1, higher risk.
        let low = [0.5, 0.2].withUnsafeBufferPointer { constrained.rawScore($0) },
            high = [0.5, 0.8].withUnsafeBufferPointer { constrained.rawScore($0) }
        XCTAssertGreaterThan(high - low, 0.5)
        let scores = (0..<2000).map { row in [valid[row], valid[2000 + row]].withUnsafeBufferPointer { constrained.rawScore($0) } }
        XCTAssertGreaterThan(Metrics.auc(scores, validLabels), 0.6)
    }

    func testSameSeedSameTreesOtherSeedOtherTrees() throws {
        var generator = SplitMix64(seed: 4)
        let rows = 2000
        let matrix = (0..<(rows * 3)).map { _ in Double.random(in: 0..<1, using: &generator) }
        let labels = (0..<rows).map { matrix[$0] + matrix[rows + $0] > Double.random(in: 0..<2, using: &generator) ? 1 : 0 }
        func train(seed: UInt64, threads: Int) throws -> [RegressionTree] {
            let opts = options {
                $0.maxTrees = 20; $0.rowSubsample = 0.7; $0.featureSubsample = 0.67; $0.seed = seed; $0.threads = threads
            }
            return try BoostingTrainer(options: opts).train(train: matrix, trainLabels: labels, valid: matrix, validLabels: labels, inputCount: 3)
                .ensemble.trees
        }
        XCTAssertEqual(try train(seed: 1, threads: 2), try train(seed: 1, threads: 2))
        XCTAssertEqual(try train(seed: 1, threads: 1), try train(seed: 1, threads: 2), "thread count must not change the model")
        XCTAssertNotEqual(try train(seed: 1, threads: 2), try train(seed: 2, threads: 2))
    }

    func testEarlyStoppingOnNoise() throws {
        var generator = SplitMix64(seed: 5)
        let rows = 2000
        let train = (0..<rows).map { _ in Double.random(in: 0..<1, using: &generator) }
        let labels = (0..<rows).map { _ in Int.random(in: 0...1, using: &generator) }
        let valid = (0..<rows).map { _ in Double.random(in: 0..<1, using: &generator) }
        let validLabels = (0..<rows).map { _ in Int.random(in: 0...1, using: &generator) }
        let opts = options {
            $0.maxTrees = 500; $0.earlyStoppingRounds = 20
        }
        let result = try BoostingTrainer(options: opts).train(
            train: train, trainLabels: labels, valid: valid, validLabels: validLabels, inputCount: 1)
        XCTAssertLessThan(result.bestIteration, 100)
        XCTAssertEqual(result.ensemble.trees.count, result.bestIteration)
    }

    func testRejectsBadOptions() {
        let opts = options { $0.learningRate = 0 }
        XCTAssertThrowsError(
            try BoostingTrainer(options: opts).train(train: [1, 2], trainLabels: [0, 1], valid: [1], validLabels: [1], inputCount: 1))
    }

    func testBinCutsSeparateDistinctValues() {
        let cuts = BinnedMatrix.cutPoints(sortedValues: [1, 1, 2, 3, 3, 3], maxBins: 255)
        XCTAssertEqual(cuts, [1.5, 2.5])
        let many = (0..<10000).map(Double.init)
        let quantileCuts = BinnedMatrix.cutPoints(sortedValues: many, maxBins: 255)
        XCTAssertLessThanOrEqual(quantileCuts.count, 253)
        XCTAssertGreaterThan(quantileCuts.count, 200)
        XCTAssertEqual(BinnedMatrix.bin(of: .nan, cuts: cuts), 0)
        XCTAssertEqual(BinnedMatrix.bin(of: 1, cuts: cuts), 1)
        XCTAssertEqual(BinnedMatrix.bin(of: 2.7, cuts: cuts), 3)
    }
}
