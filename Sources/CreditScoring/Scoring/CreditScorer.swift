/// Scores and explains applicants with a loaded ``ModelDocument``. Immutable and safe to share
/// between threads.
public final class CreditScorer: Sendable {
    public let document: ModelDocument
    public let schema: ApplicantSchema
    let forest: FlatForest?
    /// For each input, the trees that split on it (for ``VariantScorer``).
    let treesUsing: [[Int32]]
    private let explainer: TreeExplainer?
    /// Logistic weights flattened, with each input's offset.
    private let flatWeights: [Double]
    private let weightOffsets: [Int]
    /// Words the reasons: the model's policy and families, and the fields its trees hold monotone.
    private let reasonWriter: ReasonWriter
    /// Finds what would change a decision that is not an approval.
    private let recourse: RecourseSearch

    /// Wraps a validated document (from ``ModelDocument/load(path:)`` or training).
    public init(document: ModelDocument, schema: ApplicantSchema = .pakdd) {
        self.document = document
        self.schema = schema
        if let ensemble = document.ensemble, document.kind == .gbdt {
            let forest = FlatForest(ensemble)
            self.forest = forest
            treesUsing = forest.treesUsing(inputCount: document.pipeline.inputCount)
            explainer = TreeExplainer(ensemble: ensemble)
        } else {
            forest = nil
            treesUsing = []
            explainer = nil
        }
        var weights: [Double] = []
        var offsets: [Int] = []
        for input in document.logistic?.weights ?? [] { offsets.append(weights.count); weights.append(contentsOf: input) }
        flatWeights = weights
        weightOffsets = offsets
        let monotone = Self.monotoneFields(document)
        reasonWriter = ReasonWriter(
            schema: schema, pipeline: document.pipeline, policy: document.modelPolicy, families: document.families, monotone: monotone)
        recourse = RecourseSearch(document: document, schema: schema, monotone: monotone, wordings: reasonWriter.wordings)
    }

    /// Fields the model's effect is monotone in by construction (a GBDT trained with constraints).
    public var monotoneFields: [String: RiskDirection] { reasonWriter.monotone }

    static func monotoneFields(_ document: ModelDocument) -> [String: RiskDirection] {
        let constraints =
            document.kind == .gbdt ? document.parameters.boosting?.monotoneConstraints : document.parameters.logistic?.monotoneConstraints
        guard let constraints else { return [:] }
        var fields: [String: RiskDirection] = [:]
        for (encoder, sign) in zip(document.pipeline.encoders, constraints) where sign != 0 {
            fields[encoder.field] = sign > 0 ? .increasing : .decreasing
        }
        return fields
    }

    /// Loads and validates a model file.
    public convenience init(path: String) throws(ModelError) {
        self.init(document: try ModelDocument.load(path: path))
    }

    public var modelId: String { document.modelId }
    private var pipeline: FeaturePipeline { document.pipeline }

    /// Raw log-odds for a block of applicants; `scratch` holds `block.count × inputCount` doubles.
    private func rawScores(_ block: ArraySlice<Applicant>, scratch: UnsafeMutableBufferPointer<Double>, into out: UnsafeMutablePointer<Double>) {
        let compiled = pipeline.compiled
        let inputs = compiled.inputCount
        if let forest {
            for (row, applicant) in block.enumerated() {
                applicant.values.withUnsafeBufferPointer { values in
                    for position in 0..<inputs {
                        scratch[row * inputs + position] = compiled.treeValue(position, values[compiled.inputs[position].fieldIndex])
                    }
                }
            }
            forest.rawScores(UnsafeBufferPointer(scratch), rows: block.count, stride: inputs, into: out)
            return
        }
        for (row, applicant) in block.enumerated() { out[row] = logisticRawScore(applicant) }
    }

    /// The scorecard's weight of input `position` at `value`.
    func logisticWeight(_ position: Int, _ value: FieldValue) -> Double {
        flatWeights[weightOffsets[position] + pipeline.compiled.level(position, value)]
    }

