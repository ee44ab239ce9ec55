import CreditScoring
import Foundation

/// Fits ``LogisticModel``s by Newton's method on one-hot level indicators.
public struct LogisticTrainer {
    /// Number of levels of each input.
    let levelCounts: [Int]
    /// Row-major levels, `inputs` per row.
    let levels: [Int32]
    let labels: [Int]
    let offsets: [Int]
    let dimension: Int

    public init(levelCounts: [Int], levels: [Int32], labels: [Int]) {
        self.levelCounts = levelCounts
        self.levels = levels
        self.labels = labels
        var offsets: [Int] = []
        var total = 1  // column 0 is the intercept
        for count in levelCounts { offsets.append(total); total += count }
        self.offsets = offsets
        self.dimension = total
    }

    var rows: Int { labels.count }
    var inputs: Int { levelCounts.count }

    /// The penalised objective: summed log-loss plus `lambda / 2` times the squared weights (not the intercept).
    func objective(_ beta: [Double], lambda: Double) -> Double {
        var loss = 0.0
        for row in 0..<rows {
            let z = linear(beta, row)
            // log(1 + e^z) - y z, computed stably.
            loss += (z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))) - Double(labels[row]) * z
        }
        var penalty = 0.0
        for column in 1..<dimension { penalty += beta[column] * beta[column] }
        return loss + lambda / 2 * penalty
    }

    @inline(__always) func linear(_ beta: [Double], _ row: Int) -> Double {
        var z = beta[0]
        let base = row * inputs
        for input in 0..<inputs { z += beta[offsets[input] + Int(levels[base + input])] }
        return z
    }

    /// Gradient of ``objective(_:lambda:)``.
    func gradient(_ beta: [Double], lambda: Double) -> [Double] {
        var gradient = [Double](repeating: 0, count: dimension)
        for row in 0..<rows {
            let residual = sigmoid(linear(beta, row)) - Double(labels[row])
            gradient[0] += residual
            let base = row * inputs
            for input in 0..<inputs { gradient[offsets[input] + Int(levels[base + input])] += residual }
        }
        for column in 1..<dimension { gradient[column] += lambda * beta[column] }
        return gradient
    }

    /// Minimises the objective for one `lambda`; returns the coefficients and the iterations used.
    func solve(lambda: Double, options: LogisticOptions, start: [Double]? = nil) throws(ModelError) -> (beta: [Double], iterations: Int) {
        var beta = start ?? [Double](repeating: 0, count: dimension)
        var current = objective(beta, lambda: lambda)
        let n = dimension
        var columns = [Int](repeating: 0, count: inputs)
        for iteration in 1...options.maxIterations {
            var hessian = [Double](repeating: 0, count: n * n)
            var gradient = [Double](repeating: 0, count: n)
            for row in 0..<rows {
                let p = sigmoid(linear(beta, row))
                let weight = max(p * (1 - p), 1e-12)
                let residual = p - Double(labels[row])
                let base = row * inputs
                for input in 0..<inputs { columns[input] = offsets[input] + Int(levels[base + input]) }
                gradient[0] += residual
                hessian[0] += weight
                for a in 0..<inputs {
                    let i = columns[a]
                    gradient[i] += residual
                    hessian[i] += weight  // row 0, column i (upper triangle kept in row-major, mirrored later)
                    for b in a..<inputs {
                        let j = columns[b]
                        hessian[min(i, j) * n + max(i, j)] += weight
                    }
                }
            }
            for column in 1..<n {
                gradient[column] += lambda * beta[column]
                hessian[column * n + column] += lambda
            }
            for i in 0..<n { for j in 0..<i { hessian[i * n + j] = hessian[j * n + i] } }
            // Unpenalised, never-seen levels have a zero row; keep the system positive definite.
            for i in 0..<n where hessian[i * n + i] <= 0 { hessian[i * n + i] = 1e-9 }
            guard let step = choleskySolve(hessian, gradient, n) else {
                throw .invalidTrainingData("the Newton system is singular; raise the L2 penalty")
            }
            var scale = 1.0
            var candidate = beta
            var value = current
            while true {
                for i in 0..<n { candidate[i] = beta[i] - scale * step[i] }
                value = objective(candidate, lambda: lambda)
                if value <= current || scale < 1e-10 { break }
                scale /= 2
            }
            let change = (current - value) / max(abs(current), 1)
            beta = candidate
            current = value
            if change < options.tolerance { return (beta, iteration) }
        }
        return (beta, options.maxIterations)
    }

    /// Packs coefficients into a model; mean weights come from the training levels.
    func model(from beta: [Double], lambda: Double) -> LogisticModel {
        let weights = levelCounts.indices.map { input in Array(beta[offsets[input]..<(offsets[input] + levelCounts[input])]) }
        var means = [Double](repeating: 0, count: inputs)
        for row in 0..<rows {
            for input in 0..<inputs { means[input] += weights[input][Int(levels[row * inputs + input])] }
        }
        return LogisticModel(intercept: beta[0], weights: weights, meanWeights: means.map { $0 / Double(max(rows, 1)) }, lambda: lambda)
    }
}

/// Solves `a x = b` for a symmetric positive-definite `a` (row-major, n×n); nil if it is not positive definite.
func choleskySolve(_ a: [Double], _ b: [Double], _ n: Int) -> [Double]? {
    var l = [Double](repeating: 0, count: n * n)
    let positiveDefinite = l.withUnsafeMutableBufferPointer { l -> Bool in
        let base = l.baseAddress!
        for i in 0..<n {
            let rowI = base + i * n
            for j in 0...i {
                let sum = a[i * n + j] - dot(rowI, base + j * n, j)
                if i == j {
                    guard sum > 0 else { return false }
                    rowI[i] = sum.squareRoot()
                } else {
                    rowI[j] = sum / base[j * n + j]
                }
            }
        }
        return true
    }
    guard positiveDefinite else { return nil }
    var y = [Double](repeating: 0, count: n)
    for i in 0..<n {
        var sum = b[i]
        for k in 0..<i { sum -= l[i * n + k] * y[k] }
        y[i] = sum / l[i * n + i]
    }
    var x = [Double](repeating: 0, count: n)
    for i in stride(from: n - 1, through: 0, by: -1) {
        var sum = y[i]
        for k in (i + 1)..<n { sum -= l[k * n + i] * x[k] }
        x[i] = sum / l[i * n + i]
    }
    return x
}

/// The dot product of the first `count` elements of two rows, four lanes at a time.
@inline(__always) private func dot(_ a: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>, _ count: Int) -> Double {
    var first = SIMD4<Double>(repeating: 0), second = SIMD4<Double>(repeating: 0)
    var k = 0
    while k + 8 <= count {
        first += UnsafeRawPointer(a + k).loadUnaligned(as: SIMD4<Double>.self) * UnsafeRawPointer(b + k).loadUnaligned(as: SIMD4<Double>.self)
        second +=
            UnsafeRawPointer(a + k + 4).loadUnaligned(as: SIMD4<Double>.self) * UnsafeRawPointer(b + k + 4).loadUnaligned(as: SIMD4<Double>.self)
        k += 8
    }
    var sum = (first + second).sum()
    while k < count { sum += a[k] * b[k]; k += 1 }
    return sum
}
