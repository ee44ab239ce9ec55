import Foundation
import XCTest
@testable import CreditModel

/// Tests on the PAKDD 2010 files in `../shared/data/pakdd2010` and on the shipped model.
/// They skip, saying why, when the data folder is absent (a fresh clone without `../shared`).
final class RealDataTests: XCTestCase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let dataDirectory = ProcessInfo.processInfo.environment["CREDIT_DATA_DIR"]
        ?? repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data/pakdd2010").path

    private func dataFile(_ name: String) throws -> String {
        let path = (Self.dataDirectory as NSString).appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("PAKDD data not found at \(path); set CREDIT_DATA_DIR or put ../shared beside the checkout")
        }
        return path
    }

    nonisolated(unsafe) private static var cache: [String: Dataset] = [:]  // XCTest runs tests one at a time
    private func read(_ name: String) throws -> Dataset {
        let path = try dataFile(name)
        if let dataset = Self.cache[path] { return dataset }
        let dataset = try PAKDDReader(path: path).readAll()
        Self.cache[path] = dataset
        return dataset
    }

    /// A build in debug mode is far too slow to train on 30,000 rows.
    private func requireOptimizedBuild() throws {
        #if DEBUG
        throw XCTSkip("training on PAKDD runs in release builds only: use `make test` (swift test -c release)")
        #endif
    }

    func testSplitsHaveTheDocumentedShape() throws {
        let train = try read("train.tsv"), valid = try read("valid.tsv")
        XCTAssertEqual(train.count, 30_000)
        XCTAssertEqual(train.labels?.reduce(0, +), 7_825)
        XCTAssertEqual(valid.count, 10_000)
        XCTAssertEqual(valid.labels?.reduce(0, +), 2_608)
        // The two Latin-1 0xAC bytes decode to "¬" (IDs 12785 and 41243, both in train).
        let borough = ApplicantSchema.pakdd.index(of: "residencial_borough")!
        for id in [12785, 41243] {
            let row = try XCTUnwrap(train.ids.firstIndex(of: id))
            XCTAssertTrue(train.applicants[row].values[borough].display?.contains("¬") ?? false, "ID \(id)")
        }
        // ZIP-3 junk reads as missing.
        let zip = ApplicantSchema.pakdd.index(of: "residencial_zip_3")!
        if let row = train.ids.firstIndex(of: 48924) ?? valid.ids.firstIndex(of: 48924) {
            let data = train.ids.contains(48924) ? train : valid
            XCTAssertEqual(data.applicants[row].values[zip], .missing)
        }
    }

    func testShippedDefaultModelReproducesItsValidationMetrics() throws {
        let valid = try read("valid.tsv")
        let path = Self.repositoryRoot.appendingPathComponent("models/default.json").path
        let scorer = try CreditScorer(path: path)
        let pds = scorer.probabilities(valid.applicants)
        let summary = MetricSummary(probabilities: pds, labels: valid.labels!)
        XCTAssertEqual(summary.auc, scorer.document.metrics.valid.summary.auc, accuracy: 1e-9, "scoring must reproduce training-time metrics")
        XCTAssertGreaterThanOrEqual(summary.auc, 0.641, "acceptance: default model AUC on valid.tsv")
        XCTAssertLessThan(summary.brier, 0.1928, "better than the constant prior")
        XCTAssertNil(scorer.document.pipeline.encoders.first { $0.field == "sex" }, "sex is not an input of the default model")
        // Explanations add up on real applicants.
        for applicant in valid.applicants.prefix(200) {
            let explanation = scorer.contributions(applicant)
            let logOdds = explanation.contributions.reduce(explanation.base, +)
            XCTAssertEqual(1 / (1 + exp(-logOdds)), scorer.probability(applicant), accuracy: 1e-9)
        }
    }

    func testGradientBoostingReachesTheTarget() throws {
        try requireOptimizedBuild()
        let train = try read("train.tsv"), valid = try read("valid.tsv")
        let document = try ModelTrainer(configuration: TrainingConfiguration(kind: .gbdt)).train(train: train, valid: valid, fingerprint: fingerprint())
        XCTAssertGreaterThanOrEqual(document.metrics.valid.summary.auc, 0.641)
        XCTAssertGreaterThan(document.parameters.trees ?? 0, 50)
    }

    func testLogisticRegressionReachesTheTarget() throws {
        try requireOptimizedBuild()
        let train = try read("train.tsv"), valid = try read("valid.tsv")
        let document = try ModelTrainer(configuration: TrainingConfiguration(kind: .logistic)).train(train: train, valid: valid, fingerprint: fingerprint())
        XCTAssertGreaterThanOrEqual(document.metrics.valid.summary.auc, 0.637)
        // The fairness report covers both sexes and every age band present.
        let groups = document.metrics.valid.fairness
        XCTAssertTrue(groups.contains { $0.attribute == "sex" && $0.group == "F" })
        XCTAssertTrue(groups.contains { $0.attribute == "age band" && $0.group == "25–34" })
    }

    func testScoresTheLaterPopulationWithUnseenCategories() throws {
        let path = try dataFile("PAKDD2010_Prediction_Data.txt")
        let scorer = try CreditScorer(path: Self.repositoryRoot.appendingPathComponent("models/default.json").path)
        var rows = 0
        try PAKDDReader(path: path).forEachRecord { record in
            XCTAssertNil(record.target)
            let pd = scorer.probability(record.applicant)
            XCTAssertTrue(pd > 0 && pd < 1, "ID \(record.id): \(pd)")
            rows += 1
        }
        XCTAssertEqual(rows, 20_000)
    }

    private func fingerprint() -> DataFingerprint {
        DataFingerprint(trainFile: "train.tsv", trainSHA256: "test", trainRows: 30_000, validFile: "valid.tsv", validSHA256: "test", validRows: 10_000)
    }
}
