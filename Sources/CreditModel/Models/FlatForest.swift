/// All trees of an ensemble in one contiguous node array, for fast scoring.
struct FlatForest: Sendable {
    struct Node: Sendable {
        /// Input read by a split; -1 marks a leaf.
        var feature: Int32
        var left: Int32
        var right: Int32
        var defaultLeft: Bool
        /// The split's cut, or the leaf's value.
        var cutOrValue: Double
    }

    let nodes: [Node]
    let roots: [Int32]
    let baseScore: Double

    init(_ ensemble: TreeEnsemble) {
        var nodes: [Node] = []
        var roots: [Int32] = []
        for tree in ensemble.trees {
            let offset = Int32(nodes.count)
            roots.append(offset)
            for index in 0..<tree.nodeCount {
                let isLeaf = tree.feature[index] < 0
                nodes.append(Node(feature: tree.feature[index], left: isLeaf ? -1 : tree.left[index] + offset,
                                  right: isLeaf ? -1 : tree.right[index] + offset, defaultLeft: tree.defaultLeft[index],
                                  cutOrValue: isLeaf ? tree.value[index] : tree.cut[index]))
            }
        }
        self.nodes = nodes
        self.roots = roots
        baseScore = ensemble.baseScore
    }

    /// The raw score for inputs `x`.
    @inline(__always) func rawScore(_ x: UnsafeBufferPointer<Double>) -> Double {
        nodes.withUnsafeBufferPointer { nodes in
            roots.withUnsafeBufferPointer { roots in
                var sum = baseScore
                for root in roots {
                    var node = nodes[Int(root)]
                    while node.feature >= 0 {
                        let value = x[Int(node.feature)]
                        let next = value <= node.cutOrValue ? node.left : (value.isNaN && node.defaultLeft ? node.left : node.right)
                        node = nodes[Int(next)]
                    }
                    sum += node.cutOrValue
                }
                return sum
            }
        }
    }
}
