/// TreeSHAP with the work moved to load time.
///
/// In path-dependent TreeSHAP a leaf's share of the Shapley values depends on the applicant only
/// through which of the leaf's path features the applicant satisfies (each feature's "one
/// fraction" is 0 or 1). A leaf with `k` distinct path features therefore has at most `2^k`
/// possible outcomes; we compute them all once with the classic extend / unwound-sum recurrences.
/// Explaining an applicant then costs one condition test per path node and `k` additions per
/// leaf, instead of the recursion's `O(depth²)` per leaf.
///
/// One step further: a tree's whole contribution depends on the applicant only through the
/// directions taken at its splits, so for trees of at most ``maxTabulatedSplits`` splits (every
/// tree of a model trained with the default 10 leaves has 9) the sum over its leaves is stored
/// for each of the `2^splits` direction patterns. Explaining then costs one comparison per split
/// and one addition per feature of the tree (about 6 MB of tables for 238 trees).
struct LeafPatternTables: Sendable {
    /// Trees deeper than this use the recursive algorithm instead (tables grow as `2^k · k`).
    static let maxUniqueFeatures = 10

    // Splits of every tree, flattened: each is evaluated once per explanation.
    private var splitFeature: [Int32] = []
    private var splitCut: [Double] = []
    /// 1 when missing values go right at the split.
    private var splitMissingRight: [UInt8] = []
    private var treeSplitStart: [Int32] = [0]
    private var treeLeafStart: [Int32] = [0]
    // Conditions on the path to each leaf, flattened.
    /// The split (index within its tree) the condition tests.
    private var conditionSplit: [UInt16] = []
    /// 1 when the path goes right at the split.
    private var conditionGoesRight: [UInt8] = []
    /// Which of the leaf's distinct features the condition belongs to.
    private var conditionSlot: [UInt8] = []
    // Per leaf.
    private var leafConditionStart: [Int32] = []
    private var leafFeatureStart: [Int32] = []
    private var leafFeatureCount: [UInt8] = []
    private var leafTableStart: [Int32] = []
    private var features: [Int32] = []
    /// For each leaf and pattern, the contribution of each distinct path feature.
    private var table: [Double] = []
    private var largestTree = 0
    // Per tree, when tabulated: its distinct features, and for each direction pattern (bit i set
    // when the applicant goes right at the tree's split i) the contribution to each of them.
    private var treeFeatureStart: [Int32] = [0]
    private var treeFeatures: [Int32] = []
    /// Where the tree's patterns start in `treeTable`, or -1 when it is not tabulated.
    private var treeTableStart: [Int32] = []
    private var treeTable: [Double] = []

    /// `maxTabulatedSplits`: trees with more splits are explained leaf by leaf (0 turns the
    /// per-tree tables off, for tests).
    init(_ ensemble: TreeEnsemble, maxTabulatedSplits: Int = 10) {
        for tree in ensemble.trees { add(tree) }
        leafConditionStart.append(Int32(conditionSplit.count))
        tabulate(inputCount: ensemble.inputCount, maxSplits: maxTabulatedSplits)
    }

    /// Fills the per-tree pattern tables from the leaf tables.
    private mutating func tabulate(inputCount: Int, maxSplits: Int) {
        var phi = [Double](repeating: 0, count: max(inputCount, 1))
        var wentRight = [UInt8](repeating: 0, count: max(largestTree, 1))
        for tree in 0..<(treeSplitStart.count - 1) {
            let first = Int(treeSplitStart[tree]), splits = Int(treeSplitStart[tree + 1]) - first
            let features = Array(Set(splitFeature[first..<(first + splits)])).sorted()
            guard splits <= maxSplits else {
                treeTableStart.append(-1)
                treeFeatureStart.append(Int32(treeFeatures.count))
                continue
            }
            treeTableStart.append(Int32(treeTable.count))
            treeFeatures += features
            treeFeatureStart.append(Int32(treeFeatures.count))
            for pattern in 0..<(1 << splits) {
                for split in 0..<splits { wentRight[split] = UInt8(pattern >> split & 1) }
                wentRight.withUnsafeBufferPointer { wentRight in
                    phi.withUnsafeMutableBufferPointer { phi in accumulateLeaves(ofTree: tree, wentRight: wentRight, into: phi) }
                }
                for feature in features {
                    treeTable.append(phi[Int(feature)])
                    phi[Int(feature)] = 0
                }
            }
        }
    }

