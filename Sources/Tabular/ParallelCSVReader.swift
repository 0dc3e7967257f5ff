import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A regular file parsed in parts on several threads, giving the table a
/// single sequential pass gives.
///
/// - Parts: after the header, the file is cut near equal offsets at a line
///   break from which a few records parse with the header's field count (as
///   `fread` guesses). The guess is then checked exactly: each part stops at
///   the first record boundary at or after the next part's start, and the
///   read is accepted only if that is where the next part started. A cut
///   inside a quoted field therefore costs a sequential read, never a wrong
///   table.
/// - Types: a column whose parts disagree (numbers in one, text in another)
///   is categorical, as in one pass; the parts read as numbers are read
///   again as categories, and the dictionaries are merged.
/// - Errors: any error in any part makes the caller read the file in one
///   pass, so the error reported is the first one in the file, at its line
///   and column.
struct ParallelRead {
  let path: String
  let name: String
  let delimiter: UInt8
  let columns: Set<String>?
  let parts: Int

  /// One part's state, written by one thread at a time.
  private final class Part: @unchecked Sendable {
    let start: Int
    let limit: Int
    var builders: [ColumnBuilder] = []
    /// At most this many rows: the part's line-break bytes, plus one.
    var bound = 0
    /// Where the part's rows go in each column's storage (a direct read).
    var offset = 0
    var lines = RowLineIndex(firstLine: 1)
    var rows = 0
    /// Where the part's last record ends, and the line there (from 1 at `start`).
    var stop = 0
    var endLine = 1
    var failed = false

    init(start: Int, limit: Int) {
      self.start = start
      self.limit = limit
    }
  }

  /// The table, or `nil` when the parts did not meet at their guessed
  /// boundaries. Throws on any error in the file.
  func table() throws -> Table? {
    let head = try FileSource(path: path, displayName: name)
    guard let size = head.regularFileSize else { return nil }
    let header = DelimitedParser(source: head, name: name, delimiter: delimiter)
    guard try header.nextRecord() != nil else { return nil }
    let (names, wanted) = try CSVReader.plan(header, name: name, columns: columns)
    let dataStart = header.offset
    var bounds = [dataStart]
    for k in 1..<max(1, parts) {
      let nominal = dataStart + (size - dataStart) / parts * k
      if let b = try boundary(near: nominal, size: size, fields: names.count), b > bounds[bounds.count - 1] {
        bounds.append(b)
      }
    }
    guard bounds.count > 1 || parts == 1 else { return nil }
    bounds.append(size)
    let pieces = (0..<(bounds.count - 1)).map { Part(start: bounds[$0], limit: bounds[$0 + 1]) }
    if wanted.count <= ParallelRead.directColumns {
      return try direct(pieces, names: names, wanted: wanted, header: header)
    }
    let name = self.name
    guard try parse(pieces, fields: names.count, wanted: wanted, builders: { _ in
      wanted.map { ColumnBuilder(source: name, column: $0 + 1) }
    }) else { return nil }
    try readTextAgain(pieces, wanted: wanted) { _, c in ColumnBuilder(source: name, column: wanted[c] + 1, forceCategorical: true) }

    // Lines: each part counted from 1 at its start.
    let lines = ParallelRead.lines(pieces, header: header)
    let rows = pieces.reduce(0) { $0 + $1.rows }
    let partRows = pieces.map(\.rows)
    let offsets = ParallelRead.firstLines(pieces, header: header).map { $0 - 1 }
    var columns: [Column] = []
    columns.reserveCapacity(wanted.count)
    for c in wanted.indices {
      var builders: [ColumnBuilder] = []
      for part in pieces {
        builders.append(part.builders[c])
        part.builders[c] = ColumnBuilder(source: name, column: 0)  // release the part's copy
      }
      columns.append(ColumnBuilder.merge(&builders, rows: partRows, lineOffsets: offsets))
    }
    return CSVReader.table(name: name, names: names, wanted: wanted, columns: columns, rows: rows, lines: lines)
  }

