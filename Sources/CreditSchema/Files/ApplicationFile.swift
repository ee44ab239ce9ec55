import CreditJSON

/// A file of applications for batch scoring, read and validated row by row: CSV whose header row
/// names schema fields, or JSON lines (one application object a line). The lender's own reference
/// for each applicant is the schema's `id_client` field.
///
/// The file may be UTF-8 (with or without a byte-order mark), Windows-1252 or ISO-8859-1
/// (``TextEncoding``); a binary file is refused whole. A CSV file's separator (`;`, `,` or tab)
/// is the one its header line uses, and its decimal mark follows: a comma in a semicolon file
/// (Excel in Brazil: `1.800,50`), a point in a comma file, and in a tab file a comma when any
/// number cell holds one. Lines end in LF or CRLF.
public struct ApplicationFile {
    public enum Format: String, Sendable, CaseIterable {
        case csv, jsonl
    }

    /// A valid row: its line in the file, the client's reference and the validated applicant.
    public struct Row: Sendable {
        public var line: Int
        public var clientID: String?
        public var applicant: Applicant
    }

    /// A row that cannot be scored, with every problem by field ("" for the row as a whole).
    public struct RowError: Error, Sendable, Equatable {
        public var line: Int
        public var errors: [String: [String]]
    }

    /// The field with the lender's reference for an applicant, returned with each result.
    public static let clientIDField = "id_client"

    public let format: Format
    /// The encoding the file was in.
    public let encoding: TextEncoding
    /// The file as UTF-8, without a byte-order mark.
    private let bytes: [UInt8]
    private let schema: ApplicantSchema
    /// CSV: the separator, the decimal mark and each column's field, from the header.
    public private(set) var separator = UInt8(ascii: ",")
    public private(set) var decimalComma = false
    private var columns: [ApplicantField] = []
    /// Where the rows start, after the header (CSV), and on which line.
    private var rowsStart = 0
    private var rowsLine = 1

    /// The separators a header line may use.
    static let separators: [UInt8] = [UInt8(ascii: ";"), UInt8(ascii: ","), UInt8(ascii: "\t")]