    private struct Step {
        var node: Int
        var goesLeft: Bool
    }

    private mutating func add(_ tree: RegressionTree) {
        var localSplit = [Int](repeating: -1, count: tree.nodeCount)
        for node in 0..<tree.nodeCount where tree.feature[node] >= 0 {
            localSplit[node] = splitFeature.count - Int(treeSplitStart.last!)
            splitFeature.append(tree.feature[node])
            splitCut.append(tree.cut[node])
            splitMissingRight.append(tree.defaultLeft[node] ? 0 : 1)
        }
        largestTree = max(largestTree, splitFeature.count - Int(treeSplitStart.last!))
        // Depth-first walk keeping the list of (node, direction) steps from the root.
        func visit(_ node: Int, _ path: [Step]) {
            if tree.feature[node] >= 0 {
                visit(Int(tree.left[node]), path + [Step(node: node, goesLeft: true)])
                visit(Int(tree.right[node]), path + [Step(node: node, goesLeft: false)])
                return
            }
            var slots: [Int32] = []
            var zeroFractions: [Double] = []
            leafConditionStart.append(Int32(conditionSplit.count))
            for step in path {
                let feature = tree.feature[step.node]
                let child = Int(step.goesLeft ? tree.left[step.node] : tree.right[step.node])
                let ratio = tree.cover[step.node] > 0 ? tree.cover[child] / tree.cover[step.node] : 0
                let slot: Int
                if let existing = slots.firstIndex(of: feature) {
                    slot = existing
                    zeroFractions[slot] *= ratio
                } else {
                    slot = slots.count
                    slots.append(feature)
                    zeroFractions.append(ratio)
                }
                conditionSplit.append(UInt16(localSplit[step.node]))
                conditionGoesRight.append(step.goesLeft ? 0 : 1)
                conditionSlot.append(UInt8(slot))
            }
            leafFeatureStart.append(Int32(features.count))
            leafFeatureCount.append(UInt8(slots.count))
            leafTableStart.append(Int32(table.count))
            features += slots
            table += Self.patternTable(zeroFractions: zeroFractions, leafValue: tree.value[node])
        }
        visit(0, [])
        treeSplitStart.append(Int32(splitFeature.count))
        treeLeafStart.append(Int32(leafFeatureCount.count))
    }

    /// For every pattern of satisfied features (bit j = feature j satisfied), each feature's contribution.
    static func patternTable(zeroFractions: [Double], leafValue: Double) -> [Double] {
        let count = zeroFractions.count
        guard count > 0 else { return [] }
        var result = [Double](repeating: 0, count: (1 << count) * count)
        var path = [PathElement](repeating: PathElement(), count: count + 1)
        for pattern in 0..<(1 << count) {
            path.withUnsafeMutableBufferPointer { buffer in
                let elements = buffer.baseAddress!
                Walker.extend(elements, 0, 1, 1, -1)
                for slot in 0..<count {
                    Walker.extend(elements, slot + 1, zeroFractions[slot], pattern & (1 << slot) != 0 ? 1 : 0, slot)
                }
                for slot in 0..<count {
                    let element = elements[slot + 1]
                    let weight = Walker.unwoundSum(elements, count, slot + 1)
                    result[pattern * count + slot] = weight * (element.oneFraction - element.zeroFraction) * leafValue
                }
            }
        }
        return result
    }

