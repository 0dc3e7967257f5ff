#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads delimited text (CSV per RFC 4180, or TSV) into a `Table`, streaming.
///
/// - Quotes: a field may be enclosed in `"`; inside, `""` is a quote and
///   delimiters and line breaks are data. Text after a closing quote is an error.
/// - Line breaks: LF, CRLF or a lone CR end a record. A UTF-8 byte-order mark
///   at the start is skipped. Blank lines are skipped (R's `blank.lines.skip`).
/// - The first record is the header. Every later record must have as many
///   fields. An empty header name becomes `X`, `X.1`, … as R's `make.names`.
/// - Missing: an empty or blank field, `NA`, `.`, `NaN`.
/// - Dates: a column whose every value is an ISO 8601 date (`2021-03-04`) is
///   read as days since 1970-01-01, one of date-times (`2021-03-04T10:30`) as
///   seconds since 1970-01-01 00:00 (`Table.units` names the unit).
/// - Memory: the file is read in 1 MiB chunks and each column grows in 64 Ki
///   element blocks, so the peak is the parsed columns plus one column's copy.
///   A column that turns from numbers to text is read again in a second pass
///   (from the file, or from memory for standard input).
public enum CSVReader {
  /// Field separator.
  public enum Delimiter: Sendable {
    case comma, tab
    var byte: UInt8 { self == .comma ? UInt8(ascii: ",") : UInt8(ascii: "\t") }

    /// Tab for `.tsv` and `.tab` files, comma otherwise.
    public static func forPath(_ path: String) -> Delimiter {
      let lower = path.lowercased()
      return lower.hasSuffix(".tsv") || lower.hasSuffix(".tab") ? .tab : .comma
    }
  }

  /// Reads the file at `path`; `-` reads standard input. Errors name `path`.
  ///
  /// - `columns`: the names of the columns to parse (a projection); the
  ///   others are split from the record but never converted, and the table
  ///   holds only these (`headerNames` still lists the file's). `nil`: all.
  ///   A name the file does not have is not an error here; the caller's
  ///   lookup reports it with the file's names.
  /// - `parts`: how many parts of the file to parse in parallel (`1`: one
  ///   pass); `nil` chooses one per processor for a regular file of 8 MiB
  ///   or more, one pass for anything else. The
  ///   table is the one a single sequential pass builds, and an error is the
  ///   one that pass reports (at the same line and column).
  public static func read(path: String, delimiter: Delimiter? = nil, columns: Set<String>? = nil,
                          parts: Int? = nil) throws -> Table {
    let delimiter = delimiter ?? .forPath(path)
    if path == "-" {
      var bytes: [UInt8] = []
      try WholeFile.forEachChunk(path: "-", what: "standard input") { chunk in
        // A binary stream (`< /dev/zero`) is refused at its first chunk.
        if bytes.isEmpty, chunk.contains(0) {
          throw InputError(InputLocation(source: "<stdin>"), "holds NUL bytes (binary data), expected a delimited text file")
        }
        bytes.append(contentsOf: chunk)
      }
      return try read(bytes: bytes, source: "<stdin>", delimiter: delimiter, columns: columns)
    }
    let source = try FileSource(path: path, displayName: path)
    // A large regular file: in parts, one per processor (one part still
    // writes each column in place). `parts: 1` asks for one pass.
    let size = source.regularFileSize
    let large = (size ?? 0) >= parallelMinimumBytes
    let count = parts ?? (large ? processorCount : 1)
    if size != nil, count > 1 || (parts == nil && large),
       let table = try? readInParts(path: path, delimiter: delimiter, columns: columns, parts: count) {
      return table
    }
    // One pass; also the exact error when a parallel read failed.
    return try read(source: source, name: path, delimiter: delimiter, columns: columns)
  }

  /// The parallel read alone (`read` falls back to one pass when this
  /// fails): `nil` when the parts did not meet at their guessed boundaries
  /// or no boundary was found; throws on any error in the file (not
  /// necessarily the first, which one pass reports).
  public static func readInParts(path: String, delimiter: Delimiter? = nil, columns: Set<String>? = nil,
                                 parts: Int) throws -> Table? {
    try ParallelRead(path: path, name: path, delimiter: (delimiter ?? .forPath(path)).byte, columns: columns,
                     parts: parts).table()
  }

  /// Files below this size are read in one pass: 8 MiB.
  static let parallelMinimumBytes = 8 << 20

