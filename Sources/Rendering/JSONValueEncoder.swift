/// Encodes any `Encodable` into a `JSONValue`, keeping keys in the order the
/// type encodes them (Foundation's `JSONEncoder` does not promise an order
/// and rejects NaN). Optionals encoded with `encode` become `null`; with
/// `encodeIfPresent` they are left out.
public struct JSONValueEncoder {
  public init() {}

  public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
    let root = Node()
    try value.encode(to: TreeEncoder(node: root, codingPath: []))
    return root.value
  }
}

/// A mutable slot in the tree under construction. Children are appended in
/// place (amortized O(1)): the tree of a large result is built in time
/// linear in its size.
private final class Node {
  enum Kind {
    case empty, scalar, array, object
  }
  var kind: Kind = .empty
  var scalarValue: JSONValue = .null
  var items: [Node] = []
  var pairs: [(String, Node)] = []

  var value: JSONValue {
    switch kind {
    case .empty: return .object([])
    case .scalar: return scalarValue
    case .array: return .array(items.map(\.value))
    case .object: return .object(pairs.map { ($0.0, $0.1.value) })
    }
  }

  func setScalar(_ v: JSONValue) {
    kind = .scalar
    scalarValue = v
  }

  func makeObject() {
    if kind != .object { kind = .object; pairs = [] }
  }

  func makeArray() {
    if kind != .array { kind = .array; items = [] }
  }

  func child(forKey key: String) -> Node {
    makeObject()
    if let found = pairs.first(where: { $0.0 == key }) { return found.1 }
    let node = Node()
    pairs.append((key, node))
    return node
  }

  func appendChild() -> Node {
    makeArray()
    let node = Node()
    items.append(node)
    return node
  }
}

private struct TreeEncoder: Encoder {
  let node: Node
  var codingPath: [CodingKey]
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    node.makeObject()
    return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath))
  }

  func unkeyedContainer() -> UnkeyedEncodingContainer {
    node.makeArray()
    return UnkeyedContainer(node: node, codingPath: codingPath)
  }

  func singleValueContainer() -> SingleValueEncodingContainer {
    SingleContainer(node: node, codingPath: codingPath)
  }
}

private func scalar(_ value: Any) -> JSONValue? {
  switch value {
  case let v as Double: return .double(v)
  case let v as Float: return .double(Double(v))
  case let v as Int: return .int(v)
  case let v as Int32: return .int(Int(v))
  case let v as Int64: return .int(Int(v))
  case let v as UInt: return .int(Int(v))
  case let v as Bool: return .bool(v)
  case let v as String: return .string(v)
  default: return nil
  }
}

private func encodeValue<T: Encodable>(_ value: T, into node: Node, codingPath: [CodingKey]) throws {
  if let s = scalar(value) {
    node.setScalar(s)
  } else {
    try value.encode(to: TreeEncoder(node: node, codingPath: codingPath))
  }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
  let node: Node
  var codingPath: [CodingKey]

  mutating func encodeNil(forKey key: Key) throws {
    node.child(forKey: key.stringValue).setScalar(.null)
  }

  mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
    try encodeValue(value, into: node.child(forKey: key.stringValue), codingPath: codingPath + [key])
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type,
                                                      forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
    let child = node.child(forKey: key.stringValue)
    child.kind = .object
    child.pairs = []
    return KeyedEncodingContainer(KeyedContainer<NestedKey>(node: child, codingPath: codingPath + [key]))
  }

  mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
    let child = node.child(forKey: key.stringValue)
    child.kind = .array
    child.items = []
    return UnkeyedContainer(node: child, codingPath: codingPath + [key])
  }

  mutating func superEncoder() -> Encoder { TreeEncoder(node: node, codingPath: codingPath) }
  mutating func superEncoder(forKey key: Key) -> Encoder {
    TreeEncoder(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key])
  }
}

private struct IndexKey: CodingKey {
  var stringValue: String
  var intValue: Int?
  init(_ i: Int) { stringValue = String(i); intValue = i }
  init?(stringValue: String) { return nil }
  init?(intValue: Int) { self.init(intValue) }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
  let node: Node
  var codingPath: [CodingKey]
  var count: Int {
    node.kind == .array ? node.items.count : 0
  }

  mutating func encodeNil() throws { node.appendChild().setScalar(.null) }

  mutating func encode<T: Encodable>(_ value: T) throws {
    let path = codingPath + [IndexKey(count)]
    try encodeValue(value, into: node.appendChild(), codingPath: path)
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
    let child = node.appendChild()
    child.kind = .object
    return KeyedEncodingContainer(KeyedContainer<NestedKey>(node: child, codingPath: codingPath))
  }

  mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
    let child = node.appendChild()
    child.kind = .array
    return UnkeyedContainer(node: child, codingPath: codingPath)
  }

  mutating func superEncoder() -> Encoder { TreeEncoder(node: node.appendChild(), codingPath: codingPath) }
}

private struct SingleContainer: SingleValueEncodingContainer {
  let node: Node
  var codingPath: [CodingKey]

  mutating func encodeNil() throws { node.setScalar(.null) }
  mutating func encode<T: Encodable>(_ value: T) throws {
    try encodeValue(value, into: node, codingPath: codingPath)
  }
}
