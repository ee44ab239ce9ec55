import ArgumentParser
import CreditModel
import Foundation

/// `credit benchmark`: scoring throughput on one thread and the latency of one explained prediction.
struct BenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark",
        abstract: "Measure scoring rows/s (one thread) and one explained prediction's latency.")

    @Option(help: "Model file.") var model: String
    @Option(help: "A challenger's model file: also time one applicant scored by both, as a worker does in the shadow.") var challenger: String?
    @Option(help: "Data file whose applicants are scored.") var data: String
    @Option(help: "Least seconds to spend on each measurement.") var seconds: Double = 1
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let scorer = try loadScorer(model)
        let applicants = try readDataset(data).applicants
        guard !applicants.isEmpty else { throw CommandError("\(data) has no rows") }
        // Throughput: score the whole set repeatedly, encoding included.
        var rows = 0
        var checksum = 0.0
        let start = Date()
        repeat {
            for pd in scorer.probabilities(applicants) { checksum += pd }
            rows += applicants.count
        } while Date().timeIntervalSince(start) < seconds
        let rowsPerSecond = Double(rows) / Date().timeIntervalSince(start)
        // Latency: one applicant with PD, score, decision and reasons, with and without recourse
        // (what would change a decision that is not an approval), as the worker gives them.
        func explainMicroseconds(recourse: Bool) -> Double {
            var explained = 0
            let explainStart = Date()
            repeat {
                let prediction = scorer.predict(applicants[explained % applicants.count], recourse: recourse)
                checksum += Double(prediction.reasons.count + prediction.recourse.count)
                explained += 1
            } while Date().timeIntervalSince(explainStart) < seconds
            return Date().timeIntervalSince(explainStart) / Double(explained) * 1e6
        }
        let withoutRecourseMicroseconds = explainMicroseconds(recourse: false)
        let explainMicroseconds = explainMicroseconds(recourse: true)
        // Champion and challenger: both predictions with reasons for each applicant.
        var shadowMicroseconds: Double?
        if let challenger {
            let second = try loadScorer(challenger)
            var pairs = 0
            let pairStart = Date()
            repeat {
                let applicant = applicants[pairs % applicants.count]
                checksum += Double(scorer.predict(applicant).reasons.count + second.predict(applicant).reasons.count)
                pairs += 1
            } while Date().timeIntervalSince(pairStart) < seconds
            shadowMicroseconds = Date().timeIntervalSince(pairStart) / Double(pairs) * 1e6
        }
        if json {
            struct Output: Encodable {
                var model: String, rows_per_second: Double, explain_microseconds: Double, checksum: Double
                var champion_and_challenger_microseconds: Double?
                var explain_without_recourse_microseconds: Double
            }
            print(
                try jsonLine(
                    Output(
                        model: scorer.modelId, rows_per_second: rowsPerSecond, explain_microseconds: explainMicroseconds,
                        checksum: checksum, champion_and_challenger_microseconds: shadowMicroseconds,
                        explain_without_recourse_microseconds: withoutRecourseMicroseconds)))
        } else {
            print("model                 \(scorer.modelId)")
            print("scoring (one thread)  \(Int(rowsPerSecond)) rows/s")
            print("explained prediction  \(fixed(explainMicroseconds, 1)) µs (\(fixed(withoutRecourseMicroseconds, 1)) µs without recourse)")
            if let shadowMicroseconds { print("with the challenger   \(fixed(shadowMicroseconds, 1)) µs (both explained)") }
        }
    }
}
