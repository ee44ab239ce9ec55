/// What a model may use and say, stored in the model file and shown on its card: the fields it
/// may not use, the direction risk must take in ordered fields, the fields that never become
/// reasons, and the age protection of Regulation B §1002.6(b)(2).
public struct ModelPolicy: Codable, Sendable, Equatable {
    /// Fields never used as inputs (protected characteristics and their proxies).
    public var excludedInputs: [String]
    /// Ordered fields whose effect on the risk must go one way, whatever the data say.
    public var monotone: [String: RiskDirection]
    /// Fields that may be inputs but are never given as reasons.
    public var excludedReasons: [String]
    /// No adverse reason of this field for an applicant at or above this value (age 62).
    public var protectedAge: ProtectedValue?
    /// The fields whose groups the model card reports approval rate, bad rate and AUC for
    /// (`age` in bands), whether or not the model uses them. Nil: sex and age.
    public var fairnessGroups: [String]?
    /// The inputs a customer can change, and how, for recourse. Nil (older files): ``ActionableInput/standard``.
    public var actionable: [ActionableInput]?

    /// The inputs recourse may change.
    public var actionableInputs: [ActionableInput] { actionable ?? ActionableInput.standard }

    public init(
        excludedInputs: [String], monotone: [String: RiskDirection], excludedReasons: [String] = [], protectedAge: ProtectedValue? = nil,
        fairnessGroups: [String]? = nil, actionable: [ActionableInput]? = nil
    ) {
        self.excludedInputs = excludedInputs
        self.monotone = monotone
        self.excludedReasons = excludedReasons
        self.protectedAge = protectedAge
        self.fairnessGroups = fairnessGroups
        self.actionable = actionable
    }

    enum CodingKeys: String, CodingKey {
        case excludedInputs = "excluded_inputs", monotone, excludedReasons = "excluded_reasons", protectedAge = "protected_age"
        case fairnessGroups = "fairness_groups", actionable
    }

    /// The groups the card reports when a policy names none.
    public static let defaultFairnessGroups = ["sex", "age"]

    /// The shipped default: no sex, nationality or place of birth; risk never rises with age,
    /// income, assets or months in the job and at the residence; no age reason from 62.
    public static let standard = ModelPolicy(
        excludedInputs: ["sex", "nacionality", "state_of_birth", "city_of_birth"],
        monotone: [
            "age": .decreasing, "personal_monthly_income": .decreasing, "other_incomes": .decreasing,
            "personal_assets_value": .decreasing, "months_in_the_job": .decreasing, "months_in_residence": .decreasing,
        ],
        protectedAge: ProtectedValue(field: "age", from: 62),
        fairnessGroups: ["sex", "age", "nacionality", "marital_status"], actionable: ActionableInput.standard)

    /// No constraint at all (only `sex` left out, as before policies), for comparison.
    public static let unconstrained = ModelPolicy(excludedInputs: ["sex"], monotone: [:])

    /// The direction of `field`, if the policy fixes one.
    public func direction(of field: String) -> RiskDirection? { monotone[field] }
}

/// How the risk must move as an ordered field grows.
public enum RiskDirection: String, Codable, Sendable, Equatable {
    /// Risk never rises as the value grows (income: more is never worse).
    case decreasing
    /// Risk never falls as the value grows.
    case increasing

    /// +1 when the model's output may only grow with the value, -1 when it may only shrink.
    public var sign: Int { self == .increasing ? 1 : -1 }
}

/// A field value from which the field is never an adverse reason.
public struct ProtectedValue: Codable, Sendable, Equatable {
    public var field: String
    public var from: Double
}

/// What one item of a policy costs in validation AUC: the model trained without that item
/// (the field allowed as an input, or the direction left free) against the model with it.
public struct PolicyCost: Codable, Sendable, Equatable {
    /// "input: sex", "monotone: age", or "the whole policy".
    public var item: String
    public var aucWithout: Double
    /// `aucWithout` minus the policy model's AUC: positive when the item costs accuracy.
    public var cost: Double

    package init(item: String, aucWithout: Double, cost: Double) {
        self.item = item
        self.aucWithout = aucWithout
        self.cost = cost
    }

    enum CodingKeys: String, CodingKey { case item, aucWithout = "auc_without", cost }
}

extension ModelPolicy {
    /// The policy without each of its items in turn, named, and with none of them.
    public var variantsWithoutEachItem: [(item: String, policy: ModelPolicy)] {
        var variants: [(String, ModelPolicy)] = []
        for field in excludedInputs where field != "sex" {
            var variant = self
            variant.excludedInputs.removeAll { $0 == field }
            variants.append(("input: \(field)", variant))
        }
        for field in monotone.keys.sorted() {
            var variant = self
            variant.monotone[field] = nil
            variants.append(("monotone: \(field)", variant))
        }
        variants.append(("the whole policy (only sex left out)", .unconstrained))
        return variants
    }
}
