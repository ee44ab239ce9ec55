import XCTest

@testable import CreditText

/// Money and counts as each language writes them, without Foundation's formatters.
final class NumberWordsTests: XCTestCase {
    func testMoneyInBrazilianAndEnglishFormats() {
        XCTAssertEqual(Language.portuguese.money(1800), "R$ 1.800,00")
        XCTAssertEqual(Language.english.money(1800), "R$1,800.00")
        XCTAssertEqual(Language.portuguese.money(1_234_567.891), "R$ 1.234.567,89")
        XCTAssertEqual(Language.portuguese.money(0.05), "R$ 0,05")
        XCTAssertEqual(Language.portuguese.money(999.995), "R$ 1.000,00", "cents are rounded, carrying into the reais")
        XCTAssertEqual(Language.english.money(-50), "-R$50.00")
        XCTAssertEqual(Language.portuguese.money(-0.001), "R$ 0,00", "no minus sign on a zero")
    }

    func testCountsGroupThousandsAndKeepUpToTwoDecimals() {
        XCTAssertEqual(Language.portuguese.count(1200), "1.200")
        XCTAssertEqual(Language.english.count(1200), "1,200")
        XCTAssertEqual(Language.portuguese.count(7), "7")
        XCTAssertEqual(Language.portuguese.count(2.5), "2,5")
        XCTAssertEqual(Language.english.count(1234.25), "1,234.25")
        XCTAssertEqual(Language.portuguese.count(100_000), "100.000")
    }

    func testFormatFillsTheTranslatedTemplateWithValuesAsGiven() {
        let portuguese = Language.portuguese.catalog
        XCTAssertEqual(
            portuguese.format("{label} from {value}", ["label": "renda mensal", "value": "R$ 2.100,00"]), "renda mensal a partir de R$ 2.100,00")
        XCTAssertEqual(MessageCatalog.english.format("aged {low} to {high}", ["low": "25", "high": "34"]), "aged 25 to 34")
        XCTAssertEqual(portuguese.format("aged {low} to {high}", ["low": "25"]), "faixa etária de 25 a {high} anos", "a missing value stays visible")
    }
}
