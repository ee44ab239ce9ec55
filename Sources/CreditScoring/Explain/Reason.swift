/// One reason a customer reads: a family of inputs ("Renda") whose contributions, summed, pushed
/// the risk up (an adverse reason) or down (a strength), and what was observed in its words.
public struct Reason: Codable, Sendable, Equatable {
    /// The family's name (`income`; see ``ReasonFamily``).
    public var family: String
    /// The family's stable code ("F01").
    public var code: String
    /// The family's name in English ("Income").
    public var label: String
    /// The family's summed contribution to the log-odds of default: positive raises the risk.
    public var contribution: Double
    /// What was observed, in English ("Income — monthly income: R$1,800.00").
    public var text: String
    /// The same in every language the product speaks, by language tag (`pt-BR`, `en`).
    public var texts: [String: String] = [:]
    /// The inputs summed into it, largest effect first, for the internal record.
    public var fields: [ReasonInput] = []
}

/// One input inside a reason: the field, its value as written, and its own contribution.
public struct ReasonInput: Codable, Sendable, Equatable {
    public var field: String
    public var value: String?
    public var contribution: Double
}

/// The PD, score, decision, reasons and recourse for one applicant.
public struct Prediction: Codable, Sendable, Equatable {
    public var probabilityOfDefault: Double
    public var score: Int
    public var decision: Decision
    /// Families that raised the risk most, strongest first (at most the number asked for).
    public var reasons: [Reason]
    /// Families that lowered the risk most, strongest first.
    public var strengths: [Reason]
    /// Identifier of the model that scored it.
    public var model: String
    /// For an application not approved: the smallest changes that would reach a better decision.
    public var recourse: [RecourseOption] = []

    enum CodingKeys: String, CodingKey {
        case probabilityOfDefault = "probability_of_default", score, decision, reasons, strengths, model, recourse
    }
}
