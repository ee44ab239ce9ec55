import XCTest

@testable import CreditHTTP

/// Requests read from CGI parameters, headers looked up on demand, and the CGI response format.
final class CreditHTTPTests: XCTestCase {
    func testParamsLookUpNamesExactlyAndByPrefix() {
        let params = CGIParameters(["HTTP_HOST": "example", "HTTP_X": "a=b", "HTTP": "short", "REQUEST_METHOD": "POST", "EMPTY": ""])
        XCTAssertEqual(params.count, 5)
        XCTAssertEqual(params["HTTP_X"], "a=b", "the value keeps its own '='")
        XCTAssertEqual(params["EMPTY"], "")
        XCTAssertNil(params["HTTP_HOS"])
        XCTAssertNil(params["request_method"], "names are case-sensitive")
        var headers: [String: String] = [:]
        params.forEach(prefix: "HTTP_") { headers[$0] = $1 }
        XCTAssertEqual(headers, ["HTTP_HOST": "example", "HTTP_X": "a=b"])
    }

    func testResponseSerialisationDropsInjectedHeaders() {
        let response = HTTPResponse(
            status: 422,
            headers: [
                ("Content-Type", "application/json"), ("X-Evil", "a\r\nSet-Cookie: x=1"),
                ("Bad Name", "v"), ("Content-Length", "999"),
            ], body: Array("{}".utf8))
        let text = String(decoding: response.cgiSerialized(), as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("Status: 422 Unprocessable Content\r\n"))
        XCTAssertTrue(text.contains("Content-Type: application/json\r\n"))
        XCTAssertFalse(text.contains("Set-Cookie"))
        XCTAssertFalse(text.contains("Bad Name"))
        XCTAssertTrue(text.hasSuffix("Content-Length: 2\r\n\r\n{}"))
    }

    func testHeadersAreReadFromTheirCGINames() {
        let params = CGIParameters([
            "HTTP_IDEMPOTENCY_KEY": "k-1", "CONTENT_TYPE": "application/json", "HTTP_X_EMPTY": "",
            "REQUEST_METHOD": "POST",
        ])
        let headers = HTTPHeaders(cgi: params)
        XCTAssertEqual(headers["Idempotency-Key"], "k-1")
        XCTAssertEqual(headers["idempotency-key"], "k-1", "names are case-insensitive")
        XCTAssertEqual(headers["content-type"], "application/json", "Content-Type has a CGI variable of its own")
        XCTAssertEqual(headers["x-empty"], "", "an empty header is there, empty: the handler decides what that means")
        XCTAssertNil(headers["request-method"], "a CGI variable that is no header is not one")
        XCTAssertNil(headers["authorization"])
    }

    func testContentTypeFallsBackToTheHeaderVariable() {
        XCTAssertEqual(HTTPHeaders(cgi: CGIParameters(["HTTP_CONTENT_TYPE": "text/csv"]))["Content-Type"], "text/csv")
        XCTAssertEqual(HTTPHeaders(cgi: CGIParameters(["CONTENT_TYPE": "", "HTTP_CONTENT_TYPE": "text/csv"]))["content-type"], "text/csv")
        XCTAssertEqual(
            HTTPHeaders(cgi: CGIParameters(["CONTENT_TYPE": "application/json", "HTTP_CONTENT_TYPE": "text/csv"]))["content-type"],
            "application/json", "the CGI variable wins")
    }

    func testAuthorizationRenamedByApacheIsFound() {
        let rewritten = HTTPHeaders(cgi: CGIParameters(["HTTP_AUTHORIZATION": "", "REDIRECT_HTTP_AUTHORIZATION": "Bearer a"]))
        XCTAssertEqual(rewritten["Authorization"], "Bearer a")
        let twice = HTTPHeaders(cgi: CGIParameters(["REDIRECT_REDIRECT_HTTP_AUTHORIZATION": "Bearer b"]))
        XCTAssertEqual(twice["authorization"], "Bearer b")
        let direct = HTTPHeaders(cgi: CGIParameters(["HTTP_AUTHORIZATION": "Bearer c", "REDIRECT_HTTP_AUTHORIZATION": "Bearer a"]))
        XCTAssertEqual(direct["authorization"], "Bearer c", "the header itself wins over a copy")
    }

    func testHeadersFromADictionaryReadLikeCGIOnes() {
        let headers = HTTPHeaders(["Content-Type": "text/csv", "authorization": "Bearer x"])
        XCTAssertEqual(headers["CONTENT-TYPE"], "text/csv")
        XCTAssertEqual(headers["Authorization"], "Bearer x")
    }

    func testRequestFromCGIPrefersTheNormalisedPath() {
        let nginx = HTTPRequest(
            cgi: CGIParameters([
                "REQUEST_METHOD": "GET", "REQUEST_URI": "/credit//api/../api/predictions?limit=5",
                "DOCUMENT_URI": "/credit/api/predictions", "REMOTE_ADDR": "10.0.0.7",
                "REQUEST_ID": "0123456789abcdef0123456789abcdef",
            ]), body: [], bodyTooLarge: false)
        XCTAssertEqual(nginx.method, "GET")
        XCTAssertEqual(nginx.path, "/credit/api/predictions")
        XCTAssertEqual(nginx.query, "limit=5")
        XCTAssertEqual(nginx.queryItems, ["limit": "5"])
        XCTAssertEqual(nginx.remoteAddress, "10.0.0.7")
        XCTAssertEqual(nginx.requestID, "0123456789abcdef0123456789abcdef")
        let apache = HTTPRequest(
            cgi: CGIParameters([
                "SCRIPT_NAME": "/credit/api", "PATH_INFO": "/health", "QUERY_STRING": "a=b",
                "UNIQUE_ID": "bad id with spaces",
            ]), body: Array("x".utf8), bodyTooLarge: true)
        XCTAssertEqual(apache.method, "GET", "GET when the server names no method")
        XCTAssertEqual(apache.path, "/credit/api/health")
        XCTAssertEqual(apache.query, "a=b")
        XCTAssertTrue(apache.bodyTooLarge)
        XCTAssertEqual(apache.requestID.utf8.count, 16, "an unprintable id is replaced by one of our own")
        XCTAssertTrue(apache.requestID.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) })
    }
}
