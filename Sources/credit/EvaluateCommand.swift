import ArgumentParser
import CreditModel
import Foundation

/// `credit evaluate`: metrics of a model on a labelled file.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "evaluate", abstract: "Print a model's metrics on a labelled file.")

    @Option(help: "Model file.") var model: String
    @Option(help: "Labelled data file (PAKDD format with target).") var data: String
    @Flag(help: "Print one JSON object instead of a table.") var json = false

    func run() throws {
        let scorer = try loadScorer(model)
        let dataset = try readDataset(data)
        guard let labels = dataset.labels else { throw CommandError("\(data) has no target column; evaluate needs labelled data") }
        let pds = scorer.probabilities(dataset.applicants)
        let report = EvaluationReport(
            probabilities: pds, labels: labels, applicants: dataset.applicants, schema: scorer.schema,
            policy: scorer.document.policy,
            groups: scorer.document.modelPolicy?.fairnessGroups ?? ModelPolicy.defaultFairnessGroups)
        let summary = report.summary
        if json {
            struct Output: Encodable {
                var model: String, rows: Int, auc: Double, ks: Double, gini: Double, brier: Double, logloss: Double
                var bad_rate: Double, approval_rate: Double, calibration: [CalibrationBin], policy: PolicyOutcome, fairness: [GroupMetrics]
            }
            print(
                try jsonLine(
                    Output(
                        model: scorer.modelId, rows: summary.rows, auc: summary.auc, ks: summary.ks, gini: summary.gini,
                        brier: summary.brier, logloss: summary.logloss, bad_rate: summary.badRate,
                        approval_rate: report.policy.approvalRate, calibration: report.calibration,
                        policy: report.policy, fairness: report.fairness)))
            return
        }
        print("model     \(scorer.modelId)")
        print("rows      \(summary.rows) (bad rate \(fixed(summary.badRate)))")
        print("AUC       \(fixed(summary.auc))\nGini      \(fixed(summary.gini))\nKS        \(fixed(summary.ks))")
        print("Brier     \(fixed(summary.brier))\nlog-loss  \(fixed(summary.logloss))")
        print("\ncalibration by decile (mean PD → observed default rate, rows)")
        for bin in report.calibration { print("  \(fixed(bin.meanPredicted)) → \(fixed(bin.observedRate))  \(bin.count)") }
        print("\npolicy (approval rate \(fixed(report.policy.approvalRate, 3)))")
        for band in report.policy.bands {
            print("  \(band.decision.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(band.rows) rows, bad rate \(fixed(band.badRate))")
        }
        let matrix = report.policy.confusionAtReject
        print(
            "  at reject cut-off \(fixed(matrix.threshold)): TP \(matrix.truePositives) FP \(matrix.falsePositives) TN \(matrix.trueNegatives) FN \(matrix.falseNegatives)"
        )
    }
}
