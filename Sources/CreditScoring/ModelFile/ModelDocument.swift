import Foundation

/// The two model families.
public enum ModelKind: String, Codable, Sendable, CaseIterable {
    case gbdt
    case logistic
}

/// Where the training data came from, so that a model can be traced to the exact files.
public struct DataFingerprint: Codable, Sendable, Equatable {
    public var trainFile: String
    public var trainSHA256: String
    public var trainRows: Int
    public var validFile: String
    public var validSHA256: String
    public var validRows: Int

    public init(trainFile: String, trainSHA256: String, trainRows: Int, validFile: String, validSHA256: String, validRows: Int) {
        self.trainFile = trainFile
        self.trainSHA256 = trainSHA256
        self.trainRows = trainRows
        self.validFile = validFile
        self.validSHA256 = validSHA256
        self.validRows = validRows
    }

    enum CodingKeys: String, CodingKey {
        case trainFile = "train_file", trainSHA256 = "train_sha256", trainRows = "train_rows"
        case validFile = "valid_file", validSHA256 = "valid_sha256", validRows = "valid_rows"
    }
}

/// The settings a model was trained with and what training chose.
public struct TrainingParameters: Codable, Sendable {
    public var pipeline: PipelineOptions
    public var logistic: LogisticOptions?
    public var boosting: BoostingOptions?
    /// Logistic: the L2 strength chosen on the validation set.
    public var chosenLambda: Double?
    /// Trees: how many trees early stopping kept.
    public var trees: Int?
    public var trainingSeconds: Double

    package init(
        pipeline: PipelineOptions, logistic: LogisticOptions? = nil, boosting: BoostingOptions? = nil, chosenLambda: Double? = nil,
        trees: Int? = nil, trainingSeconds: Double
    ) {
        self.pipeline = pipeline
        self.logistic = logistic
        self.boosting = boosting
        self.chosenLambda = chosenLambda
        self.trees = trees
        self.trainingSeconds = trainingSeconds
    }

    enum CodingKeys: String, CodingKey {
        case pipeline, logistic, boosting
        case chosenLambda = "chosen_lambda", trees, trainingSeconds = "training_seconds"
    }
}

/// Measures recorded at training time.
public struct TrainingMetrics: Codable, Sendable {
    public var train: MetricSummary
    public var valid: EvaluationReport

    package init(train: MetricSummary, valid: EvaluationReport) {
        self.train = train
        self.valid = valid
    }
}

/// A trained model as one versioned JSON document: everything needed to score, explain and audit it.
public struct ModelDocument: Codable, Sendable {
    /// The format this code writes and reads. Files with a higher number come from a newer version.
    public static let currentFormatVersion = 1

    public var formatVersion: Int
    public var modelId: String
    public var kind: ModelKind
    public var createdAt: String
    public var trainingData: DataFingerprint
    public var schema: SchemaDocument
    public var pipeline: FeaturePipeline
    public var parameters: TrainingParameters
    public var logistic: LogisticModel?
    public var ensemble: TreeEnsemble?
    public var calibration: PlattCalibration
    public var policy: DecisionPolicy
    public var scoreScale: ScoreScale
    public var metrics: TrainingMetrics
    /// What the model may use and say (nil in files made before policies: no constraint).
    public var modelPolicy: ModelPolicy? = nil
    /// The validation-AUC cost of each policy item (`credit train --policy-costs`).
    public var policyCosts: [PolicyCost]? = nil
    /// The validation distribution of the PD and the inputs, for `credit monitor`.
    public var reference: ReferenceDistribution? = nil
    /// The stable code of each factor a reason may name, for adverse-action notices (nil in
    /// older files: the same table is derived from the schema when they load).
    public var reasonCodes: [ReasonCode]? = nil
    /// The families reasons are summed into, with their codes and words (nil in older files:
    /// ``ReasonFamilies/standard``).
    public var reasonFamilies: ReasonFamilies? = nil

    /// The families this model's reasons are given in.
    public var families: ReasonFamilies { reasonFamilies ?? .standard }

