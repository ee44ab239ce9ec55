// The stability bins, which the model file keeps for monitoring.
@_exported import CreditMonitoring
// The applicant schema lives in its own module (CreditSchema) so that the responder can validate
// applications without linking the model engine; everything using CreditModel sees it as before.
@_exported import CreditSchema
// The scoring engine the trainer builds models for.
@_exported import CreditScoring
import Foundation

extension SchemaDocument {
    /// Pretty-printed JSON with sorted keys (`credit schema`, model files).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