    /// Adds every leaf's contributions for inputs `x` to `phi`.
    ///
    /// In two passes: the first finds the row of each tabulated tree's table (comparisons only),
    /// the second adds the rows. The tables (several MB) do not stay in the cache, and rows whose
    /// addresses are all known can be fetched from memory at once instead of one tree at a time.
    func accumulate(_ x: UnsafeBufferPointer<Double>, into phi: UnsafeMutableBufferPointer<Double>) {
        let treeCount = treeSplitStart.count - 1
        var wentRight = [UInt8](repeating: 0, count: max(largestTree, 1))
        var rows = [Int32](repeating: -1, count: max(treeCount, 1))
        splitFeature.withUnsafeBufferPointer { splitFeature in
            splitCut.withUnsafeBufferPointer { splitCut in
                splitMissingRight.withUnsafeBufferPointer { splitMissingRight in
                    treeFeatures.withUnsafeBufferPointer { treeFeatures in
                        treeFeatureStart.withUnsafeBufferPointer { treeFeatureStart in
                            treeTable.withUnsafeBufferPointer { treeTable in
                                rows.withUnsafeMutableBufferPointer { rows in
                                    wentRight.withUnsafeMutableBufferPointer { wentRight in
                                        for tree in 0..<treeCount {
                                            let first = Int(treeSplitStart[tree])
                                            let tableStart = Int(treeTableStart[tree])
                                            if tableStart >= 0 {
                                                var pattern = 0
                                                for split in first..<Int(treeSplitStart[tree + 1]) {
                                                    pattern |=
                                                        Int(goesRight(x[Int(splitFeature[split])], splitCut[split], splitMissingRight[split]))
                                                        << (split - first)
                                                }
                                                rows[tree] = Int32(
                                                    tableStart + pattern * (Int(treeFeatureStart[tree + 1]) - Int(treeFeatureStart[tree])))
                                                continue
                                            }
                                            for split in first..<Int(treeSplitStart[tree + 1]) {
                                                wentRight[split - first] = goesRight(
                                                    x[Int(splitFeature[split])], splitCut[split], splitMissingRight[split])
                                            }
                                            accumulateLeaves(ofTree: tree, wentRight: UnsafeBufferPointer(wentRight), into: phi)
                                        }
                                        for tree in 0..<treeCount where rows[tree] >= 0 {
                                            let row = Int(rows[tree]), featureStart = Int(treeFeatureStart[tree])
                                            for slot in 0..<(Int(treeFeatureStart[tree + 1]) - featureStart) {
                                                phi[Int(treeFeatures[featureStart + slot])] += treeTable[row + slot]
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds the contributions of `tree`'s leaves, given the direction taken at each of its splits.
    private func accumulateLeaves(ofTree tree: Int, wentRight: UnsafeBufferPointer<UInt8>, into phi: UnsafeMutableBufferPointer<Double>) {
        conditionSplit.withUnsafeBufferPointer { conditionSplit in
            conditionGoesRight.withUnsafeBufferPointer { conditionGoesRight in
                conditionSlot.withUnsafeBufferPointer { conditionSlot in
                    features.withUnsafeBufferPointer { features in
                        table.withUnsafeBufferPointer { table in
                            for leaf in Int(treeLeafStart[tree])..<Int(treeLeafStart[tree + 1]) {
                                let count = Int(leafFeatureCount[leaf])
                                if count == 0 { continue }
                                var pattern = (1 << count) - 1
                                for condition in Int(leafConditionStart[leaf])..<Int(leafConditionStart[leaf + 1]) {
                                    let mismatch = wentRight[Int(conditionSplit[condition])] ^ conditionGoesRight[condition]
                                    pattern &= ~(Int(mismatch) << Int(conditionSlot[condition]))
                                }
                                let featureStart = Int(leafFeatureStart[leaf])
                                let row = Int(leafTableStart[leaf]) + pattern * count
                                for slot in 0..<count { phi[Int(features[featureStart + slot])] += table[row + slot] }
                            }
                        }
                    }
                }
            }
        }
    }
}
