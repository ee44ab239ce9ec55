import Foundation

/// An additive ensemble of regression trees on the log-odds scale.
public struct TreeEnsemble: Codable, Sendable {
    /// Starting log-odds (the training prior).
    public var baseScore: Double
    public var trees: [RegressionTree]
    /// Number of inputs the trees read.
    public var inputCount: Int

    package init(baseScore: Double, trees: [RegressionTree], inputCount: Int) {
        self.baseScore = baseScore
        self.trees = trees
        self.inputCount = inputCount
    }

    enum CodingKeys: String, CodingKey {
        case baseScore = "base_score", trees, inputCount = "input_count"
    }

    /// The raw score (log-odds) for inputs `x`.
    @inlinable public func rawScore(_ x: UnsafeBufferPointer<Double>) -> Double {
        var sum = baseScore
        for tree in trees { sum += tree.predict(x) }
        return sum
    }

    func validate() throws(ModelError) {
        guard !trees.isEmpty else { throw .modelFile("the ensemble has no trees") }
        for tree in trees { try tree.validate(inputCount: inputCount) }
    }
}
