import Foundation

/// Everything that decides how a model is trained.
public struct TrainingConfiguration: Sendable {
    public var kind: ModelKind
    public var pipeline = PipelineOptions()
    public var logistic = LogisticOptions()
    public var boosting = BoostingOptions()
    /// Share of validation applicants the policy approves outright.
    public var approveShare = 0.5
    /// Share of validation applicants the policy rejects outright.
    public var rejectShare = 0.15
    public var scoreScale = ScoreScale()
    /// What the model may use and say; its excluded inputs replace `pipeline.excludedFields`.
    public var modelPolicy = ModelPolicy.standard

    public init(kind: ModelKind) {
        self.kind = kind
    }
}

/// Trains a model of either family on a training file, tuning and calibrating on a validation file,
/// and returns the complete ``ModelDocument``.
public struct ModelTrainer {
    public var configuration: TrainingConfiguration
    /// Receives progress lines.
    public var log: (String) -> Void

    public init(configuration: TrainingConfiguration, log: @escaping (String) -> Void = { _ in }) {
        self.configuration = configuration
        self.log = log
    }

    public func train(train: Dataset, valid: Dataset, fingerprint: DataFingerprint) throws -> ModelDocument {
        let trainLabels = try train.requireLabels("training")
        let validLabels = try valid.requireLabels("validation")
        let started = Date()
        var pipelineOptions = configuration.pipeline
        pipelineOptions.excludedFields = configuration.modelPolicy.excludedInputs
        let pipeline = try FeaturePipeline.fit(train, labels: trainLabels, options: pipelineOptions)
        log(
            "features fitted in \(String(format: "%.2f", Date().timeIntervalSince(started))) s: \(pipeline.inputCount) inputs; dropped \(pipeline.droppedFields.keys.sorted().joined(separator: ", "))"
        )

        var parameters = TrainingParameters(pipeline: pipelineOptions, trainingSeconds: 0)
        var logistic: LogisticModel?
        var ensemble: TreeEnsemble?
        let validRaw: [Double]
        let trainRaw: [Double]
        switch configuration.kind {
        case .logistic:
            var options = configuration.logistic
            let constraints = Self.monotoneConstraints(pipeline, configuration.modelPolicy)
            options.monotoneConstraints = constraints.contains { $0 != 0 } ? constraints : nil
            let fitted = try trainLogistic(pipeline, train, trainLabels, valid, validLabels, options: options)
            logistic = fitted.model
            parameters.logistic = options
            parameters.chosenLambda = fitted.model.lambda
            validRaw = fitted.validRaw
            trainRaw = fitted.trainRaw
        case .gbdt:
            let trainMatrix = pipeline.outOfFoldTreeMatrix(train.applicants, labels: trainLabels)
            let validMatrix = pipeline.treeMatrix(valid.applicants)
            log("inputs encoded at \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
            var boosting = configuration.boosting
            boosting.monotoneConstraints = Self.monotoneConstraints(pipeline, configuration.modelPolicy)
            let trainer = BoostingTrainer(options: boosting)
            let result = try trainer.train(
                train: trainMatrix, trainLabels: trainLabels, valid: validMatrix, validLabels: validLabels,
                inputCount: pipeline.inputCount
            ) { [log] step in
                log(
                    "trees \(step.trees): valid log-loss \(String(format: "%.5f", step.validLogLoss)), AUC \(String(format: "%.4f", step.validAUC ?? 0))"
                )
            }
            ensemble = result.ensemble
            parameters.boosting = boosting
            parameters.trees = result.bestIteration
            log("early stopping kept \(result.bestIteration) trees (at \(String(format: "%.2f", Date().timeIntervalSince(started))) s)")
            let forest = FlatForest(result.ensemble)
            validRaw = Self.rawScores(forest, validMatrix, rows: valid.count, inputs: pipeline.inputCount)
            trainRaw = Self.rawScores(forest, pipeline.treeMatrix(train.applicants), rows: train.count, inputs: pipeline.inputCount)
        }
        parameters.trainingSeconds = Date().timeIntervalSince(started)

        let calibration = PlattCalibration.fit(raw: validRaw, labels: validLabels)
        let validPD = validRaw.map(calibration.probability(raw:))
        let trainPD = trainRaw.map(calibration.probability(raw:))
        let policy = try DecisionPolicy.fromShares(
            validationProbabilities: validPD, approveShare: configuration.approveShare,
            rejectShare: configuration.rejectShare)
        let report = EvaluationReport(
            probabilities: validPD, labels: validLabels, applicants: valid.applicants,
            schema: valid.schema, policy: policy,
            groups: configuration.modelPolicy.fairnessGroups ?? ModelPolicy.defaultFairnessGroups)
        let createdAt = ISO8601DateFormatter().string(from: Date())
        let modelId = "\(configuration.kind.rawValue)-\(createdAt.prefix(10))-\(fingerprint.trainSHA256.prefix(8))"
        return ModelDocument(
            formatVersion: ModelDocument.currentFormatVersion, modelId: modelId, kind: configuration.kind, createdAt: createdAt,
            trainingData: fingerprint, schema: SchemaDocument(schema: train.schema), pipeline: pipeline, parameters: parameters,
            logistic: logistic, ensemble: ensemble, calibration: calibration, policy: policy, scoreScale: configuration.scoreScale,
            metrics: TrainingMetrics(train: MetricSummary(probabilities: trainPD, labels: trainLabels), valid: report),
            modelPolicy: configuration.modelPolicy,
            reference: ReferenceDistribution(probabilities: validPD, applicants: valid.applicants, pipeline: pipeline, schema: valid.schema),
            reasonCodes: ReasonCode.table(schema: train.schema, pipeline: pipeline), reasonFamilies: .standard)
    }

    /// Per tree input, the sign its effect on the log-odds of default must keep: the policy's
    /// direction for ordered (numeric) fields, 0 for the rest.
    static func monotoneConstraints(_ pipeline: FeaturePipeline, _ policy: ModelPolicy) -> [Int] {
        pipeline.encoders.map { encoder in
            guard encoder.kind == .numeric, let direction = policy.direction(of: encoder.field) else { return 0 }
            return direction.sign
        }
    }

    /// The validation-AUC cost of each item of the policy: the same training without it.
    public func policyCosts(train: Dataset, valid: Dataset, fingerprint: DataFingerprint, auc: Double) throws -> [PolicyCost] {
        try configuration.modelPolicy.variantsWithoutEachItem.map { variant in
            var changed = configuration
            changed.modelPolicy = variant.policy
            let document = try ModelTrainer(configuration: changed).train(train: train, valid: valid, fingerprint: fingerprint)
            let without = document.metrics.valid.summary.auc
            log("without \(variant.item): valid AUC \(String(format: "%.4f", without)) (\(String(format: "%+.4f", without - auc)))")
            return PolicyCost(item: variant.item, aucWithout: without, cost: without - auc)
        }
    }

    static func rawScores(_ forest: FlatForest, _ matrix: [Double], rows: Int, inputs: Int) -> [Double] {
        var x = [Double](repeating: 0, count: inputs)
        return (0..<rows).map { row in
            for input in 0..<inputs { x[input] = matrix[input * rows + row] }
            return x.withUnsafeBufferPointer { forest.rawScore($0) }
        }
    }

    private func levelMatrix(_ pipeline: FeaturePipeline, _ data: Dataset) -> [Int32] {
        var levels = [Int32](repeating: 0, count: data.count * pipeline.inputCount)
        var row = [Int32](repeating: 0, count: pipeline.inputCount)
        for (index, applicant) in data.applicants.enumerated() {
            pipeline.levels(of: applicant, into: &row)
            levels.replaceSubrange((index * pipeline.inputCount)..<((index + 1) * pipeline.inputCount), with: row)
        }
        return levels
    }

    private func trainLogistic(
        _ pipeline: FeaturePipeline, _ train: Dataset, _ trainLabels: [Int], _ valid: Dataset, _ validLabels: [Int],
        options: LogisticOptions
    ) throws -> (model: LogisticModel, validRaw: [Double], trainRaw: [Double]) {
        let levelCounts = pipeline.encoders.map(\.levelCount)
        let trainer = LogisticTrainer(levelCounts: levelCounts, levels: levelMatrix(pipeline, train), labels: trainLabels)
        let validLevels = levelMatrix(pipeline, valid)
        guard !options.lambdas.isEmpty, options.lambdas.allSatisfy({ $0 > 0 }) else {
            throw ModelError.invalidOption("give at least one positive L2 strength")
        }
        var best: (model: LogisticModel, auc: Double)?
        var start: [Double]?
        // A numeric field's value bins come before its missing level.
        let binCounts = pipeline.encoders.map { $0.kind == .numeric ? $0.edges.count + 1 : 0 }
        for lambda in options.lambdas.sorted(by: >) {
            let solution =
                if let constraints = options.monotoneConstraints {
                    try trainer.solveMonotone(lambda: lambda, options: options, constraints: constraints, binCounts: binCounts, start: start)
                } else {
                    try trainer.solve(lambda: lambda, options: options, start: start)
                }
            start = solution.beta
            let model = trainer.model(from: solution.beta, lambda: lambda)
            let raw = Self.logisticRaw(model, validLevels, inputs: pipeline.inputCount, rows: valid.count)
            let auc = Metrics.auc(raw, validLabels)
            log("lambda \(lambda): \(solution.iterations) Newton steps, valid AUC \(String(format: "%.4f", auc))")
            if best == nil || auc > best!.auc { best = (model, auc) }
        }
        let model = best!.model
        return (
            model, Self.logisticRaw(model, validLevels, inputs: pipeline.inputCount, rows: valid.count),
            Self.logisticRaw(model, trainer.levels, inputs: pipeline.inputCount, rows: train.count)
        )
    }

    static func logisticRaw(_ model: LogisticModel, _ levels: [Int32], inputs: Int, rows: Int) -> [Double] {
        (0..<rows).map { row in model.rawScore(levels: Array(levels[(row * inputs)..<((row + 1) * inputs)])) }
    }
}
