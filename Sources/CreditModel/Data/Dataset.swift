/// Applicants read into memory, with their IDs and (for labelled files) targets.
public struct Dataset: Sendable {
    public let schema: ApplicantSchema
    public var applicants: [Applicant] = []
    public var ids: [Int] = []
    /// 1 = bad, 0 = good; nil for unlabelled files.
    public var labels: [Int]? = []

    public init(schema: ApplicantSchema) {
        self.schema = schema
    }

    public init(schema: ApplicantSchema, applicants: [Applicant], ids: [Int], labels: [Int]?) {
        self.schema = schema
        self.applicants = applicants
        self.ids = ids
        self.labels = labels
    }

    public var count: Int { applicants.count }

    mutating func append(_ record: PAKDDRecord) {
        applicants.append(record.applicant)
        ids.append(record.id)
        if let target = record.target { labels?.append(target) }
    }

    /// Labels, or an error saying the file has no target column.
    public func requireLabels(_ what: String) throws(ModelError) -> [Int] {
        guard let labels, labels.count == applicants.count else {
            throw ModelError.unlabelledData("\(what) needs a labelled file (54 fields, the last one 0 or 1)")
        }
        return labels
    }
}