  /// Up to this many columns are written straight into their final arrays
  /// (each column is two nested array initializers deep); wider reads use
  /// blocks and copy them once.
  static let directColumns = 64

  /// The read for up to `directColumns` columns: each part's rows are
  /// bounded by its line breaks, every column's final array is allocated
  /// with room for the bound, and each part writes its rows in place from
  /// its offset, so that each page of a column is touched once (a copy from
  /// blocks touched every page twice: on this machine half the read's time
  /// went to page faults). The parts are then moved together in place.
  private func direct(_ pieces: [Part], names: [String], wanted: [Int], header: DelimitedParser<FileSource>) throws -> Table? {
    DispatchQueue.concurrentPerform(iterations: pieces.count) { k in
      do { pieces[k].bound = try self.lineBreaks(from: pieces[k].start, to: pieces[k].limit) + 1 } catch { pieces[k].failed = true }
    }
    if pieces.contains(where: \.failed) { throw ParallelReadFailure() }
    var total = 0
    for part in pieces {
      part.offset = total
      total += part.bound
    }
    var kinds: [(numeric: Bool, levels: [String], firstNonNumeric: (line: Int, text: String)?)] = []
    var rows = 0
    var met = true
    let arrays = try ColumnStorage.with(columns: wanted.count, capacity: total) { numberPointers, codePointers in
      let name = self.name
      // Each part writes its own rows of every column: disjoint ranges.
      let storage = SharedColumns(numbers: numberPointers, codes: codePointers)
      met = try self.parse(pieces, fields: names.count, wanted: wanted) { part in
        wanted.indices.map { c in
          ColumnBuilder(source: name, column: wanted[c] + 1, numbersInto: storage.numbers[c] + part.offset,
                        codesInto: storage.codes[c] + part.offset, capacity: part.bound)
        }
      }
      if pieces.contains(where: { $0.builders.contains(where: \.overflowed) }) { met = false }
      guard met else { return (Array(repeating: 0, count: wanted.count), Array(repeating: 0, count: wanted.count)) }
      // Categories go to the same place of the codes.
      try self.readTextAgain(pieces, wanted: wanted) { part, c in
        ColumnBuilder(source: name, column: wanted[c] + 1, forceCategorical: true, numbersInto: storage.numbers[c] + part.offset,
                      codesInto: storage.codes[c] + part.offset, capacity: part.bound)
      }

      rows = pieces.reduce(0) { $0 + $1.rows }
      let lineOffsets = ParallelRead.firstLines(pieces, header: header).map { $0 - 1 }
      var counts = (numbers: [Int](), codes: [Int]())
      for c in wanted.indices {
        let kind = ColumnBuilder.mergeInPlace(pieces.map { $0.builders[c] }, rows: pieces.map(\.rows),
                                              offsets: pieces.map(\.offset), lineOffsets: lineOffsets,
                                              numbers: storage.numbers[c], codes: storage.codes[c])
        kinds.append(kind)
        counts.numbers.append(kind.numeric ? rows : 0)
        counts.codes.append(kind.numeric ? 0 : rows)
      }
      return counts
    }
    guard met else { return nil }
    var columns: [Column] = []
    for c in wanted.indices {
      columns.append(kinds[c].numeric ? .numeric(NumericColumn(values: arrays.numbers[c]))
                     : .categorical(CategoricalColumn(levels: kinds[c].levels, codes: arrays.codes[c],
                                                      firstNonNumeric: kinds[c].firstNonNumeric)))
    }
    return CSVReader.table(name: name, names: names, wanted: wanted, columns: columns, rows: rows,
                           lines: ParallelRead.lines(pieces, header: header))
  }

