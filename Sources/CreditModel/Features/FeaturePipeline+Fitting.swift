import CreditScoring
import Foundation

/// Fitting a pipeline on training data, and the out-of-fold tree inputs the trainer uses.
extension FeaturePipeline {
    /// Fits the pipeline on training applicants and their labels.
    public static func fit(_ data: Dataset, labels: [Int], options: PipelineOptions = PipelineOptions()) throws(ModelError) -> FeaturePipeline {
        guard data.count >= 10, labels.contains(0), labels.contains(1) else {
            throw .invalidTrainingData("need at least 10 rows with both outcomes, got \(data.count) rows")
        }
        let schema = data.schema
        let prior = Double(labels.reduce(0, +)) / Double(labels.count)
        var encoders: [FieldEncoder] = []
        var dropped: [String: String] = [:]
        var keptColumns: [(name: String, values: [FieldValue])] = []
        for (index, field) in schema.fields.enumerated() {
            if !field.isModelInput { continue }
            if options.excludedFields.contains(field.name) { dropped[field.name] = "excluded by policy"; continue }
            let values = data.applicants.map { $0.values[index] }
            if values.allSatisfy({ $0 == values[0] }) { dropped[field.name] = "constant in the training data"; continue }
            if let twin = keptColumns.first(where: { $0.values == values }) {
                dropped[field.name] = "identical to \(twin.name) in the training data"; continue
            }
            keptColumns.append((field.name, values))
            let isCategorical: Bool
            switch field.kind {
            case .category, .text: isCategorical = true  // names of places are high-cardinality codes
            case .number, .flag: isCategorical = false
            }
            encoders.append(
                isCategorical
                    ? fitCategorical(field.name, index, values, labels, prior, options)
                    : fitNumeric(field.name, index, values, labels, prior, options))
        }
        for extra in options.excludedFields where schema.index(of: extra) == nil {
            throw .invalidOption("excluded field \(extra) is not in the schema")
        }
        return FeaturePipeline(encoders: encoders, droppedFields: dropped, prior: prior, options: options)
    }

    private static func smoothedLogOdds(bad: Double, count: Double, prior: Double, smoothing: Double) -> Double {
        let rate = (bad + prior * smoothing) / (count + smoothing)
        return log(rate / (1 - rate))
    }

    private static func levelStatistics(
        _ levels: [Int], _ labels: [Int], levelCount: Int, prior: Double, smoothing: Double
    ) -> (logOdds: [Double], counts: [Int]) {
        var counts = [Int](repeating: 0, count: levelCount)
        var bads = [Int](repeating: 0, count: levelCount)
        for (level, label) in zip(levels, labels) { counts[level] += 1; bads[level] += label }
        let logOdds = (0..<levelCount).map { smoothedLogOdds(bad: Double(bads[$0]), count: Double(counts[$0]), prior: prior, smoothing: smoothing) }
        return (logOdds, counts)
    }

    private static func fitNumeric(
        _ name: String, _ index: Int, _ values: [FieldValue], _ labels: [Int], _ prior: Double,
        _ options: PipelineOptions
    ) -> FieldEncoder {
        let numbers = values.compactMap(\.number).sorted()
        var distinct: [Double] = []
        for number in numbers where distinct.last != number { distinct.append(number) }
        var edges: [Double] = []
        if distinct.count <= options.maxNumericBins {
            edges = zip(distinct, distinct.dropFirst()).map { ($0 + $1) / 2 }
        } else {
            for bin in 1..<options.maxNumericBins {
                let cut = numbers[bin * numbers.count / options.maxNumericBins]
                // A bin holds values <= its edge; cut between `cut` and the next distinct value.
                if let next = distinct.first(where: { $0 > cut }) {
                    let edge = (cut + next) / 2
                    if edges.last.map({ edge > $0 }) ?? true { edges.append(edge) }
                }
            }
        }
        let median = numbers.isEmpty ? 0 : numbers[numbers.count / 2]
        var encoder = FieldEncoder(
            field: name, fieldIndex: index, kind: .numeric, edges: edges, median: median, codes: [],
            levelLogOdds: [], levelCounts: [])
        let levels = values.map { encoder.level(of: $0) }
        let stats = levelStatistics(levels, labels, levelCount: encoder.levelCount, prior: prior, smoothing: options.smoothing)
        encoder = FieldEncoder(
            field: name, fieldIndex: index, kind: .numeric, edges: edges, median: median, codes: [],
            levelLogOdds: stats.logOdds, levelCounts: stats.counts)
        return encoder
    }

    private static func fitCategorical(
        _ name: String, _ index: Int, _ values: [FieldValue], _ labels: [Int], _ prior: Double,
        _ options: PipelineOptions
    ) -> FieldEncoder {
        var counts: [FieldValue: Int] = [:]
        for value in values where value != .missing { counts[value, default: 0] += 1 }
        let codes = counts.filter { $0.value >= options.minCategoryCount }
            .sorted { $0.value != $1.value ? $0.value > $1.value : ($0.key.display ?? "") < ($1.key.display ?? "") }
            .map(\.key)
        let skeleton = FieldEncoder(
            field: name, fieldIndex: index, kind: .categorical, edges: [], median: 0, codes: codes,
            levelLogOdds: [], levelCounts: [])
        let levels = values.map { skeleton.level(of: $0) }
        let stats = levelStatistics(levels, labels, levelCount: skeleton.levelCount, prior: prior, smoothing: options.smoothing)
        return FieldEncoder(
            field: name, fieldIndex: index, kind: .categorical, edges: [], median: 0, codes: codes,
            levelLogOdds: stats.logOdds, levelCounts: stats.counts)
    }

    /// Tree inputs for the training rows, with each category encoded from the other folds only
    /// (out-of-fold), so that trees do not learn from a row's own outcome.
    public func outOfFoldTreeMatrix(_ applicants: [Applicant], labels: [Int]) -> [Double] {
        let rows = applicants.count
        var matrix = treeMatrix(applicants)
        let folds = max(2, options.folds)
        var generator = SplitMix64(seed: options.seed)
        var order = Array(0..<rows)
        order.shuffle(using: &generator)
        var fold = [Int](repeating: 0, count: rows)
        for (position, row) in order.enumerated() { fold[row] = position % folds }
        for (position, encoder) in encoders.enumerated() where encoder.kind == .categorical {
            let levels = applicants.map { encoder.level(of: $0.values[encoder.fieldIndex]) }
            var counts = [[Double]](repeating: [Double](repeating: 0, count: encoder.levelCount), count: folds)
            var bads = counts
            for row in 0..<rows { counts[fold[row]][levels[row]] += 1; bads[fold[row]][levels[row]] += Double(labels[row]) }
            let totalCounts = (0..<encoder.levelCount).map { level in counts.reduce(0) { $0 + $1[level] } }
            let totalBads = (0..<encoder.levelCount).map { level in bads.reduce(0) { $0 + $1[level] } }
            for row in 0..<rows {
                let level = levels[row]
                let count = totalCounts[level] - counts[fold[row]][level]
                let bad = totalBads[level] - bads[fold[row]][level]
                matrix[position * rows + row] = Self.smoothedLogOdds(bad: bad, count: count, prior: prior, smoothing: options.smoothing)
            }
        }
        return matrix
    }
}
