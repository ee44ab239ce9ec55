// TEMPORARY placeholder until the real renderer lands.
public enum SVGChart {
    public static func roc(points: [(fpr: Double, tpr: Double)], auc: Double, title: String) -> String { "<svg/>" }
    public static func calibration(bins: [(meanPredicted: Double, observedRate: Double, count: Int)], title: String) -> String { "<svg/>" }
    public static func scoreDistribution(goodScores: [Double], badScores: [Double], binCount: Int, title: String) -> String { "<svg/>" }
}
