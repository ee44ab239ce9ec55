import CreditScoring
import Dispatch
import Foundation

/// One line of training progress.
public struct BoostingProgress: Sendable {
    public var trees: Int
    public var validLogLoss: Double
    public var validAUC: Double?
}

/// Trains a ``TreeEnsemble`` on histograms, leaf-wise, with early stopping on a validation set.
public struct BoostingTrainer {
    public var options: BoostingOptions

    public init(options: BoostingOptions) {
        self.options = options
    }

    /// Trains on column-major `train` inputs and stops early on `valid`; `progress` is called every few trees.
    public func train(
        train: [Double], trainLabels: [Int], valid: [Double], validLabels: [Int], inputCount: Int,
        progress: ((BoostingProgress) -> Void)? = nil
    ) throws(ModelError) -> (ensemble: TreeEnsemble, bestIteration: Int) {
        try options.validate()
        let rows = trainLabels.count
        let validRows = validLabels.count
        guard rows > 0, validRows > 0 else { throw .invalidTrainingData("training and validation sets must not be empty") }
        let binned = BinnedMatrix(columnMajor: train, rows: rows, columns: inputCount, maxBins: options.maxBins)
        let validBinned = BinnedMatrix(columnMajor: valid, rows: validRows, columns: inputCount, cuts: binned.cuts)
        let prior = Double(trainLabels.reduce(0, +)) / Double(rows)
        guard prior > 0, prior < 1 else { throw .invalidTrainingData("training labels must contain both outcomes") }
        let baseScore = log(prior / (1 - prior))

        var grower = TreeGrower(data: binned, options: options)
        var generator = SplitMix64(seed: options.seed)
        var trainScores = [Double](repeating: baseScore, count: rows)
        var validScores = [Double](repeating: baseScore, count: validRows)
        var gradients = [Double](repeating: 0, count: rows)
        var hessians = [Double](repeating: 0, count: rows)
        var trees: [RegressionTree] = []
        var bestLoss = Double.infinity
        var bestIteration = 0
        let labelsAsDouble = trainLabels.map(Double.init)
        let featureCount = max(1, Int((Double(inputCount) * options.featureSubsample).rounded()))

        for iteration in 1...options.maxTrees {
            for row in 0..<rows {
                let p = sigmoid(trainScores[row])
                gradients[row] = p - labelsAsDouble[row]
                hessians[row] = max(p * (1 - p), 1e-16)
            }
            var sample: [Int32] = []
            sample.reserveCapacity(rows)
            if options.rowSubsample < 1 {
                let threshold = UInt64(options.rowSubsample * Double(UInt64.max))
                for row in 0..<rows where generator.next() <= threshold { sample.append(Int32(row)) }
            } else {
                sample = (0..<rows).map(Int32.init)
            }
            var mask = [Bool](repeating: featureCount == inputCount, count: inputCount)
            if featureCount < inputCount {
                var order = Array(0..<inputCount)
                order.shuffle(using: &generator)
                for input in order.prefix(featureCount) { mask[input] = true }
            }
            let tree = grower.grow(gradients: gradients, hessians: hessians, sample: sample, featureMask: mask)
            binned.addPredictions(of: tree, to: &trainScores)
            validBinned.addPredictions(of: tree, to: &validScores)
            trees.append(tree)

            var loss = 0.0
            for row in 0..<validRows {
                let z = validScores[row]
                loss += (z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))) - Double(validLabels[row]) * z
            }
            loss /= Double(validRows)
            if loss < bestLoss - 1e-12 {
                bestLoss = loss
                bestIteration = iteration
            }
            if let progress, iteration % 50 == 0 {
                progress(BoostingProgress(trees: iteration, validLogLoss: loss, validAUC: Metrics.auc(validScores, validLabels)))
            }
            if iteration - bestIteration >= options.earlyStoppingRounds { break }
        }
        trees.removeLast(trees.count - bestIteration)
        return (TreeEnsemble(baseScore: baseScore, trees: trees, inputCount: inputCount), bestIteration)
    }
}