  /// Online processors (at least 1).
  static var processorCount: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

  /// Reads CSV text already in memory (tests, standard input).
  public static func read(bytes: [UInt8], source name: String, delimiter: Delimiter = .comma,
                          columns: Set<String>? = nil) throws -> Table {
    return try read(source: MemorySource(bytes: bytes), name: name, delimiter: delimiter, columns: columns)
  }

  /// The header's names and the 0-based positions of the columns to parse.
  static func plan<S>(_ parser: DelimitedParser<S>, name: String, columns: Set<String>?) throws -> (names: [String], wanted: [Int]) {
    let names = try headerNames(parser, name: name)
    guard let columns else { return (names, Array(names.indices)) }
    return (names, names.indices.filter { columns.contains(names[$0]) })
  }

  /// The table of parsed columns, with the projection noted when some were skipped.
  static func table(name: String, names: [String], wanted: [Int], columns: [Column], rows: Int,
                    lines: RowLineIndex) -> Table {
    var columns = columns
    // A column of ISO 8601 dates (or date-times) becomes numbers with a unit.
    var units = [String?](repeating: nil, count: columns.count)
    for j in columns.indices {
      if case .categorical(let c) = columns[j], let (dates, unit) = CalendarDate.column(c) {
        columns[j] = .numeric(dates)
        units[j] = unit
      }
    }
    var table = Table(source: name, names: wanted.map { names[$0] }, columns: columns, rowCount: rows, lines: lines)
    if units.contains(where: { $0 != nil }) { table.units = units }
    if wanted.count != names.count { table.projection = (names, wanted.map { $0 + 1 }) }
    return table
  }

  /// Parses records until the parser's end (or limit) into one builder per wanted column.
  static func parseRecords<S>(_ parser: DelimitedParser<S>, fieldCount: Int, wanted: [Int], builders: inout [ColumnBuilder],
                              lines: inout RowLineIndex) throws -> Int {
    var rows = 0
    try wanted.withUnsafeBufferPointer { wanted in
      try builders.withUnsafeMutableBufferPointer { builders in
        while try parser.nextRecord() != nil {
          try parser.checkFieldCount(fieldCount)
          let line = parser.recordLine
          lines.record(row: rows, line: line)
          for k in 0..<wanted.count {
            let (p, n) = parser.field(wanted[k])
            try builders[k].append(p, n, line: line)
          }
          rows += 1
        }
      }
    }
    return rows
  }

  /// Reads again, as categories, the columns `again` (indices into `wanted`)
  /// of the records the parser yields.
  static func parseCategories<S>(_ parser: DelimitedParser<S>, wanted: [Int], again: [Int],
                                 builders: inout [ColumnBuilder]) throws {
    while try parser.nextRecord() != nil {
      let line = parser.recordLine
      for k in again {
        let (p, n) = parser.field(wanted[k])
        try builders[k].append(p, n, line: line)
      }
    }
  }

  static func read<S: ByteSource>(source: S, name: String, delimiter: Delimiter, columns: Set<String>? = nil) throws -> Table {
    let parser = DelimitedParser(source: source, name: name, delimiter: delimiter.byte)
    guard try parser.nextRecord() != nil else {
      throw InputError(InputLocation(source: name), "file is empty, expected a header line")
    }
    let (names, wanted) = try plan(parser, name: name, columns: columns)
    var builders = wanted.map { ColumnBuilder(source: name, column: $0 + 1) }
    var lines = RowLineIndex(firstLine: parser.recordLine + 1)
    let rows = try parseRecords(parser, fieldCount: names.count, wanted: wanted, builders: &builders, lines: &lines)
    // Second pass for columns whose type changed from numeric to categorical.
    let deferred = builders.indices.filter { builders[$0].mode == .deferred }
    var firstText: [Int: (line: Int, text: String)] = [:]
    if !deferred.isEmpty {
      for k in deferred {
        firstText[k] = builders[k].firstNonNumeric
        builders[k] = ColumnBuilder(source: name, column: wanted[k] + 1, forceCategorical: true)
      }
      var second = parser.takeSource()
      try second.rewind()
      let again = DelimitedParser(source: second, name: name, delimiter: delimiter.byte)
      _ = try again.nextRecord()
      try parseCategories(again, wanted: wanted, again: deferred, builders: &builders)
    }
    var columns = [Column]()
    columns.reserveCapacity(wanted.count)
    for k in builders.indices {
      var column = builders[k].finish(rows: rows)
      if let first = firstText[k], case .categorical(var c) = column {
        c.firstNonNumeric = first
        column = .categorical(c)
      }
      columns.append(column)
    }
    return table(name: name, names: names, wanted: wanted, columns: columns, rows: rows, lines: lines)
  }

