/// Writes JSON straight into bytes, for hot paths whose shape is fixed (the worker's results):
/// no tree of ``JSONOutput`` values and no dictionaries to build and sort. The caller writes each
/// object's members in sorted key order, so the text is the same as ``JSONOutput`` would write.
public struct JSONStreamWriter {
    public private(set) var bytes: [UInt8] = []
    /// No member or element written yet in the innermost container.
    private var first = true
    /// A key was just written: its value needs no comma.
    private var afterKey = false

    public init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    private mutating func separate() {
        if afterKey { afterKey = false; return }
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
    }

    public mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); first = true }
    public mutating func endObject() { bytes.append(UInt8(ascii: "}")); first = false }
    public mutating func beginArray() { separate(); bytes.append(UInt8(ascii: "[")); first = true }
    public mutating func endArray() { bytes.append(UInt8(ascii: "]")); first = false }

    /// A member's key, a literal that needs no escaping (letters, digits, `_`); its value comes next.
    public mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    public mutating func string(_ text: String) { separate(); JSONOutput.writeString(text, to: &bytes) }
    public mutating func number(_ value: Double) { separate(); JSONOutput.writeNumber(value, to: &bytes) }
    public mutating func null() { separate(); bytes.append(contentsOf: "null".utf8) }
    /// A string, or null when nil.
    public mutating func optionalString(_ text: String?) { if let text { string(text) } else { null() } }
}
