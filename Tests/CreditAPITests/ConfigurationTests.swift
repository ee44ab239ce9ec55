import CreditStore
import CreditTestSupport
import Foundation
import XCTest

@testable import CreditAPI

/// Settings from the environment, Apache's renamed variables and the configuration file.
final class ConfigurationTests: XCTestCase {
    private var temporary: TemporaryDirectory!
    private var directory: URL { temporary.url }

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "config")
    }

    override func tearDownWithError() throws {
        temporary.remove()
    }

    private func writeConfig(_ text: String) throws -> String {
        let path = directory.appendingPathComponent("credit.conf").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testFileValuesWithCommentsQuotesAndPathsRelativeToTheFile() throws {
        let path = try writeConfig(
            """
            # a comment

              CREDIT_DB = data/credit.sqlite
            CREDIT_SECRET_FILE="secret.key"
            CREDIT_MODEL='/opt/models/x.json'
            CREDIT_TOKEN_TTL=120
            CREDIT_ISSUER=relative/not/a/path
            """)
        let file = try ConfigFile(path: path)
        XCTAssertEqual(file.values["CREDIT_DB"], directory.path + "/data/credit.sqlite")
        XCTAssertEqual(file.values["CREDIT_SECRET_FILE"], directory.path + "/secret.key")
        XCTAssertEqual(file.values["CREDIT_MODEL"], "/opt/models/x.json", "absolute paths stay as they are")
        XCTAssertEqual(file.values["CREDIT_ISSUER"], "relative/not/a/path", "only path settings are resolved")
        let configuration = try ServiceConfiguration.load(configFile: path, environment: [:])
        XCTAssertEqual(configuration.tokenTTL, 120)
        XCTAssertEqual(configuration.wakeSocket, directory.path + "/data/credit.sqlite.wake")
    }

    func testUnknownSettingsAndMalformedLinesNameTheLine() throws {
        let typo = try writeConfig("CREDIT_DB=x\nCREDIT_SECRETFILE=y\n")
        XCTAssertThrowsError(try ConfigFile(path: typo)) { error in
            XCTAssertTrue("\(error)".contains("credit.conf:2: unknown setting CREDIT_SECRETFILE"), "\(error)")
        }
        let malformed = try writeConfig("CREDIT_DB\n")
        XCTAssertThrowsError(try ConfigFile(path: malformed)) { error in
            XCTAssertTrue("\(error)".contains(":1: expected NAME=value"), "\(error)")
        }
        XCTAssertThrowsError(try ServiceConfiguration.load(configFile: directory.appendingPathComponent("missing.conf").path, environment: [:])) {
            error in
            XCTAssertTrue("\(error)".contains("cannot read the configuration file"), "\(error)")
        }
        let badValue = try writeConfig("CREDIT_TOKEN_TTL=soon\n")
        XCTAssertThrowsError(try ServiceConfiguration.load(configFile: badValue, environment: [:]))
    }

    func testWindowsLineEndingsAByteOrderMarkAndDuplicates() throws {
        let path = try writeConfig("\u{FEFF}# saved on Windows\r\nCREDIT_DB=db.sqlite\r\nCREDIT_TOKEN_TTL=90\r\n")
        let file = try ConfigFile(path: path)
        XCTAssertEqual(file.values, ["CREDIT_DB": directory.path + "/db.sqlite", "CREDIT_TOKEN_TTL": "90"])
        let twice = try writeConfig("CREDIT_DB=a\nCREDIT_DB=b\n")
        XCTAssertThrowsError(try ConfigFile(path: twice)) { error in
            XCTAssertTrue("\(error)".contains(":2: CREDIT_DB is set twice"), "\(error)")
        }
    }

    func testTheEnvironmentWinsOverTheFile() throws {
        let path = try writeConfig("CREDIT_DB=/from/file.sqlite\nCREDIT_TOKEN_TTL=120\n")
        let configuration = try ServiceConfiguration.load(configFile: path, environment: ["CREDIT_DB": "/from/env.sqlite"])
        XCTAssertEqual(configuration.databasePath, "/from/env.sqlite")
        XCTAssertEqual(configuration.tokenTTL, 120)
    }

    func testApacheRedirectPrefixedVariablesAndTheConfigFileFromTheEnvironment() throws {
        let path = try writeConfig("CREDIT_DB=db.sqlite\n")
        // What a CGI program sees after a RewriteRule when the .htaccess says SetEnv.
        let environment = [
            "REDIRECT_CREDIT_CONFIG": path, "REDIRECT_REDIRECT_CREDIT_TOKEN_TTL": "300",
            "REDIRECT_CREDIT_ISSUER": "ignored", "CREDIT_ISSUER": "plain wins", "REDIRECT_STATUS": "200",
        ]
        let configuration = try ServiceConfiguration.load(environment: environment)
        XCTAssertEqual(configuration.databasePath, directory.path + "/db.sqlite")
        XCTAssertEqual(configuration.tokenTTL, 300)
        XCTAssertEqual(configuration.issuer, "plain wins")
    }

    func testBasePathAndDrainInterval() throws {
        XCTAssertNil(try ServiceConfiguration.fromEnvironment([:]).basePath)
        XCTAssertEqual(try ServiceConfiguration.fromEnvironment(["CREDIT_BASE_PATH": "/credit/"]).basePath, "/credit")
        XCTAssertEqual(try ServiceConfiguration.fromEnvironment(["CREDIT_BASE_PATH": "/"]).basePath, "")
        XCTAssertThrowsError(try ServiceConfiguration.fromEnvironment(["CREDIT_BASE_PATH": "credit"]))
        XCTAssertThrowsError(try ServiceConfiguration.fromEnvironment(["CREDIT_BASE_PATH": "/a b/"]))
        XCTAssertEqual(try ServiceConfiguration.fromEnvironment([:]).drainInterval, 60)
        XCTAssertEqual(try ServiceConfiguration.fromEnvironment(["CREDIT_DRAIN_INTERVAL": "300"]).drainInterval, 300)
        XCTAssertThrowsError(try ServiceConfiguration.fromEnvironment(["CREDIT_DRAIN_INTERVAL": "0"]))
    }

    func testRetentionKeepsEverythingUnlessToldAndAShortOneMustBeAllowed() throws {
        let keep = try ServiceConfiguration.fromEnvironment([:])
        XCTAssertNil(keep.retentionDays)
        XCTAssertNil(keep.shortRetentionWarning)
        XCTAssertEqual(try ServiceConfiguration.fromEnvironment(["CREDIT_RETENTION_DAYS": "800"]).retentionDays, 800)
        XCTAssertThrowsError(try ServiceConfiguration.fromEnvironment(["CREDIT_RETENTION_DAYS": "30"])) { error in
            XCTAssertTrue("\(error)".contains("CREDIT_RETENTION_ALLOW_SHORT=1"), "\(error)")
        }
        let short = try ServiceConfiguration.fromEnvironment(["CREDIT_RETENTION_DAYS": "30", "CREDIT_RETENTION_ALLOW_SHORT": "1"])
        XCTAssertEqual(short.retentionDays, 30)
        XCTAssertTrue(short.shortRetentionWarning?.contains("below 760 days") == true)
        XCTAssertThrowsError(try ServiceConfiguration.fromEnvironment(["CREDIT_RETENTION_DAYS": "-1", "CREDIT_RETENTION_ALLOW_SHORT": "1"]))
    }

    func testReviewReasonsAndSubmissionAuditing() throws {
        let defaults = try ServiceConfiguration.fromEnvironment([:])
        XCTAssertEqual(defaults.reviewReasons.last?.code, "other")
        XCTAssertTrue(defaults.auditSubmissions)
        let own = try ServiceConfiguration.fromEnvironment([
            "CREDIT_REVIEW_REASONS": "dti=Debt to income; kyc = Identity not verified",
            "CREDIT_AUDIT_SUBMISSIONS": "0",
        ])
        XCTAssertEqual(own.reviewReasons.map(\.code), ["dti", "kyc"])
        XCTAssertEqual(own.reviewReasons.map(\.label), ["Debt to income", "Identity not verified"])
        XCTAssertFalse(own.auditSubmissions)
        XCTAssertThrowsError(try ServiceConfiguration.fromEnvironment(["CREDIT_REVIEW_REASONS": "Bad Code=x"]))
        XCTAssertThrowsError(try ServiceConfiguration.fromEnvironment(["CREDIT_REVIEW_REASONS": "nolabel"]))
        XCTAssertThrowsError(try ServiceConfiguration.fromEnvironment(["CREDIT_AUDIT_SUBMISSIONS": "yes"]))
    }

    func testMountPathSplitsThePrefixFromTheRoute() {
        XCTAssertTrue(MountPath.split("/api/predictions/abc", configured: nil) == ("", "/api/predictions/abc"))
        XCTAssertTrue(MountPath.split("/credit/api/token", configured: nil) == ("/credit", "/api/token"))
        XCTAssertTrue(MountPath.split("/a/api/b/api/health", configured: nil) == ("/a/api/b", "/api/health"), "the last /api segment")
        XCTAssertTrue(MountPath.split("/credit/api", configured: nil) == ("/credit", "/api"))
        XCTAssertTrue(MountPath.split("/credit/apix/token", configured: nil) == ("", "/credit/apix/token"), "only a whole segment")
        XCTAssertTrue(MountPath.split("/x/api/predictions", configured: "/x") == ("/x", "/api/predictions"))
        XCTAssertTrue(MountPath.split("/y/api/predictions", configured: "/x") == ("/x", "/y/api/predictions"), "outside the base: routes nowhere")
        XCTAssertTrue(MountPath.split("/api/health", configured: "") == ("", "/api/health"))
        // A prefix goes back to the client in links: nothing but plain segments.
        XCTAssertTrue(
            MountPath.split("//evil.example/../credit/api/predictions", configured: nil) == ("", "//evil.example/../credit/api/predictions"))
        XCTAssertTrue(MountPath.split("/a/../api/token", configured: nil).base == "")
        XCTAssertTrue(MountPath.split("/a b/api/token", configured: nil).base == "")
        XCTAssertTrue(MountPath.split("/cr.edit-1_~/api/token", configured: nil) == ("/cr.edit-1_~", "/api/token"))
    }

    func testARequestFromTheServerIsMountedBeforeRouting() {
        let request = HTTPRequest(
            cgi: CGIParameters(["REQUEST_URI": "/credit/api/predictions?limit=2", "HTTP_AUTHORIZATION": "Bearer t"]),
            body: [], bodyTooLarge: false)
        let mounted = request.mounted(at: nil)
        XCTAssertEqual(mounted.basePath, "/credit")
        XCTAssertEqual(mounted.path, "/api/predictions")
        XCTAssertEqual(mounted.query, "limit=2")
        XCTAssertEqual(mounted.header("authorization"), "Bearer t", "the headers come along")
        XCTAssertEqual(request.mounted(at: "/credit/api").path, "/predictions", "a configured base is taken as given")
    }

    func testWorkerHealthByMode() {
        func health(age: Double?, mode: WorkerMode?, oldest: Double? = nil) -> QueueHealth {
            QueueHealth(queued: oldest == nil ? 0 : 1, running: 0, oldestQueuedAge: oldest, lastHeartbeatAge: age, workerModel: "m", workerMode: mode)
        }
        XCTAssertFalse(CreditService.workerKeepsUp(health(age: nil, mode: nil), drainInterval: 60))
        XCTAssertTrue(CreditService.workerKeepsUp(health(age: 2, mode: .resident), drainInterval: 60))
        XCTAssertFalse(CreditService.workerKeepsUp(health(age: 45, mode: .resident), drainInterval: 60), "a resident worker beats every second")
        XCTAssertTrue(CreditService.workerKeepsUp(health(age: 45, mode: .drain, oldest: 40), drainInterval: 60), "cron drained 45 s ago")
        XCTAssertFalse(CreditService.workerKeepsUp(health(age: 95, mode: .drain), drainInterval: 60), "cron missed a run")
        XCTAssertFalse(CreditService.workerKeepsUp(health(age: 5, mode: .drain, oldest: 200), drainInterval: 60), "a job waits too long")
    }

    func testModelCardIsNamedAfterTheModelFile() {
        XCTAssertEqual(ModelInfo.cardName(modelPath: "/srv/models/default.json"), "default")
        XCTAssertEqual(ModelInfo.cardName(modelPath: "logistic.json"), "logistic")
        XCTAssertEqual(ModelInfo.cardName(modelPath: "/m/gbdt-2026"), "gbdt-2026")
    }

    func testTheLenderAndTheReviewDaysAreCheckedAsTheyAreRead() throws {
        let sample = try ServiceConfiguration.load(environment: [:])
        XCTAssertEqual(sample.lender, Lender.sample)
        XCTAssertEqual(sample.reviewDays, 15)
        let own = try ServiceConfiguration.load(environment: [
            "CREDIT_LENDER_NAME": "Crédito Fácil Ltda.", "CREDIT_LENDER_CNPJ": "11222333000181", "CREDIT_LENDER_ADDRESS": "Rua A, 1, Recife – PE",
            "CREDIT_LENDER_CONTACT": "0800 123 4567", "CREDIT_REVIEW_DAYS": "10",
        ])
        XCTAssertEqual(own.lender.cnpj, "11.222.333/0001-81", "digits alone are written with the usual punctuation")
        XCTAssertEqual(own.lender.name, "Crédito Fácil Ltda.")
        XCTAssertEqual(own.reviewDays, 10)
        for (name, value) in [
            ("CREDIT_LENDER_CNPJ", "11.222.333/0001-82"), ("CREDIT_LENDER_CNPJ", "1122233300018"), ("CREDIT_LENDER_CNPJ", "11.222.333/0001-8a"),
            ("CREDIT_LENDER_NAME", "Two\nlines"), ("CREDIT_LENDER_CONTACT", String(repeating: "x", count: 201)),
            ("CREDIT_REVIEW_DAYS", "0"), ("CREDIT_REVIEW_DAYS", "91"), ("CREDIT_REVIEW_DAYS", "quinze"),
        ] {
            XCTAssertThrowsError(try ServiceConfiguration.load(environment: [name: value]), "\(name)=\(value)") { error in
                XCTAssertTrue("\(error)".contains(name), "the message names the setting: \(error)")
            }
        }
    }
}
