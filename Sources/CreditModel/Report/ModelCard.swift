import CreditText
import Foundation

/// A model card: what the model is, how it was trained, how well it does and for whom, in Markdown
/// with SVG plots (ROC, calibration, score distribution of goods and bads).
public struct ModelCard {
    let scorer: CreditScorer
    let dataset: Dataset
    let labels: [Int]
    let dataName: String
    let baseName: String

    public init(scorer: CreditScorer, dataset: Dataset, labels: [Int], dataName: String, baseName: String) {
        self.scorer = scorer
        self.dataset = dataset
        self.labels = labels
        self.dataName = dataName
        self.baseName = baseName
    }

    /// File name to contents: the card and its three plots.
    public func files() -> [(String, String)] {
        let pds = scorer.probabilities(dataset.applicants)
        let document = scorer.document
        let report = EvaluationReport(
            probabilities: pds, labels: labels, applicants: dataset.applicants, schema: scorer.schema,
            policy: document.policy, groups: document.modelPolicy?.fairnessGroups ?? ModelPolicy.defaultFairnessGroups)
        let roc = SVGChart.roc(points: Metrics.rocCurve(pds, labels), auc: report.summary.auc, title: "ROC on \(dataName)")
        let calibration = SVGChart.calibration(
            bins: report.calibration.map { ($0.meanPredicted, $0.observedRate, $0.count) }, title: "Calibration on \(dataName)")
        let scores = pds.map { Double(document.scoreScale.score(probability: $0)) }
        let distribution = SVGChart.scoreDistribution(
            goodScores: zip(scores, labels).filter { $0.1 == 0 }.map(\.0), badScores: zip(scores, labels).filter { $0.1 == 1 }.map(\.0),
            binCount: 30, title: "Score distribution on \(dataName)")
        return [
            ("\(baseName).md", markdown(report: report)),
            ("\(baseName)-roc.svg", roc),
            ("\(baseName)-calibration.svg", calibration),
            ("\(baseName)-scores.svg", distribution),
        ]
    }

