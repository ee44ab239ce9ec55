/// Rows, bad rate, approval rate and AUC of one population group (for the fairness report).
public struct GroupMetrics: Codable, Sendable, Equatable {
    /// What splits the groups ("sex", "age band").
    public var attribute: String
    /// The group ("F", "25–34").
    public var group: String
    public var rows: Int
    public var badRate: Double
    public var meanProbability: Double
    public var approvalRate: Double
    /// nil when the group has only one outcome.
    public var auc: Double?

    enum CodingKeys: String, CodingKey {
        case attribute, group, rows, auc
        case badRate = "bad_rate", meanProbability = "mean_probability", approvalRate = "approval_rate"
    }
}

/// Counts of one decision band on a labelled set.
public struct DecisionBand: Codable, Sendable, Equatable {
    public var decision: Decision
    public var rows: Int
    public var share: Double
    public var bads: Int
    public var badRate: Double

    enum CodingKeys: String, CodingKey {
        case decision, rows, share, bads
        case badRate = "bad_rate"
    }
}

/// A 2×2 confusion matrix, "positive" meaning predicted or actual default.
public struct ConfusionMatrix: Codable, Sendable, Equatable {
    /// PD at or above which an applicant counts as predicted bad.
    public var threshold: Double
    public var truePositives: Int
    public var falsePositives: Int
    public var trueNegatives: Int
    public var falseNegatives: Int

    enum CodingKeys: String, CodingKey {
        case threshold
        case truePositives = "true_positives", falsePositives = "false_positives"
        case trueNegatives = "true_negatives", falseNegatives = "false_negatives"
    }

    public init(probabilities: [Double], labels: [Int], threshold: Double) {
        self.threshold = threshold
        var tp = 0, fp = 0, tn = 0, fn = 0
        for (pd, label) in zip(probabilities, labels) {
            switch (pd >= threshold, label == 1) {
            case (true, true): tp += 1
            case (true, false): fp += 1
            case (false, false): tn += 1
            case (false, true): fn += 1
            }
        }
        truePositives = tp; falsePositives = fp; trueNegatives = tn; falseNegatives = fn
    }
}

/// What the decision policy does on a labelled set.
public struct PolicyOutcome: Codable, Sendable, Equatable {
    public var bands: [DecisionBand]
    public var approvalRate: Double
    /// Predicted bad = not approved.
    public var confusionAtApprove: ConfusionMatrix
    /// Predicted bad = rejected.
    public var confusionAtReject: ConfusionMatrix

    enum CodingKeys: String, CodingKey {
        case bands
        case approvalRate = "approval_rate", confusionAtApprove = "confusion_at_approve", confusionAtReject = "confusion_at_reject"
    }

    public init(policy: DecisionPolicy, probabilities: [Double], labels: [Int]) {
        var rows = [Decision: Int](), bads = [Decision: Int]()
        for (pd, label) in zip(probabilities, labels) {
            let decision = policy.decision(probability: pd)
            rows[decision, default: 0] += 1
            bads[decision, default: 0] += label
        }
        let total = max(probabilities.count, 1)
        bands = Decision.allCases.map { decision in
            let count = rows[decision] ?? 0
            let bad = bads[decision] ?? 0
            return DecisionBand(
                decision: decision, rows: count, share: Double(count) / Double(total), bads: bad,
                badRate: count == 0 ? 0 : Double(bad) / Double(count))
        }
        approvalRate = Double(rows[.approve] ?? 0) / Double(total)
        confusionAtApprove = ConfusionMatrix(probabilities: probabilities, labels: labels, threshold: policy.approveBelow)
        confusionAtReject = ConfusionMatrix(probabilities: probabilities, labels: labels, threshold: policy.rejectFrom)
    }
}

/// Measures of a model on one labelled file: summary, reliability table, policy outcome, fairness.
public struct EvaluationReport: Codable, Sendable {
    public var summary: MetricSummary
    public var calibration: [CalibrationBin]
    public var policy: PolicyOutcome
    public var fairness: [GroupMetrics]

    /// Age bands used by the fairness report.
    static let ageBands: [(label: String, range: Range<Double>)] = [
        ("under 25", 0..<25), ("25–34", 25..<35), ("35–44", 35..<45), ("45–54", 45..<55), ("55–64", 55..<65), ("65 and over", 65..<1000),
    ]

    /// `groups`: the fields to report fairness by (`age` in ``ageBands``), from the model policy.
    public init(
        probabilities: [Double], labels: [Int], applicants: [Applicant], schema: ApplicantSchema, policy: DecisionPolicy,
        groups fairnessFields: [String] = ModelPolicy.defaultFairnessGroups
    ) {
        summary = MetricSummary(probabilities: probabilities, labels: labels)
        calibration = Metrics.calibrationTable(probabilities, labels)
        self.policy = PolicyOutcome(policy: policy, probabilities: probabilities, labels: labels)
        var groups: [GroupMetrics] = []
        func addGroup(_ attribute: String, _ name: String, _ rows: [Int]) {
            guard !rows.isEmpty else { return }
            let pds = rows.map { probabilities[$0] }, ys = rows.map { labels[$0] }
            let bad = ys.reduce(0, +)
            groups.append(
                GroupMetrics(
                    attribute: attribute, group: name, rows: rows.count, badRate: Double(bad) / Double(rows.count),
                    meanProbability: pds.reduce(0, +) / Double(rows.count),
                    approvalRate: Double(pds.filter { policy.decision(probability: $0) == .approve }.count) / Double(rows.count),
                    auc: bad > 0 && bad < rows.count ? Metrics.auc(pds, ys) : nil))
        }
        for field in fairnessFields {
            guard let index = schema.index(of: field) else { continue }
            if field == "age" {
                for band in Self.ageBands {
                    let rows = applicants.indices.filter { applicants[$0].values[index].number.map(band.range.contains) ?? false }
                    addGroup("age band", band.label, rows)
                }
                continue
            }
            var byValue: [String: [Int]] = [:]
            for (row, applicant) in applicants.enumerated() { byValue[applicant.values[index].display ?? "not recorded", default: []].append(row) }
            for key in byValue.keys.sorted() { addGroup(field, key, byValue[key]!) }
        }
        fairness = groups
    }
}