  private static func headerNames<S>(_ parser: DelimitedParser<S>, name: String) throws -> [String] {
    var names: [String] = []
    var seen: Set<String> = []
    var emptyCount = 0
    for j in 0..<parser.fieldCount {
      let (p, n) = parser.field(j)
      guard let decoded = String(validating: UnsafeBufferPointer(start: p, count: n), as: UTF8.self) else {
        throw InputError(InputLocation(source: name, line: parser.recordLine, column: j + 1),
                         "column name is not valid UTF-8, expected a UTF-8 encoded file")
      }
      var text = decoded.trimmingBlanks
      if text.isEmpty {
        text = emptyCount == 0 ? "X" : "X.\(emptyCount)"
        emptyCount += 1
      }
      if seen.contains(text) {
        throw InputError(InputLocation(source: name, line: parser.recordLine, column: j + 1),
                         "duplicate column name \(text.quotedForMessage), expected unique names")
      }
      seen.insert(text)
      names.append(text)
    }
    return names
  }
}

extension String {
  /// Without leading and trailing spaces and tabs.
  var trimmingBlanks: String {
    var s = Substring(self)
    while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
    while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
    return String(s)
  }
}

/// The record-level state machine. Holds a buffer with at least one whole
/// record; a record that runs past the buffer's end is re-parsed after the
/// buffer is compacted and refilled (at most once per 1 MiB chunk, so the
/// cost is negligible). A class over raw buffers: the hot loop neither copies
/// nor reference-counts anything per field.
final class DelimitedParser<Source: ByteSource> {
  private enum Outcome {
    case record(next: Int, lines: Int)
    case needMore
    case endOfInput
  }

  private var source: Source
  private let name: String
  private let delimiter: UInt8
  private var buffer: UnsafeMutablePointer<UInt8>
  private var capacity: Int
  private var end = 0          // bytes filled
  private var position = 0     // start of the next record
  private var atEOF = false
  private(set) var line = 1    // physical line at `position`
  private var base = 0         // file offset of buffer[0]
  /// Stop before a record that starts at or after this file offset (a part
  /// of a file read in parallel ends at the first record boundary there).
  var limit = Int.max
  /// The file offset of the next record (after `nextRecord`: where the
  /// record just read ends).
  var offset: Int { base + position }
  private var checkedBOM = false
  private var checkedBinary = false
  /// The longest record read (the buffer doubles up to it): 256 MiB.
  static var maximumRecordBytes: Int { 256 << 20 }
  // Field spans of the current record: start, length, flags (1 = quoted, 2 = has "").
  private var starts: UnsafeMutablePointer<Int>
  private var lengths: UnsafeMutablePointer<Int>
  private var flags: UnsafeMutablePointer<UInt8>
  private var spanCapacity = 64
  private(set) var fieldCount = 0
  private var scratch: UnsafeMutablePointer<UInt8>
  private var scratchCapacity = 256
  /// The physical line on which the current record starts.
  private(set) var recordLine = 1

  /// A parser of `source`; `continuing` when it starts at a record boundary
  /// inside a file (no byte-order mark or binary check there), with lines
  /// counted from 1 at that boundary.
  init(source: Source, name: String, delimiter: UInt8, continuing: Bool = false) {
    checkedBOM = continuing
    checkedBinary = continuing
    self.source = source
    self.name = name
    self.delimiter = delimiter
    capacity = 1 << 20
    buffer = .allocate(capacity: capacity)
    starts = .allocate(capacity: spanCapacity)
    lengths = .allocate(capacity: spanCapacity)
    flags = .allocate(capacity: spanCapacity)
    scratch = .allocate(capacity: scratchCapacity)
  }

  deinit {
    scratch.deallocate()
    buffer.deallocate()
    starts.deallocate()
    lengths.deallocate()
    flags.deallocate()
  }

  /// The source, for a second pass.
  func takeSource() -> Source { source }

