/// All trees of an ensemble in one contiguous node array, laid out for fast scoring.
///
/// The two children of a split are adjacent, so a step picks the next node with arithmetic
/// instead of a branch. Leaves point to themselves (cut +∞, left child = self), so every walk
/// through a tree takes exactly the tree's depth in steps, and a group of rows can walk in
/// lockstep: their independent memory loads overlap instead of waiting on mispredicted branches.
package struct FlatForest: Sendable {
    struct Node: Sendable {
        /// Input read by the split (0 for a leaf, which ignores it).
        var feature: Int32
        /// Index of the left child; the right child follows it. A leaf points to itself.
        var left: Int32
        var cut: Double
        /// 1 when missing inputs go right.
        var missingRight: UInt8
    }

    let nodes: [Node]
    /// Leaf outputs by node index (0 for splits).
    let values: [Double]
    let roots: [Int32]
    let depths: [Int32]
    let baseScore: Double

    /// Rows walked together through each tree.
    static let lanes = 8

    package init(_ ensemble: TreeEnsemble) {
        var nodes: [Node] = []
        var values: [Double] = []
        var roots: [Int32] = []
        var depths: [Int32] = []
        for tree in ensemble.trees {
            roots.append(Int32(nodes.count))
            // Breadth-first relabelling places both children of a node next to each other.
            var queue = [(old: 0, new: nodes.count, depth: 0)]
            nodes.append(Node(feature: 0, left: 0, cut: 0, missingRight: 0))
            values.append(0)
            var depth = 0
            var head = 0
            while head < queue.count {
                let (old, new, level) = queue[head]
                head += 1
                depth = max(depth, level)
                if tree.feature[old] < 0 {
                    nodes[new] = Node(feature: 0, left: Int32(new), cut: .infinity, missingRight: 0)
                    values[new] = tree.value[old]
                    continue
                }
                let left = nodes.count
                nodes.append(Node(feature: 0, left: 0, cut: 0, missingRight: 0))
                nodes.append(Node(feature: 0, left: 0, cut: 0, missingRight: 0))
                values.append(0)
                values.append(0)
                nodes[new] = Node(feature: tree.feature[old], left: Int32(left), cut: tree.cut[old], missingRight: tree.defaultLeft[old] ? 0 : 1)
                queue.append((Int(tree.left[old]), left, level + 1))
                queue.append((Int(tree.right[old]), left + 1, level + 1))
            }
            depths.append(Int32(depth))
        }
        self.nodes = nodes
        self.values = values
        self.roots = roots
        self.depths = depths
        baseScore = ensemble.baseScore
    }

    /// The raw score for one row of inputs.
    package func rawScore(_ x: UnsafeBufferPointer<Double>) -> Double {
        var score = 0.0
        withUnsafeMutablePointer(to: &score) { out in rawScores(x, rows: 1, stride: x.count, into: out) }
        return score
    }

    /// The output of tree `tree` alone for one row of inputs.
    func treeOutput(_ tree: Int, _ x: UnsafeBufferPointer<Double>) -> Double {
        nodes.withUnsafeBufferPointer { nodes in
            var node = Int(roots[tree])
            for _ in 0..<depths[tree] {
                let split = nodes[node]
                node = Int(split.left) + Int(goesRight(x[Int(split.feature)], split.cut, split.missingRight))
            }
            return values[node]
        }
    }

    var treeCount: Int { roots.count }

    /// For each input, the trees with a split on it: changing one input changes only their outputs.
    func treesUsing(inputCount: Int) -> [[Int32]] {
        var trees = [[Int32]](repeating: [], count: inputCount)
        for (tree, root) in roots.enumerated() {
            var used = Set<Int32>()
            // Every node of a tree lies between its root and the next tree's root.
            let end = tree + 1 < roots.count ? Int(roots[tree + 1]) : nodes.count
            for node in Int(root)..<end where nodes[node].cut != .infinity { used.insert(nodes[node].feature) }
            for input in used where Int(input) < inputCount { trees[Int(input)].append(Int32(tree)) }
        }
        return trees
    }

    /// Raw scores for `rows` rows stored row-major in `x` (`stride` inputs per row).
    func rawScores(_ x: UnsafeBufferPointer<Double>, rows: Int, stride: Int, into out: UnsafeMutablePointer<Double>) {
        for row in 0..<rows { out[row] = baseScore }
        nodes.withUnsafeBufferPointer { nodes in
            values.withUnsafeBufferPointer { values in
                var start = 0
                while start < rows {
                    let count = min(Self.lanes, rows - start)
                    var current = (Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0))
                    withUnsafeMutableBytes(of: &current) { raw in
                        let lane = raw.baseAddress!.assumingMemoryBound(to: Int32.self)
                        for (tree, root) in roots.enumerated() {
                            for index in 0..<count { lane[index] = root }
                            for _ in 0..<depths[tree] {
                                for index in 0..<count {
                                    let node = nodes[Int(lane[index])]
                                    let value = x[(start + index) * stride + Int(node.feature)]
                                    lane[index] = node.left + Int32(goesRight(value, node.cut, node.missingRight))
                                }
                            }
                            for index in 0..<count { out[start + index] += values[Int(lane[index])] }
                        }
                    }
                    start += count
                }
            }
        }
    }
}

/// 1 when `value` goes to the right child of a split at `cut`, without a branch: above the cut,
/// or missing (NaN) when missing values go right. For a number, `!(v <= cut)` equals `v > cut`;
/// the two comparisons differ only for NaN, and `missingRight` picks between them.
@inline(__always) func goesRight(_ value: Double, _ cut: Double, _ missingRight: UInt8) -> UInt8 {
    let notAtMost = unsafeBitCast(value <= cut, to: UInt8.self) ^ 1
    let above = unsafeBitCast(value > cut, to: UInt8.self)
    return (missingRight & notAtMost) | ((missingRight ^ 1) & above)
}
