import ArgumentParser
import CreditModel
import CreditSystem
import Foundation

/// `credit train`: fits a model on a training file with tuning, early stopping and calibration on a validation file.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train", abstract: "Train a model and write its JSON model file.")

    @Option(help: "Training file (PAKDD format, with target).") var train: String
    @Option(help: "Validation file, used for early stopping, tuning, calibration and the policy.") var valid: String
    @Option(help: "Model family.") var kind: ModelKind = .gbdt
    @Option(help: "Where to write the model file.") var out: String
    @Option(help: "Random seed (row and feature sampling, folds).") var seed: UInt64 = 2010
    @Option(help: "Threads for tree training.") var threads: Int = 2
    @Option(help: "Trees: learning rate.") var learningRate: Double?
    @Option(help: "Trees: most leaves per tree.") var maxLeaves: Int?
    @Option(help: "Trees: most depth per tree.") var maxDepth: Int?
    @Option(help: "Trees: fewest training rows in a leaf.") var minRowsInLeaf: Int?
    @Option(help: "Trees: L2 penalty on leaf values.") var lambda: Double?
    @Option(help: "Trees: share of rows sampled per tree.") var rowSubsample: Double?
    @Option(help: "Trees: share of inputs considered per tree.") var featureSubsample: Double?
    @Option(help: "Trees: most trees.") var maxTrees: Int?
    @Option(help: "Trees: stop after this many trees without improvement.") var earlyStoppingRounds: Int?
    @Option(help: "Logistic: comma-separated L2 strengths to try.") var lambdas: String?
    @Option(help: "Codes seen fewer times than this share the 'other' level.") var minCategoryCount: Int?
    @Option(help: "Pseudo-count smoothing category default rates.") var smoothing: Double?
    @Option(help: "Logistic: most bins per numeric field.") var maxNumericBins: Int?
    @Option(help: "Policy: share of validation applicants approved.") var approveShare: Double = 0.5
    @Option(help: "Policy: share of validation applicants rejected.") var rejectShare: Double = 0.15
    @Option(
        help: ArgumentHelp(
            "What the model may use and say: `standard` (the default), `none`, or a JSON file.",
            discussion: "A file holds excluded_inputs, monotone ({field: decreasing|increasing}), excluded_reasons and protected_age ({field, from})."
        ))
    var policy: String = "standard"
    @Flag(help: "Also train without each policy item in turn and record what each costs in validation AUC (for the card).")
    var policyCosts = false
    @Flag(help: "Print a JSON summary on standard output at the end.") var json = false
    @Flag(help: "No progress lines.") var quiet = false

    func configuration() throws -> TrainingConfiguration {
        var config = TrainingConfiguration(kind: kind)
        config.pipeline.seed = seed
        config.boosting.seed = seed
        config.boosting.threads = threads
        if let learningRate { config.boosting.learningRate = learningRate }
        if let maxLeaves { config.boosting.maxLeaves = maxLeaves }
        if let maxDepth { config.boosting.maxDepth = maxDepth }
        if let minRowsInLeaf { config.boosting.minRowsInLeaf = minRowsInLeaf }
        if let lambda { config.boosting.lambda = lambda }
        if let rowSubsample { config.boosting.rowSubsample = rowSubsample }
        if let featureSubsample { config.boosting.featureSubsample = featureSubsample }
        if let maxTrees { config.boosting.maxTrees = maxTrees }
        if let earlyStoppingRounds { config.boosting.earlyStoppingRounds = earlyStoppingRounds }
        if let lambdas {
            let values = lambdas.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw ValidationError("--lambdas takes positive numbers separated by commas")
            }
            config.logistic.lambdas = values.map { $0! }
        }
        if let minCategoryCount { config.pipeline.minCategoryCount = minCategoryCount }
        if let smoothing { config.pipeline.smoothing = smoothing }
        if let maxNumericBins { config.pipeline.maxNumericBins = maxNumericBins }
        switch policy {
        case "standard": config.modelPolicy = .standard
        case "none": config.modelPolicy = .unconstrained
        default:
            do { config.modelPolicy = try JSONDecoder().decode(ModelPolicy.self, from: Data(contentsOf: URL(fileURLWithPath: policy))) } catch {
                throw ValidationError("--policy \(policy) is not a readable policy file: \(error)")
            }
        }
        config.approveShare = approveShare
        config.rejectShare = rejectShare
        return config
    }

    func run() throws {
        let config = try configuration()
        let log: (String) -> Void = quiet ? { _ in } : { printError($0) }
        let loadStart = Date()
        let trainData = try readDataset(train)
        let validData = try readDataset(valid)
        log("read \(trainData.count) training and \(validData.count) validation rows in \(fixed(Date().timeIntervalSince(loadStart), 2)) s")
        let fingerprint = DataFingerprint(
            trainFile: URL(fileURLWithPath: train).lastPathComponent, trainSHA256: try SHA256Digest.hex(ofFile: train), trainRows: trainData.count,
            validFile: URL(fileURLWithPath: valid).lastPathComponent, validSHA256: try SHA256Digest.hex(ofFile: valid), validRows: validData.count)
        var document: ModelDocument
        do {
            let trainer = ModelTrainer(configuration: config, log: log)
            document = try trainer.train(train: trainData, valid: validData, fingerprint: fingerprint)
            if policyCosts {
                document.policyCosts = try trainer.policyCosts(
                    train: trainData, valid: validData, fingerprint: fingerprint,
                    auc: document.metrics.valid.summary.auc)
            }
        } catch let error as ModelError { throw CommandError(error.description) }
        try document.write(to: out)
        let summary = document.metrics.valid.summary
        let train = document.metrics.train
        log(
            """
            model \(document.modelId) written to \(out)
              training time   \(fixed(document.parameters.trainingSeconds, 2)) s\(document.parameters.trees.map { " (\($0) trees)" } ?? "")
              train           AUC \(fixed(train.auc))  log-loss \(fixed(train.logloss))
              valid           AUC \(fixed(summary.auc))  KS \(fixed(summary.ks))  Gini \(fixed(summary.gini))  Brier \(fixed(summary.brier))  log-loss \(fixed(summary.logloss))
              policy          approve PD < \(fixed(document.policy.approveBelow)), reject PD ≥ \(fixed(document.policy.rejectFrom)); approval rate \(fixed(document.metrics.valid.policy.approvalRate, 3))
            """)
        if json {
            struct Summary: Encodable {
                var model_id: String, kind: String, out: String
                var auc_valid: Double, ks_valid: Double, brier_valid: Double, logloss_valid: Double, auc_train: Double
                var train_seconds: Double, trees: Int?, lambda: Double?
            }
            print(
                try jsonLine(
                    Summary(
                        model_id: document.modelId, kind: document.kind.rawValue, out: out, auc_valid: summary.auc,
                        ks_valid: summary.ks, brier_valid: summary.brier, logloss_valid: summary.logloss, auc_train: train.auc,
                        train_seconds: document.parameters.trainingSeconds, trees: document.parameters.trees,
                        lambda: document.parameters.chosenLambda)))
        }
    }
}