  /// Advances to the next non-blank record; `nil` at the end of input.
  func nextRecord() throws -> Int? {
    while true {
      if base + position >= limit { return nil }
      switch try parseRecord() {
      case .endOfInput:
        return nil
      case .needMore:
        try refill()
      case .record(let next, let lines):
        recordLine = line
        position = next
        line += lines
        if fieldCount == 1 && lengths[0] == 0 && flags[0] == 0 { continue }  // blank line
        return fieldCount
      }
    }
  }

  func checkFieldCount(_ expected: Int) throws {
    if fieldCount != expected {
      let column = fieldCount > expected ? expected + 1 : fieldCount
      throw InputError(InputLocation(source: name, line: recordLine, column: column),
                       "expected \(expected) fields as in the header, found \(fieldCount)")
    }
  }

  /// The bytes of field `j` of the current record (quotes removed, `""`
  /// unescaped), valid until the next call.
  @inline(__always)
  func field(_ j: Int) -> (UnsafePointer<UInt8>, Int) {
    if flags[j] & 2 == 0 { return (UnsafePointer(buffer + starts[j]), lengths[j]) }
    return unescaped(j)
  }

  private func unescaped(_ j: Int) -> (UnsafePointer<UInt8>, Int) {
    if lengths[j] > scratchCapacity {
      scratch.deallocate()
      scratchCapacity = lengths[j]
      scratch = .allocate(capacity: scratchCapacity)
    }
    var i = starts[j]
    var n = 0
    let stop = starts[j] + lengths[j]
    while i < stop {
      scratch[n] = buffer[i]
      n += 1
      i += buffer[i] == UInt8(ascii: "\"") ? 2 : 1
    }
    return (UnsafePointer(scratch), n)
  }

  private func refill() throws {
    // Keep the unfinished record; grow if it fills the whole buffer.
    let keep = end - position
    if position > 0 {
      memmove(buffer, buffer + position, keep)
      base += position
      position = 0
      end = keep
    }
    if end == capacity {
      // One record filling the whole buffer: grow it, up to a bound, so
      // that a file without line breaks (or /dev/zero) ends in an error
      // rather than in growing memory.
      guard capacity < DelimitedParser.maximumRecordBytes else {
        throw InputError(InputLocation(source: name, line: line),
                         "a record longer than \(DelimitedParser.maximumRecordBytes >> 20) MiB with no line break, expected delimited text")
      }
      let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
      bigger.update(from: buffer, count: end)
      buffer.deallocate()
      buffer = bigger
      capacity *= 2
    }
    let n = try source.read(into: buffer + end, count: capacity - end)
    if n == 0 { atEOF = true }
    if !checkedBinary {
      // Text has no NUL bytes; a binary file (or a device) is refused at once.
      checkedBinary = true
      if memchr(buffer + end, 0, n) != nil {
        throw InputError(InputLocation(source: name), "holds NUL bytes (binary data), expected a delimited text file")
      }
    }
    end += n
    if !checkedBOM && (end >= 3 || atEOF) {
      if end >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF { position = 3 }
      checkedBOM = true
    }
  }

  @inline(__always)
  private func addSpan(_ start: Int, _ length: Int, _ flag: UInt8) {
    if fieldCount == spanCapacity {
      let newCapacity = spanCapacity * 2
      let s = UnsafeMutablePointer<Int>.allocate(capacity: newCapacity)
      let l = UnsafeMutablePointer<Int>.allocate(capacity: newCapacity)
      let f = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
      s.update(from: starts, count: fieldCount)
      l.update(from: lengths, count: fieldCount)
      f.update(from: flags, count: fieldCount)
      starts.deallocate(); lengths.deallocate(); flags.deallocate()
      starts = s; lengths = l; flags = f
      spanCapacity = newCapacity
    }
    starts[fieldCount] = start
    lengths[fieldCount] = length
    flags[fieldCount] = flag
    fieldCount += 1
  }

  /// The common record: unquoted fields ending in a line break, all inside
  /// the buffer, with room for its spans; `nil` sends anything else (a
  /// quote, the buffer's end, many fields) to the general loop, which
  /// starts the record again.
  @inline(__always)
  private func unquotedRecord() -> Outcome? {
    let p = buffer, end = self.end, delimiter = self.delimiter
    let starts = self.starts, lengths = self.lengths, flags = self.flags
    let capacity = spanCapacity
    var i = position
    var count = 0
    while i < end && count < capacity && p[i] != UInt8(ascii: "\"") {
      let start = i
      i = Self.structuralByte(p, from: i, end: end, delimiter: delimiter)
      if i == end { return nil }
      starts[count] = start
      lengths[count] = i - start
      flags[count] = 0
      count += 1
      let c = p[i]
      if c == delimiter {
        i += 1
        continue
      }
      if c == UInt8(ascii: "\n") {
        fieldCount = count
        return .record(next: i + 1, lines: 1)
      }
      // CR, alone or before LF.
      guard i + 1 < end else { return nil }
      fieldCount = count
      return .record(next: p[i + 1] == UInt8(ascii: "\n") ? i + 2 : i + 1, lines: 1)
    }
    return nil
  }

