import CreditMonitoring
import CreditSchema
import Foundation

/// The validation distribution of a model's PD and of each input field, stored in the model
/// file for `credit monitor`.
public struct ReferenceDistribution: Codable, Sendable, Equatable {
    /// PD deciles on the validation file.
    public var probability: BinnedShares
    /// Each input field's bins, by field name.
    public var fields: [String: BinnedShares]

    /// From the validation applicants and their PDs, for the fields the pipeline uses.
    package init(probabilities: [Double], applicants: [Applicant], pipeline: FeaturePipeline, schema: ApplicantSchema) {
        probability = .deciles(probabilities)
        var fields: [String: BinnedShares] = [:]
        for encoder in pipeline.encoders {
            guard let index = schema.index(of: encoder.field) else { continue }
            let values = applicants.map { $0.values[index] }
            if case .number = schema.fields[index].kind {
                fields[encoder.field] = .deciles(values.map { if case .number(let n) = $0 { n } else { nil } })
            } else {
                fields[encoder.field] = .codes(values)
            }
        }
        self.fields = fields
    }
}
