import Foundation

/// Settings for gradient-boosted trees.
public struct BoostingOptions: Codable, Sendable, Equatable {
    public var learningRate: Double = 0.05
    public var maxTrees: Int = 2000
    public var maxLeaves: Int = 10
    public var maxDepth: Int = 6
    /// Minimum hessian sum in a child.
    public var minChildWeight: Double = 5
    /// Minimum training rows in a child.
    public var minRowsInLeaf: Int = 100
    /// L2 penalty on leaf values.
    public var lambda: Double = 5
    /// Minimum loss reduction for a split.
    public var minGain: Double = 0
    /// Share of rows sampled for each tree.
    public var rowSubsample: Double = 0.8
    /// Share of inputs considered by each tree.
    public var featureSubsample: Double = 0.4
    /// Stop when the validation log-loss has not improved for this many trees.
    public var earlyStoppingRounds: Int = 100
    public var maxBins: Int = 255
    public var seed: UInt64 = 2010
    /// Threads for histogram building.
    public var threads: Int = 2
    /// Per input: +1 when the output may only grow with it, -1 only shrink, 0 free (as
    /// LightGBM's `monotone_constraints`). Nil or empty: no constraint.
    public var monotoneConstraints: [Int]?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case learningRate = "learning_rate", maxTrees = "max_trees", maxLeaves = "max_leaves", maxDepth = "max_depth"
        case minChildWeight = "min_child_weight", minRowsInLeaf = "min_rows_in_leaf", lambda, minGain = "min_gain"
        case rowSubsample = "row_subsample", featureSubsample = "feature_subsample"
        case earlyStoppingRounds = "early_stopping_rounds", maxBins = "max_bins", seed, threads
        case monotoneConstraints = "monotone_constraints"
    }

    package func validate() throws(ModelError) {
        guard learningRate > 0, learningRate <= 1 else { throw .invalidOption("learning rate must be in (0, 1]") }
        guard maxLeaves >= 2, maxLeaves <= 1024 else { throw .invalidOption("max leaves must be 2 to 1024") }
        guard maxDepth >= 1, maxDepth <= 32 else { throw .invalidOption("max depth must be 1 to 32") }
        guard rowSubsample > 0, rowSubsample <= 1, featureSubsample > 0, featureSubsample <= 1 else {
            throw .invalidOption("subsample shares must be in (0, 1]")
        }
        guard maxTrees >= 1, threads >= 1, lambda >= 0, minChildWeight >= 0, maxBins >= 2 else {
            throw .invalidOption("max trees and threads must be positive, lambda and min child weight not negative")
        }
    }
}