  /// Parses every part on its own thread into the builders `builders`
  /// makes for it; false when the parts did not meet at their boundaries.
  /// Throws on any error in any part.
  private func parse(_ pieces: [Part], fields: Int, wanted: [Int],
                     builders: @escaping @Sendable (Part) -> [ColumnBuilder]) throws -> Bool {
    DispatchQueue.concurrentPerform(iterations: pieces.count) { k in
      let part = pieces[k]
      do {
        let parser = try self.parser(from: part.start, limit: part.limit)
        part.builders = builders(part)
        part.rows = try CSVReader.parseRecords(parser, fieldCount: fields, wanted: wanted,
                                               builders: &part.builders, lines: &part.lines)
        part.stop = part.start + parser.offset
        part.endLine = parser.line
      } catch {
        part.failed = true
      }
    }
    if pieces.contains(where: \.failed) { throw ParallelReadFailure() }
    for k in 1..<pieces.count where pieces[k - 1].stop != pieces[k].start { return false }
    return true
  }

  /// Columns that hold text in any part are categorical: the parts that
  /// read them as numbers read them again as categories, into builders
  /// from `builder(part, column)`.
  private func readTextAgain(_ pieces: [Part], wanted: [Int],
                             builder: @escaping @Sendable (Part, Int) -> ColumnBuilder) throws {
    let text = wanted.indices.filter { c in pieces.contains { $0.builders[c].holdsText } }
    DispatchQueue.concurrentPerform(iterations: pieces.count) { k in
      let part = pieces[k]
      let again = text.filter { c in part.builders[c].mode == .numeric || part.builders[c].mode == .deferred }
      guard !again.isEmpty else { return }
      do {
        for c in again { part.builders[c] = builder(part, c) }
        let parser = try self.parser(from: part.start, limit: part.limit)
        try CSVReader.parseCategories(parser, wanted: wanted, again: again, builders: &part.builders)
      } catch {
        part.failed = true
      }
    }
    if pieces.contains(where: \.failed) { throw ParallelReadFailure() }
  }

  /// The file's line at the start of each part.
  private static func firstLines(_ pieces: [Part], header: DelimitedParser<FileSource>) -> [Int] {
    var firstLines = [header.line]
    for k in 1..<pieces.count { firstLines.append(firstLines[k - 1] + pieces[k - 1].endLine - 1) }
    return firstLines
  }

  /// Each row's line, from the parts' own (counted from 1 at each part's start).
  private static func lines(_ pieces: [Part], header: DelimitedParser<FileSource>) -> RowLineIndex {
    let firstLines = firstLines(pieces, header: header)
    var lines = RowLineIndex(firstLine: header.recordLine + 1)
    var rows = 0
    for (k, part) in pieces.enumerated() {
      lines.append(part.lines, rows: rows, lines: firstLines[k] - 1)
      rows += part.rows
    }
    return lines
  }

  /// The LF and CR bytes in `[start, limit)`: every record but the last of
  /// a part ends in one (blank lines and line breaks inside quotes only
  /// add to the count), so this plus one bounds the part's rows.
  private func lineBreaks(from start: Int, to limit: Int) throws -> Int {
    let source = try FileRangeSource(path: path, displayName: name, start: start)
    let capacity = 1 << 20
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    defer { buffer.deallocate() }
    var remaining = limit - start
    var count = 0
    let ones: UInt64 = 0x0101_0101_0101_0101
    let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
    let lf = ones &* 0x0A, cr = ones &* 0x0D
    // The high bit of each zero byte of x, exactly (no borrow between bytes).
    @inline(__always) func zeroBytes(_ x: UInt64) -> UInt64 { ~(((x & low7) &+ low7) | x | low7) }
    while remaining > 0 {
      let n = try source.read(into: buffer, count: min(capacity, remaining))
      if n == 0 { break }
      var i = 0
      while i + 8 <= n {
        let w = UnsafeRawPointer(buffer + i).loadUnaligned(as: UInt64.self)
        count += (zeroBytes(w ^ lf) | zeroBytes(w ^ cr)).nonzeroBitCount
        i += 8
      }
      while i < n {
        if buffer[i] == 0x0A || buffer[i] == 0x0D { count += 1 }
        i += 1
      }
      remaining -= n
    }
    return count
  }

