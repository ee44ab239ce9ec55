/// Inputs cut into at most 255 bins per column, row-major, for histogram-based tree learning.
///
/// Bin 0 holds missing values (NaN). Bins `1...binCount[f]` hold values in increasing order:
/// bin `k` holds values `v` with `cuts[f][k-2] < v <= cuts[f][k-1]`.
struct BinnedMatrix {
    let rows: Int
    let columns: Int
    /// `bins[row * columns + column]`.
    var bins: [UInt8]
    /// Cut points per column (at most 254).
    let cuts: [[Double]]

    /// Number of non-missing bins of each column.
    var binCounts: [Int] { cuts.map { $0.count + 1 } }

    /// Chooses cut points from `columnMajor` (training data) and bins it.
    init(columnMajor: [Double], rows: Int, columns: Int, maxBins: Int = 255) {
        var cuts: [[Double]] = []
        for column in 0..<columns {
            let values = columnMajor[(column * rows)..<((column + 1) * rows)].filter { !$0.isNaN }.sorted()
            cuts.append(Self.cutPoints(sortedValues: values, maxBins: min(maxBins, 255)))
        }
        self.init(columnMajor: columnMajor, rows: rows, columns: columns, cuts: cuts)
    }

    /// Bins `columnMajor` with given cut points (validation data binned like training data).
    init(columnMajor: [Double], rows: Int, columns: Int, cuts: [[Double]]) {
        self.rows = rows
        self.columns = columns
        self.cuts = cuts
        var bins = [UInt8](repeating: 0, count: rows * columns)
        for column in 0..<columns {
            let columnCuts = cuts[column]
            for row in 0..<rows {
                bins[row * columns + column] = Self.bin(of: columnMajor[column * rows + row], cuts: columnCuts)
            }
        }
        self.bins = bins
    }

    @inline(__always) static func bin(of value: Double, cuts: [Double]) -> UInt8 {
        if value.isNaN { return 0 }
        var low = 0
        var high = cuts.count
        while low < high {
            let middle = (low + high) >> 1
            if value <= cuts[middle] { high = middle } else { low = middle + 1 }
        }
        return UInt8(low + 1)
    }

    /// Midpoints between distinct values when there are few; otherwise cuts at equal-count quantiles.
    static func cutPoints(sortedValues values: [Double], maxBins: Int) -> [Double] {
        var distinct: [Double] = []
        var counts: [Int] = []
        for value in values {
            if distinct.last == value { counts[counts.count - 1] += 1 } else { distinct.append(value); counts.append(1) }
        }
        if distinct.count <= 1 { return [] }
        if distinct.count <= maxBins - 1 {
            return zip(distinct, distinct.dropFirst()).map { ($0 + $1) / 2 }
        }
        var cuts: [Double] = []
        let perBin = Double(values.count) / Double(maxBins - 1)
        var seen = 0
        var nextTarget = perBin
        for index in 0..<(distinct.count - 1) {
            seen += counts[index]
            if Double(seen) >= nextTarget {
                cuts.append((distinct[index] + distinct[index + 1]) / 2)
                while nextTarget <= Double(seen) { nextTarget += perBin }
                if cuts.count == maxBins - 2 { break }
            }
        }
        return cuts
    }
}
