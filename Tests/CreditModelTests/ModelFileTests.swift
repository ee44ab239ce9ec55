import CreditJSON
import Foundation
import XCTest

@testable import CreditModel
@testable import CreditScoring

/// Training on generated applicants, the model file round trip, and refusal of bad files.
final class ModelFileTests: XCTestCase {
    private static func dataset(rows: Int, seed: UInt64) -> Dataset {
        let schema = ApplicantSchema.pakdd
        var generator = SplitMix64(seed: seed)
        var applicants: [Applicant] = [], labels: [Int] = []
        for _ in 0..<rows {
            var applicant = schema.defaultApplicant()
            let age = Double(Int.random(in: 18...80, using: &generator))
            let income = Double(Int.random(in: 300...5000, using: &generator))
            let day = [1.0, 5, 10, 15, 20, 25].randomElement(using: &generator)!
            let state = ["SP", "RJ", "MG", "BA"].randomElement(using: &generator)!
            applicant[schema.index(of: "age")!] = .number(age)
            applicant[schema.index(of: "personal_monthly_income")!] = .number(income)
            applicant[schema.index(of: "payment_day")!] = .number(day)
            applicant[schema.index(of: "residencial_state")!] = .text(state)
            applicant[schema.index(of: "sex")!] = .text(Bool.random(using: &generator) ? "F" : "M")
            let z = -1 + (age < 30 ? 0.8 : 0) - income / 5000 + (state == "RJ" ? 0.5 : 0) + (day > 15 ? 0.4 : 0)
            labels.append(Double.random(in: 0..<1, using: &generator) < 1 / (1 + exp(-z)) ? 1 : 0)
            applicants.append(applicant)
        }
        return Dataset(schema: schema, applicants: applicants, ids: Array(1...rows), labels: labels)
    }

    private static let fingerprint = DataFingerprint(
        trainFile: "train", trainSHA256: "abc", trainRows: 1500, validFile: "valid",
        validSHA256: "def", validRows: 800)

    private static func train(_ kind: ModelKind) throws -> ModelDocument {
        var configuration = TrainingConfiguration(kind: kind)
        configuration.boosting.maxTrees = 40
        configuration.boosting.minRowsInLeaf = 20
        configuration.boosting.earlyStoppingRounds = 20
        configuration.logistic.lambdas = [1, 10]
        return try ModelTrainer(configuration: configuration).train(
            train: dataset(rows: 1500, seed: 1), valid: dataset(rows: 800, seed: 2),
            fingerprint: fingerprint)
    }

    func testRoundTripScoresIdenticallyAndExplainsExactly() throws {
        let valid = Self.dataset(rows: 800, seed: 2)
        for kind in ModelKind.allCases {
            let document = try Self.train(kind)
            XCTAssertGreaterThan(document.metrics.valid.summary.auc, 0.6, "\(kind) learns the generated signal")
            XCTAssertEqual(document.formatVersion, ModelDocument.currentFormatVersion)
            XCTAssertTrue(document.modelId.hasPrefix(kind.rawValue + "-"))
            let reloaded = try ModelDocument.decode(try document.jsonData())
            // The model as trained (never written) against the model read back from its file.
            let before = CreditScorer(document: document), after = CreditScorer(document: reloaded)
            XCTAssertEqual(before.probabilities(valid.applicants), after.probabilities(valid.applicants), "\(kind): the file loses nothing")
            XCTAssertEqual(before.predict(valid.applicants[0]), after.predict(valid.applicants[0]))
            for applicant in valid.applicants.prefix(50) {
                let prediction = after.predict(applicant)
                XCTAssertTrue(prediction.probabilityOfDefault > 0 && prediction.probabilityOfDefault < 1)
                XCTAssertEqual(prediction.probabilityOfDefault, after.probability(applicant), accuracy: 1e-9)
                XCTAssertTrue((0...1000).contains(prediction.score))
                XCTAssertEqual(prediction.decision, after.document.policy.decision(probability: prediction.probabilityOfDefault))
                XCTAssertEqual(prediction.reasons.map(\.contribution), prediction.reasons.map(\.contribution).sorted(by: >))
                XCTAssertTrue(prediction.reasons.allSatisfy { $0.contribution > 0 && !$0.text.isEmpty })
                let explanation = after.contributions(applicant)
                let logOdds = explanation.contributions.reduce(explanation.base, +)
                XCTAssertEqual(1 / (1 + exp(-logOdds)), after.probability(applicant), accuracy: 1e-9, "\(kind) contributions add up")
            }
            XCTAssertNil(reloaded.pipeline.encoders.first { $0.field == "sex" })
            XCTAssertTrue(reloaded.metrics.valid.fairness.contains { $0.attribute == "sex" && $0.group == "F" })
        }
    }

    private func mutated(_ document: ModelDocument, _ change: (inout [String: Any]) -> Void) throws -> Data {
        var object = try JSONSerialization.jsonObject(with: try document.jsonData()) as! [String: Any]
        change(&object)
        return try JSONSerialization.data(withJSONObject: object)
    }

    private func refusal(_ data: Data) -> String {
        do { _ = try ModelDocument.decode(data); return "accepted" } catch { return error.description }
    }

    func testRefusesBadFiles() throws {
        let document = try Self.train(.gbdt)
        let data = try document.jsonData()
        XCTAssertTrue(refusal(data.prefix(data.count / 2)).contains("truncated"))
        XCTAssertTrue(refusal(Data("hello".utf8)).contains("not a JSON model document"))
        XCTAssertTrue(refusal(Data("{}".utf8)).contains("no format_version"))
        XCTAssertTrue(refusal(try mutated(document) { $0["format_version"] = 2 }).contains("newer"))
        XCTAssertTrue(refusal(try mutated(document) { $0.removeValue(forKey: "ensemble") }).contains("no trees"))
        XCTAssertTrue(refusal(try mutated(document) { $0.removeValue(forKey: "policy") }).contains("policy"))
        let brokenTree = try mutated(document) { object in
            var ensemble = object["ensemble"] as! [String: Any]
            var trees = ensemble["trees"] as! [[String: Any]]
            var left = trees[0]["left"] as! [Int]
            left[0] = 10_000
            trees[0]["left"] = left
            ensemble["trees"] = trees
            object["ensemble"] = ensemble
        }
        XCTAssertTrue(refusal(brokenTree).contains("links"), refusal(brokenTree))
        XCTAssertThrowsError(try ModelDocument.load(path: "/nonexistent/model.json")) { XCTAssertTrue("\($0)".contains("no such file")) }
    }
}