    /// The scorecard's log-odds for one applicant: its intercept and each input's level weight.
    private func logisticRawScore(_ applicant: Applicant) -> Double {
        let compiled = pipeline.compiled
        var sum = document.logistic!.intercept
        flatWeights.withUnsafeBufferPointer { weights in
            weightOffsets.withUnsafeBufferPointer { offsets in
                applicant.values.withUnsafeBufferPointer { values in
                    for position in 0..<compiled.inputCount {
                        sum += weights[offsets[position] + compiled.level(position, values[compiled.inputs[position].fieldIndex])]
                    }
                }
            }
        }
        return sum
    }

    /// Rows scored together: enough to overlap tree walks, few enough to stay in cache.
    private static let blockSize = 64

    /// Raw log-odds (before calibration) for many applicants, on the calling thread.
    public func rawScores(_ applicants: [Applicant]) -> [Double] {
        var scores = [Double](repeating: 0, count: applicants.count)
        var scratch = [Double](repeating: 0, count: Self.blockSize * pipeline.inputCount)
        scratch.withUnsafeMutableBufferPointer { scratch in
            scores.withUnsafeMutableBufferPointer { scores in
                var start = 0
                while start < applicants.count {
                    let end = min(start + Self.blockSize, applicants.count)
                    rawScores(applicants[start..<end], scratch: scratch, into: scores.baseAddress! + start)
                    start = end
                }
            }
        }
        return scores
    }

    /// Raw log-odds (before calibration) for one applicant, without the block scratch the batch
    /// path allocates: recourse scores hundreds of variants of one applicant this way.
    public func rawScore(_ applicant: Applicant) -> Double {
        guard let forest else { return logisticRawScore(applicant) }
        let compiled = pipeline.compiled
        let inputs = compiled.inputCount
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: max(inputs, 1)) { x in
            applicant.values.withUnsafeBufferPointer { values in
                for position in 0..<inputs { x[position] = compiled.treeValue(position, values[compiled.inputs[position].fieldIndex]) }
            }
            var out = 0.0
            forest.rawScores(UnsafeBufferPointer(x), rows: 1, stride: inputs, into: &out)
            return out
        }
    }

    /// Calibrated probability of default for one applicant.
    public func probability(_ applicant: Applicant) -> Double {
        document.calibration.probability(raw: rawScore(applicant))
    }

    /// Calibrated probabilities for many applicants, on the calling thread.
    public func probabilities(_ applicants: [Applicant]) -> [Double] {
        let calibration = document.calibration
        return rawScores(applicants).map(calibration.probability(raw:))
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

    /// PD, score, decision, the strongest reasons (risk-raising and risk-lowering) and, unless
    /// `recourse` is false, what would change a decision that is not an approval.
    ///
    /// The PD comes from the explanation itself (base plus contributions, which is exact), so the
    /// model is evaluated once, and again for each change recourse tries.
    public func predict(_ applicant: Applicant, reasonCount: Int = 4, recourse withRecourse: Bool = true) -> Prediction {
        let explanation = contributions(applicant)
        let logOdds = explanation.contributions.reduce(explanation.base, +)
        let pd = PlattCalibration.identity.probability(raw: logOdds)
        let reasons = reasonWriter.reasons(contributions: explanation.contributions, applicant: applicant, count: reasonCount)
        let decision = document.policy.decision(probability: pd)
        return Prediction(
            probabilityOfDefault: pd, score: document.scoreScale.score(probability: pd), decision: decision,
            reasons: reasons.raising, strengths: reasons.lowering, model: document.modelId,
            recourse: withRecourse ? recourseOptions(applicant, decision: decision) : [])
    }

    /// What would change `decision` for `applicant` (none for an approval), each option rescored.
    public func recourseOptions(_ applicant: Applicant, decision: Decision) -> [RecourseOption] {
        var variants = VariantScorer(scorer: self, base: applicant)
        return recourse.options(for: applicant, decision: decision, variants: &variants)
    }

    /// The inputs recourse may change, as the policy declares them and the model uses them.
    public var actionableFields: [String] { recourse.levers.map(\.field) }
}