    package init(
        formatVersion: Int, modelId: String, kind: ModelKind, createdAt: String, trainingData: DataFingerprint, schema: SchemaDocument,
        pipeline: FeaturePipeline, parameters: TrainingParameters, logistic: LogisticModel?, ensemble: TreeEnsemble?,
        calibration: PlattCalibration, policy: DecisionPolicy, scoreScale: ScoreScale, metrics: TrainingMetrics,
        modelPolicy: ModelPolicy? = nil, policyCosts: [PolicyCost]? = nil, reference: ReferenceDistribution? = nil,
        reasonCodes: [ReasonCode]? = nil, reasonFamilies: ReasonFamilies? = nil
    ) {
        self.formatVersion = formatVersion
        self.modelId = modelId
        self.kind = kind
        self.createdAt = createdAt
        self.trainingData = trainingData
        self.schema = schema
        self.pipeline = pipeline
        self.parameters = parameters
        self.logistic = logistic
        self.ensemble = ensemble
        self.calibration = calibration
        self.policy = policy
        self.scoreScale = scoreScale
        self.metrics = metrics
        self.modelPolicy = modelPolicy
        self.policyCosts = policyCosts
        self.reference = reference
        self.reasonCodes = reasonCodes
        self.reasonFamilies = reasonFamilies
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", modelId = "model_id", kind, createdAt = "created_at"
        case trainingData = "training_data", schema, pipeline, parameters, logistic, ensemble, calibration, policy
        case scoreScale = "score_scale", metrics, modelPolicy = "model_policy", policyCosts = "policy_costs", reference
        case reasonCodes = "reason_codes", reasonFamilies = "reason_families"
    }

    /// Encodes as JSON (sorted keys; pretty-printed when asked).
    public func jsonData(pretty: Bool = false) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }

    /// Writes the document atomically to `path`.
    public func write(to path: String) throws {
        try jsonData().write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Reads and validates a model file; throws ``ModelError/modelFile(_:)`` with the reason.
    public static func load(path: String) throws(ModelError) -> ModelDocument {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .modelFile("cannot read \(path): \(FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")")
        }
        return try decode(data, source: path)
    }

    /// Decodes and validates a model document from JSON bytes.
    public static func decode(_ data: Data, source: String = "model") throws(ModelError) -> ModelDocument {
        struct Header: Decodable {
            var formatVersion: Int?
            enum CodingKeys: String, CodingKey { case formatVersion = "format_version" }
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let header: Header
        do { header = try decoder.decode(Header.self, from: data) } catch {
            throw .modelFile("\(source) is not a JSON model document (truncated or not JSON)")
        }
        guard let version = header.formatVersion else { throw .modelFile("\(source) has no format_version; it is not a model file") }
        guard version <= currentFormatVersion else {
            throw .modelFile("\(source) has format version \(version), newer than this program reads (\(currentFormatVersion)); upgrade the program")
        }
        guard version >= 1 else { throw .modelFile("\(source) has an invalid format version \(version)") }
        var document: ModelDocument
        do { document = try decoder.decode(ModelDocument.self, from: data) } catch let error as ModelError {
            throw error
        } catch {
            throw .modelFile("\(source) is incomplete or damaged: \(describe(error))")
        }
        try document.validate()
        return document
    }

    /// Checks internal consistency and binds the pipeline to the schema.
    mutating func validate() throws(ModelError) {
        try pipeline.bind(to: .pakdd)
        switch kind {
        case .logistic:
            guard let logistic else { throw .modelFile("a logistic model has no coefficients") }
            guard logistic.weights.count == pipeline.inputCount, logistic.meanWeights.count == pipeline.inputCount,
                zip(logistic.weights, pipeline.encoders).allSatisfy({ $0.count == $1.levelCount })
            else {
                throw .modelFile("the logistic coefficients do not match the feature pipeline")
            }
        case .gbdt:
            guard let ensemble else { throw .modelFile("a gbdt model has no trees") }
            guard ensemble.inputCount == pipeline.inputCount else { throw .modelFile("the trees do not match the feature pipeline") }
            try ensemble.validate()
        }
        guard policy.approveBelow <= policy.rejectFrom, calibration.slope.isFinite, calibration.intercept.isFinite else {
            throw .modelFile("the decision policy or calibration is invalid")
        }
        try families.validate(fields: ApplicantSchema.pakdd.fields.map(\.name))
    }
}

private func describe(_ error: Error) -> String {
    switch error {
    case DecodingError.keyNotFound(let key, let context):
        return "missing \(path(context.codingPath + [key]))"
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
        return "wrong type at \(path(context.codingPath))"
    case DecodingError.dataCorrupted(let context):
        return context.codingPath.isEmpty ? "not valid JSON (truncated?)" : "bad value at \(path(context.codingPath))"
    default:
        return "\(error)"
    }
}

private func path(_ keys: [CodingKey]) -> String {
    keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
}
