import Dispatch
import Foundation

/// Encodes an `Encodable` value straight to a `ByteWriter` as compact JSON,
/// the same bytes as `JSONValueEncoder` + `JSONValue.serialized()` but in
/// one pass and constant memory: a 10⁷-step Kaplan–Meier curve is written
/// as it is encoded, never held as a tree.
///
/// `Encodable` has no "end of container" call, so containers are closed
/// lazily: writing into a container first closes every container opened
/// deeper than it. A container written to after a deeper write closed it
/// (interleaving two sibling containers) is a programmer error, reported
/// as an `EncodingError`. Coding paths are not tracked (they would cost an
/// allocation per value); errors name no path.
public enum JSONStreamEncoder {
  public static func encode<T: Encodable>(_ value: T, to writer: ByteWriter) throws {
    let state = StreamState(writer)
    defer { state.release() }
    let root = StreamEncoder(state: state, depth: 0, slot: state.newSlot())
    let before = state.writes
    try value.encode(to: root)
    if state.writes == before { writer.write("{}" as StaticString) }
    state.close(to: 0)
  }
}

/// The open containers, kept in raw memory: the hot path takes no array
/// bounds or exclusivity checks.
final class StreamState {
  struct Frame {
    var isObject: Bool
    var count: Int
    var id: Int
    /// The value slot the container belongs to (so an envelope and its
    /// content share one object).
    var slot: Int
  }

  let writer: ByteWriter
  private var frames: UnsafeMutablePointer<Frame>
  private var capacity = 16
  private(set) var depth = 0
  private var nextID = 0
  /// Bumped on every write, to see whether a value wrote anything.
  var writes = 0

  init(_ writer: ByteWriter) {
    self.writer = writer
    frames = .allocate(capacity: capacity)
  }

  func release() { frames.deallocate() }

  func newSlot() -> Int {
    nextID &+= 1
    return nextID
  }

  func frame(_ index: Int) -> Frame? { index < depth ? frames[index] : nil }

  /// Closes containers until `target` remain open.
  @inline(__always)
  func close(to target: Int) {
    while depth > target {
      depth -= 1
      writer.write(byte: frames[depth].isObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
    }
  }

  func open(object: Bool, slot: Int) -> (index: Int, id: Int) {
    writer.write(byte: object ? UInt8(ascii: "{") : UInt8(ascii: "["))
    writes &+= 1
    nextID &+= 1
    if depth == capacity {
      let bigger = UnsafeMutablePointer<Frame>.allocate(capacity: capacity * 2)
      bigger.moveInitialize(from: frames, count: depth)
      frames.deallocate()
      frames = bigger
      capacity *= 2
    }
    (frames + depth).initialize(to: Frame(isObject: object, count: 0, id: nextID, slot: slot))
    depth += 1
    return (depth - 1, nextID)
  }

  /// Before writing an element into the container at `index`: closes deeper
  /// containers, checks it is still open, writes the comma.
  @inline(__always)
  func beginElement(_ index: Int, _ id: Int) throws {
    close(to: index + 1)
    guard depth == index + 1, frames[index].id == id else {
      throw EncodingError.invalidValue(0, EncodingError.Context(
        codingPath: [], debugDescription: "a JSON container was written to after a sibling closed it"))
    }
    if frames[index].count > 0 { writer.write(byte: UInt8(ascii: ",")) }
    frames[index].count += 1
    writes &+= 1
  }

  @inline(__always)
  func writeKey(_ key: String) {
    writeString(key)
    writer.write(byte: UInt8(ascii: ":"))
  }

  func writeString(_ s: String) {
    var s = s
    s.withUTF8 { bytes in
      writer.write(byte: UInt8(ascii: "\""))
      var plain = true
      for b in bytes where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { plain = false; break }
      if plain {
        writer.write(bytes: UnsafeRawBufferPointer(bytes))
      } else {
        var escaped = ""
        JSONValue.writeString(String(decoding: bytes, as: UTF8.self), to: &escaped, quoted: false)
        writer.write(escaped)
      }
      writer.write(byte: UInt8(ascii: "\""))
    }
  }

  @inline(__always)
  func writeDouble(_ d: Double) { writer.writeJSONNumber(d) }

  /// Writes a scalar without its own `encode(to:)`; `false` when `value` is not one.
  @inline(__always)
  func writeScalar<T: Encodable>(_ value: T) -> Bool {
    if T.self == Double.self { writeDouble(unsafeBitCast(value, to: Double.self)); return true }
    if T.self == Int.self { writer.writeInteger(Int64(unsafeBitCast(value, to: Int.self))); return true }
    if T.self == String.self { writeString(unsafeBitCast(value, to: String.self)); return true }
    if T.self == Bool.self { writer.write(unsafeBitCast(value, to: Bool.self) ? "true" : "false" as StaticString); return true }
    if T.self == Double?.self {
      if let d = unsafeBitCast(value, to: Double?.self) { writeDouble(d) } else { writer.write("null" as StaticString) }
      return true
    }
    if T.self == Int?.self {
      if let i = unsafeBitCast(value, to: Int?.self) { writer.writeInteger(Int64(i)) } else { writer.write("null" as StaticString) }
      return true
    }
    if T.self == String?.self {
      if let s = unsafeBitCast(value, to: String?.self) { writeString(s) } else { writer.write("null" as StaticString) }
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
  @inline(__always)
  func writeValue<T: Encodable>(_ value: T, depth: Int) throws {
    if writeScalar(value) { return }
    if let records = value as? any JSONRecordArray {
      close(to: depth)
      records.writeJSONRecords(to: writer)
      writes &+= 1
      return
    }
    let child = StreamEncoder(state: self, depth: depth, slot: newSlot())
    let before = writes
    try value.encode(to: child)
    if writes == before { writer.write("{}" as StaticString) }
  }
}

struct StreamEncoder: Encoder {
  let state: StreamState
  /// The stack index this value's container takes.
  let depth: Int
  let slot: Int
  var codingPath: [CodingKey] { [] }
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    // The same value asking again (an envelope, then its content): one object.
    if let frame = state.frame(depth), frame.isObject, frame.slot == slot {
      state.close(to: depth + 1)
      return KeyedEncodingContainer(StreamKeyed<Key>(state: state, index: depth, id: frame.id))
    }
    state.close(to: depth)
    let (index, id) = state.open(object: true, slot: slot)
    return KeyedEncodingContainer(StreamKeyed<Key>(state: state, index: index, id: id))
  }

  func unkeyedContainer() -> UnkeyedEncodingContainer {
    state.close(to: depth)
    let (index, id) = state.open(object: false, slot: slot)
    return StreamUnkeyed(state: state, index: index, id: id)
  }

  func singleValueContainer() -> SingleValueEncodingContainer {
    StreamSingle(encoder: self)
  }
}

private struct StreamKeyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
  let state: StreamState
  let index: Int
  let id: Int
  var codingPath: [CodingKey] { [] }

  @inline(__always)
  private func begin(_ key: Key) throws {
    try state.beginElement(index, id)
    state.writeKey(key.stringValue)
  }

  mutating func encodeNil(forKey key: Key) throws { try begin(key); state.writer.write("null" as StaticString) }
  mutating func encode(_ value: Bool, forKey key: Key) throws { try begin(key); state.writer.write(value ? "true" : "false" as StaticString) }
  mutating func encode(_ value: String, forKey key: Key) throws { try begin(key); state.writeString(value) }
  mutating func encode(_ value: Double, forKey key: Key) throws { try begin(key); state.writeDouble(value) }
  mutating func encode(_ value: Int, forKey key: Key) throws { try begin(key); state.writer.writeInteger(Int64(value)) }

  mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
    try begin(key)
    try state.writeValue(value, depth: index + 1)
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
    // Encoding errors cannot be thrown here; a misuse is caught at the next write.
    try? begin(key)
    let (i, id) = state.open(object: true, slot: state.newSlot())
    return KeyedEncodingContainer(StreamKeyed<NestedKey>(state: state, index: i, id: id))
  }

  mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
    try? begin(key)
    let (i, id) = state.open(object: false, slot: state.newSlot())
    return StreamUnkeyed(state: state, index: i, id: id)
  }

  mutating func superEncoder() -> Encoder {
    StreamEncoder(state: state, depth: index, slot: state.frame(index)?.slot ?? 0)
  }

  mutating func superEncoder(forKey key: Key) -> Encoder {
    try? begin(key)
    return StreamEncoder(state: state, depth: index + 1, slot: state.newSlot())
  }
}

private struct StreamUnkeyed: UnkeyedEncodingContainer {
  let state: StreamState
  let index: Int
  let id: Int
  var codingPath: [CodingKey] { [] }
  var count: Int { state.frame(index).map { $0.id == id ? $0.count : 0 } ?? 0 }

  @inline(__always)
  private func begin() throws { try state.beginElement(index, id) }

  mutating func encodeNil() throws { try begin(); state.writer.write("null" as StaticString) }
  mutating func encode(_ value: Bool) throws { try begin(); state.writer.write(value ? "true" : "false" as StaticString) }
  mutating func encode(_ value: String) throws { try begin(); state.writeString(value) }
  mutating func encode(_ value: Double) throws { try begin(); state.writeDouble(value) }
  mutating func encode(_ value: Int) throws { try begin(); state.writer.writeInteger(Int64(value)) }
  mutating func encode<T: Encodable>(_ value: T) throws {
    try begin()
    try state.writeValue(value, depth: index + 1)
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
    try? begin()
    let (i, id) = state.open(object: true, slot: state.newSlot())
    return KeyedEncodingContainer(StreamKeyed<NestedKey>(state: state, index: i, id: id))
  }

  mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
    try? begin()
    let (i, id) = state.open(object: false, slot: state.newSlot())
    return StreamUnkeyed(state: state, index: i, id: id)
  }

  mutating func superEncoder() -> Encoder {
    try? begin()
    return StreamEncoder(state: state, depth: index + 1, slot: state.newSlot())
  }
}

private struct StreamSingle: SingleValueEncodingContainer {
  let encoder: StreamEncoder
  var codingPath: [CodingKey] { [] }

