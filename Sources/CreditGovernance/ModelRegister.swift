/// The champion and challenger in force, replayed from the register's rows.
///
/// Promotions stack up: a rollback returns to the champion before the current one, and a second
/// rollback to the one before that. With nothing promoted (or everything rolled back) the
/// champion is the service's configured model (`CREDIT_MODEL`), shown here as nil. Promoting the
/// challenger ends its challenge.
public struct ModelRegister: Sendable, Equatable {
    /// Promoted champions, oldest first; the last is in force.
    public private(set) var champions: [ModelVersion] = []
    /// The model scored in the shadow of the champion, if any.
    public private(set) var challenger: ModelVersion?
    /// The last row replayed (0 for an empty register).
    public private(set) var lastSeq: Int64 = 0

    public init(_ rows: [ModelAssignment] = []) {
        for row in rows { apply(row) }
    }

    /// The promoted champion in force; nil means the configured model.
    public var champion: ModelVersion? { champions.last }

    /// What a rollback returns to: `.some(nil)` is the configured model; nil when nothing was promoted.
    public var rollbackTarget: ModelVersion?? {
        champions.isEmpty ? nil : .some(champions.dropLast().last)
    }

    mutating func apply(_ row: ModelAssignment) {
        lastSeq = max(lastSeq, row.seq)
        let version = row.model.flatMap { id in row.file.map { ModelVersion(id: id, file: $0) } }
        switch row.action {
        case .promote:
            guard let version else { return }
            if champions.last != version { champions.append(version) }
            if challenger?.id == version.id { challenger = nil }
        case .rollback:
            if !champions.isEmpty { champions.removeLast() }
        case .challenge:
            challenger = version
        }
    }
}
