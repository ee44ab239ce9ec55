import CreditJSON

extension ApplicantSchema {
    /// A validated applicant as the API takes it, keys sorted: numbers as numbers, flags as their
    /// yes/no codes, codes and texts as strings; a missing value is left out, or is `null` where
    /// leaving it out would mean the field's default. Validating the text again gives the same applicant.
    public func json(of applicant: Applicant) -> String {
        // Written member by member in the sorted order worked out once (the same text as a
        // JSONOutput object, which sorts its members at every write): status polls read it.
        var output: [UInt8] = [UInt8(ascii: "{")]
        output.reserveCapacity(1536)
        for index in jsonOrder {
            let field = fields[index]
            let value: JSONOutput
            switch (field.kind, applicant.values[index]) {
            case (_, .missing):
                guard field.defaultValue != nil else { continue }
                value = .null
            case (.flag(let yes, let no), .number(let number)): value = .string(number >= 0.5 ? yes : no)
            case (.number, .number(let number)): value = .number(number)
            case (_, let other):
                guard let text = other.display else { continue }
                value = .string(text)
            }
            if output.count > 1 { output.append(UInt8(ascii: ",")) }
            JSONOutput.string(field.name).append(to: &output)
            output.append(UInt8(ascii: ":"))
            value.append(to: &output)
        }
        output.append(UInt8(ascii: "}"))
        return String(decoding: output, as: UTF8.self)
    }

    /// A stored application as JSON: the text kept as it came (`payload`), or else the validated
    /// values kept in compact form (`record`, see ``ApplicantRecord``), which is how the service
    /// stores what it validated. Nil when neither is left (a retention purge).
    public func storedApplication(payload: String, record: String?) -> String? {
        if !payload.isEmpty { return payload }
        return record.flatMap { ApplicantRecord.decode($0, fieldCount: fields.count) }.map(json(of:))
    }

    /// The applicant a stored job holds: its compact record, else its JSON (validated again); nil
    /// after a retention purge or for a payload this schema no longer accepts.
    public func storedApplicant(payload: String, record: String?) -> Applicant? {
        if let record, let applicant = ApplicantRecord.decode(record, fieldCount: fields.count) { return applicant }
        guard !payload.isEmpty, let json = try? JSONValue.parse(payload) else { return nil }
        return try? validate(json)
    }
}
