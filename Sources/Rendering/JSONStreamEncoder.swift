/// Encodes an `Encodable` value straight to a `ByteWriter` as compact JSON,
/// the same bytes as `JSONValueEncoder` + `JSONValue.serialized()` but in
/// one pass and constant memory: a 10⁷-step Kaplan–Meier curve is written
/// as it is encoded, never held as a tree.
///
/// `Encodable` has no "end of container" call, so containers are closed
/// lazily: writing into a container first closes every container opened
/// deeper than it. A container written to after a deeper write closed it
/// (interleaving two sibling containers) is a programmer error, reported
/// as an `EncodingError`.
public enum JSONStreamEncoder {
  public static func encode<T: Encodable>(_ value: T, to writer: ByteWriter) throws {
    let state = StreamState(writer)
    let root = StreamEncoder(state: state, depth: 0, slot: state.newSlot())
    let before = state.writes
    try value.encode(to: root)
    if state.writes == before { writer.write("{}") }
    state.close(to: 0)
  }
}

final class StreamState {
  struct Frame {
    var isObject: Bool
    var count: Int
    var id: Int
    /// The value slot the container belongs to (so the envelope and its
    /// content can share one object).
    var slot: Int
  }

  let writer: ByteWriter
  var stack: [Frame] = []
  var nextID = 0
  /// Bumped on every write, to see whether a value wrote anything.
  var writes = 0

  init(_ writer: ByteWriter) { self.writer = writer }

  func newSlot() -> Int {
    nextID += 1
    return nextID
  }

  /// Closes containers until `depth` remain open.
  func close(to depth: Int) {
    while stack.count > depth {
      let frame = stack.removeLast()
      writer.write(byte: frame.isObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
    }
  }

  func open(object: Bool, slot: Int) -> (index: Int, id: Int) {
    writer.write(byte: object ? UInt8(ascii: "{") : UInt8(ascii: "["))
    writes += 1
    nextID += 1
    stack.append(Frame(isObject: object, count: 0, id: nextID, slot: slot))
    return (stack.count - 1, nextID)
  }

  /// Before writing an element into the container at `index`: closes deeper
  /// containers, checks it is still open, writes the comma.
  func beginElement(_ index: Int, _ id: Int, codingPath: [CodingKey]) throws {
    close(to: index + 1)
    guard stack.count == index + 1, stack[index].id == id else {
      throw EncodingError.invalidValue(0, EncodingError.Context(
        codingPath: codingPath, debugDescription: "a JSON container was written to after a sibling closed it"))
    }
    if stack[index].count > 0 { writer.write(byte: UInt8(ascii: ",")) }
    stack[index].count += 1
    writes += 1
  }

  func writeKey(_ key: String) {
    writeString(key)
    writer.write(byte: UInt8(ascii: ":"))
  }

  func writeString(_ s: String) {
    writer.write(byte: UInt8(ascii: "\""))
    var plain = true
    for b in s.utf8 where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { plain = false; break }
    if plain {
      writer.write(s)
    } else {
      var escaped = ""
      JSONValue.writeString(s, to: &escaped, quoted: false)
      writer.write(escaped)
    }
    writer.write(byte: UInt8(ascii: "\""))
  }

  func writeDouble(_ d: Double) { writer.write(JSONValue.format(d)) }

  /// Writes a scalar without the tree; `false` when `value` is not one.
  func writeScalar<T: Encodable>(_ value: T) -> Bool {
    if T.self == Double.self { writeDouble(unsafeBitCast(value, to: Double.self)); return true }
    if T.self == Int.self { writer.write(String(unsafeBitCast(value, to: Int.self))); return true }
    if T.self == String.self { writeString(unsafeBitCast(value, to: String.self)); return true }
    if T.self == Bool.self { writer.write(unsafeBitCast(value, to: Bool.self) ? "true" : "false"); return true }
    if T.self == Double?.self {
      if let d = unsafeBitCast(value, to: Double?.self) { writeDouble(d) } else { writer.write("null") }
      return true
    }
    if T.self == Int?.self {
      if let i = unsafeBitCast(value, to: Int?.self) { writer.write(String(i)) } else { writer.write("null") }
      return true
    }
    if T.self == String?.self {
      if let s = unsafeBitCast(value, to: String?.self) { writeString(s) } else { writer.write("null") }
      return true
    }
    // The other primitives, as `JSONValueEncoder` writes them.
    switch value {
    case let v as Float: writeDouble(Double(v)); return true
    case let v as any BinaryInteger: writer.write(String(describing: v)); return true
    default: return false
    }
  }

  /// A value in a slot at `depth`: a scalar directly, anything else through its own `encode(to:)`.
  func writeValue<T: Encodable>(_ value: T, depth: Int, codingPath: [CodingKey]) throws {
    if writeScalar(value) { return }
    let child = StreamEncoder(state: self, depth: depth, slot: newSlot(), codingPath: codingPath)
    let before = writes
    try value.encode(to: child)
    if writes == before { writer.write("{}") }
  }
}

struct StreamEncoder: Encoder {
  let state: StreamState
  /// The stack index this value's container takes.
  let depth: Int
  let slot: Int
  var codingPath: [CodingKey] = []
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  init(state: StreamState, depth: Int, slot: Int, codingPath: [CodingKey] = []) {
    self.state = state
    self.depth = depth
    self.slot = slot
    self.codingPath = codingPath
  }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    // The same value asking again (an envelope, then its content): one object.
    if state.stack.count > depth, state.stack[depth].isObject, state.stack[depth].slot == slot {
      state.close(to: depth + 1)
      return KeyedEncodingContainer(StreamKeyed<Key>(state: state, index: depth, id: state.stack[depth].id, codingPath: codingPath))
    }
    state.close(to: depth)
    let (index, id) = state.open(object: true, slot: slot)
    return KeyedEncodingContainer(StreamKeyed<Key>(state: state, index: index, id: id, codingPath: codingPath))
  }

