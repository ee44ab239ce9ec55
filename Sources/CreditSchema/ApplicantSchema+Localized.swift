import CreditText

extension ApplicantSchema {
    /// The schema with every text a person reads in `catalog`'s language: labels, help, units,
    /// the meanings of codes and the phrases of reasons. Names, codes and rules stay as they are.
    public func localized(_ catalog: MessageCatalog) -> ApplicantSchema {
        guard catalog.language != .english else { return self }
        return ApplicantSchema(fields: fields.map { $0.localized(catalog) })
    }

    /// Every English text of the schema a person reads, once each, in schema order: what a
    /// catalog must translate (its test lists the missing ones).
    public var readableTexts: [String] {
        var seen: Set<String> = [], texts: [String] = []
        func add(_ text: String?) { if let text, !text.isEmpty, seen.insert(text).inserted { texts.append(text) } }
        for group in FieldGroup.allCases { add(group.label) }
        for field in fields {
            add(field.label)
            add(field.help)
            add(field.unit)
            // The phrases reasons use: low and high for numbers and flags, the value's phrase for codes and text.
            switch field.kind {
            case .number, .flag:
                if field.isModelInput { add(field.reasons.low); add(field.reasons.high) }
            case .category(let options, _):
                if field.isModelInput { add(field.reasons.category) }
                for option in options where option.label != option.code { add(option.label) }
            case .text:
                if field.isModelInput { add(field.reasons.category) }
            }
        }
        add("Yes")
        add("No")
        return texts
    }
}

extension ApplicantField {
    /// The unit of a number ("R$", "months"), or nil.
    public var unit: String? {
        if case .number(let unit, _, _) = kind { return unit }
        return nil
    }

    func localized(_ catalog: MessageCatalog) -> ApplicantField {
        var field = self
        field.label = catalog.translate(label)
        field.help = catalog.translate(help)
        field.reasons = ReasonPhrases(
            low: catalog.translate(reasons.low), high: catalog.translate(reasons.high), category: catalog.translate(reasons.category))
        switch kind {
        case .number(let unit, let range, let integer):
            field.kind = .number(unit: unit.map(catalog.translate), range: range, integer: integer)
        case .category(let options, let open):
            field.kind = .category(
                known: options.map { $0.label == $0.code ? $0 : CategoryOption($0.code, catalog.translate($0.label)) }, open: open)
        case .flag, .text:
            break
        }
        return field
    }
}