extension BinnedMatrix {
    /// Adds the tree's output for every row to `scores`, walking the tree on bins.
    func addPredictions(of tree: RegressionTree, to scores: inout [Double]) {
        bins.withUnsafeBufferPointer { bins in
            for row in 0..<rows {
                var node = 0
                let base = row * columns
                while tree.feature[node] >= 0 {
                    let bin = bins[base + Int(tree.feature[node])]
                    let goLeft = bin == 0 ? tree.defaultLeft[node] : bin <= tree.thresholdBin[node]
                    node = Int(goLeft ? tree.left[node] : tree.right[node])
                }
                scores[row] += tree.value[node]
            }
        }
    }
}

/// A pointer that may cross into the worker threads of `concurrentPerform`; each thread writes
/// only its own region.
struct SharedPointer<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>
}

/// Grows one tree leaf by leaf (best gain first), from gradient and hessian histograms.
struct TreeGrower {
    let data: BinnedMatrix
    let options: BoostingOptions
    /// Start of each column's bins in a histogram; bin 0 of a column is its missing bin.
    let offsets: [Int]
    let binCounts: [Int]
    let histogramSize: Int
    private var spare: [[Double]] = []

    init(data: BinnedMatrix, options: BoostingOptions) {
        self.data = data
        self.options = options
        binCounts = data.binCounts
        var offsets: [Int] = []
        var total = 0
        for count in binCounts { offsets.append(total); total += count + 1 }
        self.offsets = offsets
        histogramSize = total * 3
    }

    struct Split {
        var gain = 0.0
        var feature = -1
        var bin = 0
        var defaultLeft = false
        var leftG = 0.0, leftH = 0.0, leftCount = 0.0
        /// The children's outputs (before the learning rate), within the leaf's bounds.
        var leftOutput = 0.0, rightOutput = 0.0
    }

    struct Leaf {
        var begin: Int, end: Int
        var sumG: Double, sumH: Double
        var depth: Int
        var node: Int
        var histogram: [Double]
        var split = Split()
        /// Bounds on this leaf's output that keep constrained inputs monotone (LightGBM's basic method).
        var lower = -Double.infinity, upper = Double.infinity
    }

    /// Per input: +1, -1 or 0 (see ``BoostingOptions/monotoneConstraints``).
    var constraints: [Int] { options.monotoneConstraints ?? [] }

    /// A child's output: its Newton step, held within the bounds.
    func output(_ g: Double, _ h: Double, lower: Double, upper: Double) -> Double {
        min(upper, max(lower, -g / (h + options.lambda)))
    }

    /// The loss reduction of a leaf taking `output` (equal to G²/(H+λ) when it is unbounded).
    func score(_ g: Double, _ h: Double, _ output: Double) -> Double {
        -(2 * g * output + (h + options.lambda) * output * output)
    }

    private mutating func takeHistogram() -> [Double] {
        spare.popLast() ?? [Double](repeating: 0, count: histogramSize)
    }

