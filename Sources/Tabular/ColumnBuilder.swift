/// An append-only array kept in fixed-size blocks, so that growing it never
/// holds an old and a new copy of everything at once (a `[Double]` doubling
/// its capacity briefly needs three times its size). `finish()` moves the
/// blocks into one exactly-sized array, freeing each block as it goes.
///
/// A class over raw blocks: an append is a bounds check and a store, with
/// no uniqueness check of a copy-on-write buffer (the reader's innermost
/// loop). Elements are trivial types (numbers, codes).
final class BlockArray<Element: BitwiseCopyable> {
  private static var blockSize: Int { 1 << 16 }
  private var full: [UnsafeMutablePointer<Element>] = []
  private var current: UnsafeMutablePointer<Element>
  private var currentCount = 0
  private var currentCapacity: Int
  /// Writing into memory owned by someone else, of a fixed capacity.
  private let external: Bool
  /// An append beyond an external region's capacity was dropped.
  private(set) var overflowed = false
  var count: Int { full.count * Self.blockSize + currentCount }

  init() {
    // The first block grows as an array does (a file of a million columns
    // and a few rows stays small); later blocks are allocated whole.
    currentCapacity = 16
    current = .allocate(capacity: currentCapacity)
    external = false
  }

  /// Appends go to `pointer[0..<capacity]` (the final column's own storage);
  /// one more is dropped and marks the array `overflowed`.
  init(writingInto pointer: UnsafeMutablePointer<Element>, capacity: Int) {
    current = pointer
    currentCapacity = capacity
    external = true
  }

  deinit {
    for block in full { block.deallocate() }
    if !external { current.deallocate() }
  }

  @inline(__always)
  func append(_ x: Element) {
    if currentCount == currentCapacity {
      guard grow() else { return }
    }
    current[currentCount] = x
    currentCount += 1
  }

  private func grow() -> Bool {
    if external {
      overflowed = true
      return false
    }
    if currentCapacity < Self.blockSize {
      let bigger = UnsafeMutablePointer<Element>.allocate(capacity: currentCapacity * 2)
      bigger.update(from: current, count: currentCount)
      current.deallocate()
      current = bigger
      currentCapacity *= 2
    } else {
      full.append(current)
      current = .allocate(capacity: Self.blockSize)
      currentCount = 0
    }
    return true
  }

  func append(_ x: Element, times: Int) {
    for _ in 0..<times { append(x) }
  }

  /// Moves the elements to the end of `out`, freeing each block as it goes;
  /// the array is empty afterwards. Not for an external region.
  func drain(into out: inout [Element]) {
    precondition(!external, "an external region is its owner's")
    for k in full.indices {
      out.append(contentsOf: UnsafeBufferPointer(start: full[k], count: Self.blockSize))
      full[k].deallocate()
    }
    full = []
    out.append(contentsOf: UnsafeBufferPointer(start: current, count: currentCount))
    current.deallocate()
    currentCapacity = 16
    current = .allocate(capacity: currentCapacity)
    currentCount = 0
  }

  /// Forgets every element (an external region is left to its owner).
  func discard() {
    for block in full { block.deallocate() }
    full = []
    currentCount = 0
  }

  /// Calls `body` with every element in order.
  func forEach(_ body: (Element) -> Void) {
    for block in full { for k in 0..<Self.blockSize { body(block[k]) } }
    for k in 0..<currentCount { body(current[k]) }
  }

