import Foundation

/// Settings for fitting a ``FeaturePipeline``.
public struct PipelineOptions: Codable, Sendable, Equatable {
    /// Fields never used as model inputs (`sex`, for fairness).
    public var excludedFields: [String] = ["sex"]
    /// A code seen fewer times than this in training shares the "other" level with unseen codes.
    public var minCategoryCount: Int = 25
    /// Most quantile bins per numeric field for the logistic model.
    public var maxNumericBins: Int = 10
    /// Pseudo-count pulling a level's default rate towards the overall rate.
    public var smoothing: Double = 30
    /// Folds for out-of-fold category encoding of training rows (trees only).
    public var folds: Int = 5
    public var seed: UInt64 = 2010

    public init() {}

    enum CodingKeys: String, CodingKey {
        case excludedFields = "excluded_fields", minCategoryCount = "min_category_count"
        case maxNumericBins = "max_numeric_bins", smoothing, folds, seed
    }
}

/// Turns applicants into model inputs: chooses the fields, bins numbers, encodes categories.
/// Fitted on training data only and stored in the model file.
public struct FeaturePipeline: Codable, Sendable {
    /// One encoder per model input, in input order.
    public private(set) var encoders: [FieldEncoder]
    /// Fields left out, each with the reason ("constant in training data").
    public let droppedFields: [String: String]
    /// Overall default rate in the training data.
    public let prior: Double
    public let options: PipelineOptions
    /// Flat lookup tables for scoring, rebuilt whenever encoders are bound; not stored.
    private(set) var compiled: CompiledPipeline

    package init(encoders: [FieldEncoder], droppedFields: [String: String], prior: Double, options: PipelineOptions) {
        self.encoders = encoders
        self.droppedFields = droppedFields
        self.prior = prior
        self.options = options
        compiled = CompiledPipeline(encoders)
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            encoders: try container.decode([FieldEncoder].self, forKey: .encoders),
            droppedFields: try container.decode([String: String].self, forKey: .droppedFields),
            prior: try container.decode(Double.self, forKey: .prior),
            options: try container.decode(PipelineOptions.self, forKey: .options))
    }

    enum CodingKeys: String, CodingKey {
        case encoders, droppedFields = "dropped_fields", prior, options
    }

    /// Number of model inputs.
    public var inputCount: Int { encoders.count }

    /// Resolves field names against `schema`; called after decoding a model file.
    mutating func bind(to schema: ApplicantSchema) throws(ModelError) {
        for position in encoders.indices {
            guard let index = schema.index(of: encoders[position].field) else {
                throw .modelFile("the model uses field \(encoders[position].field), which the schema does not have")
            }
            encoders[position].fieldIndex = index
        }
        compiled = CompiledPipeline(encoders)
    }

    // MARK: - Encoding

    /// Writes the level of every input of `applicant` into `levels` (length ``inputCount``).
    public func levels(of applicant: Applicant, into levels: inout [Int32]) {
        for position in 0..<compiled.inputCount {
            levels[position] = Int32(compiled.level(position, applicant.values[compiled.inputs[position].fieldIndex]))
        }
    }

    /// Writes the tree inputs of `applicant` into `values` (length ``inputCount``).
    public func treeValues(of applicant: Applicant, into values: inout [Double]) {
        for position in 0..<compiled.inputCount {
            values[position] = compiled.treeValue(position, applicant.values[compiled.inputs[position].fieldIndex])
        }
    }

    /// Tree inputs for every row, column-major (`matrix[input * rows + row]`).
    public func treeMatrix(_ applicants: [Applicant]) -> [Double] {
        let rows = applicants.count
        var matrix = [Double](repeating: 0, count: rows * inputCount)
        for position in 0..<compiled.inputCount {
            let field = compiled.inputs[position].fieldIndex
            for row in 0..<rows { matrix[position * rows + row] = compiled.treeValue(position, applicants[row].values[field]) }
        }
        return matrix
    }
}
