import CreditSchema
import CreditText
import XCTest

final class MessageCatalogTests: XCTestCase {
    private let catalog = MessageCatalog(
        language: .portuguese,
        entries: [
            "Monthly income": "Renda mensal",
            "{label} is required.": "{label} é obrigatório.",
            "You have no batch with id {id}.": "Você não tem lote com o id {id}.",
            "{label} must be between {minimum} and {maximum}.": "{label} deve estar entre {minimum} e {maximum}.",
            "Use {methods} on this resource.": "Use {methods} neste recurso.",
        ])

    func testExactEntriesAndPatternsTranslateAndTheVaryingPartsAreTranslatedWhenTheyAreEntries() {
        XCTAssertEqual(catalog.translate("Monthly income"), "Renda mensal")
        XCTAssertEqual(catalog.translate("Monthly income is required."), "Renda mensal é obrigatório.")
        XCTAssertEqual(catalog.translate("You have no batch with id abc123."), "Você não tem lote com o id abc123.")
        XCTAssertEqual(
            catalog.translate("Monthly income must be between 0 and 100000000 R$."), "Renda mensal deve estar entre 0 e 100000000 R$.")
        XCTAssertEqual(catalog.translate("Use GET or POST on this resource."), "Use GET or POST neste recurso.")
    }

    func testAnUntranslatedMessageStaysAsWrittenAndEnglishTranslatesNothing() {
        XCTAssertNil(catalog.translation(of: "Something new."))
        XCTAssertEqual(catalog.translate("Something new."), "Something new.")
        XCTAssertNil(catalog.translation(of: " is required."), "an empty placeholder is no match")
        XCTAssertEqual(MessageCatalog.english.translate("Monthly income"), "Monthly income")
    }

    func testAcceptLanguageChoosesTheHighestWeightTheProductSpeaks() {
        XCTAssertEqual(Language.negotiate(acceptLanguage: "pt-BR,pt;q=0.9,en;q=0.8", fallback: .english), .portuguese)
        XCTAssertEqual(Language.negotiate(acceptLanguage: "fr-FR, en;q=0.5, pt;q=0.4", fallback: .portuguese), .english)
        XCTAssertEqual(Language.negotiate(acceptLanguage: "de, fr", fallback: .portuguese), .portuguese)
        XCTAssertEqual(Language.negotiate(acceptLanguage: "en;q=0, pt", fallback: .english), .portuguese)
        XCTAssertEqual(Language.negotiate(acceptLanguage: nil, fallback: .english), .english)
        XCTAssertEqual(Language.negotiate(acceptLanguage: "*", fallback: .portuguese), .portuguese)
        XCTAssertEqual(Language(tag: "PT_br"), .portuguese)
        XCTAssertNil(Language(tag: "es"))
    }

    /// Every translation keeps the placeholders of its English text, and no entry is empty.
    func testEveryPortugueseEntryKeepsItsPlaceholders() {
        for (english, portuguese) in MessageCatalog.portuguese.entries {
            XCTAssertEqual(
                MessageCatalog.placeholders(in: portuguese), MessageCatalog.placeholders(in: english), "placeholders of «\(english)»")
            XCTAssertFalse(portuguese.trimmingCharacters(in: .whitespaces).isEmpty, "empty translation of «\(english)»")
            XCTAssertEqual(portuguese.contains("%@"), english.contains("%@"), "the value mark %@ of «\(english)»")
        }
    }

    /// Every text of the applicant schema a person reads has its Portuguese.
    func testTheSchemaIsWhollyTranslated() {
        let missing = ApplicantSchema.pakdd.readableTexts.filter { MessageCatalog.portuguese.translation(of: $0) == nil }
        XCTAssertEqual(missing, [], "untranslated schema texts:\n" + missing.map { "    \"\($0)\": \"\"," }.joined(separator: "\n"))
    }
}
