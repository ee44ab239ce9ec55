/// The feature pipeline compiled into flat tables for the scoring hot path: no per-input struct
/// copies, binned lookups without branches, and codes found through a small open-addressing table.
final class CompiledPipeline: @unchecked Sendable {
    /// Per input: where to read and how to encode.
    struct Input {
        var fieldIndex: Int
        var isNumeric: Bool
        var edgesStart: Int, edgesCount: Int
        var denseStart: Int, denseCount: Int
        var tableStart: Int, tableMask: Int
        var otherLevel: Int32, missingLevel: Int32
        var logOddsStart: Int
    }

    let inputs: [Input]
    let edges: [Double]
    let dense: [Int32]
    /// Open-addressing slots: code (nil = empty) and level.
    let tableCodes: [FieldValue?]
    let tableLevels: [Int32]
    let logOdds: [Double]

    init(_ encoders: [FieldEncoder]) {
        var inputs: [Input] = []
        var edges: [Double] = [], dense: [Int32] = [], codes: [FieldValue?] = [], levels: [Int32] = [], logOdds: [Double] = []
        for encoder in encoders {
            var input = Input(
                fieldIndex: encoder.fieldIndex, isNumeric: encoder.kind == .numeric, edgesStart: edges.count,
                edgesCount: encoder.edges.count, denseStart: dense.count, denseCount: 0, tableStart: codes.count,
                tableMask: 0, otherLevel: Int32(encoder.otherLevel), missingLevel: Int32(encoder.missingLevel),
                logOddsStart: logOdds.count)
            edges += encoder.edges
            logOdds += encoder.levelLogOdds
            if encoder.kind == .categorical {
                var sparse: [(FieldValue, Int32)] = []
                var maxDense = -1
                for (level, code) in encoder.codes.enumerated() {
                    if let index = Self.denseIndex(code) { maxDense = max(maxDense, index) } else { sparse.append((code, Int32(level))) }
                }
                var denseTable = [Int32](repeating: input.otherLevel, count: maxDense + 1)
                for (level, code) in encoder.codes.enumerated() { if let index = Self.denseIndex(code) { denseTable[index] = Int32(level) } }
                input.denseCount = denseTable.count
                dense += denseTable
                var size = 8
                while size < sparse.count * 2 { size <<= 1 }
                var slots = [FieldValue?](repeating: nil, count: size)
                var slotLevels = [Int32](repeating: input.otherLevel, count: size)
                for (code, level) in sparse {
                    var slot = Self.hash(code) & (size - 1)
                    while slots[slot] != nil { slot = (slot + 1) & (size - 1) }
                    slots[slot] = code
                    slotLevels[slot] = level
                }
                input.tableMask = size - 1
                codes += slots
                levels += slotLevels
            }
            inputs.append(input)
        }
        self.inputs = inputs
        self.edges = edges
        self.dense = dense
        self.tableCodes = codes
        self.tableLevels = levels
        self.logOdds = logOdds
    }

    var inputCount: Int { inputs.count }

    @inline(__always) static func denseIndex(_ code: FieldValue) -> Int? {
        if case .number(let value) = code, value >= 0, value < 4096, value == value.rounded(.down) { return Int(value) }
        return nil
    }

    /// FNV-1a over the code's bytes: cheap for the short codes and names used here.
    @inline(__always) static func hash(_ code: FieldValue) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        switch code {
        case .text(let text):
            for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        case .number(let value):
            hash = (hash ^ value.bitPattern) &* 0x0000_0100_0000_01b3
        case .missing:
            break
        }
        return Int(truncatingIfNeeded: hash ^ (hash >> 29))
    }

    /// The level of `value` for input `position` (same as ``FieldEncoder/level(of:)``).
    @inline(__always) func level(_ position: Int, _ value: FieldValue) -> Int {
        let input = inputs[position]
        if input.isNumeric {
            guard case .number(let number) = value, !number.isNaN else { return Int(input.missingLevel) }
            var level = 0
            edges.withUnsafeBufferPointer { edges in
                for index in input.edgesStart..<(input.edgesStart + input.edgesCount) { level &+= number > edges[index] ? 1 : 0 }
            }
            return level
        }
        switch value {
        case .missing:
            return Int(input.missingLevel)
        case .number(let number):
            if number >= 0, number < Double(input.denseCount), number == number.rounded(.down) { return Int(dense[input.denseStart + Int(number)]) }
        case .text:
            break
        }
        var slot = Self.hash(value) & input.tableMask
        while let code = tableCodes[input.tableStart + slot] {
            if code == value { return Int(tableLevels[input.tableStart + slot]) }
            slot = (slot + 1) & input.tableMask
        }
        return Int(input.otherLevel)
    }

    /// The tree input for `value` at input `position` (same as ``FieldEncoder/treeValue(_:)``).
    @inline(__always) func treeValue(_ position: Int, _ value: FieldValue) -> Double {
        let input = inputs[position]
        if input.isNumeric {
            if case .number(let number) = value { return number }
            return .nan
        }
        return logOdds[input.logOddsStart + level(position, value)]
    }
}
