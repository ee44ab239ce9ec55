import ArgumentParser
import CreditModel
import Foundation

/// `credit score`: streams `ID<TAB>PD` lines for a PAKDD file, labelled or not.
struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "score", abstract: "Print ID<TAB>PD for every applicant in a file.")

    @Option(help: "Model file.") var model: String
    @Option(help: "Data file (PAKDD format; the target column is optional).") var data: String

    func run() throws {
        let scorer = try loadScorer(model)
        var output = ""
        output.reserveCapacity(1 << 16)
        var iterator = PAKDDReader(path: data).makeIterator()
        do {
            while let record = try iterator.nextRecord() {
                output += "\(record.id)\t\(fixed(scorer.probability(record.applicant), 6))\n"
                if output.utf8.count > 60_000 { FileHandle.standardOutput.write(Data(output.utf8)); output.removeAll(keepingCapacity: true) }
            }
        } catch {
            FileHandle.standardOutput.write(Data(output.utf8))
            throw CommandError(error.description)
        }
        FileHandle.standardOutput.write(Data(output.utf8))
    }
}
