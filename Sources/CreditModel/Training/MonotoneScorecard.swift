/// Monotone scorecards: a field whose risk must not rise (or fall) with its value gets bin
/// weights that never go the wrong way from one bin to the next.
///
/// Fitted by pooling, as scorecard builders merge bins until the weights of evidence are
/// monotone: fit, tie each pair of adjacent bins whose weights go the wrong way (they then share
/// one weight), refit, until no pair does. Each round removes at least one parameter, so it ends.
extension LogisticTrainer {
    /// Fits with `constraints` per input (+1: the risk may only rise with the bin, -1 only fall,
    /// 0 free) over its value bins `0..<binCounts[input]` (levels past them, such as missing, are
    /// free). Returns the coefficients laid out as for this trainer, and the Newton steps taken.
    /// `start`: coefficients to begin from (a neighbouring λ's); each refit then begins from the
    /// last fit, its tied bins at their mean, so that it takes a few Newton steps, not twenty.
    func solveMonotone(
        lambda: Double, options: LogisticOptions, constraints: [Int], binCounts: [Int],
        start: [Double]? = nil
    ) throws(ModelError) -> (beta: [Double], iterations: Int) {
        // groups[input][level]: the column a level shares (identity at first).
        var groups = levelCounts.map { Array(0..<$0) }
        var steps = 0
        var previous = start
        while true {
            let pooled = LogisticTrainer(
                levelCounts: groups.map { ($0.max() ?? -1) + 1 },
                levels: levels.enumerated().map { index, level in Int32(groups[index % inputs][Int(level)]) }, labels: labels)
            let warm = previous.map { beta -> [Double] in
                var pooledStart = [Double](repeating: 0, count: pooled.dimension), tied = [Double](repeating: 0, count: pooled.dimension)
                pooledStart[0] = beta[0]
                for input in 0..<inputs {
                    for level in 0..<levelCounts[input] {
                        let column = pooled.offsets[input] + groups[input][level]
                        pooledStart[column] += beta[offsets[input] + level]
                        tied[column] += 1
                    }
                }
                return pooledStart.indices.map { $0 == 0 ? pooledStart[0] : pooledStart[$0] / max(tied[$0], 1) }
            }
            let solution = try pooled.solve(lambda: lambda, options: options, start: warm)
            steps += solution.iterations
            // Back to one weight per level.
            var beta = [Double](repeating: 0, count: dimension)
            beta[0] = solution.beta[0]
            for input in 0..<inputs {
                for level in 0..<levelCounts[input] { beta[offsets[input] + level] = solution.beta[pooled.offsets[input] + groups[input][level]] }
            }
            previous = beta
            var tied = false
            for input in 0..<inputs where constraints[input] != 0 {
                let bins = min(binCounts[input], levelCounts[input])
                guard bins > 1 else { continue }
                for level in 1..<bins {
                    let previous = beta[offsets[input] + level - 1], current = beta[offsets[input] + level]
                    let wrongWay = constraints[input] > 0 ? current < previous - 1e-12 : current > previous + 1e-12
                    guard wrongWay, groups[input][level] != groups[input][level - 1] else { continue }
                    // Tie this bin's group to the previous one.
                    let from = groups[input][level], to = groups[input][level - 1]
                    groups[input] = groups[input].map { $0 == from ? to : $0 }
                    tied = true
                }
                // Number the groups 0, 1, 2… again.
                var renumbered: [Int: Int] = [:]
                groups[input] = groups[input].map { group in
                    if let number = renumbered[group] { return number }
                    renumbered[group] = renumbered.count
                    return renumbered.count - 1
                }
            }
            if !tied { return (beta, steps) }
        }
    }
}
