import Foundation
import XCTest

@testable import CreditAPI

/// The route table is the one list of routes: the OpenAPI file documents exactly its routes and
/// methods, and paths map to their templates for dispatch and for the metrics' labels.
final class RouteTableTests: XCTestCase {
    private static let openAPI = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("site/openapi.json")

    func testTheOpenAPIFileDocumentsExactlyTheRoutesServed() throws {
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: Self.openAPI)) as? [String: Any])
        let paths = try XCTUnwrap(document["paths"] as? [String: [String: Any]])
        let documented = Set(
            paths.flatMap { path, operations in
                operations.keys.filter { ["get", "post", "patch", "put", "delete"].contains($0) }.map { "\($0.uppercased()) \(path)" }
            })
        let served = Set(RouteTable.routes.flatMap { route in route.methods.map { "\($0) \(route.template)" } })
        XCTAssertEqual(served.subtracting(documented).sorted(), [], "served but not in site/openapi.json")
        XCTAssertEqual(documented.subtracting(served).sorted(), [], "in site/openapi.json but not served")
        XCTAssertGreaterThan(served.count, 20)
    }

    func testPathsMapToTheirTemplatesAndParameters() throws {
        XCTAssertEqual(RouteTable.label("/api/predictions"), "/api/predictions")
        XCTAssertEqual(RouteTable.label("/api/predictions/"), "/api/predictions", "one trailing slash is the same route")
        XCTAssertEqual(RouteTable.label("/api/predictions/01J9Z"), "/api/predictions/{id}")
        XCTAssertEqual(RouteTable.label("/api/predictions/01J9Z/decision"), "/api/predictions/{id}/decision")
        XCTAssertEqual(RouteTable.label("/api/batches/b1/results.csv"), "/api/batches/{id}/results.csv")
        XCTAssertEqual(RouteTable.label("/api/users/maria.silva"), "/api/users/{name}")
        XCTAssertEqual(RouteTable.match("/api/users/maria.silva")?.parameter, "maria.silva")
        XCTAssertEqual(RouteTable.match("/api/batches/b1/results.csv")?.parameter, "b1")
        for unknown in ["/api//token", "/api/token//", "/api/x/api/token", "/api/predictions/a/b", "/", "", "/api/predictions//decision"] {
            XCTAssertNil(RouteTable.match(unknown), unknown)
            XCTAssertEqual(RouteTable.label(unknown), "other", unknown)
        }
    }
}
