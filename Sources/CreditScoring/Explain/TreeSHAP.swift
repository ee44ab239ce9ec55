/// Exact Shapley values of a tree ensemble's raw score (path-dependent TreeSHAP, Lundberg et al. 2018).
///
/// For inputs `x`, `contributions(x)` returns one value per input such that
/// `expectedValue + sum(contributions) == rawScore(x)`, where the expected value weights each leaf
/// by the training rows that reached it.
public struct TreeExplainer: Sendable {
    public let ensemble: TreeEnsemble
    /// Cover-weighted mean raw score: the score of an "average" training applicant.
    public let expectedValue: Double
    private let maxDepth: Int
    /// Precomputed per-leaf tables, when every tree is shallow enough for them.
    private let tables: LeafPatternTables?

    public init(ensemble: TreeEnsemble) { self.init(ensemble: ensemble, maxTabulatedSplits: 10) }

    /// `maxTabulatedSplits`: see ``LeafPatternTables``; tests set 0 to exercise the leaf-by-leaf path.
    init(ensemble: TreeEnsemble, maxTabulatedSplits: Int) {
        self.ensemble = ensemble
        var expected = ensemble.baseScore
        var depth = 0
        for tree in ensemble.trees {
            expected += Self.expectedValue(of: tree, node: 0)
            depth = max(depth, Self.depth(of: tree, node: 0))
        }
        expectedValue = expected
        maxDepth = depth
        tables = depth <= LeafPatternTables.maxUniqueFeatures ? LeafPatternTables(ensemble, maxTabulatedSplits: maxTabulatedSplits) : nil
    }

    /// Shapley values of every input for `x` (length ``TreeEnsemble/inputCount``).
    public func contributions(_ x: [Double]) -> [Double] {
        guard let tables else { return referenceContributions(x) }
        var phi = [Double](repeating: 0, count: ensemble.inputCount)
        x.withUnsafeBufferPointer { x in phi.withUnsafeMutableBufferPointer { phi in tables.accumulate(x, into: phi) } }
        return phi
    }

    private static func expectedValue(of tree: RegressionTree, node: Int) -> Double {
        if tree.feature[node] < 0 { return tree.value[node] }
        let left = Int(tree.left[node]), right = Int(tree.right[node])
        let cover = tree.cover[node]
        guard cover > 0 else { return 0 }
        return (tree.cover[left] * expectedValue(of: tree, node: left) + tree.cover[right] * expectedValue(of: tree, node: right)) / cover
    }

    private static func depth(of tree: RegressionTree, node: Int) -> Int {
        if tree.feature[node] < 0 { return 0 }
        return 1 + max(depth(of: tree, node: Int(tree.left[node])), depth(of: tree, node: Int(tree.right[node])))
    }

    /// Shapley values computed by the recursive path algorithm; the reference that
    /// ``LeafPatternTables`` reproduces faster.
    func referenceContributions(_ x: [Double]) -> [Double] {
        var phi = [Double](repeating: 0, count: ensemble.inputCount)
        let pathCapacity = (maxDepth + 2) * (maxDepth + 3) / 2
        var path = [PathElement](repeating: PathElement(), count: pathCapacity)
        x.withUnsafeBufferPointer { x in
            path.withUnsafeMutableBufferPointer { path in
                phi.withUnsafeMutableBufferPointer { phi in
                    for tree in ensemble.trees {
                        let walker = Walker(tree: tree, x: x, phi: phi)
                        walker.recurse(node: 0, depth: 0, path: path.baseAddress!, zeroFraction: 1, oneFraction: 1, feature: -1)
                    }
                }
            }
        }
        return phi
    }
}

/// One element of the path of unique features from the root to the current node.
struct PathElement {
    var feature: Int = -1
    var zeroFraction: Double = 0
    var oneFraction: Double = 0
    var weight: Double = 0
}

struct Walker {
    let tree: RegressionTree
    let x: UnsafeBufferPointer<Double>
    let phi: UnsafeMutableBufferPointer<Double>

