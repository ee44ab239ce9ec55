import CreditJSON

extension ApplicantSchema {
    /// A validated applicant as the API takes it, keys sorted: numbers as numbers, flags as their
    /// yes/no codes, codes and texts as strings; a missing value is left out, or is `null` where
    /// leaving it out would mean the field's default. Validating the text again gives the same applicant.
    public func json(of applicant: Applicant) -> String {
        var object: [String: JSONOutput] = [:]
        for (index, field) in fields.enumerated() {
            switch (field.kind, applicant.values[index]) {
            case (_, .missing): if field.defaultValue != nil { object[field.name] = .null }
            case (.flag(let yes, let no), .number(let number)): object[field.name] = .string(number >= 0.5 ? yes : no)
            case (.number, .number(let number)): object[field.name] = .number(number)
            case (_, let value): if let text = value.display { object[field.name] = .string(text) }
            }
        }
        return JSONOutput.object(object).text
    }

    /// A stored application as JSON: the text kept as it came (`payload`), or else the validated
    /// values kept in compact form (`record`, see ``ApplicantRecord``), which is how the service
    /// stores what it validated. Nil when neither is left (a retention purge).
    public func storedApplication(payload: String, record: String?) -> String? {
        if !payload.isEmpty { return payload }
        return record.flatMap { ApplicantRecord.decode($0, fieldCount: fields.count) }.map(json(of:))
    }
}
