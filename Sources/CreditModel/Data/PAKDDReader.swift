import Foundation

/// Errors reading a PAKDD data file, each naming the file and, where it applies, the line.
public enum DataReadError: Error, Sendable, CustomStringConvertible, Equatable {
    case cannotOpen(path: String, reason: String)
    case malformedLine(path: String, line: Int, reason: String)
    case empty(path: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): return "\(path): cannot open: \(reason)"
        case .malformedLine(let path, let line, let reason): return "\(path):\(line): \(reason)"
        case .empty(let path): return "\(path): the file has no data lines"
        }
    }
}

/// One line of a PAKDD file: the applicant, the target when the file has one, and where it came from.
public struct PAKDDRecord: Sendable {
    /// 1-based line number in the file.
    public var line: Int
    /// `ID_CLIENT`.
    public var id: Int
    public var applicant: Applicant
    /// 1 for a bad (defaulted) customer, 0 for good; nil in files without the target column.
    public var target: Int?
}

/// Streams a PAKDD 2010 file: tab-separated, no header, Latin-1, CRLF, 54 fields (53 without the target).
///
/// Fields are never trimmed before splitting on tabs. `NULL`, a blank, `#DIV/0!` and `NUL` mean missing.
/// A line with the wrong number of fields, or a word where a number belongs, stops reading with an
/// error naming the file and line.
public struct PAKDDReader: Sequence {
    public let path: String
    public let schema: ApplicantSchema

    public init(path: String, schema: ApplicantSchema = .pakdd) {
        self.path = path
        self.schema = schema
    }

    public func makeIterator() -> Iterator { Iterator(reader: self) }

    /// Iterates records; a read error is reported by ``Iterator/error`` and ends the iteration.
    /// Prefer ``records()`` or ``forEachRecord(_:)``, which throw it.
    public struct Iterator: IteratorProtocol {
        var lines: LineSource?
        let parser: LineParser
        public private(set) var error: DataReadError?

        init(reader: PAKDDReader) {
            parser = LineParser(schema: reader.schema, path: reader.path)
            do { lines = try LineSource(path: reader.path) } catch let failure { error = failure }
        }

        public mutating func next() -> PAKDDRecord? {
            do { return try nextRecord() } catch let failure {
                error = failure
                lines = nil
                return nil
            }
        }

        /// The next record, nil at the end of the file, or a thrown error.
        public mutating func nextRecord() throws(DataReadError) -> PAKDDRecord? {
            if let error { throw error }
            guard var source = lines else { return nil }
            defer { lines = source }
            while let (number, bytes) = try source.nextLine() {
                if bytes.isEmpty { continue }
                return try parser.parse(bytes, line: number)
            }
            return nil
        }
    }

    /// Calls `body` for every record, throwing the first read error.
    public func forEachRecord(_ body: (PAKDDRecord) throws -> Void) throws {
        var iterator = makeIterator()
        while let record = try iterator.nextRecord() { try body(record) }
    }

    /// Reads the whole file into a dataset.
    public func readAll() throws -> Dataset {
        var dataset = Dataset(schema: schema)
        var sawTarget: Bool?
        try forEachRecord { record in
            if sawTarget == nil { sawTarget = record.target != nil }
            dataset.append(record)
        }
        if sawTarget == nil { throw DataReadError.empty(path: path) }
        if sawTarget == false { dataset.labels = nil }
        return dataset
    }
}

/// Splits a PAKDD line into fields and turns them into an applicant.
struct LineParser {
    let schema: ApplicantSchema
    let path: String
    /// For each file column (0-based), the schema field index that it fills, or nil.
    let fieldForColumn: [Int?]
    let fileColumns: Int

    init(schema: ApplicantSchema, path: String) {
        self.schema = schema
        self.path = path
        let columns = schema.fields.compactMap(\.column).max() ?? 0
        var map = [Int?](repeating: nil, count: columns)
        for (index, field) in schema.fields.enumerated() { if let column = field.column { map[column - 1] = index } }
        fieldForColumn = map
        fileColumns = columns
    }