    /// `parent` holds `depth + 1` elements; this node's path is written right after them.
    func recurse(
        node: Int, depth uniqueDepth: Int, path parent: UnsafeMutablePointer<PathElement>,
        zeroFraction: Double, oneFraction: Double, feature: Int
    ) {
        var depth = uniqueDepth
        let path = parent + depth + 1
        path.update(from: parent, count: depth + 1)
        Self.extend(path, depth, zeroFraction, oneFraction, feature)
        let split = Int(tree.feature[node])
        if split < 0 {
            let leafValue = tree.value[node]
            if depth > 0 {
                for index in 1...depth {
                    let weight = Self.unwoundSum(path, depth, index)
                    let element = path[index]
                    phi[element.feature] += weight * (element.oneFraction - element.zeroFraction) * leafValue
                }
            }
            return
        }
        let input = x[split]
        let goLeft = input.isNaN ? tree.defaultLeft[node] : input <= tree.cut[node]
        let hot = Int(goLeft ? tree.left[node] : tree.right[node])
        let cold = Int(goLeft ? tree.right[node] : tree.left[node])
        let cover = tree.cover[node]
        let hotZero = cover > 0 ? tree.cover[hot] / cover : 0
        let coldZero = cover > 0 ? tree.cover[cold] / cover : 0
        var incomingZero = 1.0, incomingOne = 1.0
        var index = 0
        while index <= depth && path[index].feature != split { index += 1 }
        if index <= depth {
            incomingZero = path[index].zeroFraction
            incomingOne = path[index].oneFraction
            Self.unwind(path, depth, index)
            depth -= 1
        }
        recurse(node: hot, depth: depth + 1, path: path, zeroFraction: hotZero * incomingZero, oneFraction: incomingOne, feature: split)
        recurse(node: cold, depth: depth + 1, path: path, zeroFraction: coldZero * incomingZero, oneFraction: 0, feature: split)
    }

    static func extend(_ path: UnsafeMutablePointer<PathElement>, _ depth: Int, _ zeroFraction: Double, _ oneFraction: Double, _ feature: Int) {
        path[depth] = PathElement(feature: feature, zeroFraction: zeroFraction, oneFraction: oneFraction, weight: depth == 0 ? 1 : 0)
        let total = Double(depth + 1)
        var index = depth - 1
        while index >= 0 {
            path[index + 1].weight += oneFraction * path[index].weight * Double(index + 1) / total
            path[index].weight = zeroFraction * path[index].weight * Double(depth - index) / total
            index -= 1
        }
    }

    static func unwind(_ path: UnsafeMutablePointer<PathElement>, _ depth: Int, _ pathIndex: Int) {
        let oneFraction = path[pathIndex].oneFraction
        let zeroFraction = path[pathIndex].zeroFraction
        var next = path[depth].weight
        let total = Double(depth + 1)
        var index = depth - 1
        while index >= 0 {
            if oneFraction != 0 {
                let saved = path[index].weight
                path[index].weight = next * total / (Double(index + 1) * oneFraction)
                next = saved - path[index].weight * zeroFraction * Double(depth - index) / total
            } else {
                path[index].weight = path[index].weight * total / (zeroFraction * Double(depth - index))
            }
            index -= 1
        }
        for position in pathIndex..<depth {
            path[position].feature = path[position + 1].feature
            path[position].zeroFraction = path[position + 1].zeroFraction
            path[position].oneFraction = path[position + 1].oneFraction
        }
    }

    static func unwoundSum(_ path: UnsafeMutablePointer<PathElement>, _ depth: Int, _ pathIndex: Int) -> Double {
        let oneFraction = path[pathIndex].oneFraction
        let zeroFraction = path[pathIndex].zeroFraction
        var next = path[depth].weight
        var total = 0.0
        let count = Double(depth + 1)
        var index = depth - 1
        while index >= 0 {
            if oneFraction != 0 {
                let term = next * count / (Double(index + 1) * oneFraction)
                total += term
                next = path[index].weight - term * zeroFraction * (Double(depth - index) / count)
            } else {
                total += (path[index].weight / zeroFraction) / (Double(depth - index) / count)
            }
            index -= 1
        }
        return total
    }
}