  func unkeyedContainer() -> UnkeyedEncodingContainer {
    state.close(to: depth)
    let (index, id) = state.open(object: false, slot: slot)
    return StreamUnkeyed(state: state, index: index, id: id, codingPath: codingPath)
  }

  func singleValueContainer() -> SingleValueEncodingContainer {
    StreamSingle(encoder: self)
  }
}

private struct StreamKeyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
  let state: StreamState
  let index: Int
  let id: Int
  var codingPath: [CodingKey]

  private func begin(_ key: Key) throws {
    try state.beginElement(index, id, codingPath: codingPath + [key])
    state.writeKey(key.stringValue)
  }

  mutating func encodeNil(forKey key: Key) throws { try begin(key); state.writer.write("null") }
  mutating func encode(_ value: Bool, forKey key: Key) throws { try begin(key); state.writer.write(value ? "true" : "false") }
  mutating func encode(_ value: String, forKey key: Key) throws { try begin(key); state.writeString(value) }
  mutating func encode(_ value: Double, forKey key: Key) throws { try begin(key); state.writeDouble(value) }
  mutating func encode(_ value: Int, forKey key: Key) throws { try begin(key); state.writer.write(String(value)) }

  mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
    try begin(key)
    try state.writeValue(value, depth: index + 1, codingPath: codingPath + [key])
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
    // Encoding errors cannot be thrown here; a misuse is caught at the next write.
    try? begin(key)
    let (i, id) = state.open(object: true, slot: state.newSlot())
    return KeyedEncodingContainer(StreamKeyed<NestedKey>(state: state, index: i, id: id, codingPath: codingPath + [key]))
  }

  mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
    try? begin(key)
    let (i, id) = state.open(object: false, slot: state.newSlot())
    return StreamUnkeyed(state: state, index: i, id: id, codingPath: codingPath + [key])
  }

  mutating func superEncoder() -> Encoder {
    StreamEncoder(state: state, depth: index, slot: state.stack.indices.contains(index) ? state.stack[index].slot : 0, codingPath: codingPath)
  }

  mutating func superEncoder(forKey key: Key) -> Encoder {
    try? begin(key)
    return StreamEncoder(state: state, depth: index + 1, slot: state.newSlot(), codingPath: codingPath + [key])
  }
}

private struct StreamUnkeyed: UnkeyedEncodingContainer {
  let state: StreamState
  let index: Int
  let id: Int
  var codingPath: [CodingKey]
  var count: Int { state.stack.indices.contains(index) && state.stack[index].id == id ? state.stack[index].count : 0 }

  private func begin() throws { try state.beginElement(index, id, codingPath: codingPath) }

  mutating func encodeNil() throws { try begin(); state.writer.write("null") }
  mutating func encode(_ value: Bool) throws { try begin(); state.writer.write(value ? "true" : "false") }
  mutating func encode(_ value: String) throws { try begin(); state.writeString(value) }
  mutating func encode(_ value: Double) throws { try begin(); state.writeDouble(value) }
  mutating func encode(_ value: Int) throws { try begin(); state.writer.write(String(value)) }
  mutating func encode<T: Encodable>(_ value: T) throws {
    try begin()
    try state.writeValue(value, depth: index + 1, codingPath: codingPath)
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
    try? begin()
    let (i, id) = state.open(object: true, slot: state.newSlot())
    return KeyedEncodingContainer(StreamKeyed<NestedKey>(state: state, index: i, id: id, codingPath: codingPath))
  }

  mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
    try? begin()
    let (i, id) = state.open(object: false, slot: state.newSlot())
    return StreamUnkeyed(state: state, index: i, id: id, codingPath: codingPath)
  }

  mutating func superEncoder() -> Encoder {
    try? begin()
    return StreamEncoder(state: state, depth: index + 1, slot: state.newSlot(), codingPath: codingPath)
  }
}

private struct StreamSingle: SingleValueEncodingContainer {
  let encoder: StreamEncoder
  var codingPath: [CodingKey] { encoder.codingPath }

  private func begin() {
    encoder.state.close(to: encoder.depth)
    encoder.state.writes += 1
  }

  mutating func encodeNil() throws { begin(); encoder.state.writer.write("null") }
  mutating func encode(_ value: Bool) throws { begin(); encoder.state.writer.write(value ? "true" : "false") }
  mutating func encode(_ value: String) throws { begin(); encoder.state.writeString(value) }
  mutating func encode(_ value: Double) throws { begin(); encoder.state.writeDouble(value) }
  mutating func encode(_ value: Int) throws { begin(); encoder.state.writer.write(String(value)) }
  mutating func encode<T: Encodable>(_ value: T) throws {
    begin()
    if encoder.state.writeScalar(value) { return }
    try value.encode(to: encoder)
  }
}
