/// Scores and explains applicants with a loaded ``ModelDocument``. Immutable and safe to share
/// between threads.
public final class CreditScorer: Sendable {
    public let document: ModelDocument
    public let schema: ApplicantSchema
    private let forest: FlatForest?
    private let explainer: TreeExplainer?
    /// Logistic weights flattened, with each input's offset.
    private let flatWeights: [Double]
    private let weightOffsets: [Int]

    /// Wraps a validated document (from ``ModelDocument/load(path:)`` or training).
    public init(document: ModelDocument, schema: ApplicantSchema = .pakdd) {
        self.document = document
        self.schema = schema
        if let ensemble = document.ensemble, document.kind == .gbdt {
            forest = FlatForest(ensemble)
            explainer = TreeExplainer(ensemble: ensemble)
        } else {
            forest = nil
            explainer = nil
        }
        var weights: [Double] = []
        var offsets: [Int] = []
        for input in document.logistic?.weights ?? [] { offsets.append(weights.count); weights.append(contentsOf: input) }
        flatWeights = weights
        weightOffsets = offsets
    }

    /// Loads and validates a model file.
    public convenience init(path: String) throws(ModelError) {
        self.init(document: try ModelDocument.load(path: path))
    }

    public var modelId: String { document.modelId }
    private var pipeline: FeaturePipeline { document.pipeline }

    /// Raw log-odds for one applicant, with caller-provided scratch space (length ``FeaturePipeline/inputCount``).
    @inline(__always) func rawScore(_ applicant: Applicant, scratch: UnsafeMutableBufferPointer<Double>) -> Double {
        let encoders = pipeline.encoders
        if let forest {
            for position in encoders.indices {
                let encoder = encoders[position]
                scratch[position] = encoder.treeValue(applicant.values[encoder.fieldIndex])
            }
            return forest.rawScore(UnsafeBufferPointer(scratch))
        }
        var sum = document.logistic!.intercept
        flatWeights.withUnsafeBufferPointer { weights in
            for position in encoders.indices {
                let encoder = encoders[position]
                sum += weights[weightOffsets[position] + encoder.level(of: applicant.values[encoder.fieldIndex])]
            }
        }
        return sum
    }

    /// Raw log-odds (before calibration) for one applicant.
    public func rawScore(_ applicant: Applicant) -> Double {
        var scratch = [Double](repeating: 0, count: pipeline.inputCount)
        return scratch.withUnsafeMutableBufferPointer { rawScore(applicant, scratch: $0) }
    }

    /// Calibrated probability of default for one applicant.
    public func probability(_ applicant: Applicant) -> Double {
        document.calibration.probability(raw: rawScore(applicant))
    }

    /// Calibrated probabilities for many applicants (one thread, reusing buffers).
    public func probabilities(_ applicants: [Applicant]) -> [Double] {
        var scratch = [Double](repeating: 0, count: pipeline.inputCount)
        let calibration = document.calibration
        return scratch.withUnsafeMutableBufferPointer { buffer in
            applicants.map { calibration.probability(raw: rawScore($0, scratch: buffer)) }
        }
    }

    /// Raw scores for many applicants.
    public func rawScores(_ applicants: [Applicant]) -> [Double] {
        var scratch = [Double](repeating: 0, count: pipeline.inputCount)
        return scratch.withUnsafeMutableBufferPointer { buffer in applicants.map { rawScore($0, scratch: buffer) } }
    }

    /// Each input's contribution to the calibrated log-odds, and the log-odds of an average applicant.
    /// `base + sum(contributions)` equals the calibrated log-odds of `applicant`.
    public func contributions(_ applicant: Applicant) -> (base: Double, contributions: [Double]) {
        let slope = document.calibration.slope, intercept = document.calibration.intercept
        if let explainer {
            var x = [Double](repeating: 0, count: pipeline.inputCount)
            pipeline.treeValues(of: applicant, into: &x)
            return (slope * explainer.expectedValue + intercept, explainer.contributions(x).map { $0 * slope })
        }
        let logistic = document.logistic!
        var levels = [Int32](repeating: 0, count: pipeline.inputCount)
        pipeline.levels(of: applicant, into: &levels)
        return (slope * logistic.baseValue + intercept, logistic.contributions(levels: levels).map { $0 * slope })
    }

    /// PD, score, decision and the strongest reasons (risk-raising and risk-lowering) for one applicant.
    public func predict(_ applicant: Applicant, reasonCount: Int = 4) -> Prediction {
        let pd = probability(applicant)
        let explanation = contributions(applicant)
        let writer = ReasonWriter(schema: schema, pipeline: pipeline)
        let reasons = writer.reasons(contributions: explanation.contributions, applicant: applicant, count: reasonCount)
        return Prediction(probabilityOfDefault: pd, score: document.scoreScale.score(probability: pd),
                          decision: document.policy.decision(probability: pd), reasons: reasons.raising,
                          strengths: reasons.lowering, model: document.modelId)
    }
}
