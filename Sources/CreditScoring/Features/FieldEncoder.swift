/// How one applicant field is turned into model inputs, fitted on training data.
///
/// Every field maps a value to a *level*: a quantile bin for numbers, a code for categories, with
/// dedicated levels for rare-or-unseen codes ("other") and for missing values. The logistic model
/// gives each level a weight (a scorecard), and the tree model reads ``treeValue(_:)``: the raw number,
/// or the category's smoothed default log-odds.
public struct FieldEncoder: Codable, Sendable {
    /// Numeric or categorical handling.
    public enum Kind: String, Codable, Sendable {
        case numeric
        case categorical
    }

    /// Field name in the schema.
    public let field: String
    /// Field index in the schema (resolved when the pipeline is built or loaded).
    public internal(set) var fieldIndex: Int
    public let kind: Kind
    /// Numeric: upper bounds of the bins; a value `v` falls in the first bin with `v <= edges[b]`,
    /// or in bin `edges.count` when above them all.
    public let edges: [Double]
    /// Numeric: the training median, used to word reasons ("low" or "high").
    public let median: Double
    /// Categorical: the codes that have their own level, in level order.
    public let codes: [FieldValue]
    /// Categorical: smoothed log-odds of default for each level, `codes` first, then other, then missing.
    public let levelLogOdds: [Double]
    /// Number of training rows in each level.
    public let levelCounts: [Int]

    // Lookup tables built from `codes`; not stored in the model file.
    private var denseCodes: [Int32] = []
    private var sparseCodes: [FieldValue: Int32] = [:]

    enum CodingKeys: String, CodingKey {
        case field, kind, edges, median, codes
        case levelLogOdds = "level_log_odds"
        case levelCounts = "level_counts"
    }

    /// Number of levels, including other and missing.
    public var levelCount: Int { kind == .numeric ? edges.count + 2 : codes.count + 2 }
    /// Level of a missing value.
    public var missingLevel: Int { levelCount - 1 }
    /// Level of a rare or unseen code (categorical only).
    public var otherLevel: Int { levelCount - 2 }

    package init(
        field: String, fieldIndex: Int, kind: Kind, edges: [Double], median: Double, codes: [FieldValue],
        levelLogOdds: [Double], levelCounts: [Int]
    ) {
        self.field = field
        self.fieldIndex = fieldIndex
        self.kind = kind
        self.edges = edges
        self.median = median
        self.codes = codes
        self.levelLogOdds = levelLogOdds
        self.levelCounts = levelCounts
        buildLookup()
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        field = try container.decode(String.self, forKey: .field)
        kind = try container.decode(Kind.self, forKey: .kind)
        edges = try container.decode([Double].self, forKey: .edges)
        median = try container.decode(Double.self, forKey: .median)
        codes = try container.decode([FieldValue].self, forKey: .codes)
        levelLogOdds = try container.decode([Double].self, forKey: .levelLogOdds)
        levelCounts = try container.decode([Int].self, forKey: .levelCounts)
        fieldIndex = -1
        guard levelLogOdds.count == levelCount, levelCounts.count == levelCount,
            zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 })
        else {
            throw ModelError.modelFile("encoder for \(field) is inconsistent (levels or bin edges)")
        }
        buildLookup()
    }

    private mutating func buildLookup() {
        guard kind == .categorical else { return }
        var maxDense = -1
        for code in codes {
            if case .number(let value) = code, value >= 0, value < 4096, value == value.rounded() { maxDense = max(maxDense, Int(value)) }
        }
        denseCodes = [Int32](repeating: Int32(otherLevel), count: maxDense + 1)
        for (level, code) in codes.enumerated() {
            if case .number(let value) = code, value >= 0, value < 4096, value == value.rounded() {
                denseCodes[Int(value)] = Int32(level)
            } else {
                sparseCodes[code] = Int32(level)
            }
        }
    }

    /// The level of `value`.
    @inlinable public func level(of value: FieldValue) -> Int {
        switch kind {
        case .numeric:
            guard case .number(let number) = value, !number.isNaN else { return missingLevel }
            return binIndex(number)
        case .categorical:
            return categoryLevel(value)
        }
    }

    @usableFromInline func binIndex(_ number: Double) -> Int {
        var low = 0
        var high = edges.count
        while low < high {
            let middle = (low + high) >> 1
            if number <= edges[middle] { high = middle } else { low = middle + 1 }
        }
        return low
    }

    @usableFromInline func categoryLevel(_ value: FieldValue) -> Int {
        switch value {
        case .missing: return missingLevel
        case .number(let number):
            if number >= 0, number < Double(denseCodes.count), number == number.rounded() { return Int(denseCodes[Int(number)]) }
            return Int(sparseCodes[value] ?? Int32(otherLevel))
        case .text:
            return Int(sparseCodes[value] ?? Int32(otherLevel))
        }
    }

    /// The input a tree model sees: the number itself (NaN when missing) or the category's log-odds.
    @inlinable public func treeValue(_ value: FieldValue) -> Double {
        switch kind {
        case .numeric:
            if case .number(let number) = value { return number }
            return .nan
        case .categorical:
            return levelLogOdds[categoryLevel(value)]
        }
    }

    /// A short description of a level for reports ("≤ 1500", "RJ", "other", "missing").
    public func levelDescription(_ level: Int) -> String {
        if level == missingLevel { return "missing" }
        switch kind {
        case .numeric:
            if edges.isEmpty { return "any" }
            if level == 0 { return "≤ \(edges[0].compactDescription)" }
            if level >= edges.count { return "> \(edges[edges.count - 1].compactDescription)" }
            return "\(edges[level - 1].compactDescription)–\(edges[level].compactDescription)"
        case .categorical:
            return level < codes.count ? (codes[level].display ?? "missing") : "other"
        }
    }
}
