import XCTest

@testable import CreditModel
@testable import CreditScoring

/// Field selection and encoding: what is dropped, how levels are found, and that the compiled
/// scoring tables agree with the encoders they come from.
final class FeaturePipelineTests: XCTestCase {
    private let schema = ApplicantSchema.pakdd

    /// Applicants with varied age, income, state, ZIP and city; label depends on age and state.
    private func dataset(rows: Int, seed: UInt64) -> (Dataset, [Int]) {
        var generator = SplitMix64(seed: seed)
        let states = ["SP", "RJ", "MG", "BA", "RS"]
        let cities = ["SAO PAULO", "RIO DE JANEIRO", "BELO HORIZONTE", "SALVADOR", "PORTO ALEGRE", "CAMPINAS"]
        var applicants: [Applicant] = []
        var labels: [Int] = []
        for _ in 0..<rows {
            var applicant = schema.defaultApplicant()
            let age = Double(Int.random(in: 18...80, using: &generator))
            let state = states.randomElement(using: &generator)!
            applicant[schema.index(of: "age")!] = .number(age)
            applicant[schema.index(of: "personal_monthly_income")!] = .number(Double(Int.random(in: 300...5000, using: &generator)))
            applicant[schema.index(of: "residencial_state")!] = .text(state)
            applicant[schema.index(of: "residencial_zip_3")!] = .number(Double(Int.random(in: 100...140, using: &generator)))
            applicant[schema.index(of: "residencial_city")!] = .text(cities.randomElement(using: &generator)!)
            applicant[schema.index(of: "months_in_residence")!] =
                Double.random(in: 0..<1, using: &generator) < 0.2
                ? .missing : .number(Double(Int.random(in: 0...200, using: &generator)))
            // Same values as residencial_zip_3: must be dropped as a duplicate.
            applicant[schema.index(of: "professional_zip_3")!] = applicant[schema.index(of: "residencial_zip_3")!]
            applicant[schema.index(of: "sex")!] = .text(Bool.random(using: &generator) ? "F" : "M")
            applicants.append(applicant)
            let risk = (age < 30 ? 0.4 : 0.2) + (state == "RJ" ? 0.2 : 0)
            labels.append(Double.random(in: 0..<1, using: &generator) < risk ? 1 : 0)
        }
        return (Dataset(schema: schema, applicants: applicants, ids: Array(0..<rows), labels: labels), labels)
    }

    func testDropsConstantsDuplicatesAndExcludedFields() throws {
        let (data, labels) = dataset(rows: 2000, seed: 1)
        let pipeline = try FeaturePipeline.fit(data, labels: labels)
        let inputs = Set(pipeline.encoders.map(\.field))
        XCTAssertEqual(pipeline.droppedFields["sex"], "excluded by policy")
        XCTAssertEqual(pipeline.droppedFields["clerk_type"], "constant in the training data")
        XCTAssertEqual(pipeline.droppedFields["professional_zip_3"], "identical to residencial_zip_3 in the training data")
        XCTAssertEqual(
            inputs, ["age", "personal_monthly_income", "residencial_state", "residencial_zip_3", "residencial_city", "months_in_residence"])
        XCTAssertFalse(inputs.contains("id_client"))
        XCTAssertFalse(inputs.contains("applicant_name"))
    }

    func testCompiledTablesAgreeWithEncoders() throws {
        let (data, labels) = dataset(rows: 3000, seed: 2)
        var options = PipelineOptions()
        options.minCategoryCount = 60  // some ZIPs fall into "other"
        let pipeline = try FeaturePipeline.fit(data, labels: labels, options: options)
        let compiled = pipeline.compiled
        let probes: [FieldValue] = [
            .missing, .number(-1), .number(3.5), .number(999_999), .number(120), .text("ZZ"), .text("SP"),
            .text("SAO PAULO"), .text(""), .number(.infinity),
        ]
        for (position, encoder) in pipeline.encoders.enumerated() {
            let values = data.applicants.map { $0.values[encoder.fieldIndex] } + probes
            for value in values {
                XCTAssertEqual(compiled.level(position, value), encoder.level(of: value), "\(encoder.field) \(value)")
                let expected = encoder.treeValue(value), actual = compiled.treeValue(position, value)
                XCTAssertTrue(expected == actual || (expected.isNaN && actual.isNaN), "\(encoder.field) \(value)")
            }
        }
    }

    func testUnseenAndRareCodesShareTheOtherLevel() throws {
        let (data, labels) = dataset(rows: 2000, seed: 3)
        let pipeline = try FeaturePipeline.fit(data, labels: labels)
        let state = pipeline.encoders.first { $0.field == "residencial_state" }!
        XCTAssertEqual(state.level(of: .text("AC")), state.otherLevel, "a state never seen in training")
        XCTAssertEqual(state.level(of: .missing), state.missingLevel)
        XCTAssertNotEqual(state.level(of: .text("RJ")), state.level(of: .text("SP")))
        // RJ is riskier in the generating process, so its smoothed log-odds are higher.
        XCTAssertGreaterThan(state.levelLogOdds[state.level(of: .text("RJ"))], state.levelLogOdds[state.level(of: .text("SP"))])
    }

    func testNumericBinsAreQuantilesAndMissingHasItsOwnLevel() throws {
        let (data, labels) = dataset(rows: 5000, seed: 4)
        let pipeline = try FeaturePipeline.fit(data, labels: labels)
        let age = pipeline.encoders.first { $0.field == "age" }!
        XCTAssertEqual(age.edges.count, pipeline.options.maxNumericBins - 1)
        let counts = age.levelCounts.prefix(age.edges.count + 1)
        XCTAssertGreaterThan(Double(counts.min()!), 0.5 * Double(data.count) / Double(counts.count), "bins are roughly equal in size")
        let months = pipeline.encoders.first { $0.field == "months_in_residence" }!
        XCTAssertEqual(months.level(of: .missing), months.missingLevel)
        XCTAssertGreaterThan(months.levelCounts[months.missingLevel], 700)
    }

    func testOutOfFoldEncodingUsesOtherFoldsOnly() throws {
        let (data, labels) = dataset(rows: 2000, seed: 5)
        let pipeline = try FeaturePipeline.fit(data, labels: labels)
        let full = pipeline.treeMatrix(data.applicants)
        let outOfFold = pipeline.outOfFoldTreeMatrix(data.applicants, labels: labels)
        let position = pipeline.encoders.firstIndex { $0.field == "residencial_city" }!
        let rows = data.count
        let changed = (0..<rows).filter { full[position * rows + $0] != outOfFold[position * rows + $0] }.count
        XCTAssertGreaterThan(changed, rows * 9 / 10, "categorical inputs of training rows are re-encoded")
        let agePosition = pipeline.encoders.firstIndex { $0.field == "age" }!
        XCTAssertEqual(
            Array(full[(agePosition * rows)..<((agePosition + 1) * rows)]),
            Array(outOfFold[(agePosition * rows)..<((agePosition + 1) * rows)]), "numeric inputs are untouched")
    }

    func testRefusesDegenerateTrainingData() {
        let (data, _) = dataset(rows: 100, seed: 6)
        XCTAssertThrowsError(try FeaturePipeline.fit(data, labels: [Int](repeating: 0, count: 100)))
    }
}
