import CreditSchema

#if canImport(Glibc)
import Glibc
#endif

/// How a value falls into bins, and the share of the validation applicants in each bin: the
/// reference that traffic is compared with for stability (PSI and CSI).
public struct BinnedShares: Codable, Sendable, Equatable {
    /// Numbers: the inner cut points (a value goes to the first bin whose edge is above it).
    public var edges: [Double]
    /// Codes and texts: the listed values; any other is one bin more, then missing.
    public var codes: [String]?
    /// The validation share of each bin: numbers' bins then missing, or the codes, other and missing.
    public var shares: [Double]

    public init(edges: [Double], codes: [String]?, shares: [Double]) {
        self.edges = edges
        self.codes = codes
        self.shares = shares
    }

    public var binCount: Int { shares.count }

    /// The bin of a number (nil: missing).
    public func bin(_ number: Double?) -> Int {
        guard let number, !number.isNaN else { return binCount - 1 }
        var index = 0
        while index < edges.count, number >= edges[index] { index += 1 }
        return index
    }

    /// The bin of a field value.
    public func bin(_ value: FieldValue) -> Int {
        if let codes {
            guard let text = value.display else { return binCount - 1 }
            return codes.firstIndex(of: text) ?? codes.count
        }
        if case .number(let number) = value { return bin(number) }
        return binCount - 1
    }

    /// Decile bins of `numbers` (nil for missing), with a bin for missing values.
    public static func deciles(_ numbers: [Double?]) -> BinnedShares {
        let present = numbers.compactMap { $0 }.filter { !$0.isNaN }.sorted()
        var edges: [Double] = []
        if !present.isEmpty {
            for tenth in 1..<10 {
                let edge = present[present.count * tenth / 10]
                if edge > (edges.last ?? -.infinity) && edge > present[0] { edges.append(edge) }
            }
        }
        var bins = BinnedShares(edges: edges, codes: nil, shares: Array(repeating: 0, count: edges.count + 2))
        bins.shares = bins.shares(of: numbers.map { bins.bin($0) })
        return bins
    }

    /// Bins for the ten commonest codes, the rest, and missing.
    public static func codes(_ values: [FieldValue]) -> BinnedShares {
        var counts: [String: Int] = [:]
        for value in values { if let text = value.display { counts[text, default: 0] += 1 } }
        let top = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(10).map(\.key)
        var bins = BinnedShares(edges: [], codes: top, shares: Array(repeating: 0, count: top.count + 2))
        bins.shares = bins.shares(of: values.map { bins.bin($0) })
        return bins
    }

    /// The share of `bins` in each bin.
    public func shares(of bins: [Int]) -> [Double] {
        var counts = [Double](repeating: 0, count: binCount)
        for bin in bins { counts[bin] += 1 }
        return counts.map { bins.isEmpty ? 0 : $0 / Double(bins.count) }
    }

    /// The population stability index of `actual` shares against these: Σ (a − e) ln(a / e),
    /// each share floored at 0.0001 so that an empty bin counts without dividing by zero.
    public func stability(of actual: [Double]) -> Double {
        zip(actual, shares).reduce(0) { sum, pair in
            let a = max(pair.0, 1e-4), e = max(pair.1, 1e-4)
            return sum + (a - e) * log(a / e)
        }
    }
}
