/// A challenger's result for one application, scored in the shadow of the champion's: stored
/// with the job, never shown to the officer, compared on the Model page.
public struct ShadowResult: Sendable, Equatable {
    public var championModel: String
    public var championPD: Double
    public var championDecision: String
    public var challengerModel: String
    public var challengerPD: Double
    public var challengerDecision: String
    /// The challenger's whole result, as the API would return it (blanked by a retention purge).
    public var challengerResult: String

    public init(
        championModel: String, championPD: Double, championDecision: String, challengerModel: String,
        challengerPD: Double, challengerDecision: String, challengerResult: String
    ) {
        self.championModel = championModel
        self.championPD = championPD
        self.championDecision = championDecision
        self.challengerModel = challengerModel
        self.challengerPD = challengerPD
        self.challengerDecision = challengerDecision
        self.challengerResult = challengerResult
    }
}

/// How a challenger's results compare with the champion's on the same applications.
public struct ShadowComparison: Sendable, Equatable {
    /// How often the champion's decision became the challenger's.
    public struct DecisionChange: Sendable, Equatable {
        public var champion: String
        public var challenger: String
        public var count: Int

        public init(champion: String, challenger: String, count: Int) {
            self.champion = champion
            self.challenger = challenger
            self.count = count
        }
    }

    public var championModel: String
    public var challengerModel: String
    /// Applications scored by both.
    public var count: Int
    /// The share with the same decision (0 when `count` is 0).
    public var agreementRate: Double
    /// Mean of the challenger's PD minus the champion's.
    public var meanPDDifference: Double
    /// Mean absolute PD difference.
    public var meanAbsolutePDDifference: Double
    public var maxAbsolutePDDifference: Double
    /// Every pair of decisions seen, agreeing ones included, most frequent first.
    public var decisions: [DecisionChange]

    public init(
        championModel: String, challengerModel: String, count: Int, agreementRate: Double, meanPDDifference: Double,
        meanAbsolutePDDifference: Double, maxAbsolutePDDifference: Double, decisions: [DecisionChange]
    ) {
        self.championModel = championModel
        self.challengerModel = challengerModel
        self.count = count
        self.agreementRate = agreementRate
        self.meanPDDifference = meanPDDifference
        self.meanAbsolutePDDifference = meanAbsolutePDDifference
        self.maxAbsolutePDDifference = maxAbsolutePDDifference
        self.decisions = decisions
    }
}
