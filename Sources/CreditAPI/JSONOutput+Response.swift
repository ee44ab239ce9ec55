import CreditJSON

extension JSONOutput {
    /// A JSON response with this value as body.
    func response(status: Int = 200, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: bytes)
    }
}
