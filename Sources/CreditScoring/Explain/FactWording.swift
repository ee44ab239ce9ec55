import CreditSchema
import CreditText

/// How one field's observed value is said in one language, worked out from the localized schema
/// once per model: a yes/no field by its phrase ("sem telefone residencial"), an amount in the
/// language's format ("renda mensal: R$ 1.800,00"), an age by its band, and a code whose meaning
/// the data does not give by the field's name alone ("tipo de residência"). A class, so that
/// looking one up costs one reference.
final class FactWording: Sendable {
    enum Kind: Sendable { case money, age, count, flag, category, text }

    let language: Language
    let catalog: MessageCatalog
    let kind: Kind
    /// The label as it reads inside a sentence ("renda mensal").
    let label: String
    /// The yes and no phrases of a flag, inside a sentence.
    let yes: String
    let no: String
    /// For each code whose meaning is known: "<label>: <meaning>".
    let optionTexts: [String: String]
    /// Whether a count is said with its unit, months ("3 meses", "1 mês").
    let inMonths: Bool

    /// Whether a code without a known meaning is stated as it is (a payment day).
    let readableCode: Bool

    /// The wording of `field` (already in `catalog`'s language); `readableCode` from the field as
    /// written (``ApplicantField/codeReadsAsItself``).
    init(_ field: ApplicantField, catalog: MessageCatalog, readableCode: Bool) {
        self.readableCode = readableCode
        self.catalog = catalog
        language = catalog.language
        label = Self.inSentence(field.label)
        yes = Self.inSentence(field.reasons.high)
        no = Self.inSentence(field.reasons.low)
        var texts: [String: String] = [:]
        var months = false
        switch field.kind {
        case .number(let unit, _, _):
            kind = unit == "R$" ? .money : unit == catalog.translate("years") ? .age : .count
            // "months in job: 3", but "tempo na residência: 3 meses": the unit only where the label lacks it.
            months = unit == catalog.translate("months") && !field.label.lowercased().contains(catalog.translate("months"))
        case .flag: kind = .flag
        case .text: kind = .text
        case .category(let options, _):
            kind = .category
            for option in options where texts[option.code] == nil && option.label != option.code {
                texts[option.code] = Self.inSentence(field.label) + ": " + option.label
            }
        }
        optionTexts = texts
        inMonths = months
    }

    /// The observed `value` in words; nil for a missing value (said by the missing family).
    func fact(_ value: FieldValue) -> String? {
        switch (kind, value) {
        case (_, .missing): return nil
        case (.flag, .number(let number)): return number >= 0.5 ? yes : no
        case (.money, .number(let number)): return label + ": " + language.money(number)
        case (.age, .number(let number)): return ageBand(number)
        case (.count, .number(let number)): return label + ": " + counted(number)
        case (.category, _):
            let code = value.display ?? ""
            return optionTexts[code] ?? (readableCode ? label + ": " + code : label)
        default: return label
        }
    }

    /// The change recourse suggests, in words: "renda mensal a partir de R$ 2.100,00", and a
    /// yes/no input by what the customer would bring ("comprovante de renda", "telefone comercial").
    func change(to value: Double) -> String {
        switch kind {
        case .flag: return value >= 0.5 ? label : no
        case .money: return catalog.format("{label} from {value}", ["label": label, "value": language.money(value)])
        default: return catalog.format("{label} from {value}", ["label": label, "value": counted(value)])
        }
    }

    /// A count with its unit when it has one: "3 meses", "1 mês", "2".
    private func counted(_ number: Double) -> String {
        guard inMonths else { return language.count(number) }
        return catalog.format(number == 1 ? "{count} month" : "{count} months", ["count": language.count(number)])
    }

    /// Age bands a notice may state instead of "young": each customer reads the band they are in.
    static let ageBands: [Double] = [25, 35, 45, 55, 62]

    private func ageBand(_ age: Double) -> String {
        guard let upper = Self.ageBands.firstIndex(where: { age < $0 }) else {
            return catalog.format("aged {age} or over", ["age": language.count(Self.ageBands.last!)])
        }
        if upper == 0 { return catalog.format("aged under {age}", ["age": language.count(Self.ageBands[0])]) }
        return catalog.format(
            "aged {low} to {high}", ["low": language.count(Self.ageBands[upper - 1]), "high": language.count(Self.ageBands[upper] - 1)])
    }

    /// `text` as it reads after a colon: its first letter in lower case, unless it starts an
    /// abbreviation ("CEP", "ID").
    static func inSentence(_ text: String) -> String {
        var characters = Array(text)
        guard let first = characters.first, first.isUppercase else { return text }
        if characters.count > 1, characters[1].isUppercase { return text }
        characters[0] = Character(first.lowercased())
        return String(characters)
    }
}
