import CreditText

/// A factor a customer understands ("Renda", "Contato"), gathering the inputs whose
/// contributions are summed into one reason. Stored in the model file with its stable code and
/// its words in every language, so that a notice says the same thing for every model on the schema.
public struct ReasonFamily: Codable, Sendable, Equatable {
    /// The stable code on notices and in results files ("F01").
    public var code: String
    /// The family's name in the API's JSON (`income`).
    public var name: String
    /// The family's words by language tag (`en`, `pt-BR`).
    public var words: [String: String]
    /// The schema fields that belong to it; every field belongs to exactly one family.
    public var fields: [String]
    /// Whether a customer can act on it (give income, assets, banking, documents, contact).
    public var actionable: Bool
    /// False for a family never stated to anyone (protected characteristics the policy excludes).
    public var stated: Bool

    public init(code: String, name: String, words: [String: String], fields: [String], actionable: Bool = false, stated: Bool = true) {
        self.code = code
        self.name = name
        self.words = words
        self.fields = fields
        self.actionable = actionable
        self.stated = stated
    }

    /// The family's name in `language`, else in English.
    public func word(in language: Language) -> String { words[language.rawValue] ?? words[Language.english.rawValue] ?? name }

    /// The name of the family that gathers every input whose value was not given.
    public static let missingName = "missing"
}

/// The families of a model, with the fields that follow a flag: the area code of a phone the
/// applicant does not have is not "not given", it is part of not having the phone.
public struct ReasonFamilies: Codable, Sendable, Equatable {
    public var families: [ReasonFamily]
    /// Field → the yes/no field it depends on (`residencial_phone_area_code` → `flag_residencial_phone`).
    public var follows: [String: String]
    /// Yes/no fields whose yes is the unfavourable side (a delinquency record); for every other
    /// one, no is. A fact is stated only on its unfavourable side in a reason, its favourable
    /// side in a strength.
    public var yesIsAdverse: [String]

    public init(families: [ReasonFamily], follows: [String: String], yesIsAdverse: [String] = []) {
        self.families = families
        self.follows = follows
        self.yesIsAdverse = yesIsAdverse
    }

    enum CodingKeys: String, CodingKey { case families, follows, yesIsAdverse = "yes_is_adverse" }

    /// Reads a table; one written before `yes_is_adverse` has none.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        families = try container.decode([ReasonFamily].self, forKey: .families)
        follows = try container.decode([String: String].self, forKey: .follows)
        yesIsAdverse = try container.decodeIfPresent([String].self, forKey: .yesIsAdverse) ?? []
    }

    /// The family of `field`, if any.
    public func family(of field: String) -> ReasonFamily? { families.first { $0.fields.contains(field) } }

    /// The family that gathers missing values.
    public var missing: ReasonFamily? { families.first { $0.name == ReasonFamily.missingName } }

    /// Checks that every field of `fields` belongs to exactly one family, and codes and names are unique.
    public func validate(fields: [String]) throws(ModelError) {
        var owner: [String: String] = [:]
        for family in families {
            for field in family.fields {
                if let other = owner[field] { throw .modelFile("field \(field) is in two reason families (\(other) and \(family.name))") }
                owner[field] = family.name
            }
        }
        for field in fields where owner[field] == nil { throw .modelFile("field \(field) belongs to no reason family") }
        guard Set(families.map(\.code)).count == families.count, Set(families.map(\.name)).count == families.count else {
            throw .modelFile("reason family codes and names must be unique")
        }
        guard missing != nil else { throw .modelFile("the reason families have no \"missing\" family for values not given") }
    }

    /// The families of the PAKDD schema: what a Brazilian customer would recognise as a reason.
    public static let standard = ReasonFamilies(
        families: [
            ReasonFamily(
                code: "F01", name: "income", words: ["en": "Income", "pt-BR": "Renda"],
                fields: ["personal_monthly_income", "other_incomes"], actionable: true),
            ReasonFamily(
                code: "F02", name: "assets", words: ["en": "Assets", "pt-BR": "Patrimônio"],
                fields: ["personal_assets_value", "quant_cars"], actionable: true),
            ReasonFamily(
                code: "F03", name: "banking", words: ["en": "Banking relationship", "pt-BR": "Relacionamento bancário"],
                fields: [
                    "quant_banking_accounts", "quant_special_banking_accounts", "flag_visa", "flag_mastercard", "flag_diners",
                    "flag_american_express", "flag_other_cards",
                ], actionable: true),
            ReasonFamily(
                code: "F04", name: "credit_history", words: ["en": "Credit history", "pt-BR": "Histórico de crédito"],
                fields: ["flag_acsp_record"]),
            ReasonFamily(
                code: "F05", name: "employment", words: ["en": "Employment stability", "pt-BR": "Estabilidade no emprego"],
                fields: ["company", "months_in_the_job", "profession_code", "occupation_type"]),
            ReasonFamily(
                code: "F06", name: "residence", words: ["en": "Time at residence", "pt-BR": "Tempo de residência"],
                fields: ["months_in_residence", "residence_type"]),
            ReasonFamily(
                code: "F07", name: "contact", words: ["en": "Contact", "pt-BR": "Contato"],
                fields: ["flag_residencial_phone", "flag_mobile_phone", "flag_email", "flag_professional_phone", "postal_address_type"],
                actionable: true),
            ReasonFamily(
                code: "F08", name: "documents", words: ["en": "Documents", "pt-BR": "Documentação"],
                fields: ["flag_income_proof", "flag_home_address_document", "flag_rg", "flag_cpf"], actionable: true),
            ReasonFamily(code: "F09", name: "age", words: ["en": "Age", "pt-BR": "Idade"], fields: ["age"]),
            ReasonFamily(
                code: "F10", name: "personal_profile", words: ["en": "Personal profile", "pt-BR": "Perfil pessoal"],
                fields: ["marital_status", "quant_dependants", "education_level", "mate_profession_code", "mate_education_level"]),
            ReasonFamily(
                code: "F11", name: "region", words: ["en": "Region", "pt-BR": "Região"],
                fields: [
                    "residencial_state", "residencial_city", "residencial_borough", "residencial_zip_3", "residencial_phone_area_code",
                    "professional_state", "professional_city", "professional_borough", "professional_zip_3", "professional_phone_area_code",
                ]),
            ReasonFamily(
                code: "F12", name: "product", words: ["en": "Product and channel", "pt-BR": "Produto e canal"],
                fields: ["clerk_type", "payment_day", "application_submission_type", "quant_additional_cards", "product"]),
            ReasonFamily(
                code: "F13", name: ReasonFamily.missingName, words: ["en": "Information not given", "pt-BR": "Informações não fornecidas"],
                fields: []),
            ReasonFamily(
                code: "F14", name: "protected", words: ["en": "Protected characteristics", "pt-BR": "Características protegidas"],
                fields: ["sex", "nacionality", "state_of_birth", "city_of_birth"], stated: false),
            ReasonFamily(
                code: "F15", name: "reference", words: ["en": "Reference", "pt-BR": "Referência"],
                fields: ["id_client", "applicant_name"], stated: false),
        ],
        follows: ["residencial_phone_area_code": "flag_residencial_phone", "professional_phone_area_code": "flag_professional_phone"],
        yesIsAdverse: ["flag_acsp_record"])
}
