import CreditSchema

/// A stable code for a reason's factor, for adverse-action notices and the results file
/// ("R50" for age): from the field's PAKDD column, so that every model on this schema gives a
/// factor the same code. The model file keeps its table (``ModelDocument/reasonCodes``).
public struct ReasonCode: Codable, Sendable, Equatable {
    public var code: String
    public var field: String
    /// What the code stands for on a notice ("Age").
    public var factor: String

    public init(code: String, field: String, factor: String) {
        self.code = code
        self.field = field
        self.factor = factor
    }

    /// The code of every field a model with `pipeline` may give as a reason.
    package static func table(schema: ApplicantSchema, pipeline: FeaturePipeline) -> [ReasonCode] {
        var seen = Set<String>()
        return pipeline.encoders.compactMap { encoder in
            guard seen.insert(encoder.field).inserted, let index = schema.index(of: encoder.field) else { return nil }
            let field = schema.fields[index]
            let number = field.column ?? (100 + index)
            return ReasonCode(code: "R" + (number < 10 ? "0" : "") + String(number), field: field.name, factor: field.label)
        }
    }
}
