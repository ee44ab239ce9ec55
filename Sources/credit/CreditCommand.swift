import ArgumentParser
import CreditModel
import Foundation

/// `credit`: train, evaluate and apply credit-risk models.
@main
struct CreditCommand: ParsableCommand {

    static let configuration = CommandConfiguration(
        commandName: "credit",
        abstract: "Train, evaluate and apply credit-risk models on PAKDD 2010 style data.",
        subcommands: [
            TrainCommand.self, EvaluateCommand.self, ScoreCommand.self, ReportCommand.self,
            BenchmarkCommand.self, SchemaCommand.self, InitCommand.self, UserCommand.self, AuditCommand.self, ExportCommand.self, ImportCommand.self,
            MonitorCommand.self, OutcomesCommand.self, ModelCommand.self, APIKeyCommand.self, DatabaseCommand.self, SetupCommand.self,
            ReasonsCommand.self, SearchBenchmarkCommand.self, EnqueueBenchmarkCommand.self, RecourseBenchmarkCommand.self,
        ]
    )
}

/// Writes a line to standard error (progress and diagnostics stay off standard output).
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Reads a PAKDD file, turning read errors into a clean exit with the file and line.
func readDataset(_ path: String) throws -> Dataset {
    do { return try PAKDDReader(path: path).readAll() } catch let error as DataReadError {
        throw CommandError(error.description)
    }
}

/// Loads a model file, turning load errors into a clean exit with the reason.
func loadScorer(_ path: String) throws -> CreditScorer {
    do { return try CreditScorer(path: path) } catch { throw CommandError(error.description) }
}

/// Encodes a value as one line of JSON with sorted keys.
func jsonLine<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

func fixed(_ value: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)f", value) }

/// A failure while running a command (a missing file, a bad model): printed as `Error: …`
/// without the usage text, which is for mistakes in the arguments.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
