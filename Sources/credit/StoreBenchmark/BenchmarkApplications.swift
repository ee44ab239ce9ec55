import ArgumentParser
import CreditSchema
import CreditStore
import Foundation

/// What the store benchmarks store: one valid application in compact form (every job holds the
/// same, as large as a real one), client ids, submission times and results as large as a
/// worker's, and the file sizes at the end.
enum BenchmarkApplications {
    /// 2026-01-01T00:00:00Z: the first application's time; the others follow over a year.
    static let start = 1_767_225_600.0
    static let year = 365 * 86_400.0

    /// A validated application in the compact form the responder stores.
    static let record: String = {
        let json = #"""
            {"payment_day": 10, "marital_status": 2, "quant_dependants": 1, "residencial_state": "SP", "flag_residencial_phone": "Y", "flag_email": 1, "personal_monthly_income": 2350.5, "other_incomes": 0, "quant_banking_accounts": 1, "company": "N", "flag_professional_phone": "N", "product": 1, "age": 37, "residencial_zip_3": "123", "residencial_city": "São Paulo", "months_in_residence": 48, "months_in_the_job": 30, "occupation_type": 2, "sex": "F"}
            """#
        var record = ""
        guard let file = try? ApplicationFile(bytes: Array((json + "\n").utf8), format: .jsonl) else {
            fatalError("the benchmark's application does not read")
        }
        file.forEachRow { row in
            if case .success(let valid) = row { record = ApplicantRecord.encode(valid.applicant) }
            return false
        }
        precondition(!record.isEmpty, "the benchmark's application is not valid")
        return record
    }()

    /// Distinct eight-digit client ids in an order that looks random (7919 is prime to 90,000,000).
    static func clientID(_ index: Int) -> String { String(10_000_000 + index * 7919 % 90_000_000) }

    /// A worker's result with three reasons and three strengths (about 1.2 KB), decision first as the worker writes it.
    static func result(_ decision: String, _ index: Int) -> String {
        let reason =
            #"{"code":"R0%d","contribution":0.0%d1234,"field":"personal_monthly_income","label":"Personal monthly income","text":"Personal monthly income is low compared with the approved applicants of the same product","value":"1.234,50"}"#
        let reasons = (1...3).map { String(format: reason, $0, $0) }.joined(separator: ",")
        return
            #"{"decision":"\#(decision)","model":"gbdt-2026-01","probability_of_default":0.\#(100_000 + index % 899_999),"reasons":[\#(reasons)],"score":\#(300 + index % 600),"strengths":[\#(reasons)]}"#
    }

    /// The database file's size with its write-ahead log copied back (bytes).
    static func fileSize(_ path: String) throws -> Int {
        let database = try SQLiteDatabase(path: path)
        _ = try database.query("PRAGMA wal_checkpoint(TRUNCATE)") { row throws(StoreError) in try row.int(0) }
        return (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    /// Nearest-rank percentiles of `samples` (seconds) in milliseconds.
    static func percentiles(_ samples: [Double]) -> (p50: Double, p95: Double, p99: Double) {
        let sorted = samples.sorted()
        func at(_ fraction: Double) -> Double { sorted[min(sorted.count - 1, Int((fraction * Double(sorted.count)).rounded(.up)) - 1)] * 1000 }
        return (at(0.5), at(0.95), at(0.99))
    }
}

/// The options both store benchmarks take.
struct StoreBenchmarkOptions: ParsableArguments {
    @Option(help: "The database file: a new one, which the benchmark fills.") var database: String
    @Option(help: "Seed of the names (and of the decisions and queries).") var seed: UInt64 = 42

    /// Refuses a file that exists: a benchmark fills its own.
    func requireNewFile() throws {
        guard !FileManager.default.fileExists(atPath: database) else { throw CommandError("\(database) exists; give a new file") }
    }
}
