/// The CSV file an officer downloads to fill in a batch: a header row of the schema's field
/// names in schema order (language-free codes, which ``ApplicationFile`` matches), then one
/// example application of plausible values, in a spreadsheet's dialect. Read back, the example is
/// a valid application.
public enum ApplicationTemplate {
    /// The example applicant's values; every other field takes its default, or stays empty.
    public static let example: [String: FieldValue] = [
        "id_client": .number(1001), "applicant_name": .text("Maria da Conceição"), "payment_day": .number(10),
        "application_submission_type": .text("Web"), "postal_address_type": .number(1), "sex": .text("F"), "marital_status": .number(2),
        "quant_dependants": .number(1), "state_of_birth": .text("SP"), "city_of_birth": .text("São Paulo"), "nacionality": .number(1),
        "residencial_state": .text("SP"), "residencial_city": .text("São Paulo"), "residencial_borough": .text("Centro"),
        "flag_residencial_phone": .text("Y"), "residencial_phone_area_code": .text("20"), "residence_type": .number(1),
        "months_in_residence": .number(24), "flag_email": .number(1), "personal_monthly_income": .number(1800.5), "other_incomes": .number(0),
        "quant_banking_accounts": .number(1), "personal_assets_value": .number(25000), "quant_cars": .number(0), "company": .text("Y"),
        "professional_state": .text("SP"), "professional_city": .text("São Paulo"), "professional_borough": .text("Centro"),
        "flag_professional_phone": .text("N"), "months_in_the_job": .number(0), "profession_code": .number(9), "occupation_type": .number(4),
        "product": .number(1), "age": .number(34), "residencial_zip_3": .text("230"), "professional_zip_3": .text("230"),
    ]

    /// The template in `dialect`: byte-order mark, header, example row, CRLF line ends.
    public static func csv(schema: ApplicantSchema = .pakdd, dialect: CSVDialect) -> String {
        let writer = CSVWriter(dialect: dialect)
        let cells = schema.fields.map { field -> CSVCell in
            switch (field.kind, example[field.name] ?? field.defaultValue ?? .missing) {
            case (_, .missing): return .empty
            case (.number(let unit, _, let integer), .number(let value)): return .number(value, digits: integer ? 0 : unit == "R$" ? 2 : nil)
            case (_, let value): return .text(value.display ?? "")
            }
        }
        return CSVWriter.byteOrderMark + writer.line(schema.fields.map(\.name)) + writer.line(cells)
    }
}
