import ArgumentParser
import CreditGovernance
import CreditModel
import CreditStore
import CreditText

// The values options and arguments take from a fixed set. ArgumentParser rejects anything else
// ("Please provide one of …") and lists the allowed values in the help, so no command checks
// these strings itself.

/// An account's role: `credit user add --role`, `credit user role`, `credit apikey create --role`.
extension Role: ExpressibleByArgument {}

/// A model family: `credit train --kind`.
extension ModelKind: ExpressibleByArgument {}

/// How `credit export` and `credit audit export` write their rows.
enum ExportFormat: String, CaseIterable, ExpressibleByArgument {
    /// A header line, then one comma-separated line a row.
    case csv
    /// One JSON object a line.
    case jsonl
}

/// A CSV file's separator and decimal mark: `--dialect semicolon|comma`.
extension CSVDialect: ExpressibleByArgument {}

/// The language of a file's header and words: `--language pt-BR|en`.
extension Language: ExpressibleByArgument {}
