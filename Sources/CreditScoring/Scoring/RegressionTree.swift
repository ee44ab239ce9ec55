/// One binary regression tree, stored as parallel arrays (compact in JSON, fast to walk).
///
/// Node 0 is the root. An internal node sends a row left when its input is `<= cut`, and a missing
/// (NaN) input the way `defaultLeft` says. A leaf has `feature == -1` and holds its output in `value`.
public struct RegressionTree: Codable, Sendable, Equatable {
    public var feature: [Int32] = []
    public var cut: [Double] = []
    public var left: [Int32] = []
    public var right: [Int32] = []
    public var defaultLeft: [Bool] = []
    public var value: [Double] = []
    /// Training rows that reached the node (for TreeSHAP).
    public var cover: [Double] = []
    /// The bin threshold of each split, used while training only.
    package var thresholdBin: [UInt8] = []

    enum CodingKeys: String, CodingKey {
        case feature, cut, left, right, value, cover
        case defaultLeft = "default_left"
    }

    public init() {}

    public var nodeCount: Int { feature.count }

    /// Appends a leaf and returns its index.
    package mutating func addLeaf(value: Double, cover: Double) -> Int {
        feature.append(-1); cut.append(0); left.append(-1); right.append(-1)
        defaultLeft.append(false); self.value.append(value); self.cover.append(cover); thresholdBin.append(0)
        return feature.count - 1
    }

    /// The output for inputs `x` (indexed by input position).
    @inlinable public func predict(_ x: UnsafeBufferPointer<Double>) -> Double {
        var node = 0
        while feature[node] >= 0 {
            let input = x[Int(feature[node])]
            let goLeft = input.isNaN ? defaultLeft[node] : input <= cut[node]
            node = Int(goLeft ? left[node] : right[node])
        }
        return value[node]
    }

    /// Checks that every child index is in range, the nodes form a tree, and inputs exist.
    func validate(inputCount: Int) throws(ModelError) {
        let count = feature.count
        guard count > 0, [cut.count, left.count, right.count, defaultLeft.count, value.count, cover.count].allSatisfy({ $0 == count }) else {
            throw .modelFile("a tree has arrays of different lengths")
        }
        var reached = [Bool](repeating: false, count: count)
        reached[0] = true
        for node in 0..<count where feature[node] >= 0 {
            guard Int(feature[node]) < inputCount else { throw .modelFile("a tree splits on input \(feature[node]), but there are \(inputCount)") }
            for child in [left[node], right[node]] {
                guard child > node, Int(child) < count, !reached[Int(child)] else { throw .modelFile("a tree's node links are broken") }
                reached[Int(child)] = true
            }
        }
        guard reached.allSatisfy({ $0 }) else { throw .modelFile("a tree has unreachable nodes") }
    }
}
