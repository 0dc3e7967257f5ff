/// An append-only array kept in fixed-size blocks, so that growing it never
/// holds an old and a new copy of everything at once (a `[Double]` doubling
/// its capacity briefly needs three times its size). `finish()` moves the
/// blocks into one exactly-sized array, freeing each block as it goes.
struct BlockArray<Element> {
  private static var blockSize: Int { 1 << 16 }
  private var full: [[Element]] = []
  private var current: [Element] = []
  var count: Int { full.count * Self.blockSize + current.count }

  @inline(__always)
  mutating func append(_ x: Element) {
    if current.count == Self.blockSize {
      full.append(current)
      current = []
    }
    // The first block grows as an array does (a file of a million columns
    // and a few rows stays small); later blocks are reserved whole.
    if current.isEmpty && !full.isEmpty { current.reserveCapacity(Self.blockSize) }
    current.append(x)
  }

  mutating func append(_ x: Element, times: Int) {
    for _ in 0..<times { append(x) }
  }

  mutating func finish() -> [Element] {
    var out: [Element] = []
    out.reserveCapacity(count)
    for k in full.indices {
      out.append(contentsOf: full[k])
      full[k] = []
    }
    out.append(contentsOf: current)
    full = []
    current = []
    return out
  }
}

/// Distinct byte strings → dense codes, by open addressing on an FNV-1a hash.
/// Looks up a field straight from the read buffer without allocating.
public struct LevelDictionary: Sendable {
  public private(set) var levels: [[UInt8]] = []
  private var hashes: [UInt64] = []
  private var slots: [Int32] = Array(repeating: -1, count: 64)

  private static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for i in 0..<n {
      h ^= UInt64(p[i])
      h = h &* 0x0000_0100_0000_01b3
    }
    return h
  }

  public init() {}

  /// The code of the bytes, and whether they were new.
  public mutating func code(_ p: UnsafePointer<UInt8>, _ n: Int) -> (code: Int32, isNew: Bool) {
    let h = Self.hash(p, n)
    let mask = slots.count - 1
    var s = Int(truncatingIfNeeded: h) & mask
    while true {
      let c = slots[s]
      if c < 0 { break }
      if hashes[Int(c)] == h && levels[Int(c)].withUnsafeBufferPointer({ lp in
        lp.count == n && (n == 0 || (n <= 8 ? (0..<n).allSatisfy { lp[$0] == p[$0] } : memcmp(lp.baseAddress!, p, n) == 0))
      }) {
        return (c, false)
      }
      s = (s + 1) & mask
    }
    let code = Int32(levels.count)
    levels.append(Array(UnsafeBufferPointer(start: p, count: n)))
    hashes.append(h)
    slots[s] = code
    if levels.count * 2 > slots.count { rehash() }
    return (code, true)
  }

  private mutating func rehash() {
    slots = Array(repeating: -1, count: slots.count * 2)
    let mask = slots.count - 1
    for (c, h) in hashes.enumerated() {
      var s = Int(truncatingIfNeeded: h) & mask
      while slots[s] >= 0 { s = (s + 1) & mask }
      slots[s] = Int32(c)
    }
  }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds one column while the file streams past, deciding its type as it goes.
struct ColumnBuilder {
  enum Mode {
    /// Only missing values so far.
    case undetermined
    case numeric
    case categorical
    /// Numbers first, then text: the column is categorical, but the earlier
    /// numbers' original spelling is gone, so a second pass reads it again.
    case deferred
  }

  private(set) var mode: Mode
  private let source: String
  private let column: Int
  private var leadingMissing = 0
  private var numbers = BlockArray<Double>()
  private var codes = BlockArray<Int32>()
  private var dictionary = LevelDictionary()
  private(set) var firstNonNumeric: (line: Int, text: String)?

  /// A builder for field `column` (1-based) of `source`, for error messages.
  init(source: String, column: Int, forceCategorical: Bool = false) {
    self.source = source
    self.column = column
    mode = forceCategorical ? .categorical : .undetermined
  }

  /// Adds one field. Throws only for text that is not valid UTF-8.
  @inline(__always)
  mutating func append(_ p: UnsafePointer<UInt8>, _ n: Int, line: Int) throws {
    switch mode {
    case .deferred:
      return
    case .categorical:
      try appendCategory(p, n, line: line)
    case .numeric:
      switch NumberParser.classify(p, n) {
      case .missing: numbers.append(.nan)
      case .number(let v): numbers.append(v)
      case .text:
        firstNonNumeric = (line, try decode(p, n, line: line))
        _ = numbers.finish()
        mode = .deferred
      }
    case .undetermined:
      switch NumberParser.classify(p, n) {
      case .missing: leadingMissing += 1
      case .number(let v):
        mode = .numeric
        numbers.append(.nan, times: leadingMissing)
        numbers.append(v)
      case .text:
        mode = .categorical
        codes.append(-1, times: leadingMissing)
        try appendCategory(p, n, line: line)
      }
    }
  }

  private mutating func appendCategory(_ p: UnsafePointer<UInt8>, _ n: Int, line: Int) throws {
    if NumberParser.isMissing(p, n) {
      codes.append(-1)
      return
    }
    let (code, isNew) = dictionary.code(p, n)
    if isNew {
      let text = try decode(p, n, line: line)
      if firstNonNumeric == nil, case .text = NumberParser.classify(p, n) { firstNonNumeric = (line, text) }
    }
    codes.append(code)
  }

  private func decode(_ p: UnsafePointer<UInt8>, _ n: Int, line: Int) throws -> String {
    guard let s = String(validating: UnsafeBufferPointer(start: p, count: n), as: UTF8.self) else {
      throw InputError(InputLocation(source: source, line: line, column: column),
                       "text is not valid UTF-8, expected a UTF-8 encoded file")
    }
    return s
  }

  /// The finished column; `rows` is the number of data records seen.
  mutating func finish(rows: Int) -> Column {
    switch mode {
    case .undetermined, .deferred:
      // All missing: numeric (R reads an all-NA column as logical NA; a
      // numeric column of missing values behaves the same in a model frame).
      return .numeric(NumericColumn(values: Array(repeating: .nan, count: rows)))
    case .numeric:
      return .numeric(NumericColumn(values: numbers.finish()))
    case .categorical:
      let raw = dictionary.levels.map { String(decoding: $0, as: UTF8.self) }
      let order = raw.indices.sorted { byteOrderPrecedes(raw[$0], raw[$1]) }
      var remap = [Int32](repeating: 0, count: raw.count)
      for (newCode, oldCode) in order.enumerated() { remap[oldCode] = Int32(newCode) }
      var finished = codes.finish()
      for i in finished.indices where finished[i] >= 0 { finished[i] = remap[Int(finished[i])] }
      return .categorical(CategoricalColumn(levels: order.map { raw[$0] }, codes: finished,
                                            firstNonNumeric: firstNonNumeric))
    }
  }
}