    private func markdown(report: EvaluationReport) -> String {
        let document = scorer.document
        let summary = report.summary
        let trained = document.metrics.valid.summary
        var lines: [String] = []
        lines.append("# Model card: \(document.modelId)")
        lines.append("")
        lines.append("| | |\n|---|---|")
        lines.append(
            "| Family | \(document.kind == .gbdt ? "gradient-boosted decision trees (histogram, leaf-wise)" : "L2-regularised logistic regression on binned and coded fields (scorecard)") |"
        )
        lines.append("| Created | \(document.createdAt) |")
        lines.append("| Format version | \(document.formatVersion) |")
        lines.append(
            "| Training data | `\(document.trainingData.trainFile)`, \(document.trainingData.trainRows) rows, sha256 `\(document.trainingData.trainSHA256)` |"
        )
        lines.append(
            "| Validation data | `\(document.trainingData.validFile)`, \(document.trainingData.validRows) rows, sha256 `\(document.trainingData.validSHA256)` |"
        )
        lines.append(
            "| Training time | \(fixed(document.parameters.trainingSeconds, 2)) s\(document.parameters.trees.map { ", \($0) trees kept by early stopping" } ?? "")\(document.parameters.chosenLambda.map { ", L2 strength \($0.compactDescription) chosen on validation" } ?? "") |"
        )
        lines.append(
            "| Inputs | \(document.pipeline.inputCount) fields: \(document.pipeline.encoders.map { "`\($0.field)`" }.joined(separator: ", ")) |")
        lines.append(
            "| Calibration | Platt scaling on the validation file: PD = σ(\(fixed(document.calibration.slope)) × raw + \(fixed(document.calibration.intercept))) |"
        )
        lines.append("")
        lines.append("## Intended use")
        lines.append("")
        lines.append(
            "Estimates the probability that an applicant for a private-label credit card defaults (PAKDD 2010 definition of *bad*), to support a loan officer's decision. It is trained on one Brazilian retailer's 2000s applicants; scores for other populations need revalidation. The decision is a recommendation: applications in *review* go to a person, and every decision comes with its reasons."
        )
        lines.append("")
        lines.append(
            "Fields left out: "
                + document.pipeline.droppedFields.keys.sorted().map { "`\($0)` (\(document.pipeline.droppedFields[$0]!))" }.joined(separator: ", ")
                + ". Identifiers (`id_client`, `applicant_name`) are never inputs. City and borough names are folded to upper case and encoded like codes: their smoothed default rates (out-of-fold on the training rows), with rare and unseen names sharing one level."
        )
        lines.append("")
        lines.append("## Performance on `\(dataName)` (\(summary.rows) rows, bad rate \(percent(summary.badRate, digits: 1)))")
        lines.append("")
        lines.append("| AUC | Gini | KS | Brier | log-loss |\n|---|---|---|---|---|")
        lines.append(
            "| \(fixed(summary.auc)) | \(fixed(summary.gini)) | \(fixed(summary.ks)) | \(fixed(summary.brier)) | \(fixed(summary.logloss)) |")
        lines.append("")
        lines.append("At training time: validation AUC \(fixed(trained.auc)), training AUC \(fixed(document.metrics.train.auc)).")
        lines.append("")
        lines.append("![ROC](\(baseName)-roc.svg) ![Calibration](\(baseName)-calibration.svg)")
        lines.append("")
        lines.append("### Reliability (deciles of PD)")
        lines.append("")
        lines.append("| PD range | rows | mean PD | observed default rate |\n|---|---|---|---|")
        for bin in report.calibration {
            lines.append(
                "| \(fixed(bin.lower, 3))–\(fixed(bin.upper, 3)) | \(bin.count) | \(fixed(bin.meanPredicted)) | \(fixed(bin.observedRate)) |")
        }
        lines.append("")
        lines.append("## Decision policy and score")
        lines.append("")
        lines.append(document.policy.rule)
        lines.append("")
        lines.append("| decision | rows | share | bad rate |\n|---|---|---|---|")
        for band in report.policy.bands {
            lines.append("| \(band.decision.rawValue) | \(band.rows) | \(percent(band.share, digits: 1)) | \(percent(band.badRate, digits: 1)) |")
        }
        let reject = report.policy.confusionAtReject, approve = report.policy.confusionAtApprove
        lines.append("")
        lines.append(
            "Confusion at the reject cut-off (PD ≥ \(fixed(reject.threshold))): \(reject.truePositives) bads and \(reject.falsePositives) goods rejected; \(reject.falseNegatives) bads and \(reject.trueNegatives) goods not rejected.  "
        )
        lines.append(
            "Confusion at the approve cut-off (PD ≥ \(fixed(approve.threshold)) not approved): \(approve.truePositives) bads and \(approve.falsePositives) goods not approved; \(approve.falseNegatives) bads and \(approve.trueNegatives) goods approved."
        )
        lines.append("")
        let scale = document.scoreScale
        lines.append(
            "Score: \(scale.baseScore.compactDescription) points at good:bad odds of \(scale.baseOdds.compactDescription):1, \(scale.pointsToDoubleOdds.compactDescription) points to double the odds (higher is safer)."
        )
        lines.append("")
        lines.append("![Score distribution](\(baseName)-scores.svg)")
        lines.append("")
        if let policy = document.modelPolicy {
            lines.append("## Model policy")
            lines.append("")
            lines.append("- Never inputs: \(policy.excludedInputs.map { "`\($0)`" }.joined(separator: ", ")).")
            let monotone = scorer.monotoneFields
            lines.append(
                "- Risk never rises as these grow: \(policy.monotone.filter { $0.value == .decreasing }.keys.sorted().map { "`\($0)`" }.joined(separator: ", "))"
                    + (monotone.isEmpty
                        ? " (asked; this model family does not enforce it, so its reasons about them claim no direction)."
                        : " (enforced in every tree, as LightGBM's monotone constraints)."))
            if !policy.excludedReasons.isEmpty {
                lines.append("- Never given as reasons: \(policy.excludedReasons.map { "`\($0)`" }.joined(separator: ", ")).")
            }
            if let age = policy.protectedAge {
                lines.append("- `\(age.field)` is never an adverse reason from \(age.from.compactDescription) (Regulation B §1002.6(b)(2)).")
            }
            lines.append(
                "- Fairness reported by: \((policy.fairnessGroups ?? ModelPolicy.defaultFairnessGroups).map { "`\($0)`" }.joined(separator: ", ")) (below)."
            )
            let actionable = policy.actionableInputs.filter { scorer.actionableFields.contains($0.field) }
            lines.append(
                "- What would change a decision is searched over: "
                    + actionable.map { input in
                        "`\(input.field)`" + (input.limit.map { " (up to \($0.compactDescription) in steps of \((input.step ?? 1).compactDescription))" } ?? " (no → yes)")
                    }.joined(separator: ", ")
                    + "; never age, sex, birth or where someone lives.")
            if let costs = document.policyCosts {
                lines.append("")
                lines.append(
                    "What each item costs in validation AUC (this model: \(fixed(trained.auc))), from the same training without it. A negative cost means the model did worse without the item; differences of a few ten-thousandths are within the noise of row and feature sampling."
                )
                lines.append("")
                lines.append("| trained without | valid AUC | cost |\n|---|---|---|")
                for cost in costs { lines.append("| \(cost.item) | \(fixed(cost.aucWithout)) | \(String(format: "%+.4f", cost.cost)) |") }
            }
            lines.append("")
        }
        lines.append("## Fairness")
        lines.append("")
        lines.append("`sex` is not a model input. Approval rate and AUC by group on `\(dataName)`:")
        lines.append("")
        lines.append("| attribute | group | rows | bad rate | mean PD | approval rate | AUC |\n|---|---|---|---|---|---|---|")
        for group in report.fairness {
            lines.append(
                "| \(group.attribute) | \(group.group) | \(group.rows) | \(percent(group.badRate, digits: 1)) | \(percent(group.meanProbability, digits: 1)) | \(percent(group.approvalRate, digits: 1)) | \(group.auc.map { fixed($0) } ?? "–") |"
            )
        }
        lines.append("")
        lines.append("## Explanations")
        lines.append("")
        lines.append(
            document.kind == .gbdt
                ? "Each prediction's reasons come from exact TreeSHAP contributions of every input to the log-odds; they sum to the prediction minus the average applicant's."
                : "Each prediction's reasons come from the exact contributions of the scorecard: each field's weight minus its average weight over the training data."
        )
        lines.append("")
        lines.append(
            "A customer reads them by family: the contributions of a family's inputs are summed, at most four adverse families and four strengths are given, each worded from what was observed; values not given count in one family, never as a strength."
        )
        lines.append("")
        lines.append("| code | family | inputs |\n|---|---|---|")
        for family in document.families.families where family.stated {
            let inputs = family.name == ReasonFamily.missingName ? "every input left blank" : family.fields.map { "`\($0)`" }.joined(separator: ", ")
            lines.append("| \(family.code) | \(family.word(in: .portuguese)) / \(family.word(in: .english))\(family.actionable ? " (actionable)" : "") | \(inputs) |")
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }
}

func fixed(_ value: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)f", value) }
