import Foundation

/// Settings for the logistic-regression scorecard.
public struct LogisticOptions: Codable, Sendable, Equatable {
    /// L2 penalty strengths to try; the one with the best validation AUC is kept.
    public var lambdas: [Double] = [1, 3, 10, 30, 100]
    /// Newton iterations at most.
    public var maxIterations: Int = 50
    /// Stop when the relative change of the penalised log-loss falls below this.
    public var tolerance: Double = 1e-12
    /// Per input: +1 when the risk may only rise with a numeric field's bin, -1 only fall, 0 free
    /// (set from the model policy, as for the trees). Nil or empty: no constraint.
    public var monotoneConstraints: [Int]?

    public init() {}
}

/// L2-regularised logistic regression on the pipeline's levels: a weight for every bin of every
/// numeric field and every code of every categorical field, like a points scorecard.
///
/// Trained by Newton's method (IRLS) with a Cholesky solve and a backtracking line search; the
/// intercept is not penalised.
public struct LogisticModel: Codable, Sendable {
    public var intercept: Double
    /// `weights[input][level]`, following the pipeline's encoders.
    public var weights: [[Double]]
    /// Mean weight of each input over the training rows: the reference for explanations.
    public var meanWeights: [Double]
    /// The L2 strength this model was trained with.
    public var lambda: Double

    package init(intercept: Double, weights: [[Double]], meanWeights: [Double], lambda: Double) {
        self.intercept = intercept
        self.weights = weights
        self.meanWeights = meanWeights
        self.lambda = lambda
    }

    enum CodingKeys: String, CodingKey {
        case intercept, weights, lambda
        case meanWeights = "mean_weights"
    }

    /// The raw score (log-odds of default) for an applicant's levels.
    @inlinable public func rawScore(levels: [Int32]) -> Double {
        var sum = intercept
        for input in weights.indices { sum += weights[input][Int(levels[input])] }
        return sum
    }

    /// Expected raw score over the training data; contributions explain the distance from it.
    public var baseValue: Double { intercept + meanWeights.reduce(0, +) }

    /// Exact contribution of each input: its weight minus its training mean. They sum to
    /// `rawScore - baseValue`.
    public func contributions(levels: [Int32]) -> [Double] {
        weights.indices.map { weights[$0][Int(levels[$0])] - meanWeights[$0] }
    }
}

/// The logistic function, computed without overflow for large |z|.
@inline(__always) package func sigmoid(_ z: Double) -> Double {
    z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
}
