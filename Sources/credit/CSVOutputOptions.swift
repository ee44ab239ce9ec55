import ArgumentParser
import CreditSchema
import CreditText
import Foundation

/// `--dialect` and `--language` of the commands that write CSV for a spreadsheet (`credit export`,
/// `credit score --format csv`): the header and words in the language (by default the
/// deployment's, `CREDIT_LANGUAGE`), in that language's dialect unless one is chosen.
struct CSVOutputOptions: ParsableArguments {
    @Option(help: "CSV cells: semicolon (with decimal commas, as Excel in Brazil) or comma (decimal points) (default: the language's).")
    var dialect: CSVDialect?
    @Option(help: "The language of the CSV header and words: pt-BR or en (default: CREDIT_LANGUAGE, else pt-BR).")
    var language: Language?

    /// The language chosen, else `deployment`'s.
    func language(deployment: Language) -> Language { language ?? deployment }

    /// The writer for `language`: the dialect chosen, else the language's.
    func writer(_ language: Language) -> CSVWriter { CSVWriter(dialect: dialect ?? CSVDialect(language: language)) }

    /// The deployment's language when no configuration is loaded: `CREDIT_LANGUAGE`, else pt-BR.
    static var environmentLanguage: Language {
        ProcessInfo.processInfo.environment["CREDIT_LANGUAGE"].flatMap { Language(tag: $0) } ?? .defaultLanguage
    }
}