  /// The elements as one array; the blocks are freed.
  func finish() -> [Element] {
    var out: [Element] = []
    out.reserveCapacity(count)
    drain(into: &out)
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
      // Most fields of a numeric column are plain numbers: parse them
      // straight away; blanks, missing spellings and text take the full rules.
      if n > 0 {
        if let v = NumberParser.plainDecimal(p, n) ?? (p[0] != 0x20 && p[0] != 0x09 ? NumberParser.parseDecimal(p, n) : nil) {
          numbers.append(v)
          return
        }
      }
      switch NumberParser.classify(p, n) {
      case .missing: numbers.append(.nan)
      case .number(let v): numbers.append(v)
      case .text:
        firstNonNumeric = (line, try decode(p, n, line: line))
        numbers.discard()
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

  /// A builder that writes its numbers and codes straight into a column's
  /// final storage (room for `capacity` rows each): a parallel read whose
  /// row count is bounded beforehand touches each page of a column once.
  init(source: String, column: Int, forceCategorical: Bool = false, numbersInto numbers: UnsafeMutablePointer<Double>,
       codesInto codes: UnsafeMutablePointer<Int32>, capacity: Int) {
    self.init(source: source, column: column, forceCategorical: forceCategorical)
    self.numbers = BlockArray(writingInto: numbers, capacity: capacity)
    self.codes = BlockArray(writingInto: codes, capacity: capacity)
  }

  /// An append went beyond the storage given to `init(…numbersInto:…)`.
  var overflowed: Bool { numbers.overflowed || codes.overflowed }

  /// One column from parts that wrote straight into its storage, part `k`
  /// from `offsets[k]` (`rows[k]` rows): the parts are moved together and
  /// the codes renumbered in place. Every part is numeric or all missing,
  /// or categorical or all missing (as for `merge`). Returns the column
  /// kind, levels and first non-numeric cell; the rows are the first
  /// `rows.reduce(0, +)` elements of `numbers` (numeric) or `codes`.
  static func mergeInPlace(_ parts: [ColumnBuilder], rows: [Int], offsets: [Int], lineOffsets: [Int],
                           numbers: UnsafeMutablePointer<Double>, codes: UnsafeMutablePointer<Int32>)
    -> (numeric: Bool, levels: [String], firstNonNumeric: (line: Int, text: String)?) {
    var at = 0
    if !parts.contains(where: \.holdsText) {
      for k in parts.indices {
        // Earlier parts end at or before `offsets[k]`, so moving down never
        // overwrites rows not yet moved.
        if parts[k].mode == .numeric {
          if at != offsets[k] { memmove(numbers + at, numbers + offsets[k], rows[k] * MemoryLayout<Double>.stride) }
        } else {
          (numbers + at).initialize(repeating: .nan, count: rows[k])
        }
        at += rows[k]
      }
      return (true, [], nil)
    }
    var merged = ColumnBuilder(source: parts[0].source, column: parts[0].column, forceCategorical: true)
    for k in parts.indices {
      if parts[k].mode == .undetermined {
        (codes + at).initialize(repeating: -1, count: rows[k])
        at += rows[k]
        continue
      }
      let remap = merged.adopt(parts[k], lineOffset: lineOffsets[k])
      for i in 0..<rows[k] {
        let c = codes[offsets[k] + i]
        codes[at + i] = c < 0 ? -1 : remap[Int(c)]
      }
      at += rows[k]
    }
    let (levels, sorted) = merged.sortedLevels()
    for i in 0..<at where codes[i] >= 0 { codes[i] = sorted[Int(codes[i])] }
    return (false, levels, merged.firstNonNumeric)
  }

  /// Whether the column holds a value that is not a number (it ends categorical).
  var holdsText: Bool { mode == .categorical || mode == .deferred }

  /// One column from the builders of consecutive parts of a file, read in
  /// parallel: the column the sequential reader builds from the whole file.
  /// Every part must be numeric or all missing, or categorical or all
  /// missing (parts that were numeric in a column that holds text are read
  /// again as categorical first); `lineOffsets[k]` turns part `k`'s line
  /// numbers into the file's.
  static func merge(_ parts: inout [ColumnBuilder], rows: [Int], lineOffsets: [Int]) -> Column {
    let total = rows.reduce(0, +)
    if !parts.contains(where: \.holdsText) {
      guard parts.contains(where: { $0.mode == .numeric }) else {
        return .numeric(NumericColumn(values: Array(repeating: .nan, count: total)))
      }
      var values: [Double] = []
      values.reserveCapacity(total)
      for k in parts.indices {
        if parts[k].mode == .numeric {
          parts[k].numbers.drain(into: &values)
        } else {
          values.append(contentsOf: repeatElement(.nan, count: rows[k]))
        }
      }
      return .numeric(NumericColumn(values: values))
    }
    var merged = ColumnBuilder(source: parts[0].source, column: parts[0].column, forceCategorical: true)
    var codes: [Int32] = []
    codes.reserveCapacity(total)
    for k in parts.indices {
      if parts[k].mode == .undetermined {
        codes.append(contentsOf: repeatElement(-1, count: rows[k]))
        continue
      }
      precondition(parts[k].mode == .categorical, "parts read again as categorical before merging")
      let remap = merged.adopt(parts[k], lineOffset: lineOffsets[k])
      parts[k].codes.forEach { c in codes.append(c < 0 ? -1 : remap[Int(c)]) }
      parts[k].codes = BlockArray()
    }
    merged.codes = BlockArray()
    return merged.categorical(codes: codes)
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
      return categorical(codes: codes.finish())
    }
  }

  /// Categories with levels in byte order, from codes in order of first appearance.
  private func categorical(codes: [Int32]) -> Column {
    let (levels, remap) = sortedLevels()
    var finished = codes
    for i in finished.indices where finished[i] >= 0 { finished[i] = remap[Int(finished[i])] }
    return .categorical(CategoricalColumn(levels: levels, codes: finished, firstNonNumeric: firstNonNumeric))
  }

  /// The levels in byte order, and for each code (order of first
  /// appearance) its code among them.
  private func sortedLevels() -> (levels: [String], newCode: [Int32]) {
    let raw = dictionary.levels.map { String(decoding: $0, as: UTF8.self) }
    let order = raw.indices.sorted { byteOrderPrecedes(raw[$0], raw[$1]) }
    var newCode = [Int32](repeating: 0, count: raw.count)
    for (code, old) in order.enumerated() { newCode[old] = Int32(code) }
    return (order.map { raw[$0] }, newCode)
  }

  /// Adds the levels of `part` (a later part of the same column) to this
  /// builder's dictionary and returns the code here of each of the part's
  /// codes; the part's first non-numeric cell counts if none came before.
  private mutating func adopt(_ part: ColumnBuilder, lineOffset: Int) -> [Int32] {
    if firstNonNumeric == nil, let first = part.firstNonNumeric { firstNonNumeric = (first.line + lineOffset, first.text) }
    return part.dictionary.levels.map { level in
      level.withUnsafeBufferPointer { dictionary.code($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count).code }
    }
  }
}
