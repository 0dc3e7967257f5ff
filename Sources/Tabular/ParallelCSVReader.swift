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
    guard bounds.count > 1 else { return nil }
    bounds.append(size)
    let pieces = (0..<(bounds.count - 1)).map { Part(start: bounds[$0], limit: bounds[$0 + 1]) }
    let source = ColumnBuilderSource(name: name, wanted: wanted)
    DispatchQueue.concurrentPerform(iterations: pieces.count) { k in
      let part = pieces[k]
      do {
        let parser = try self.parser(from: part.start, limit: part.limit)
        part.builders = source.builders()
        part.rows = try CSVReader.parseRecords(parser, fieldCount: names.count, wanted: wanted,
                                               builders: &part.builders, lines: &part.lines)
        part.stop = part.start + parser.offset
        part.endLine = parser.line
      } catch {
        part.failed = true
      }
    }
    if pieces.contains(where: \.failed) { throw ParallelReadFailure() }
    for k in 1..<pieces.count where pieces[k - 1].stop != pieces[k].start { return nil }

    // Columns that hold text anywhere are categorical: parts that read them
    // as numbers read them again as categories.
    let text = wanted.indices.filter { c in pieces.contains { $0.builders[c].holdsText } }
    DispatchQueue.concurrentPerform(iterations: pieces.count) { k in
      let part = pieces[k]
      let again = text.filter { c in part.builders[c].mode == .numeric || part.builders[c].mode == .deferred }
      guard !again.isEmpty else { return }
      do {
        for c in again { part.builders[c] = ColumnBuilder(source: name, column: wanted[c] + 1, forceCategorical: true) }
        let parser = try self.parser(from: part.start, limit: part.limit)
        try CSVReader.parseCategories(parser, wanted: wanted, again: again, builders: &part.builders)
      } catch {
        part.failed = true
      }
    }
    if pieces.contains(where: \.failed) { throw ParallelReadFailure() }

    // Lines: each part counted from 1 at its start.
    var firstLines = [header.line]
    for k in 1..<pieces.count { firstLines.append(firstLines[k - 1] + pieces[k - 1].endLine - 1) }
    var lines = RowLineIndex(firstLine: header.recordLine + 1)
    var rows = 0
    for (k, part) in pieces.enumerated() {
      lines.append(part.lines, rows: rows, lines: firstLines[k] - 1)
      rows += part.rows
    }
    let partRows = pieces.map(\.rows)
    let offsets = firstLines.map { $0 - 1 }
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

/// Fresh builders for the wanted columns of one part.
private struct ColumnBuilderSource: Sendable {
  let name: String
  let wanted: [Int]
  func builders() -> [ColumnBuilder] { wanted.map { ColumnBuilder(source: name, column: $0 + 1) } }
}
