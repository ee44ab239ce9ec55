/// Renders the model card's plots as standalone SVG documents: no script, no inline `style`
/// attribute (the site's CSP forbids inline styles), a title and description for screen readers.
public enum SVGChart {
    static let width = 480.0, height = 360.0
    static let left = 60.0, right = 20.0, top = 40.0, bottom = 50.0
    static var plotWidth: Double { width - left - right }
    static var plotHeight: Double { height - top - bottom }

    /// ROC curve with the chance diagonal; `points` are (false positive rate, true positive rate)
    /// from (0,0) to (1,1), sorted by false positive rate.
    public static func roc(points: [(fpr: Double, tpr: Double)], auc: Double, title: String) -> String {
        let clean = points.filter { $0.fpr.isFinite && $0.tpr.isFinite }
        let step = max(1, clean.count / 500)
        var sampled = stride(from: 0, to: clean.count, by: step).map { clean[$0] }
        if let last = clean.last, sampled.last.map({ $0 != last }) ?? true { sampled.append(last) }
        let line = polyline(sampled.map { ($0.fpr, $0.tpr) }, xMax: 1, yMax: 1)
        var body = axes(xLabel: "False positive rate (goods rejected)", yLabel: "True positive rate (bads caught)", xMax: 1, yMax: 1)
        body += diagonal(1)
        body += "<polyline fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"2\" points=\"\(line)\"/>\n"
        body += legend([("#1f5fa8", "Model (AUC \(format4(auc)))"), ("#999999", "Chance")])
        return document(title: title, description: "ROC curve, area under the curve \(format4(auc)).", body: body)
    }

    /// Reliability diagram: mean predicted probability against observed default rate per bin;
    /// marker area grows with the number of rows in the bin.
    public static func calibration(bins: [(meanPredicted: Double, observedRate: Double, count: Int)], title: String) -> String {
        let clean = bins.filter { $0.meanPredicted.isFinite && $0.observedRate.isFinite }
        let largest = clean.map { max($0.meanPredicted, $0.observedRate) }.max() ?? 0
        let axisMax = max(0.1, (largest * 10).rounded(.up) / 10)
        let maxCount = Double(clean.map(\.count).max() ?? 1)
        var body = axes(xLabel: "Mean predicted PD", yLabel: "Observed default rate", xMax: axisMax, yMax: axisMax)
        body += diagonal(axisMax)
        body +=
            "<polyline fill=\"none\" stroke=\"#c0392b\" stroke-width=\"1.5\" points=\"\(polyline(clean.map { ($0.meanPredicted, $0.observedRate) }, xMax: axisMax, yMax: axisMax))\"/>\n"
        for bin in clean {
            let (x, y) = position(bin.meanPredicted, bin.observedRate, xMax: axisMax, yMax: axisMax)
            let radius = 3 + 5 * (Double(bin.count) / max(maxCount, 1)).squareRoot()
            body +=
                "<circle cx=\"\(format4(x))\" cy=\"\(format4(y))\" r=\"\(format4(radius))\" fill=\"#c0392b\" fill-opacity=\"0.7\"><title>predicted \(format4(bin.meanPredicted)), observed \(format4(bin.observedRate)), \(bin.count) rows</title></circle>\n"
        }
        body += legend([("#c0392b", "Model"), ("#999999", "Perfect calibration")])
        return document(title: title, description: "Mean predicted probability of default against the observed default rate, by bin.", body: body)
    }

    /// Overlaid histograms of scores for goods and bads, each as a share of its own class.
    public static func scoreDistribution(goodScores: [Double], badScores: [Double], binCount: Int, title: String) -> String {
        let goods = goodScores.filter(\.isFinite), bads = badScores.filter(\.isFinite)
        let all = goods + bads
        let bins = max(1, binCount)
        let low = all.min() ?? 0
        let high = max((all.max() ?? 1), low + 1)
        func shares(_ values: [Double]) -> [Double] {
            var counts = [Double](repeating: 0, count: bins)
            for value in values { counts[min(bins - 1, Int((value - low) / (high - low) * Double(bins)))] += 1 }
            return counts.map { values.isEmpty ? 0 : $0 / Double(values.count) }
        }
        let goodShares = shares(goods), badShares = shares(bads)
        let yMax = max(0.05, ((goodShares + badShares).max() ?? 0) * 1.1)
        var body = axes(xLabel: "Score", yLabel: "Share of class", xMax: 1, yMax: yMax, xTicks: (low, high))
        let barWidth = plotWidth / Double(bins)
        for (shares, color) in [(goodShares, "#2e8b57"), (badShares, "#c0392b")] {
            for (index, share) in shares.enumerated() where share > 0 {
                let barHeight = share / yMax * plotHeight
                body +=
                    "<rect x=\"\(format4(left + Double(index) * barWidth))\" y=\"\(format4(top + plotHeight - barHeight))\" width=\"\(format4(barWidth))\" height=\"\(format4(barHeight))\" fill=\"\(color)\" fill-opacity=\"0.45\"/>\n"
            }
        }
        body += legend([("#2e8b57", "Good (n=\(goods.count))"), ("#c0392b", "Bad (n=\(bads.count))")])
        return document(title: title, description: "Distribution of scores for customers who repaid (good) and who defaulted (bad).", body: body)
    }

    // MARK: Drawing helpers

