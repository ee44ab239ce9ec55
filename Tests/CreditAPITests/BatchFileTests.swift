import CreditGovernance
import CreditStore
import CreditTestSupport
import CreditText
import Foundation
import XCTest

@testable import CreditAPI
@testable import CreditWorker

/// Batch files as spreadsheets write and read them: a Windows-1252 file with semicolons and decimal
/// commas comes back in its dialect with the final decisions in words of the request's language; a
/// binary file is refused whole at its first bad byte; the template follows the language.
final class BatchFileTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var service: CreditService!
    private let now = 1_800_000_000.0
    private let password = "a long enough password"

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(prefix: "batch")
        service = try TestConfiguration.service(in: directory, users: [("alice", .officer), ("rita", .reviewer)], password: password, now: now)
    }

    override func tearDownWithError() throws {
        service = nil
        directory.remove()
    }

    private func token(_ user: String) throws -> String {
        let body = "username=\(user)&password=\(password.replacingOccurrences(of: " ", with: "+"))"
        let response = service.handle(
            HTTPRequest(method: "POST", path: "/api/token", headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Array(body.utf8)))
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return try XCTUnwrap(object?["access_token"] as? String)
    }

    private func call(
        _ method: String, _ path: String, token: String?, language: String? = nil, body: [UInt8] = [], type: String? = nil
    )
        -> HTTPResponse
    {
        var headers: [String: String] = [:]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        if let language { headers["Accept-Language"] = language }
        if let type { headers["Content-Type"] = type }
        let parts = path.split(separator: "?", maxSplits: 1)
        return service.handle(
            HTTPRequest(method: method, path: String(parts[0]), query: parts.count > 1 ? String(parts[1]) : "", headers: headers, body: body))
    }

    private func json(_ response: HTTPResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }

    /// The template in Portuguese, its example renamed and copied, as Excel in Brazil saves it: Windows-1252.
    private func spreadsheet(token: String) throws -> [UInt8] {
        let template = String(decoding: call("GET", "/api/batches/template.csv", token: token, language: "pt-BR").body, as: UTF8.self)
        let lines = template.dropFirst().components(separatedBy: "\r\n")
        let rows = ["Maria da Conceição", "Luíza Gonçalves", "João de São Paulo"].map {
            lines[1].replacingOccurrences(of: "Maria da Conceição", with: $0)
        }
        let text = ([lines[0]] + rows).joined(separator: "\r\n") + "\r\n"
        return try text.unicodeScalars.map { scalar in
            guard scalar.value < 0x80 || (0xA0...0xFF).contains(scalar.value) else { throw XCTSkip("not Latin-1: \(scalar)") }
            return UInt8(scalar.value)
        }
    }

    func testTheTemplateFollowsTheLanguageAndNeedsAToken() throws {
        let token = try token("alice")
        XCTAssertEqual(call("GET", "/api/batches/template.csv", token: nil).status, 401)
        let portuguese = call("GET", "/api/batches/template.csv", token: token, language: "pt-BR")
        XCTAssertEqual(portuguese.status, 200)
        XCTAssertEqual(portuguese.header("Content-Type"), "text/csv; charset=utf-8")
        XCTAssertEqual(portuguese.header("Content-Language"), "pt-BR")
        XCTAssertTrue(portuguese.body.starts(with: [0xEF, 0xBB, 0xBF] + Array("id_client;applicant_name;".utf8)))
        XCTAssertTrue(String(decoding: portuguese.body, as: UTF8.self).contains(";1800,50;"))
        let english = String(decoding: call("GET", "/api/batches/template.csv", token: token, language: "en").body, as: UTF8.self)
        XCTAssertTrue(english.hasPrefix("\u{FEFF}id_client,applicant_name,") && english.contains(",1800.50,"))
    }

    func testAWindows1252SpreadsheetComesBackInItsDialectWithTheFinalDecisionsInWords() throws {
        let token = try token("alice")
        let upload = call(
            "POST", "/api/batches?name=planilha.csv", token: token, language: "en", body: try spreadsheet(token: token), type: "text/csv")
        XCTAssertEqual(upload.status, 202, String(decoding: upload.body, as: UTF8.self))
        let id = try XCTUnwrap(json(upload)["id"] as? String)
        let worker = try ScoringWorker(configuration: service.configuration, name: "test")
        while try worker.processBatch(now: now) > 0 {}
        let first = try XCTUnwrap(
            try service.stores.withStore { store in
                try store.batchResults(batch: id, owner: try XCTUnwrap(try store.user(named: "alice")).id, afterLine: 0, limit: 1)
            }.first)
        let decided = call(
            "POST", "/api/predictions/\(first.jobID)/decision", token: try self.token("rita"),
            body: Array(#"{"decision": "decline", "reason_code": "fraud_suspected", "note": "ID mismatch"}"#.utf8), type: "application/json")
        XCTAssertEqual(decided.status, 200, String(decoding: decided.body, as: UTF8.self))

        let results = call("GET", "/api/batches/\(id)/results.csv", token: token, language: "pt-BR")
        XCTAssertEqual(results.status, 200)
        XCTAssertTrue(results.body.starts(with: [0xEF, 0xBB, 0xBF]))
        let lines = String(decoding: results.body.dropFirst(3), as: UTF8.self).components(separatedBy: "\r\n").map { $0.components(separatedBy: ";") }
        XCTAssertEqual(lines.count, 5, "header, three rows and the CRLF after the last")
        XCTAssertEqual(
            Array(lines[0].prefix(10)),
            [
                "Linha", "ID da proposta", "Código do cliente", "Nome do proponente", "Situação", "Decisão final", "Origem da decisão",
                "Código da decisão do modelo", "Probabilidade de inadimplência", "Pontuação",
            ])
        XCTAssertEqual(lines[1...3].map { $0[3] }, ["Maria da Conceição", "Luíza Gonçalves", "João de São Paulo"])
        XCTAssertEqual(lines[1][5], "Recusada", "the reviewer's decision is the final one")
        XCTAssertTrue(lines[1][6].hasPrefix("Analista ("), lines[1][6])
        XCTAssertTrue(["approve", "review", "reject"].contains(lines[1][7]), "the model's decision stays a code")
        XCTAssertEqual(lines[2][6], "Modelo")
        XCTAssertTrue(["Aprovar", "Encaminhar para análise", "Recusar"].contains(lines[2][5]), lines[2][5])
        XCTAssertTrue(lines[1][8].hasPrefix("0,") && lines[1][8].count == 8, "PD with a decimal comma: \(lines[1][8])")

        let english = String(decoding: call("GET", "/api/batches/\(id)/results.csv?dialect=comma", token: token, language: "en").body, as: UTF8.self)
        XCTAssertTrue(english.hasPrefix("\u{FEFF}Line,Application ID,Client ID,Applicant name,Status,Final decision,Decision origin,"))
        XCTAssertTrue(english.contains(",Maria da Conceição,Scored,Declined,Reviewer"), english)
        XCTAssertTrue(english.contains(",Luíza Gonçalves,Scored,"), english)
        XCTAssertEqual(call("GET", "/api/batches/\(id)/results.csv?dialect=tab", token: token).status, 400)
    }

    func testABinaryFileIsRefusedWholeWithItsLineAndByteAndNothingIsStored() throws {
        let token = try token("alice")
        let workbook = Array("id_client;age\r\n1;30\r\n".utf8) + [0x50, 0x4B, 0x03, 0x04, 0x00]
        let refused = call("POST", "/api/batches", token: token, language: "pt-BR", body: workbook, type: "text/csv")
        XCTAssertEqual(refused.status, 422)
        let problem = json(refused)
        XCTAssertEqual(problem["type"] as? String, "/problems/invalid-batch")
        XCTAssertEqual(problem["line"] as? Int, 3)
        XCTAssertEqual(problem["byte"] as? Int, 24)
        XCTAssertEqual(problem["byte_in_line"] as? Int, 3)
        XCTAssertEqual(problem["title"] as? String, "O arquivo não é um texto")
        XCTAssertEqual(
            problem["detail"] as? String,
            "O arquivo não é um texto em UTF-8, Windows-1252 ou ISO-8859-1: a linha 3 tem o byte 0x03 (byte 3 da linha, byte 24 do arquivo). "
                + "Salve a planilha como CSV (separado por vírgulas ou por ponto e vírgula), e não como pasta de trabalho, e envie-a novamente.")
        let listed = json(call("GET", "/api/batches", token: token))["items"] as? [Any]
        XCTAssertEqual(listed?.count, 0, "no batch was created")
    }
}
