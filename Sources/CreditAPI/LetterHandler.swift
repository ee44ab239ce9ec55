import CreditGovernance
import CreditJSON
import CreditSystem
import CreditText

extension CreditService {
    /// `GET /api/predictions/{id}/letter?lang=`: the customer's decision letter as a standalone
    /// HTML page (``DecisionLetterHTML``), in `lang`, else the request's `Accept-Language`, else
    /// `CREDIT_LANGUAGE`. Who may see the application may issue it (``visibleJob(_:to:_:)``);
    /// 409 until the application is scored. Every letter issued is audited (`letter_issued`, with
    /// its language).
    func predictionLetter(_ request: HTTPRequest, id: String) throws -> HTTPResponse {
        let user = try authenticate(request)
        let language: Language
        if let tag = request.queryItems["lang"] {
            guard let asked = Language(tag: tag) else {
                throw Problem.badRequest("The query has invalid parameters.", errors: ["lang": ["lang must be pt-BR or en."]])
            }
            language = asked
        } else {
            language = self.language(of: request)
        }
        let (job, review, _) = try visibleJob(id, to: user, request)
        guard job.status == .done, let result = job.result, let parsed = try? JSONValue.parse(result) else {
            throw Problem(
                type: "conflict", title: "Not scored yet", status: 409,
                detail: "The application is \(job.status.rawValue); a letter can be issued once it is scored.")
        }
        let now = clock()
        // Every round: while a customer's request is open, the letter keeps the last decided one.
        let rounds = review == nil ? [] : try stores.withStore { try $0.reviewRounds(jobID: job.id) }
        let letter = DecisionLetter(
            reference: job.id, applicantName: job.applicantName, result: parsed, reviews: rounds, language: language,
            lender: configuration.lender, date: DecisionLetterWords.of(language).date(zoneOffsets.day(at: now)),
            reviewDays: configuration.reviewDays)
        try stores.withStore { store in
            try appendAuditOrFail(
                AuditEntry(
                    actor: user.id, actorName: user.name, action: .letterIssued, object: job.id, detail: language.rawValue,
                    address: request.remoteAddress),
                now: now, to: store)
        }
        return HTTPResponse(
            status: 200,
            headers: [
                ("Content-Type", "text/html; charset=utf-8"), ("Content-Language", language.rawValue),
                ("Content-Security-Policy", DecisionLetterHTML.contentSecurityPolicy), ("Vary", "Accept-Language"),
            ], body: Array(DecisionLetterHTML.document(letter).utf8))
    }
}
