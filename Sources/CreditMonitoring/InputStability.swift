import CreditSchema

/// Each input's characteristic stability index (CSI): how far the applicants scored now have
/// moved from the validation applicants, field by field, largest first. The bands are the PSI's
/// (``WeeklyStability/band(_:)``): under 0.1 stable, to 0.25 a shift, beyond a major shift.
public struct InputStability: Sendable {
    /// One field's index.
    public struct Input: Sendable, Equatable {
        public var field: String
        public var index: Double
        public var band: String { WeeklyStability.band(index) }
    }

    public var inputs: [Input]
    /// How many applicants were compared.
    public var applicants: Int

    /// The stability of `applicants`' fields against `reference`, each field's validation bins.
    public init(_ applicants: [Applicant], reference: [String: BinnedShares], schema: ApplicantSchema) {
        self.applicants = applicants.count
        guard !applicants.isEmpty else {
            inputs = []
            return
        }
        inputs = reference.compactMap { field, bins -> Input? in
            guard let index = schema.index(of: field) else { return nil }
            let shares = bins.shares(of: applicants.map { bins.bin($0.values[index]) })
            return Input(field: field, index: bins.stability(of: shares))
        }
        .sorted { $0.index != $1.index ? $0.index > $1.index : $0.field < $1.field }
    }
}