  private func begin() {
    encoder.state.close(to: encoder.depth)
    encoder.state.writes &+= 1
  }

  mutating func encodeNil() throws { begin(); encoder.state.writer.write("null" as StaticString) }
  mutating func encode(_ value: Bool) throws { begin(); encoder.state.writer.write(value ? "true" : "false" as StaticString) }
  mutating func encode(_ value: String) throws { begin(); encoder.state.writeString(value) }
  mutating func encode(_ value: Double) throws { begin(); encoder.state.writeDouble(value) }
  mutating func encode(_ value: Int) throws { begin(); encoder.state.writer.writeInteger(Int64(value)) }
  mutating func encode<T: Encodable>(_ value: T) throws {
    begin()
    if encoder.state.writeScalar(value) { return }
    try value.encode(to: encoder)
  }
}

/// A value that results hold by the million (a curve's steps) and that writes
/// its JSON object itself, skipping `Encodable`'s dynamic dispatch per field.
/// Its keys and values must be those its `encode(to:)` writes: a test
/// compares the two for every conforming type.
public protocol JSONRecord: Encodable {
  func writeJSON(to record: inout JSONRecordWriter)
}

/// Writes the fields of one `JSONRecord` object.
public struct JSONRecordWriter {
  let writer: ByteWriter
  var first = true

  @inline(__always)
  mutating func key(_ key: String) {
    if !first { writer.write(byte: UInt8(ascii: ",")) }
    first = false
    writer.write(byte: UInt8(ascii: "\""))
    writer.write(key)
    writer.write("\":" as StaticString)
  }

  /// A number field; the key is the type's coding key (`CodingKeys.time.stringValue`).
  public mutating func field(_ key: String, _ value: Double) {
    self.key(key)
    writer.writeJSONNumber(value)
  }

  public mutating func field(_ key: String, _ value: Int) {
    self.key(key)
    writer.writeInteger(Int64(value))
  }
}

/// Arrays of records are written element by element without `Encodable`.
protocol JSONRecordArray {
  func writeJSONRecords(to writer: ByteWriter)
}

extension Array: JSONRecordArray where Element: JSONRecord {
  /// Records formatted on every core, in chunks written out in order: a
  /// round holds `JSONRecordChunks.round` chunks in memory at most.
  func writeJSONRecords(to writer: ByteWriter) {
    writer.write(byte: UInt8(ascii: "["))
    let chunk = JSONRecordChunks.size
    if count < 2 * chunk {
      writeRecords(0..<count, to: writer)
    } else {
      let chunks = (count + chunk - 1) / chunk
      var next = 0
      while next < chunks {
        let round = Swift.min(JSONRecordChunks.round, chunks - next)
        let outputs = JSONRecordChunks.Outputs(round)
        let first = next, total = count
        self.withUnsafeBufferPointer { buffer in
          let records = JSONRecordChunks.Shared(buffer: buffer)
          DispatchQueue.concurrentPerform(iterations: round) { k in
            let c = first + k
            let range = (c * chunk)..<Swift.min(total, (c + 1) * chunk)
            let local = ByteWriter(memoryCapacity: 1 << 20)
            if c > 0 { local.write(byte: UInt8(ascii: ",")) }
            Self.writeRecords(records.buffer, range, to: local)
            outputs.set(k, local.takeBytes())
          }
        }
        for k in 0..<round { outputs.get(k).withUnsafeBytes { writer.write(bytes: $0) } }
        next += round
      }
    }
    writer.write(byte: UInt8(ascii: "]"))
  }

  private func writeRecords(_ range: Range<Int>, to writer: ByteWriter) {
    withUnsafeBufferPointer { Self.writeRecords($0, range, to: writer) }
  }

  private static func writeRecords(_ records: UnsafeBufferPointer<Element>, _ range: Range<Int>, to writer: ByteWriter) {
    for k in range {
      if k > range.lowerBound { writer.write(byte: UInt8(ascii: ",")) }
      writer.write(byte: UInt8(ascii: "{"))
      var record = JSONRecordWriter(writer: writer)
      records[k].writeJSON(to: &record)
      writer.write(byte: UInt8(ascii: "}"))
    }
  }
}

/// How records are split between cores.
enum JSONRecordChunks {
  /// Records per chunk (about 15 MB of a curve's JSON).
  static let size = 65_536
  /// Chunks formatted at once before they are written.
  static let round = 8

  /// The records, read (never written) by every worker.
  struct Shared<Element>: @unchecked Sendable {
    let buffer: UnsafeBufferPointer<Element>
  }

  /// Each worker's bytes, in its own slot.
  final class Outputs: @unchecked Sendable {
    private var slots: [[UInt8]]
    private let lock = NSLock()
    init(_ n: Int) { slots = Array(repeating: [], count: n) }
    func set(_ k: Int, _ bytes: [UInt8]) { lock.lock(); slots[k] = bytes; lock.unlock() }
    func get(_ k: Int) -> [UInt8] { lock.lock(); defer { lock.unlock() }; return slots[k] }
  }
}
