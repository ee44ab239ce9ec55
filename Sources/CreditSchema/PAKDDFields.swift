/// The 27 Brazilian federative units, as used by the state fields.
let brazilianStates: [CategoryOption] = [
    ("AC", "Acre"), ("AL", "Alagoas"), ("AP", "Amapá"), ("AM", "Amazonas"), ("BA", "Bahia"), ("CE", "Ceará"),
    ("DF", "Distrito Federal"), ("ES", "Espírito Santo"), ("GO", "Goiás"), ("MA", "Maranhão"),
    ("MT", "Mato Grosso"), ("MS", "Mato Grosso do Sul"), ("MG", "Minas Gerais"), ("PA", "Pará"),
    ("PB", "Paraíba"), ("PR", "Paraná"), ("PE", "Pernambuco"), ("PI", "Piauí"), ("RJ", "Rio de Janeiro"),
    ("RN", "Rio Grande do Norte"), ("RS", "Rio Grande do Sul"), ("RO", "Rondônia"), ("RR", "Roraima"),
    ("SC", "Santa Catarina"), ("SP", "São Paulo"), ("SE", "Sergipe"), ("TO", "Tocantins"),
].map { CategoryOption($0.0, "\($0.0) – \($0.1)") }

private func codes(_ values: [String]) -> [CategoryOption] { values.map { CategoryOption($0) } }
private func codes(_ range: ClosedRange<Int>) -> [CategoryOption] { range.map { CategoryOption(String($0)) } }
private let money = FieldKind.number(unit: "R$", range: 0...100_000_000, integer: false)
private func count(_ max: Double, unit: String? = nil) -> FieldKind { .number(unit: unit, range: 0...max, integer: true) }
private let yesNo = FieldKind.flag(yes: "Y", no: "N")
private let oneZero = FieldKind.flag(yes: "1", no: "0")
private let areaCode = FieldKind.category(known: [], open: true)
private let zip3 = FieldKind.category(known: [], open: true)

