import Foundation
import XCTest

@testable import CreditModel
@testable import CreditScoring

#if canImport(FoundationXML)
import FoundationXML
#endif

/// The model card's SVG plots are well-formed, accessible and CSP-safe.
final class SVGChartTests: XCTestCase {
    private func parses(_ svg: String) -> Bool {
        XMLParser(data: Data(svg.utf8)).parse()
    }

    func testEveryChartIsValidXMLWithEscapedTitleAndNoInlineStyleOrScript() {
        let title = "AUC <valid> & \"test\""
        let charts = [
            SVGChart.roc(points: [(0, 0), (0.2, 0.5), (1, 1)], auc: 0.65, title: title),
            SVGChart.calibration(bins: [(0.1, 0.12, 100), (0.3, 0.28, 50)], title: title),
            SVGChart.scoreDistribution(goodScores: [500, 520, 540], badScores: [480, 490], binCount: 10, title: title),
        ]
        for svg in charts {
            XCTAssertTrue(parses(svg), svg)
            XCTAssertTrue(svg.contains("AUC &lt;valid&gt; &amp; &quot;test&quot;"))
            XCTAssertFalse(svg.contains("style="))
            XCTAssertFalse(svg.lowercased().contains("<script"))
            XCTAssertTrue(svg.contains("role=\"img\""))
        }
    }

    func testROCIsDownSampled() {
        let points = (0...10_000).map { (fpr: Double($0) / 10_000, tpr: (Double($0) / 10_000).squareRoot()) }
        let svg = SVGChart.roc(points: points, auc: 0.66, title: "ROC")
        let polyline = svg.components(separatedBy: "<polyline").dropFirst().first ?? ""
        let pointsAttribute = polyline.components(separatedBy: "points=\"")[1].components(separatedBy: "\"")[0]
        let count = pointsAttribute.split(separator: " ").count
        XCTAssertLessThanOrEqual(count, 502)
        XCTAssertGreaterThan(count, 400)
        XCTAssertTrue(svg.contains("AUC 0.66"))
    }

    func testDegenerateInputsStillRender() {
        XCTAssertTrue(parses(SVGChart.roc(points: [], auc: .nan, title: "empty")))
        XCTAssertTrue(parses(SVGChart.calibration(bins: [], title: "empty")))
        XCTAssertTrue(parses(SVGChart.scoreDistribution(goodScores: [5, 5, 5], badScores: [], binCount: 0, title: "flat")))
        XCTAssertTrue(parses(SVGChart.scoreDistribution(goodScores: [.nan], badScores: [.infinity], binCount: 3, title: "nan")))
    }
}
