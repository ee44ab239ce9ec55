import XCTest

@testable import CreditModel
@testable import CreditScoring

/// TreeSHAP against exact Shapley values computed by brute force over every feature subset.
final class TreeSHAPTests: XCTestCase {
    /// A small ensemble trained on random data with missing values, so paths repeat features and use defaults.
    private func trainedEnsemble(features: Int, rows: Int, seed: UInt64) throws -> (TreeEnsemble, [[Double]]) {
        var generator = SplitMix64(seed: seed)
        var matrix = [Double](repeating: 0, count: rows * features)
        var labels: [Int] = []
        var points: [[Double]] = []
        for row in 0..<rows {
            var point: [Double] = []
            for feature in 0..<features {
                let missing = Double.random(in: 0..<1, using: &generator) < 0.1
                point.append(missing ? .nan : Double.random(in: 0..<1, using: &generator))
            }
            for feature in 0..<features { matrix[feature * rows + row] = point[feature] }
            let signal = (point[0].isNaN ? 0.7 : point[0]) + (point[1] > 0.5 ? 0.5 : 0) - point[2] * point[0].magnitude
            labels.append(Double.random(in: 0..<1, using: &generator) < 1 / (1 + exp(-3 * (signal - 0.6))) ? 1 : 0)
            points.append(point)
        }
        var options = BoostingOptions()
        options.maxTrees = 12
        options.maxLeaves = 9
        options.minRowsInLeaf = 5
        options.earlyStoppingRounds = 100
        options.learningRate = 0.3
        options.seed = seed
        let result = try BoostingTrainer(options: options).train(
            train: matrix, trainLabels: labels, valid: matrix, validLabels: labels,
            inputCount: features)
        return (result.ensemble, points)
    }

    /// E[f(x) | x_S] with the path-dependent (cover-weighted) expectation over features outside S.
    private func conditionalExpectation(_ tree: RegressionTree, _ node: Int, _ x: [Double], _ known: Set<Int>) -> Double {
        let feature = Int(tree.feature[node])
        if feature < 0 { return tree.value[node] }
        let left = Int(tree.left[node]), right = Int(tree.right[node])
        if known.contains(feature) {
            let goLeft = x[feature].isNaN ? tree.defaultLeft[node] : x[feature] <= tree.cut[node]
            return conditionalExpectation(tree, goLeft ? left : right, x, known)
        }
        return
            (tree.cover[left] * conditionalExpectation(tree, left, x, known)
            + tree.cover[right] * conditionalExpectation(tree, right, x, known)) / tree.cover[node]
    }

