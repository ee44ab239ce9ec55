import ArgumentParser
import CreditModel
import Foundation

/// `credit schema`: prints the applicant schema as JSON.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "schema", abstract: "Print the applicant schema as JSON.")

    func run() throws {
        FileHandle.standardOutput.write(try SchemaDocument(schema: .pakdd).jsonData())
        print()
    }
}
