/// One page of a history: jobs newest first, and where the next page starts.
public struct HistoryPage: Sendable, Equatable {
    public var jobs: [Job]
    /// The `before` of the next page (a job id), or nil when no job is left. A page may be short
    /// of its limit, even empty, and still have a `next`: the store reads at most 10,000
    /// applications for one page of rare filters (``HistoryLimits``).
    public var next: String?

    public init(jobs: [Job], next: String?) {
        self.jobs = jobs
        self.next = next
    }
}