    private func bruteForceShapley(_ ensemble: TreeEnsemble, _ x: [Double]) -> [Double] {
        let m = ensemble.inputCount
        func factorial(_ n: Int) -> Double { n <= 1 ? 1 : Double(n) * factorial(n - 1) }
        func value(_ subset: Set<Int>) -> Double {
            ensemble.trees.reduce(ensemble.baseScore) { $0 + conditionalExpectation($1, 0, x, subset) }
        }
        var phi = [Double](repeating: 0, count: m)
        for feature in 0..<m {
            let others = (0..<m).filter { $0 != feature }
            for mask in 0..<(1 << others.count) {
                let subset = Set(others.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element))
                let weight = factorial(subset.count) * factorial(m - subset.count - 1) / factorial(m)
                phi[feature] += weight * (value(subset.union([feature])) - value(subset))
            }
        }
        return phi
    }

    func testContributionsMatchBruteForceShapley() throws {
        let (ensemble, points) = try trainedEnsemble(features: 5, rows: 800, seed: 7)
        XCTAssertGreaterThan(ensemble.trees.count, 3)
        let explainer = TreeExplainer(ensemble: ensemble)
        let leafByLeaf = TreeExplainer(ensemble: ensemble, maxTabulatedSplits: 0)
        XCTAssertTrue(ensemble.trees.allSatisfy { $0.feature.filter { $0 >= 0 }.count <= 10 }, "every tree is tabulated")
        for point in points.prefix(25) {
            let exact = bruteForceShapley(ensemble, point)
            let fast = explainer.contributions(point)
            let leaves = leafByLeaf.contributions(point)
            let reference = explainer.referenceContributions(point)
            for feature in 0..<5 {
                XCTAssertEqual(fast[feature], exact[feature], accuracy: 1e-9, "feature \(feature) at \(point)")
                XCTAssertEqual(leaves[feature], exact[feature], accuracy: 1e-9, "feature \(feature) at \(point), leaf by leaf")
                XCTAssertEqual(reference[feature], exact[feature], accuracy: 1e-9, "feature \(feature) at \(point)")
            }
        }
    }

    func testContributionsAddUpToRawScore() throws {
        let (ensemble, points) = try trainedEnsemble(features: 6, rows: 1500, seed: 11)
        let explainer = TreeExplainer(ensemble: ensemble)
        let forest = FlatForest(ensemble)
        for point in points.prefix(200) {
            let raw = point.withUnsafeBufferPointer { forest.rawScore($0) }
            let treeRaw = point.withUnsafeBufferPointer { ensemble.rawScore($0) }
            XCTAssertEqual(raw, treeRaw, accuracy: 1e-12)
            let sum = explainer.contributions(point).reduce(explainer.expectedValue, +)
            XCTAssertEqual(sum, raw, accuracy: 1e-9)
        }
    }

    func testExpectedValueIsCoverWeightedMeanOfTrainingScores() throws {
        // With no row subsampling the covers are training counts, so the expected value is the training mean raw score.
        var generator = SplitMix64(seed: 3)
        let rows = 500
        let x = (0..<rows).map { _ in Double.random(in: 0..<1, using: &generator) }
        let labels = x.map { Double.random(in: 0..<1, using: &generator) < $0 ? 1 : 0 }
        var options = BoostingOptions()
        options.rowSubsample = 1
        options.featureSubsample = 1
        options.maxTrees = 5
        options.minRowsInLeaf = 10
        let ensemble = try BoostingTrainer(options: options).train(train: x, trainLabels: labels, valid: x, validLabels: labels, inputCount: 1)
            .ensemble
        let mean = x.map { value in [value].withUnsafeBufferPointer { ensemble.rawScore($0) } }.reduce(0, +) / Double(rows)
        XCTAssertEqual(TreeExplainer(ensemble: ensemble).expectedValue, mean, accuracy: 1e-9)
    }
}

final class ReasonOrderTests: XCTestCase {
    /// The short-list selection gives the same reasons, in the same order, as a stable full sort,
    /// ties included (contributions drawn from a few values so that many are equal).
    func testTheStrongestReasonsMatchAStableSort() {
        var generator = SplitMix64(seed: 7)
        for _ in 0..<500 {
            let contributions = (0..<Int(generator.next() % 40)).map { _ in [-0.3, -0.1, -1e-10, 0, 1e-10, 0.1, 0.2, 0.3][Int(generator.next() % 8)] }
            let count = Int(generator.next() % 5)
            let order = contributions.indices.sorted { contributions[$0] > contributions[$1] }
            let raising = Array(order.prefix(count).filter { contributions[$0] > 1e-9 })
            let lowering = Array(order.reversed().prefix(count).filter { contributions[$0] < -1e-9 })
            XCTAssertEqual(
                ReasonWriter.first(
                    count, of: contributions.indices, where: { contributions[$0] > 1e-9 },
                    precedes: { contributions[$0] > contributions[$1] }), raising, "\(contributions)")
            XCTAssertEqual(
                ReasonWriter.first(
                    count, of: contributions.indices, where: { contributions[$0] < -1e-9 },
                    precedes: { contributions[$0] <= contributions[$1] }), lowering, "\(contributions)")
        }
    }
}