  /// The first delimiter, LF or CR at or after `i` (or `end`). Eight bytes
  /// at a time where eight remain: a byte equal to `c` is a zero byte of
  /// `w ^ c·0x01…01`, and the lowest byte flagged by `(x − 0x01…01) & ~x &
  /// 0x80…80` is exactly the first zero byte (false flags arise only above a
  /// true one), so the lowest flag of the three patterns is the answer.
  @inline(__always)
  static func structuralByte(_ p: UnsafeMutablePointer<UInt8>, from start: Int, end: Int, delimiter: UInt8) -> Int {
    var i = start
    #if _endian(little)
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    let d = ones &* UInt64(delimiter)
    let lf = ones &* 0x0A
    let cr = ones &* 0x0D
    while i + 8 <= end {
      let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
      let a = w ^ d, b = w ^ lf, c = w ^ cr
      let m = ((a &- ones) & ~a) | ((b &- ones) & ~b) | ((c &- ones) & ~c)
      let flags = m & highs
      if flags != 0 { return i + flags.trailingZeroBitCount >> 3 }
      i += 8
    }
    #endif
    while i < end {
      let c = p[i]
      if c == delimiter || c == 0x0A || c == 0x0D { return i }
      i += 1
    }
    return end
  }

  private func parseRecord() throws -> Outcome {
    if !checkedBOM && !atEOF { return .needMore }
    if let record = unquotedRecord() { return record }
    fieldCount = 0
    let quote = UInt8(ascii: "\"")
    let lf = UInt8(ascii: "\n")
    let cr = UInt8(ascii: "\r")
    let delimiter = self.delimiter
    let end = self.end
    let atEOF = self.atEOF
    let p = buffer
    var i = position
    var lines = 0
    while true {
      if i == end {
        if !atEOF { return .needMore }
        if fieldCount == 0 { return .endOfInput }
        addSpan(i, 0, 0)
        return .record(next: i, lines: lines)
      }
      var flag: UInt8 = 0
      let fieldStart: Int
      let fieldLength: Int
      if p[i] == quote {
        i += 1
        fieldStart = i
        flag = 1
        while true {
          if i == end {
            if !atEOF { return .needMore }
            throw InputError(InputLocation(source: name, line: line, column: fieldCount + 1),
                             "unterminated quoted field, expected a closing '\"' before the end of the file")
          }
          let c = p[i]
          if c == quote {
            if i + 1 == end && !atEOF { return .needMore }
            if i + 1 < end && p[i + 1] == quote {
              flag |= 2
              i += 2
              continue
            }
            break
          }
          if c == lf { lines += 1 }
          i += 1
        }
        fieldLength = i - fieldStart
        i += 1  // closing quote
        if i < end {
          let c = p[i]
          if c != delimiter && c != lf && c != cr {
            addSpan(fieldStart, fieldLength, flag)
            throw InputError(InputLocation(source: name, line: line + lines, column: fieldCount),
                             "unexpected character \(String(decoding: [c], as: UTF8.self).quotedForMessage) after a closing quote, expected a delimiter or the end of the line")
          }
        }
      } else {
        fieldStart = i
        i = Self.structuralByte(p, from: i, end: end, delimiter: delimiter)
        if i == end && !atEOF { return .needMore }
        fieldLength = i - fieldStart
      }
      addSpan(fieldStart, fieldLength, flag)
      // After a field: a delimiter starts another, a line break or the end finishes the record.
      if i == end { return atEOF ? .record(next: i, lines: lines) : .needMore }
      let c = p[i]
      if c == delimiter { i += 1; continue }
      if c == lf { return .record(next: i + 1, lines: lines + 1) }
      // c == cr
      if i + 1 == end && !atEOF { return .needMore }
      if i + 1 < end && p[i + 1] == lf { return .record(next: i + 2, lines: lines + 1) }
      return .record(next: i + 1, lines: lines + 1)
    }
  }
}