    static func position(_ x: Double, _ y: Double, xMax: Double, yMax: Double) -> (Double, Double) {
        (left + min(max(x / xMax, 0), 1) * plotWidth, top + plotHeight - min(max(y / yMax, 0), 1) * plotHeight)
    }

    static func polyline(_ points: [(Double, Double)], xMax: Double, yMax: Double) -> String {
        points.map { point in
            let (x, y) = position(point.0, point.1, xMax: xMax, yMax: yMax)
            return "\(format4(x)),\(format4(y))"
        }.joined(separator: " ")
    }

    static func diagonal(_ maximum: Double) -> String {
        let (x0, y0) = position(0, 0, xMax: maximum, yMax: maximum), (x1, y1) = position(maximum, maximum, xMax: maximum, yMax: maximum)
        return
            "<line x1=\"\(format4(x0))\" y1=\"\(format4(y0))\" x2=\"\(format4(x1))\" y2=\"\(format4(y1))\" stroke=\"#999999\" stroke-dasharray=\"4 4\"/>\n"
    }

    static func axes(xLabel: String, yLabel: String, xMax: Double, yMax: Double, xTicks: (Double, Double)? = nil) -> String {
        var svg =
            "<rect x=\"\(format4(left))\" y=\"\(format4(top))\" width=\"\(format4(plotWidth))\" height=\"\(format4(plotHeight))\" fill=\"#ffffff\" stroke=\"#333333\"/>\n"
        for tick in 0...5 {
            let fraction = Double(tick) / 5
            let x = left + fraction * plotWidth, y = top + plotHeight - fraction * plotHeight
            let xValue = xTicks.map { $0.0 + fraction * ($0.1 - $0.0) } ?? fraction * xMax
            svg +=
                "<line x1=\"\(format4(x))\" y1=\"\(format4(top + plotHeight))\" x2=\"\(format4(x))\" y2=\"\(format4(top + plotHeight + 5))\" stroke=\"#333333\"/>"
            svg +=
                "<text x=\"\(format4(x))\" y=\"\(format4(top + plotHeight + 18))\" font-family=\"sans-serif\" font-size=\"11\" text-anchor=\"middle\" fill=\"#333333\">\(tickLabel(xValue, integer: xTicks != nil))</text>\n"
            svg += "<line x1=\"\(format4(left - 5))\" y1=\"\(format4(y))\" x2=\"\(format4(left))\" y2=\"\(format4(y))\" stroke=\"#333333\"/>"
            svg +=
                "<text x=\"\(format4(left - 8))\" y=\"\(format4(y + 4))\" font-family=\"sans-serif\" font-size=\"11\" text-anchor=\"end\" fill=\"#333333\">\(tickLabel(fraction * yMax, integer: false))</text>\n"
        }
        svg +=
            "<text x=\"\(format4(left + plotWidth / 2))\" y=\"\(format4(height - 12))\" font-family=\"sans-serif\" font-size=\"12\" text-anchor=\"middle\" fill=\"#111111\">\(escape(xLabel))</text>\n"
        svg +=
            "<text x=\"16\" y=\"\(format4(top + plotHeight / 2))\" font-family=\"sans-serif\" font-size=\"12\" text-anchor=\"middle\" fill=\"#111111\" transform=\"rotate(-90 16 \(format4(top + plotHeight / 2)))\">\(escape(yLabel))</text>\n"
        return svg
    }

    static func legend(_ entries: [(color: String, label: String)]) -> String {
        var svg = ""
        for (index, entry) in entries.enumerated() {
            let y = top + 14 + Double(index) * 16
            svg += "<rect x=\"\(format4(left + 10))\" y=\"\(format4(y - 9))\" width=\"12\" height=\"10\" fill=\"\(entry.color)\"/>"
            svg +=
                "<text x=\"\(format4(left + 28))\" y=\"\(format4(y))\" font-family=\"sans-serif\" font-size=\"11\" fill=\"#111111\">\(escape(entry.label))</text>\n"
        }
        return svg
    }

    static func document(title: String, description: String, body: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-labelledby="title desc">
        <title id="title">\(escape(title))</title>
        <desc id="desc">\(escape(description))</desc>
        <rect width="100%" height="100%" fill="#fafafa"/>
        <text x="\(Int(width / 2))" y="22" font-family="sans-serif" font-size="14" font-weight="bold" text-anchor="middle" fill="#111111">\(escape(title))</text>
        \(body)</svg>

        """
    }

    static func tickLabel(_ value: Double, integer: Bool) -> String {
        integer ? String(Int(value.rounded())) : format4((value * 100).rounded() / 100)
    }

    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default: result.append(character)
            }
        }
        return result
    }

    /// At most four decimals, no trailing zeros.
    static func format4(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let scaled = (value * 10_000).rounded() / 10_000
        if scaled == scaled.rounded() { return String(Int64(scaled)) }
        var text = String(scaled)
        if text.contains("e") { text = String(format4Fallback(scaled)) }
        return text
    }

    private static func format4Fallback(_ value: Double) -> String {
        let whole = Int64(value), fraction = Int64(((abs(value) - Double(abs(whole))) * 10_000).rounded())
        let digits = String(fraction)
        return "\(value < 0 && whole == 0 ? "-" : "")\(whole).\(String(repeating: "0", count: 4 - digits.count))\(digits)"
    }
}