/// Every field of a PAKDD 2010 application, in file column order, plus `applicant_name`.
let pakddFields: [ApplicantField] = [
    ApplicantField(
        "id_client", column: 1, label: "Client ID", help: "Your reference for this applicant; never used by the model.",
        group: .personal, kind: .number(unit: nil, range: 0...9_007_199_254_740_991, integer: true),
        missingAllowed: true, isModelInput: false),
    ApplicantField(
        "applicant_name", column: nil, label: "Applicant name", help: "Shown in your history only; never used by the model.",
        group: .personal, kind: .text(maxLength: 200), missingAllowed: true, isModelInput: false),
    ApplicantField(
        "clerk_type", column: 2, label: "Clerk type", help: "Type of clerk who took the application (always C in the training data).",
        group: .product, kind: .category(known: codes(["C"]), open: true), defaultValue: .text("C")),
    ApplicantField(
        "payment_day", column: 3, label: "Payment day", help: "Day of the month the applicant chose to pay the bill.",
        group: .product, kind: .category(known: codes(["1", "5", "10", "15", "20", "25"]), open: true),
        reasons: ReasonPhrases(low: "Early payment day", high: "Late payment day", category: "Payment day: %@")),
    ApplicantField(
        "application_submission_type", column: 4, label: "Submission channel",
        help: "How the application arrived: Web (internet), Carga (in person or by post), or 0 (not recorded).",
        group: .product,
        kind: .category(
            known: [
                CategoryOption("Web", "Web (internet)"), CategoryOption("Carga", "Carga (in person or post)"),
                CategoryOption("0", "Not recorded"),
            ], open: true),
        defaultValue: .number(0),
        reasons: ReasonPhrases(low: "Submission channel", high: "Submission channel", category: "Submission channel: %@")),
    ApplicantField(
        "quant_additional_cards", column: 5, label: "Additional cards", help: "Number of additional cards requested.",
        group: .product, kind: count(10), missingAllowed: true, defaultValue: .number(0),
        reasons: ReasonPhrases(low: "Few additional cards requested", high: "Many additional cards requested")),
    ApplicantField(
        "postal_address_type", column: 6, label: "Postal address", help: "Whether post goes to the home address (1) or another address (2).",
        group: .contact, kind: .category(known: [CategoryOption("1", "Home address"), CategoryOption("2", "Other address")], open: true),
        defaultValue: .number(1), reasons: ReasonPhrases(low: "Postal address", high: "Postal address", category: "Postal address: %@")),
    ApplicantField(
        "sex", column: 7, label: "Sex", help: "Recorded for fairness monitoring; the default model does not use it.",
        group: .personal,
        kind: .category(known: [CategoryOption("F", "Female"), CategoryOption("M", "Male"), CategoryOption("N", "Not stated")], open: false),
        missingAllowed: true),
    ApplicantField(
        "marital_status", column: 8, label: "Marital status",
        help: "Marital status code, 0 to 7, as the lender records it; the data's documentation does not say which code means what.",
        group: .personal, kind: .category(known: codes(0...7), open: false),
        reasons: ReasonPhrases(low: "Marital status", high: "Marital status", category: "Marital status: code %@ in the lender's encoding")),
    ApplicantField(
        "quant_dependants", column: 9, label: "Dependants", help: "Number of people who depend on the applicant.",
        group: .personal, kind: count(99),
        reasons: ReasonPhrases(low: "Few dependants", high: "Many dependants")),
    ApplicantField(
        "education_level", column: 10, label: "Education level", help: "Applicant's education level, 1 (lowest) to 5; 0 when not recorded.",
        group: .personal, kind: .category(known: codes(0...5), open: true), defaultValue: .number(0),
        reasons: ReasonPhrases(low: "Education level", high: "Education level", category: "Education level: %@ (1 lowest, 5 highest, 0 not recorded)")
    ),
    ApplicantField(
        "state_of_birth", column: 11, label: "State of birth", help: "Brazilian state where the applicant was born; XX if unknown.",
        group: .personal, kind: .category(known: brazilianStates + [CategoryOption("XX", "XX – Unknown")], open: false), missingAllowed: true,
        reasons: ReasonPhrases(low: "State of birth", high: "State of birth", category: "State of birth: %@")),
    ApplicantField(
        "city_of_birth", column: 12, label: "City of birth", help: "City where the applicant was born.",
        group: .personal, kind: .text(maxLength: 100), missingAllowed: true,
        reasons: ReasonPhrases(low: "City of birth", high: "City of birth", category: "City of birth: %@")),
    ApplicantField(
        "nacionality", column: 13, label: "Nationality", help: "Country of birth code: 1 is most likely Brazil.",
        group: .personal,
        kind: .category(
            known: [CategoryOption("0", "0 – Not recorded"), CategoryOption("1", "1 – Brazil"), CategoryOption("2", "2 – Other")], open: true),
        defaultValue: .number(1),
        reasons: ReasonPhrases(low: "Nationality", high: "Nationality", category: "Nationality: code %@ in the lender's encoding")),
    ApplicantField(
        "residencial_state", column: 14, label: "State of residence", help: "Brazilian state where the applicant lives.",
        group: .residence, kind: .category(known: brazilianStates, open: false),
        reasons: ReasonPhrases(low: "State of residence", high: "State of residence", category: "State of residence: %@")),
    ApplicantField(
        "residencial_city", column: 15, label: "City of residence", help: "City where the applicant lives.",
        group: .residence, kind: .text(maxLength: 100), missingAllowed: true,
        reasons: ReasonPhrases(low: "City of residence", high: "City of residence", category: "City of residence: %@")),
    ApplicantField(
        "residencial_borough", column: 16, label: "Borough of residence", help: "Borough or district where the applicant lives.",
        group: .residence, kind: .text(maxLength: 100), missingAllowed: true,
        reasons: ReasonPhrases(low: "Borough of residence", high: "Borough of residence", category: "Borough of residence: %@")),
    ApplicantField(
        "flag_residencial_phone", column: 17, label: "Home phone", help: "Whether the applicant has a home phone.",
        group: .contact, kind: yesNo,
        reasons: ReasonPhrases(low: "No home phone", high: "Has a home phone")),
    ApplicantField(
        "residencial_phone_area_code", column: 18, label: "Home phone area code", help: "Pseudo-code of the home phone's area (1–126).",
        group: .contact, kind: areaCode, missingAllowed: true,
        reasons: ReasonPhrases(low: "Home phone area", high: "Home phone area", category: "Home phone area code: %@ in the lender's encoding")),
    ApplicantField(
        "residence_type", column: 19, label: "Residence type",
        help: "Type of residence (owned, rented, parents', …) as a code 0 to 5; the documentation does not say which code is which.",
        group: .residence, kind: .category(known: codes(0...5), open: true), missingAllowed: true,
        reasons: ReasonPhrases(low: "Residence type", high: "Residence type", category: "Residence type: code %@ in the lender's encoding")),
    ApplicantField(
        "months_in_residence", column: 20, label: "Months at residence", help: "How long the applicant has lived at the current address.",
        group: .residence, kind: count(1200, unit: "months"), missingAllowed: true,
        reasons: ReasonPhrases(low: "Short time at current residence", high: "Long time at current residence")),
    ApplicantField(
        "flag_mobile_phone", column: 21, label: "Mobile phone", help: "Whether the applicant has a mobile phone.",
        group: .contact, kind: yesNo, defaultValue: .number(0),
        reasons: ReasonPhrases(low: "No mobile phone", high: "Has a mobile phone")),
    ApplicantField(
        "flag_email", column: 22, label: "E-mail address", help: "Whether the applicant gave an e-mail address.",
        group: .contact, kind: oneZero,
        reasons: ReasonPhrases(low: "No e-mail address given", high: "E-mail address given")),
    ApplicantField(
        "personal_monthly_income", column: 23, label: "Monthly income", help: "Regular personal monthly income.",
        group: .incomeAndAssets, kind: money,
        reasons: ReasonPhrases(low: "Low monthly income", high: "High monthly income")),
    ApplicantField(
        "other_incomes", column: 24, label: "Other income", help: "Other income, monthly average.",
        group: .incomeAndAssets, kind: money, defaultValue: .number(0),
        reasons: ReasonPhrases(low: "Little or no other income", high: "High other income")),
    ApplicantField(
        "flag_visa", column: 25, label: "Visa card", help: "Whether the applicant holds a Visa card.",
        group: .banking, kind: oneZero, defaultValue: .number(0),
        reasons: ReasonPhrases(low: "No Visa card", high: "Holds a Visa card")),
    ApplicantField(
        "flag_mastercard", column: 26, label: "Mastercard", help: "Whether the applicant holds a Mastercard.",
        group: .banking, kind: oneZero, defaultValue: .number(0),
        reasons: ReasonPhrases(low: "No Mastercard", high: "Holds a Mastercard")),
    ApplicantField(
        "flag_diners", column: 27, label: "Diners card", help: "Whether the applicant holds a Diners card.",
        group: .banking, kind: oneZero, defaultValue: .number(0),
        reasons: ReasonPhrases(low: "No Diners card", high: "Holds a Diners card")),
    ApplicantField(
        "flag_american_express", column: 28, label: "American Express card", help: "Whether the applicant holds an American Express card.",
        group: .banking, kind: oneZero, defaultValue: .number(0),
        reasons: ReasonPhrases(low: "No American Express card", high: "Holds an American Express card")),
    ApplicantField(
        "flag_other_cards", column: 29, label: "Other cards", help: "Whether the applicant holds other credit cards.",
        group: .banking, kind: oneZero, missingAllowed: true, defaultValue: .number(0),
        reasons: ReasonPhrases(low: "No other credit cards", high: "Holds other credit cards")),
    ApplicantField(
        "quant_banking_accounts", column: 30, label: "Bank accounts", help: "Number of bank accounts (0–2).",
        group: .banking, kind: count(2),
        reasons: ReasonPhrases(low: "Few bank accounts", high: "Many bank accounts")),
    ApplicantField(
        "quant_special_banking_accounts", column: 31, label: "Special bank accounts", help: "Number of special bank accounts (0–2).",
        group: .banking, kind: count(2), defaultValue: .number(0),
        reasons: ReasonPhrases(low: "Few special bank accounts", high: "Many special bank accounts")),
    ApplicantField(
        "personal_assets_value", column: 32, label: "Personal assets", help: "Total value of houses, cars and other possessions.",
        group: .incomeAndAssets, kind: money, defaultValue: .number(0),
        reasons: ReasonPhrases(low: "Low value of personal assets", high: "High value of personal assets")),
    ApplicantField(
        "quant_cars", column: 33, label: "Cars", help: "Number of cars the applicant owns.",
        group: .incomeAndAssets, kind: count(99), defaultValue: .number(0),
        reasons: ReasonPhrases(low: "Owns no car", high: "Owns cars")),
    ApplicantField(
        "company", column: 34, label: "Employer named", help: "Whether the applicant named the company where they formally work.",
        group: .employment, kind: yesNo,
        reasons: ReasonPhrases(low: "Employer not named", high: "Employer named")),
    ApplicantField(
        "professional_state", column: 35, label: "State of work", help: "Brazilian state where the applicant works.",
        group: .employment, kind: .category(known: brazilianStates, open: false), missingAllowed: true,
        reasons: ReasonPhrases(low: "State of work", high: "State of work", category: "State of work: %@")),
    ApplicantField(
        "professional_city", column: 36, label: "City of work", help: "City where the applicant works.",
        group: .employment, kind: .text(maxLength: 100), missingAllowed: true,
        reasons: ReasonPhrases(low: "City of work", high: "City of work", category: "City of work: %@")),
    ApplicantField(
        "professional_borough", column: 37, label: "Borough of work", help: "Borough or district where the applicant works.",
        group: .employment, kind: .text(maxLength: 100), missingAllowed: true,
        reasons: ReasonPhrases(low: "Borough of work", high: "Borough of work", category: "Borough of work: %@")),
    ApplicantField(
        "flag_professional_phone", column: 38, label: "Work phone", help: "Whether the applicant gave a work phone number.",
        group: .contact, kind: yesNo,
        reasons: ReasonPhrases(low: "No work phone given", high: "Work phone given")),
    ApplicantField(
        "professional_phone_area_code", column: 39, label: "Work phone area code", help: "Pseudo-code of the work phone's area (1–126).",
        group: .contact, kind: areaCode, missingAllowed: true,
        reasons: ReasonPhrases(low: "Work phone area", high: "Work phone area", category: "Work phone area code: %@ in the lender's encoding")),
    ApplicantField(
        "months_in_the_job", column: 40, label: "Months in job", help: "How long the applicant has been in the current job.",
        group: .employment, kind: count(1200, unit: "months"), defaultValue: .number(0),
        reasons: ReasonPhrases(low: "Few months in current job", high: "Many months in current job")),
    ApplicantField(
        "profession_code", column: 41, label: "Profession",
        help: "Profession code as the lender records it; the documentation does not name the professions.",
        group: .employment, kind: .category(known: codes(0...18), open: true), missingAllowed: true,
        reasons: ReasonPhrases(low: "Profession", high: "Profession", category: "Profession: code %@ in the lender's encoding")),
    ApplicantField(
        "occupation_type", column: 42, label: "Occupation type",
        help: "Occupation type code, 0 to 5, as the lender records it; the documentation does not say what each means.",
        group: .employment, kind: .category(known: codes(0...5), open: true), missingAllowed: true,
        reasons: ReasonPhrases(low: "Occupation type", high: "Occupation type", category: "Occupation type: code %@ in the lender's encoding")),
    ApplicantField(
        "mate_profession_code", column: 43, label: "Partner's profession", help: "Profession code of the spouse or partner, if any.",
        group: .personal, kind: .category(known: codes(0...18), open: true), missingAllowed: true,
        reasons: ReasonPhrases(
            low: "Partner's profession", high: "Partner's profession", category: "Partner's profession: code %@ in the lender's encoding")),
    ApplicantField(
        "mate_education_level", column: 44, label: "Partner's education", help: "Education level of the spouse or partner, 1 (lowest) to 5.",
        group: .personal, kind: .category(known: codes(0...5), open: true), missingAllowed: true,
        reasons: ReasonPhrases(
            low: "Partner's education level", high: "Partner's education level",
            category: "Partner's education: %@ (1 lowest, 5 highest, 0 not recorded)")),
    ApplicantField(
        "flag_home_address_document", column: 45, label: "Proof of address", help: "Whether a document confirming the home address was supplied.",
        group: .residence, kind: oneZero, defaultValue: .number(0),
        reasons: ReasonPhrases(low: "Proof of address not supplied", high: "Proof of address supplied")),
    ApplicantField(
        "flag_rg", column: 46, label: "ID card (RG) checked", help: "Whether the citizen card number was confirmed by a document.",
        group: .personal, kind: oneZero, defaultValue: .number(0),
        reasons: ReasonPhrases(low: "ID card (RG) not confirmed", high: "ID card (RG) confirmed")),
    ApplicantField(
        "flag_cpf", column: 47, label: "Taxpayer (CPF) checked", help: "Whether taxpayer status was confirmed by a document.",
        group: .personal, kind: oneZero, defaultValue: .number(0),
        reasons: ReasonPhrases(low: "Taxpayer status (CPF) not confirmed", high: "Taxpayer status (CPF) confirmed")),
    ApplicantField(
        "flag_income_proof", column: 48, label: "Proof of income", help: "Whether a document confirming the income was supplied.",
        group: .incomeAndAssets, kind: oneZero, defaultValue: .number(0),
        reasons: ReasonPhrases(low: "Income proof not supplied", high: "Income proof supplied")),
    ApplicantField(
        "product", column: 49, label: "Product",
        help: "Credit product applied for: the lender's codes 1, 2 and 7 (the documentation does not name the products).",
        group: .product, kind: .category(known: codes(["1", "2", "7"]), open: true),
        reasons: ReasonPhrases(low: "Product", high: "Product", category: "Product: code %@ in the lender's encoding")),
    ApplicantField(
        "flag_acsp_record", column: 50, label: "Delinquency record", help: "Whether the applicant has a previous credit delinquency record (ACSP).",
        group: .banking, kind: yesNo, defaultValue: .number(0),
        reasons: ReasonPhrases(low: "No previous delinquency record", high: "Previous credit delinquency on record")),
    ApplicantField(
        "age", column: 51, label: "Age", help: "Applicant's age in years when applying.",
        group: .personal, kind: count(120, unit: "years"),
        reasons: ReasonPhrases(low: "Young age", high: "Older age")),
    ApplicantField(
        "residencial_zip_3", column: 52, label: "Home ZIP (first 3 digits)", help: "First three digits of the home postal code (CEP).",
        group: .residence, kind: zip3, missingAllowed: true,
        reasons: ReasonPhrases(low: "Home postal area", high: "Home postal area", category: "Home ZIP (first 3 digits): %@")),
    ApplicantField(
        "professional_zip_3", column: 53, label: "Work ZIP (first 3 digits)", help: "First three digits of the work postal code (CEP).",
        group: .employment, kind: zip3, missingAllowed: true,
        reasons: ReasonPhrases(low: "Work postal area", high: "Work postal area", category: "Work ZIP (first 3 digits): %@")),
]
