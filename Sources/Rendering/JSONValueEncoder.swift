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

/// A mutable slot in the tree under construction.
private final class Node {
  enum Content {
    case empty
    case scalar(JSONValue)
    case array([Node])
    case object([(String, Node)])
  }
  var content: Content = .empty

  var value: JSONValue {
    switch content {
    case .empty: return .object([])
    case .scalar(let v): return v
    case .array(let nodes): return .array(nodes.map(\.value))
    case .object(let pairs): return .object(pairs.map { ($0.0, $0.1.value) })
    }
  }

  func child(forKey key: String) -> Node {
    var pairs: [(String, Node)] = []
    if case .object(let existing) = content { pairs = existing }
    if let found = pairs.first(where: { $0.0 == key }) { return found.1 }
    let node = Node()
    pairs.append((key, node))
    content = .object(pairs)
    return node
  }

  func appendChild() -> Node {
    var nodes: [Node] = []
    if case .array(let existing) = content { nodes = existing }
    let node = Node()
    nodes.append(node)
    content = .array(nodes)
    return node
  }
}

private struct TreeEncoder: Encoder {
  let node: Node
  var codingPath: [CodingKey]
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    if case .object = node.content {} else { node.content = .object([]) }
    return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath))
  }

  func unkeyedContainer() -> UnkeyedEncodingContainer {
    if case .array = node.content {} else { node.content = .array([]) }
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
    node.content = .scalar(s)
  } else {
    try value.encode(to: TreeEncoder(node: node, codingPath: codingPath))
  }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
  let node: Node
  var codingPath: [CodingKey]

  mutating func encodeNil(forKey key: Key) throws {
    node.child(forKey: key.stringValue).content = .scalar(.null)
  }

  mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
    try encodeValue(value, into: node.child(forKey: key.stringValue), codingPath: codingPath + [key])
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type,
                                                      forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
    let child = node.child(forKey: key.stringValue)
    child.content = .object([])
    return KeyedEncodingContainer(KeyedContainer<NestedKey>(node: child, codingPath: codingPath + [key]))
  }

  mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
    let child = node.child(forKey: key.stringValue)
    child.content = .array([])
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
    if case .array(let nodes) = node.content { return nodes.count }
    return 0
  }

  mutating func encodeNil() throws { node.appendChild().content = .scalar(.null) }

  mutating func encode<T: Encodable>(_ value: T) throws {
    let path = codingPath + [IndexKey(count)]
    try encodeValue(value, into: node.appendChild(), codingPath: path)
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
    let child = node.appendChild()
    child.content = .object([])
    return KeyedEncodingContainer(KeyedContainer<NestedKey>(node: child, codingPath: codingPath))
  }

  mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
    let child = node.appendChild()
    child.content = .array([])
    return UnkeyedContainer(node: child, codingPath: codingPath)
  }

  mutating func superEncoder() -> Encoder { TreeEncoder(node: node.appendChild(), codingPath: codingPath) }
}

private struct SingleContainer: SingleValueEncodingContainer {
  let node: Node
  var codingPath: [CodingKey]

  mutating func encodeNil() throws { node.content = .scalar(.null) }
  mutating func encode<T: Encodable>(_ value: T) throws {
    try encodeValue(value, into: node, codingPath: codingPath)
  }
}
