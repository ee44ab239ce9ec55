import ArgumentParser
import CreditModel
import Foundation

/// `credit report`: writes the model card (Markdown) and its SVG plots for a labelled file.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Write a model card with ROC, calibration and score plots.")

    @Option(help: "Model file.") var model: String
    @Option(help: "Labelled data file to report on (usually the validation file).") var data: String
    @Option(help: "Output directory.") var out: String
    @Option(help: "Base name of the card and plots.") var name: String?

    func run() throws {
        let scorer = try loadScorer(model)
        let dataset = try readDataset(data)
        guard let labels = dataset.labels else { throw CommandError("\(data) has no target column; the report needs labelled data") }
        let base = name ?? URL(fileURLWithPath: model).deletingPathExtension().lastPathComponent
        let card = ModelCard(scorer: scorer, dataset: dataset, labels: labels, dataName: URL(fileURLWithPath: data).lastPathComponent, baseName: base)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        for (file, contents) in card.files() {
            try contents.write(toFile: (out as NSString).appendingPathComponent(file), atomically: true, encoding: .utf8)
            printError("wrote \((out as NSString).appendingPathComponent(file))")
        }
    }
}
