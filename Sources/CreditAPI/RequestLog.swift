import CreditLog

/// What a request's log line says about who made it: set while the request is handled (by
/// ``CreditService/authenticate(_:minimum:allowingPasswordChange:)`` and the submission path)
/// and read once the response is ready. One request is handled on one thread from start to end,
/// so a task-local box bound around it is that request's alone.
final class RequestLog: @unchecked Sendable {
    /// The server's id of the request (nginx's `REQUEST_ID`), for the lines logged while it is handled.
    let requestID: String
    /// The account that made the request, once authenticated.
    var userID: Int64?

    init(requestID: String = "") {
        self.requestID = requestID
    }

    @TaskLocal static var current: RequestLog?
}