    /// Fills `histogram` with (gradient, hessian, count) sums per bin over `rows`.
    func buildHistogram(_ rows: ArraySlice<Int32>, _ gradients: [Double], _ hessians: [Double], into histogram: inout [Double]) {
        let threads = rows.count >= 8192 ? min(options.threads, 8) : 1
        let columns = data.columns
        let size = histogramSize
        if threads == 1 {
            histogram.withUnsafeMutableBufferPointer { out in
                Self.accumulate(rows, gradients, hessians, data.bins, offsets, columns, into: out.baseAddress!, size: size)
            }
            return
        }
        var parts = [Double](repeating: 0, count: size * threads)
        let shared = parts.withUnsafeMutableBufferPointer { SharedPointer(base: $0.baseAddress!) }
        let chunk = (rows.count + threads - 1) / threads
        let start = rows.startIndex
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            let lower = start + thread * chunk
            let upper = min(start + (thread + 1) * chunk, rows.endIndex)
            if lower < upper {
                Self.accumulate(
                    rows[lower..<upper], gradients, hessians, data.bins, offsets, columns,
                    into: shared.base + thread * size, size: size)
            }
        }
        withExtendedLifetime(parts) {}
        histogram.withUnsafeMutableBufferPointer { out in
            parts.withUnsafeBufferPointer { parts in
                for index in 0..<size {
                    var sum = 0.0
                    for thread in 0..<threads { sum += parts[thread * size + index] }
                    out[index] = sum
                }
            }
        }
    }

    static func accumulate(
        _ rows: ArraySlice<Int32>, _ gradients: [Double], _ hessians: [Double], _ bins: [UInt8],
        _ offsets: [Int], _ columns: Int, into out: UnsafeMutablePointer<Double>, size: Int
    ) {
        out.initialize(repeating: 0, count: size)
        gradients.withUnsafeBufferPointer { g in
            hessians.withUnsafeBufferPointer { h in
                bins.withUnsafeBufferPointer { bins in
                    offsets.withUnsafeBufferPointer { offsets in
                        for row in rows {
                            let r = Int(row)
                            let gradient = g[r], hessian = h[r]
                            let base = r * columns
                            for column in 0..<columns {
                                let slot = (offsets[column] + Int(bins[base + column])) * 3
                                out[slot] += gradient
                                out[slot + 1] += hessian
                                out[slot + 2] += 1
                            }
                        }
                    }
                }
            }
        }
    }

    /// The best split of a leaf over the allowed columns. With monotone constraints, a split of a
    /// constrained column whose outputs would go the wrong way is not taken, and outputs stay
    /// within the leaf's bounds.
    func bestSplit(
        _ histogram: [Double], sumG: Double, sumH: Double, count: Double, mask: [Bool],
        lower: Double = -.infinity, upper: Double = .infinity
    ) -> Split {
        let constraints = self.constraints
        let parentScore = score(sumG, sumH, output(sumG, sumH, lower: lower, upper: upper))
        let minRows = Double(options.minRowsInLeaf)
        let minHessian = options.minChildWeight
        var best = Split()
        histogram.withUnsafeBufferPointer { hist in
            for column in 0..<data.columns where mask[column] {
                let offset = offsets[column] * 3
                let bins = binCounts[column]
                if bins < 2 { continue }
                let missingG = hist[offset], missingH = hist[offset + 1], missingCount = hist[offset + 2]
                var accG = 0.0, accH = 0.0, accCount = 0.0
                for bin in 1..<bins {
                    let slot = offset + bin * 3
                    accG += hist[slot]; accH += hist[slot + 1]; accCount += hist[slot + 2]
                    // Missing values to the right.
                    var leftG = accG, leftH = accH, leftCount = accCount
                    for missingLeft in [false, true] {
                        if missingLeft {
                            if missingCount == 0 { break }
                            leftG += missingG; leftH += missingH; leftCount += missingCount
                        }
                        let rightG = sumG - leftG, rightH = sumH - leftH, rightCount = count - leftCount
                        if leftCount < minRows || rightCount < minRows || leftH < minHessian || rightH < minHessian { continue }
                        let leftOutput = output(leftG, leftH, lower: lower, upper: upper)
                        let rightOutput = output(rightG, rightH, lower: lower, upper: upper)
                        // Left holds the smaller values: an increasing input needs left ≤ right.
                        if column < constraints.count, constraints[column] != 0,
                            Double(constraints[column]) * (rightOutput - leftOutput) < 0
                        {
                            continue
                        }
                        let gain = score(leftG, leftH, leftOutput) + score(rightG, rightH, rightOutput) - parentScore
                        if gain > best.gain {
                            // With no missing rows here, send future missing values to the larger child.
                            let defaultLeft = missingCount == 0 ? leftCount >= rightCount : missingLeft
                            best = Split(
                                gain: gain, feature: column, bin: bin, defaultLeft: defaultLeft,
                                leftG: leftG, leftH: leftH, leftCount: leftCount, leftOutput: leftOutput, rightOutput: rightOutput)
                        }
                    }
                }
            }
        }
        return best
    }

    /// Grows one tree on the sampled rows.
    mutating func grow(gradients: [Double], hessians: [Double], sample: [Int32], featureMask: [Bool]) -> RegressionTree {
        var rows = sample
        var tree = RegressionTree()
        var sumG = 0.0, sumH = 0.0
        for row in rows { sumG += gradients[Int(row)]; sumH += hessians[Int(row)] }
        var rootHistogram = takeHistogram()
        buildHistogram(rows[...], gradients, hessians, into: &rootHistogram)
        let root = tree.addLeaf(value: 0, cover: Double(rows.count))
        var leaves = [Leaf(begin: 0, end: rows.count, sumG: sumG, sumH: sumH, depth: 0, node: root, histogram: rootHistogram)]
        leaves[0].split = bestSplit(rootHistogram, sumG: sumG, sumH: sumH, count: Double(rows.count), mask: featureMask)
        var scratch = [Int32](repeating: 0, count: rows.count)

        while leaves.count < options.maxLeaves {
            var chosen = -1
            for (index, leaf) in leaves.enumerated()
            where leaf.split.feature >= 0 && leaf.split.gain > options.minGain && leaf.depth < options.maxDepth {
                if chosen < 0 || leaf.split.gain > leaves[chosen].split.gain { chosen = index }
            }
            if chosen < 0 { break }
            var parent = leaves[chosen]
            let split = parent.split
            // Partition the parent's rows: left rows first, then right rows.
            let column = split.feature, threshold = UInt8(split.bin), columns = data.columns
            var leftEnd = parent.begin
            var rightCount = 0
            data.bins.withUnsafeBufferPointer { bins in
                for position in parent.begin..<parent.end {
                    let row = rows[position]
                    let bin = bins[Int(row) * columns + column]
                    let goLeft = bin == 0 ? split.defaultLeft : bin <= threshold
                    if goLeft { rows[leftEnd] = row; leftEnd += 1 } else { scratch[rightCount] = row; rightCount += 1 }
                }
            }
            for index in 0..<rightCount { rows[leftEnd + index] = scratch[index] }

            let leftNode = tree.addLeaf(value: 0, cover: Double(leftEnd - parent.begin))
            let rightNode = tree.addLeaf(value: 0, cover: Double(parent.end - leftEnd))
            tree.feature[parent.node] = Int32(column)
            tree.thresholdBin[parent.node] = threshold
            tree.cut[parent.node] = data.cuts[column][split.bin - 1]
            tree.defaultLeft[parent.node] = split.defaultLeft
            tree.left[parent.node] = Int32(leftNode)
            tree.right[parent.node] = Int32(rightNode)

            var left = Leaf(
                begin: parent.begin, end: leftEnd, sumG: split.leftG, sumH: split.leftH, depth: parent.depth + 1,
                node: leftNode, histogram: [], lower: parent.lower, upper: parent.upper)
            var right = Leaf(
                begin: leftEnd, end: parent.end, sumG: parent.sumG - split.leftG, sumH: parent.sumH - split.leftH,
                depth: parent.depth + 1, node: rightNode, histogram: [], lower: parent.lower, upper: parent.upper)
            // Below a split of a constrained input, every later output stays on its side of the midpoint.
            if column < constraints.count, constraints[column] != 0 {
                let middle = (split.leftOutput + split.rightOutput) / 2
                if constraints[column] > 0 {
                    left.upper = min(left.upper, middle); right.lower = max(right.lower, middle)
                } else {
                    left.lower = max(left.lower, middle); right.upper = min(right.upper, middle)
                }
            }
            // Build the smaller child's histogram; the larger one is the parent's minus it.
            var small = takeHistogram()
            let leftIsSmaller = (left.end - left.begin) <= (right.end - right.begin)
            let smallRange = leftIsSmaller ? left.begin..<left.end : right.begin..<right.end
            buildHistogram(rows[smallRange], gradients, hessians, into: &small)
            var large = parent.histogram
            parent.histogram = []
            for index in large.indices { large[index] -= small[index] }
            if leftIsSmaller { left.histogram = small; right.histogram = large } else { left.histogram = large; right.histogram = small }
            left.split = bestSplit(
                left.histogram, sumG: left.sumG, sumH: left.sumH, count: Double(left.end - left.begin), mask: featureMask,
                lower: left.lower, upper: left.upper)
            right.split = bestSplit(
                right.histogram, sumG: right.sumG, sumH: right.sumH, count: Double(right.end - right.begin), mask: featureMask,
                lower: right.lower, upper: right.upper)
            leaves[chosen] = left
            leaves.append(right)
        }
        for leaf in leaves {
            tree.value[leaf.node] = options.learningRate * output(leaf.sumG, leaf.sumH, lower: leaf.lower, upper: leaf.upper)
            spare.append(leaf.histogram)
        }
        return tree
    }
}