    /// Decodes the file and reads the CSV header (a binary file or a bad header is one error for
    /// the whole file).
    public init(bytes: [UInt8], format: Format, schema: ApplicantSchema = .pakdd) throws(ApplicationFileError) {
        do { (self.bytes, encoding) = try TextEncoding.decode(bytes) } catch { throw .notText(error) }
        self.format = format
        self.schema = schema
        guard format == .csv else { return }
        separator = Self.separator(ofHeader: self.bytes)
        var scanner = CSVScanner(bytes: self.bytes, start: 0, delimiter: separator)
        guard let header = scanner.nextRecord() else { throw .empty }
        var unknown: [String] = [], seen: Set<String> = []
        for cell in header.cells {
            let name = cell.trimmingSpaces().lowercased()
            guard let field = schema.fields.first(where: { $0.name == name }) else { unknown.append(cell); continue }
            guard seen.insert(name).inserted else { throw .header("The column \(name) appears twice.") }
            columns.append(field)
        }
        if !unknown.isEmpty {
            throw .header(
                "Unknown columns: \(unknown.prefix(10).map { "\"\($0.prefix(40))\"" }.joined(separator: ", ")). "
                    + "The header row must name fields of /api/schema.")
        }
        rowsStart = scanner.position
        rowsLine = scanner.line
        decimalComma = separator == UInt8(ascii: ";") || (separator == UInt8(ascii: "\t") && numberCellHoldsComma())
    }

    /// The dialect the file was written in, for writing its results the same way (nil for JSON lines):
    /// semicolons for a file with decimal commas, else commas.
    public var dialect: CSVDialect? {
        guard format == .csv else { return nil }
        return decimalComma ? .semicolon : .comma
    }

    /// The separator the header line uses most (field names hold none), outside quotes; a comma
    /// when it has none.
    static func separator(ofHeader bytes: [UInt8]) -> UInt8 {
        var counts: [UInt8: Int] = [:], quoted = false
        for byte in bytes {
            if byte == UInt8(ascii: "\"") { quoted.toggle() }
            if byte == UInt8(ascii: "\n") && !quoted { break }
            if !quoted && separators.contains(byte) { counts[byte, default: 0] += 1 }
        }
        let most = separators.max { counts[$0, default: 0] < counts[$1, default: 0] }!
        return counts[most, default: 0] > 0 ? most : UInt8(ascii: ",")
    }

    /// Whether a number column of any row holds a comma (a tab-separated file's decimal mark).
    private func numberCellHoldsComma() -> Bool {
        let numbers = columns.indices.filter { if case .number = columns[$0].kind { true } else { false } }
        var scanner = CSVScanner(bytes: bytes, start: rowsStart, line: rowsLine, delimiter: separator)
        while let record = scanner.nextRecord() {
            for index in numbers where index < record.cells.count && record.cells[index].contains(",") { return true }
        }
        return false
    }

    /// Calls `body` with each row in file order, valid or not; stops early when `body` returns false.
    public func forEachRow(_ body: (Result<Row, RowError>) -> Bool) {
        switch format {
        case .csv:
            var scanner = CSVScanner(bytes: bytes, start: rowsStart, line: rowsLine, delimiter: separator)
            while let record = scanner.nextRecord() {
                if record.cells.count == 1 && record.cells[0].isEmpty { continue }  // a blank line
                if !body(csvRow(record)) { return }
            }
        case .jsonl:
            var line = 1, start = rowsStart
            while start < bytes.count {
                let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
                var text = bytes[start..<end]
                if text.last == UInt8(ascii: "\r") { text = text.dropLast() }
                if !text.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                    if !body(jsonRow(Array(text), line: line)) { return }
                }
                start = end + 1
                line += 1
            }
        }
    }

    private func csvRow(_ record: CSVScanner.Record) -> Result<Row, RowError> {
        guard record.cells.count == columns.count else {
            return .failure(RowError(line: record.line, errors: ["": ["The row has \(record.cells.count) cells; the header has \(columns.count)."]]))
        }
        var object: [String: JSONValue] = [:]
        for (field, cell) in zip(columns, record.cells) {
            let trimmed = cell.trimmingSpaces()
            if trimmed.isEmpty { continue }
            if case .number = field.kind, let number = Self.number(trimmed, brazilian: decimalComma) {
                object[field.name] = .number(number)
            } else {
                object[field.name] = .string(trimmed)
            }
        }
        return validated(object, line: record.line)
    }

    private func jsonRow(_ text: [UInt8], line: Int) -> Result<Row, RowError> {
        let value: JSONValue
        do { value = try JSONValue.parse(text, maxDepth: 8) } catch {
            return .failure(RowError(line: line, errors: ["": ["The line is not valid JSON: \(error.description)."]]))
        }
        guard case .object(let object) = value else {
            return .failure(RowError(line: line, errors: ["": ["Each line must be one JSON object (an application)."]]))
        }
        return validated(object, line: line)
    }

    private func validated(_ object: [String: JSONValue], line: Int) -> Result<Row, RowError> {
        do {
            let applicant = try schema.validate(.object(object))
            let clientID = schema.index(of: Self.clientIDField).flatMap { applicant[$0].display }
            return .success(Row(line: line, clientID: clientID, applicant: applicant))
        } catch {
            return .failure(RowError(line: line, errors: error.fieldErrors))
        }
    }

    /// A number as a person or a spreadsheet writes it. `1234.56`; or with a decimal comma and
    /// optional dots between thousands (`1.234,56`, `1234,5`). In a file with decimal commas (a
    /// spreadsheet saved in Brazil) a dot always groups thousands, so `1.500` is fifteen hundred
    /// and `1500.5`, which no such spreadsheet writes, is refused rather than guessed.
    /// Nil when it is not a number.
    static func number(_ text: String, brazilian: Bool = false) -> Double? {
        var text = Substring(text)
        if brazilian || text.contains(",") {
            guard text.firstIndex(of: ",") == text.lastIndex(of: ",") else { return nil }
            let whole = text[..<(text.firstIndex(of: ",") ?? text.endIndex)].drop(while: { $0 == "-" || $0 == "+" })
            if whole.contains(".") {
                // Dots must group thousands: 1.234,5 or 12.345.678.
                let groups = whole.split(separator: ".", omittingEmptySubsequences: false)
                guard (1...3).contains(groups[0].count), groups.dropFirst().allSatisfy({ $0.count == 3 }) else { return nil }
            }
            text = Substring(Substring(text.replacingAll(".", with: "")).replacingAll(",", with: "."))
        }
        // Decimal digits only (Swift would also read hexadecimal, "nan" and "inf").
        guard text.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }), let value = Double(text), value.isFinite else { return nil }
        return value
    }
}

/// Why a file of applications cannot be read at all.
public enum ApplicationFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not text: binary, or in an encoding the service does not read.
    case notText(TextDecodingError)
    /// No header row (CSV) or nothing at all.
    case empty
    /// The CSV header names columns that are not fields, or a field twice.
    case header(String)

    public var description: String {
        switch self {
        case .notText(let error): error.description
        case .empty: "The file is empty: give a header row of field names, then one application a row."
        case .header(let text): text
        }
    }
}

extension Substring {
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        result.reserveCapacity(count)
        for character in self { if character == target { result += replacement } else { result.append(character) } }
        return result
    }
}
