/// The schema's field names looked up by their UTF-8 bytes, as a JSON reader finds them in the
/// text: no string is made for a key and no SipHash is computed (most field names are longer than
/// the 15 bytes Swift keeps without allocating). Open addressing over FNV-1a; a hit is confirmed
/// by comparing the bytes.
struct FieldKeyTable: Sendable {
    private let names: [[UInt8]]
    /// Field index + 1 in each slot; 0 for an empty slot.
    private let slots: [Int32]
    private let mask: Int

    init(names: [String]) {
        self.names = names.map { Array($0.utf8) }
        var size = 16
        while size < names.count * 4 { size <<= 1 }
        mask = size - 1
        var slots = [Int32](repeating: 0, count: size)
        for (index, name) in self.names.enumerated() {
            var slot = Self.hash(name) & (size - 1)
            while slots[slot] != 0 { slot = (slot + 1) & (size - 1) }
            slots[slot] = Int32(index + 1)
        }
        self.slots = slots
    }

    private static func hash<Bytes: Sequence>(_ bytes: Bytes) -> Int where Bytes.Element == UInt8 {
        var value: UInt32 = 2_166_136_261
        for byte in bytes { value = (value ^ UInt32(byte)) &* 16_777_619 }
        return Int(value)
    }

    /// The index of the field named `key`, or nil.
    func index(of key: UnsafeBufferPointer<UInt8>) -> Int? {
        var slot = Self.hash(key) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return nil }
            if names[entry - 1].elementsEqual(key) { return entry - 1 }
            slot = (slot + 1) & mask
        }
    }
}
