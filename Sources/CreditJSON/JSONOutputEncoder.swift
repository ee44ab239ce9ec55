/// Encodes an `Encodable` value as a ``JSONOutput`` without Foundation. For what this project
/// encodes (strings, numbers, booleans, optionals, arrays, string-keyed dictionaries and nested
/// `Codable` types) the result equals Foundation's `JSONEncoder` with default strategies: keys
/// as the type's coding keys, nil optionals left out (synthesised `encodeIfPresent`), non-finite
/// numbers refused. Foundation-specific types (`Date`, `Data`) get their plain `Codable` form.
public enum JSONOutputEncoder {
    /// The value as JSON.
    public static func encode<Value: Encodable>(_ value: Value) throws -> JSONOutput {
        let encoder = ValueEncoder(codingPath: [])
        try value.encode(to: encoder)
        return encoder.storage.output
    }
}

/// Why a value could not be encoded.
public struct JSONEncodingError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// A container's contents while it is being filled: nested containers share it by reference.
private final class Slot {
    enum Content {
        case empty
        case value(JSONOutput)
        case object([(String, Slot)])
        case array([Slot])
    }

    var content: Content = .empty

    var output: JSONOutput {
        switch content {
        case .empty: return .object([:])
        case .value(let value): return value
        case .object(let members):
            var dictionary: [String: JSONOutput] = [:]
            for (key, slot) in members { dictionary[key] = slot.output }
            return .object(dictionary)
        case .array(let items): return .array(items.map(\.output))
        }
    }

    func appendMember(_ key: String) -> Slot {
        let slot = Slot()
        if case .object(var members) = content {
            members.append((key, slot))
            content = .object(members)
        } else {
            content = .object([(key, slot)])
        }
        return slot
    }

    func appendItem() -> Slot {
        let slot = Slot()
        if case .array(var items) = content {
            items.append(slot)
            content = .array(items)
        } else {
            content = .array([slot])
        }
        return slot
    }
}

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) { stringValue = String(intValue); self.intValue = intValue }
}

private final class ValueEncoder: Encoder {
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any] = [:]
    let storage: Slot

    init(codingPath: [any CodingKey], storage: Slot = Slot()) {
        self.codingPath = codingPath
        self.storage = storage
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = storage.content {} else { storage.content = .object([]) }
        return KeyedEncodingContainer(KeyedContainer<Key>(slot: storage, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = storage.content {} else { storage.content = .array([]) }
        return UnkeyedContainer(slot: storage, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleContainer(slot: storage, codingPath: codingPath) }
}

/// Encodes one value into `slot`: plain values directly, everything else through its `encode(to:)`.
private func encodeValue<T: Encodable>(_ value: T, into slot: Slot, codingPath: [any CodingKey]) throws {
    switch value {
    case let text as String: slot.content = .value(.string(text))
    case let flag as Bool: slot.content = .value(.bool(flag))
    case let number as Double: slot.content = .value(try finite(number, codingPath))
    case let number as Float: slot.content = .value(try finite(Double(number), codingPath))
    case let number as Int: slot.content = .value(.number(Double(number)))
    case let number as Int64: slot.content = .value(.number(Double(number)))
    case let number as Int32: slot.content = .value(.number(Double(number)))
    case let number as UInt8: slot.content = .value(.number(Double(number)))
    default: try value.encode(to: ValueEncoder(codingPath: codingPath, storage: slot))
    }
}

private func finite(_ number: Double, _ codingPath: [any CodingKey]) throws -> JSONOutput {
    guard number.isFinite else {
        throw JSONEncodingError(description: "\(number) at \(codingPath.map(\.stringValue).joined(separator: ".")) cannot be written as JSON")
    }
    return .number(number)
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: Slot
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { slot.appendMember(key.stringValue).content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try encodeValue(value, into: slot.appendMember(key.stringValue), codingPath: codingPath + [key])
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested = slot.appendMember(key.stringValue)
        nested.content = .object([])
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(slot: nested, codingPath: codingPath + [key]))
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = slot.appendMember(key.stringValue)
        nested.content = .array([])
        return UnkeyedContainer(slot: nested, codingPath: codingPath + [key])
    }
    mutating func superEncoder() -> any Encoder { ValueEncoder(codingPath: codingPath, storage: slot.appendMember("super")) }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
        ValueEncoder(codingPath: codingPath + [key], storage: slot.appendMember(key.stringValue))
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let slot: Slot
    let codingPath: [any CodingKey]
    var count: Int {
        if case .array(let items) = slot.content { return items.count }
        return 0
    }

    private var nextPath: [any CodingKey] { codingPath + [AnyKey(intValue: count)] }

    mutating func encodeNil() throws { slot.appendItem().content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let path = nextPath
        try encodeValue(value, into: slot.appendItem(), codingPath: path)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let path = nextPath, nested = slot.appendItem()
        nested.content = .object([])
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(slot: nested, codingPath: path))
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = nextPath, nested = slot.appendItem()
        nested.content = .array([])
        return UnkeyedContainer(slot: nested, codingPath: path)
    }
    mutating func superEncoder() -> any Encoder {
        let path = nextPath
        return ValueEncoder(codingPath: path, storage: slot.appendItem())
    }
}

private struct SingleContainer: SingleValueEncodingContainer {
    let slot: Slot
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { slot.content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try encodeValue(value, into: slot, codingPath: codingPath) }
}

extension JSONOutput {
    /// The parsed value, to write back out (keys sorted).
    public init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .number(let number): self = .number(number)
        case .string(let text): self = .string(text)
        case .array(let items): self = .array(items.map(JSONOutput.init))
        case .object(let members): self = .object(members.mapValues(JSONOutput.init))
        }
    }
}

extension JSONValue {
    /// The member called `key` of an object, or nil (also for values that are not objects).
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }
}