    func parse(_ bytes: ArraySlice<UInt8>, line: Int) throws(DataReadError) -> PAKDDRecord {
        var values = schema.defaultApplicant().values
        for index in values.indices where schema.fields[index].column != nil { values[index] = .missing }
        var column = 0
        var target: Int?
        var id = 0
        var start = bytes.startIndex
        var position = start
        func field(_ slice: ArraySlice<UInt8>) throws(DataReadError) {
            defer { column += 1 }
            if column >= fileColumns + 1 { return }  // counted below
            let text = latin1String(slice)
            if column == fileColumns {
                guard text == "0" || text == "1" else {
                    throw .malformedLine(path: path, line: line, reason: "target (field \(column + 1)) must be 0 or 1, found \"\(text)\"")
                }
                target = text == "1" ? 1 : 0
                return
            }
            guard let index = fieldForColumn[column] else { return }
            let schemaField = schema.fields[index]
            guard let value = ApplicantSchema.parseFileValue(text, for: schemaField) else {
                throw .malformedLine(
                    path: path, line: line,
                    reason: "field \(column + 1) (\(schemaField.name)) has \"\(text)\", which is not a valid \(kindName(schemaField.kind))")
            }
            if column == 0 {
                guard case .number(let number) = value, let whole = Int(exactly: number) else {
                    throw .malformedLine(path: path, line: line, reason: "field 1 (id_client) must be a whole number, found \"\(text)\"")
                }
                id = whole
            }
            values[index] = value
        }
        while position < bytes.endIndex {
            if bytes[position] == 9 {
                try field(bytes[start..<position])
                start = position + 1
            }
            position += 1
        }
        try field(bytes[start..<bytes.endIndex])
        guard column == fileColumns || column == fileColumns + 1 else {
            throw .malformedLine(
                path: path, line: line,
                reason: "expected \(fileColumns) or \(fileColumns + 1) tab-separated fields, found \(column)")
        }
        return PAKDDRecord(line: line, id: id, applicant: Applicant(values: values), target: target)
    }
}

private func kindName(_ kind: FieldKind) -> String {
    switch kind {
    case .number: return "number"
    case .category: return "code"
    case .flag(let yes, let no): return "flag (\(yes)/\(no))"
    case .text: return "text"
    }
}

/// Decodes ISO-8859-1 bytes: every byte is the Unicode scalar of the same value.
func latin1String(_ bytes: ArraySlice<UInt8>) -> String {
    if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
    var scalars = String.UnicodeScalarView()
    for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
    return String(scalars)
}

/// Reads a file in large chunks and hands out its lines without the CR/LF.
struct LineSource {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var offset = 0
    private var atEnd = false
    private var lineNumber = 0
    private let path: String

    init(path: String) throws(DataReadError) {
        self.path = path
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied or not a regular file" : "no such file"
            throw .cannotOpen(path: path, reason: reason)
        }
        self.handle = handle
    }

    mutating func nextLine() throws(DataReadError) -> (Int, ArraySlice<UInt8>)? {
        while true {
            if let newline = buffer[offset...].firstIndex(of: 10) {
                var end = newline
                if end > offset && buffer[end - 1] == 13 { end -= 1 }
                let line = buffer[offset..<end]
                offset = newline + 1
                lineNumber += 1
                return (lineNumber, line)
            }
            if atEnd {
                guard offset < buffer.count else { return nil }
                var end = buffer.count
                if buffer[end - 1] == 13 { end -= 1 }
                let line = buffer[offset..<end]
                offset = buffer.count
                lineNumber += 1
                return (lineNumber, line)
            }
            let chunk: Data?
            do { chunk = try handle.read(upToCount: 1 << 20) } catch {
                throw .malformedLine(path: path, line: lineNumber + 1, reason: "read failed: \(error.localizedDescription)")
            }
            buffer.removeFirst(offset)
            offset = 0
            if let chunk, !chunk.isEmpty { buffer.append(contentsOf: chunk) } else { atEnd = true }
        }
    }
}