  private func parser(from start: Int, limit: Int) throws -> DelimitedParser<FileRangeSource> {
    let parser = DelimitedParser(source: try FileRangeSource(path: path, displayName: name, start: start), name: name,
                                 delimiter: delimiter, continuing: true)
    // The parser counts offsets from its own start.
    parser.limit = limit - start
    return parser
  }

  /// A line break near `nominal` after which a few records parse with
  /// `fields` fields each; `nil` when none is found in 256 KiB.
  private func boundary(near nominal: Int, size: Int, fields: Int) throws -> Int? {
    let from = nominal - 1
    let count = min(1 << 18, size - from)
    guard count > 1 else { return nil }
    let source = try FileRangeSource(path: path, displayName: name, start: from)
    var window = [UInt8](repeating: 0, count: count)
    var filled = 0
    while filled < count {
      let n = try window.withUnsafeMutableBufferPointer { try source.read(into: $0.baseAddress! + filled, count: count - filled) }
      if n == 0 { break }
      filled += n
    }
    window.removeLast(count - filled)
    let reachesEnd = from + filled == size
    var i = 0
    for _ in 0..<64 {
      guard let lf = window[i...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
      let candidate = lf + 1
      if from + candidate >= size { return nil }
      if recordsLookWhole(Array(window[candidate...]), fields: fields, reachesEnd: reachesEnd) { return from + candidate }
      i = candidate
    }
    return nil
  }

  /// Whether up to 8 records at the start of `bytes` parse without error,
  /// each with `fields` fields (only records that end inside `bytes` count).
  private func recordsLookWhole(_ bytes: [UInt8], fields: Int, reachesEnd: Bool) -> Bool {
    let parser = DelimitedParser(source: MemorySource(bytes: bytes), name: name, delimiter: delimiter, continuing: true)
    var whole = 0
    for _ in 0..<8 {
      let found: Int?
      do { found = try parser.nextRecord() } catch { return false }
      guard let n = found else { break }
      if parser.offset >= bytes.count && !reachesEnd { break }
      if n != fields { return false }
      whole += 1
    }
    return whole > 0
  }
}

/// An error in a part of a parallel read (the sequential pass reports it).
struct ParallelReadFailure: Error {}

/// Column storage handed to the threads of a parallel read, each of which
/// writes only its own part's rows.
private struct SharedColumns: @unchecked Sendable {
  let numbers: [UnsafeMutablePointer<Double>]
  let codes: [UnsafeMutablePointer<Int32>]
}

/// Arrays written in place by a parallel read.
enum ColumnStorage {
  /// Runs `body` with storage for `capacity` numbers and `capacity` codes
  /// per column, inside the arrays that will hold them (nested array
  /// initializers: the storage is valid only during `body`). `body` returns
  /// how many leading elements of each it initialized; the arrays come back
  /// with those counts.
  static func with(columns: Int, capacity: Int,
                   _ body: ([UnsafeMutablePointer<Double>], [UnsafeMutablePointer<Int32>]) throws -> (numbers: [Int], codes: [Int]))
    throws -> (numbers: [[Double]], codes: [[Int32]]) {
    var numberPointers: [UnsafeMutablePointer<Double>] = []
    var codePointers: [UnsafeMutablePointer<Int32>] = []
    var counts = (numbers: [Int](), codes: [Int]())
    var numbers: [[Double]] = []
    var codes: [[Int32]] = []
    func open(_ c: Int) throws {
      guard c < columns else {
        counts = try body(numberPointers, codePointers)
        return
      }
      let n = try [Double](unsafeUninitializedCapacity: max(1, capacity)) { numberBuffer, numberCount in
        numberPointers.append(numberBuffer.baseAddress!)
        let k = try [Int32](unsafeUninitializedCapacity: max(1, capacity)) { codeBuffer, codeCount in
          codePointers.append(codeBuffer.baseAddress!)
          try open(c + 1)
          codeCount = counts.codes[c]
        }
        codes.append(k)
        numberCount = counts.numbers[c]
      }
      numbers.append(n)
    }
    try open(0)
    // The innermost column's arrays were finished first.
    return (numbers.reversed(), codes.reversed())
  }
}
