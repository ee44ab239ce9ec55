import CreditText

/// The columns of a scored file, the same from `GET /api/batches/{id}/results.csv` and from
/// `credit score --format csv`, with its header and words in a language: where the row was, whose
/// it is, the final decision in words (a reviewer's once recorded, else the model's) and where it
/// came from, the model's decision code, PD and score, the main reasons with their codes (the field
/// each reason is about), and the error of a row that could not be scored. Written by ``CSVWriter``.
public enum ResultTable {
    /// Reasons given per row.
    public static let reasonCount = 3

    /// One row's outcome, in codes; ``cells(_:_:)`` puts it in words.
    public struct Row: Sendable {
        public var line: Int
        /// The application's id (empty when scored offline).
        public var id: String
        public var clientID: String?
        public var applicantName: String?
        /// `queued`, `running`, `done`, `failed`, or `invalid` (refused by `credit score`).
        public var status: String
        public var probabilityOfDefault: Double?
        public var score: Int?
        /// The model's `approve`, `review` or `reject`.
        public var modelDecision: String?
        /// A reviewer's `approve` or `decline`, and how the application came to review (`model`,
        /// `officer`, `override`).
        public var finalDecision: String?
        public var reviewOrigin: String?
        /// (code, text in the table's language), most important first.
        public var reasons: [(code: String, text: String)]
        /// Why the row was not scored, in English.
        public var error: String?

        public init(
            line: Int, id: String, clientID: String?, applicantName: String?, status: String, probabilityOfDefault: Double?, score: Int?,
            modelDecision: String?, finalDecision: String? = nil, reviewOrigin: String? = nil, reasons: [(code: String, text: String)],
            error: String?
        ) {
            self.line = line
            self.id = id
            self.clientID = clientID
            self.applicantName = applicantName
            self.status = status
            self.probabilityOfDefault = probabilityOfDefault
            self.score = score
            self.modelDecision = modelDecision
            self.finalDecision = finalDecision
            self.reviewOrigin = reviewOrigin
            self.reasons = reasons
            self.error = error
        }
    }

    /// The header in `catalog`'s language.
    public static func header(_ catalog: MessageCatalog) -> [String] {
        let english =
            [
                "Line", "Application ID", "Client ID", "Applicant name", "Status", "Final decision", "Decision origin", "Model decision code",
                "Probability of default", "Score",
            ] + (1...reasonCount).flatMap { ["Reason \($0) code", "Reason \($0)"] } + ["Error"]
        return english.map(catalog.translate)
    }

    /// One row's cells, its words in `catalog`'s language (the reasons' texts come in it already).
    public static func cells(_ row: Row, _ catalog: MessageCatalog) -> [CSVCell] {
        let final = finalDecision(model: row.modelDecision, reviewer: row.finalDecision, origin: row.reviewOrigin, catalog)
        var cells: [CSVCell] = [
            .integer(row.line), .text(row.id), .text(row.clientID ?? ""), .text(row.applicantName ?? ""), .text(status(row.status, catalog)),
            .text(final.words), .text(final.origin), .text(row.modelDecision ?? ""),
            row.probabilityOfDefault.map { .number($0, digits: 6) } ?? .empty, row.score.map(CSVCell.integer) ?? .empty,
        ]
        for index in 0..<reasonCount {
            cells += index < row.reasons.count ? [.text(row.reasons[index].code), .text(row.reasons[index].text)] : [.empty, .empty]
        }
        return cells + [.text(row.error.map(catalog.translate) ?? "")]
    }

    /// The final decision in words and where it came from: a reviewer's (`approve`, `decline`)
    /// once recorded, else the model's (`approve`, `review`, `reject`); empty before scoring.
    public static func finalDecision(
        model: String?, reviewer: String?, origin: String?, _ catalog: MessageCatalog
    ) -> (
        words: String, origin: String
    ) {
        if let reviewer {
            let words = reviewer == "approve" ? "Approved" : reviewer == "decline" ? "Declined" : reviewer
            let from =
                switch origin {
                case "model": "Reviewer (referred by the model)"
                case "officer": "Reviewer (sent by the officer)"
                case "customer": "Reviewer (the customer asked for a review)"
                default: "Reviewer's override of the model"
                }
            return (catalog.translate(words), catalog.translate(from))
        }
        guard let model else { return ("", "") }
        let words =
            switch model {
            case "approve": "Approve"
            case "review": "Refer for review"
            case "reject": "Reject"
            default: model
            }
        return (catalog.translate(words), catalog.translate("Model"))
    }

    /// A job's status in words.
    public static func status(_ code: String, _ catalog: MessageCatalog) -> String {
        let words =
            switch code {
            case "queued": "Queued"
            case "running": "Scoring"
            case "done": "Scored"
            case "failed": "Failed"
            case "invalid": "Invalid"
            default: code
            }
        return catalog.translate(words)
    }
}
