import CreditSchema

extension Reason {
    /// True when a text of the reason shows a code whose meaning the data does not give (a
    /// marital status "1", an area code "31") instead of naming its field: what a customer cannot read.
    public func statesRawCode(schema: ApplicantSchema) -> Bool {
        for input in fields {
            guard let value = input.value, let index = schema.index(of: input.field) else { continue }
            let meaningful: Bool
            switch schema.fields[index].kind {
            case .category(let options, _):
                meaningful = schema.fields[index].codeReadsAsItself || options.contains { $0.code == value && $0.label != $0.code }
            case .text: meaningful = false
            case .number, .flag: meaningful = true
            }
            if !meaningful, text.contains(FactWording.inSentence(schema.fields[index].label) + ": " + value) { return true }
        }
        return texts.values.contains { $0.contains("lender's encoding") || $0.contains("codificação") }
    }
}
