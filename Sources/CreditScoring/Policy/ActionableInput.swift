/// An input a customer can change to reach another decision, with the way it may move: a flag
/// only from no to yes, a number only up, in steps, to a limit. Declared by the model policy, so
/// that recourse never suggests changing age, sex, or where someone was born or lives.
public struct ActionableInput: Codable, Sendable, Equatable {
    public var field: String
    /// The smallest change worth suggesting for a number (R$ 50 of income); nil for a flag.
    public var step: Double?
    /// The largest value suggested for a number; nil for a flag.
    public var limit: Double?

    public init(field: String, step: Double? = nil, limit: Double? = nil) {
        self.field = field
        self.step = step
        self.limit = limit
    }

    /// What a customer can change on the PAKDD schema: verified income, assets, bank accounts,
    /// documents and ways to be contacted.
    public static let standard: [ActionableInput] = [
        ActionableInput(field: "personal_monthly_income", step: 50, limit: 20_000),
        ActionableInput(field: "other_incomes", step: 50, limit: 10_000),
        ActionableInput(field: "personal_assets_value", step: 1_000, limit: 500_000),
        ActionableInput(field: "quant_banking_accounts", step: 1, limit: 2),
        ActionableInput(field: "flag_income_proof"),
        ActionableInput(field: "flag_home_address_document"),
        ActionableInput(field: "flag_rg"),
        ActionableInput(field: "flag_cpf"),
        ActionableInput(field: "flag_email"),
        ActionableInput(field: "flag_mobile_phone"),
        ActionableInput(field: "flag_residencial_phone"),
        ActionableInput(field: "flag_professional_phone"),
    ]

    /// Fields recourse may never change, whatever a policy says: age, sex, birth and where someone lives.
    public static let forbidden: Set<String> = [
        "age", "sex", "nacionality", "state_of_birth", "city_of_birth", "residencial_state", "residencial_city",
        "residencial_borough", "residencial_zip_3", "residencial_phone_area_code", "marital_status",
    ]
}
