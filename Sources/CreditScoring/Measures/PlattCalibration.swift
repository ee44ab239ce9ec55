import Foundation

/// Platt scaling: `PD = sigmoid(slope * raw + intercept)`, fitted on the validation set so that
/// predicted probabilities match observed default rates.
public struct PlattCalibration: Codable, Sendable, Equatable {
    public var slope: Double
    public var intercept: Double

    public static let identity = PlattCalibration(slope: 1, intercept: 0)

    public init(slope: Double, intercept: Double) {
        self.slope = slope
        self.intercept = intercept
    }

    /// The calibrated probability for a raw log-odds score.
    @inlinable public func probability(raw: Double) -> Double {
        let z = slope * raw + intercept
        return z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
    }

    /// Fits slope and intercept by Newton's method on the log-loss (a tiny ridge keeps it stable).
    public static func fit(raw: [Double], labels: [Int]) -> PlattCalibration {
        var a = 1.0, b = 0.0
        for _ in 0..<50 {
            var ga = 0.0, gb = 0.0, haa = 1e-9, hab = 0.0, hbb = 1e-9
            for (x, y) in zip(raw, labels) {
                let p = sigmoid(a * x + b)
                let r = p - Double(y)
                let w = p * (1 - p)
                ga += r * x; gb += r
                haa += w * x * x; hab += w * x; hbb += w
            }
            let det = haa * hbb - hab * hab
            guard det > 0 else { break }
            let da = (hbb * ga - hab * gb) / det
            let db = (haa * gb - hab * ga) / det
            a -= da; b -= db
            if abs(da) < 1e-12 && abs(db) < 1e-12 { break }
        }
        return PlattCalibration(slope: a, intercept: b)
    }
}
