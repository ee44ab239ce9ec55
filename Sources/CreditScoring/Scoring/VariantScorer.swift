import CreditSchema

/// Scores variants of one applicant that differ from it in a few inputs, as recourse does hundreds
/// of times per applicant: the trees that do not split on a changed input keep their output, so
/// only the others are walked again; a scorecard swaps the changed inputs' weights.
struct VariantScorer {
    let scorer: CreditScorer
    let base: Applicant
    /// The base applicant's tree inputs (trees) and each tree's output, or each input's weight (scorecard).
    private var inputs: [Double]
    private var parts: [Double]
    private let baseRaw: Double
    /// A tree already re-walked for the variant being scored carries the current generation.
    private var walked: [Int]
    private var generation = 0
    private var variantInputs: [Double]

    init(scorer: CreditScorer, base: Applicant) {
        self.scorer = scorer
        self.base = base
        let compiled = scorer.document.pipeline.compiled
        let count = compiled.inputCount
        if let forest = scorer.forest {
            inputs = (0..<count).map { compiled.treeValue($0, base.values[compiled.inputs[$0].fieldIndex]) }
            parts = inputs.withUnsafeBufferPointer { x in (0..<forest.treeCount).map { forest.treeOutput($0, x) } }
            baseRaw = parts.reduce(forest.baseScore, +)
            walked = [Int](repeating: 0, count: forest.treeCount)
        } else {
            inputs = []
            parts = (0..<count).map { scorer.logisticWeight($0, base.values[compiled.inputs[$0].fieldIndex]) }
            baseRaw = parts.reduce(scorer.document.logistic!.intercept, +)
            walked = []
        }
        variantInputs = inputs
    }

    /// The calibrated PD of `variant`, which differs from the base applicant at most in the inputs
    /// at `positions` (input positions of the pipeline).
    mutating func probability(_ variant: Applicant, changedAt positions: [Int]) -> Double {
        let compiled = scorer.document.pipeline.compiled
        var raw = baseRaw
        if let forest = scorer.forest {
            generation += 1
            for position in positions { variantInputs[position] = compiled.treeValue(position, variant.values[compiled.inputs[position].fieldIndex]) }
            variantInputs.withUnsafeBufferPointer { x in
                for position in positions {
                    for tree in scorer.treesUsing[position] where walked[Int(tree)] != generation {
                        walked[Int(tree)] = generation
                        raw += forest.treeOutput(Int(tree), x) - parts[Int(tree)]
                    }
                }
            }
            for position in positions { variantInputs[position] = inputs[position] }
        } else {
            for position in positions {
                raw += scorer.logisticWeight(position, variant.values[compiled.inputs[position].fieldIndex]) - parts[position]
            }
        }
        return scorer.document.calibration.probability(raw: raw)
    }
}
