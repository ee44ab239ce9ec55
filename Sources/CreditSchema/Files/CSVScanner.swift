/// Splits CSV text (RFC 4180) into records: quoted cells may hold the delimiter, quotes written
/// twice and line breaks; lines end in LF or CRLF. Each record knows the line it starts on.
struct CSVScanner {
    struct Record {
        var line: Int
        var cells: [String]
    }

    let bytes: [UInt8]
    let delimiter: UInt8
    private(set) var position: Int
    /// The line the next record starts on.
    private(set) var line: Int

    init(bytes: [UInt8], start: Int, line: Int = 1, delimiter: UInt8) {
        self.bytes = bytes
        self.delimiter = delimiter
        position = start
        self.line = line
    }

    /// The next record, or nil at the end of the text.
    mutating func nextRecord() -> Record? {
        guard position < bytes.count else { return nil }
        let startLine = line
        var cells: [String] = [], cell: [UInt8] = [], quoted = false, index = position
        func finishCell() {
            cells.append(String(decoding: cell, as: UTF8.self))
            cell.removeAll(keepingCapacity: true)
        }
        while index < bytes.count {
            let byte = bytes[index]
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\"") { cell.append(byte); index += 2; continue }
                    quoted = false
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    cell.append(byte)
                }
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\"") where cell.isEmpty: quoted = true
            case delimiter: finishCell()
            case UInt8(ascii: "\n"):
                if cell.last == UInt8(ascii: "\r") { cell.removeLast() }
                finishCell()
                line += 1
                position = index + 1
                return Record(line: startLine, cells: cells)
            default: cell.append(byte)
            }
            index += 1
        }
        if cell.last == UInt8(ascii: "\r") { cell.removeLast() }
        finishCell()
        position = bytes.count
        return Record(line: startLine, cells: cells)
    }
}
