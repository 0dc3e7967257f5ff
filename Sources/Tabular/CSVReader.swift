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
  public static func read(path: String, delimiter: Delimiter? = nil) throws -> Table {
    let delimiter = delimiter ?? .forPath(path)
    if path == "-" {
      return try read(bytes: readStandardInput(), source: "<stdin>", delimiter: delimiter)
    }
    var source = try FileSource(path: path, displayName: path)
    return try read(source: &source, name: path, delimiter: delimiter)
  }

  /// Reads CSV text already in memory (tests, standard input).
  public static func read(bytes: [UInt8], source name: String, delimiter: Delimiter = .comma) throws -> Table {
    var source = MemorySource(bytes: bytes)
    return try read(source: &source, name: name, delimiter: delimiter)
  }

  static func read<S: ByteSource>(source: inout S, name: String, delimiter: Delimiter) throws -> Table {
    var parser = DelimitedParser(source: source, name: name, delimiter: delimiter.byte)
    guard try parser.nextRecord() != nil else {
      throw InputError(InputLocation(source: name), "file is empty, expected a header line")
    }
    let names = try headerNames(parser, name: name)
    var builders = Array(repeating: ColumnBuilder(), count: names.count)
    var lines = RowLineIndex(firstLine: parser.recordLine + 1)
    var rows = 0
    while try parser.nextRecord() != nil {
      try parser.checkFieldCount(names.count)
      lines.record(row: rows, line: parser.recordLine)
      for j in 0..<names.count {
        try parser.withField(j) { p, n in
          try builders[j].append(p, n, line: parser.recordLine) {
            InputLocation(source: name, line: parser.recordLine, column: j + 1)
          }
        }
      }
      rows += 1
    }
    // Second pass for columns whose type changed from numeric to categorical.
    let deferred = builders.indices.filter { builders[$0].mode == .deferred }
    if !deferred.isEmpty {
      var firstText: [Int: (line: Int, text: String)] = [:]
      for j in deferred {
        firstText[j] = builders[j].firstNonNumeric
        builders[j] = ColumnBuilder(forceCategorical: true)
      }
      try source.rewind()
      var again = DelimitedParser(source: source, name: name, delimiter: delimiter.byte)
      _ = try again.nextRecord()
      while try again.nextRecord() != nil {
        for j in deferred {
          try again.withField(j) { p, n in
            try builders[j].append(p, n, line: again.recordLine) {
              InputLocation(source: name, line: again.recordLine, column: j + 1)
            }
          }
        }
      }
      var columns = [Column]()
      columns.reserveCapacity(names.count)
      for j in builders.indices {
        var column = builders[j].finish(rows: rows)
        if let first = firstText[j], case .categorical(var c) = column {
          c.firstNonNumeric = first
          column = .categorical(c)
        }
        columns.append(column)
      }
      return Table(source: name, names: names, columns: columns, rowCount: rows, lines: lines)
    }
    var columns = [Column]()
    columns.reserveCapacity(names.count)
    for j in builders.indices { columns.append(builders[j].finish(rows: rows)) }
    return Table(source: name, names: names, columns: columns, rowCount: rows, lines: lines)
  }

  private static func headerNames<S>(_ parser: DelimitedParser<S>, name: String) throws -> [String] {
    var names: [String] = []
    var seen: Set<String> = []
    var emptyCount = 0
    for j in 0..<parser.fieldCount {
      var text = ""
      try parser.withField(j) { p, n in
        guard let s = String(validating: UnsafeBufferPointer(start: p, count: n), as: UTF8.self) else {
          throw InputError(InputLocation(source: name, line: parser.recordLine, column: j + 1),
                           "column name is not valid UTF-8, expected a UTF-8 encoded file")
        }
        text = s.trimmingBlanks
      }
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

  private static func readStandardInput() -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = chunk.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress, $0.count) }
      if n <= 0 { break }
      bytes.append(contentsOf: chunk[0..<n])
    }
    return bytes
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
/// buffer is compacted and refilled (it never happens more than once per
/// 1 MiB chunk, so the cost is negligible).
struct DelimitedParser<Source: ByteSource> {
  private struct Span {
    var start: Int
    var count: Int
    var hasEscapedQuotes: Bool
  }

  private enum Outcome {
    case record(next: Int, lines: Int)
    case needMore
    case endOfInput
  }

  private var source: Source
  private let name: String
  private let delimiter: UInt8
  private var buffer: [UInt8]
  private var end = 0          // bytes filled
  private var position = 0     // start of the next record
  private var atEOF = false
  private var line = 1         // physical line at `position`
  private var spans: [Span] = []
  private var scratch: [UInt8] = []
  private var checkedBOM = false
  /// The physical line on which the current record starts.
  private(set) var recordLine = 1

  init(source: Source, name: String, delimiter: UInt8) {
    self.source = source
    self.name = name
    self.delimiter = delimiter
    self.buffer = [UInt8](repeating: 0, count: 1 << 20)
  }

  var fieldCount: Int { spans.count }

  /// Advances to the next non-blank record; `nil` at the end of input.
  mutating func nextRecord() throws -> Int? {
    while true {
      let outcome = try parseRecord()
      switch outcome {
      case .endOfInput:
        return nil
      case .needMore:
        try refill()
      case .record(let next, let lines):
        recordLine = line
        position = next
        line += lines
        let blank = spans.count == 1 && spans[0].count == 0 && !spanWasQuoted(0)
        if blank { continue }
        return spans.count
      }
    }
  }

  private var quotedFlags: [Bool] = []
  private func spanWasQuoted(_ j: Int) -> Bool { quotedFlags[j] }

  func checkFieldCount(_ expected: Int) throws {
    if spans.count != expected {
      let column = spans.count > expected ? expected + 1 : spans.count
      throw InputError(InputLocation(source: name, line: recordLine, column: column),
                       "expected \(expected) fields as in the header, found \(spans.count)")
    }
  }

  /// Calls `body` with the bytes of field `j` of the current record (quotes
  /// removed, `""` unescaped). The pointer is valid only inside `body`.
  func withField(_ j: Int, _ body: (UnsafePointer<UInt8>, Int) throws -> Void) throws {
    let span = spans[j]
    if !span.hasEscapedQuotes {
      try buffer.withUnsafeBufferPointer { b in
        try body(b.baseAddress! + span.start, span.count)
      }
      return
    }
    var unescaped: [UInt8] = []
    unescaped.reserveCapacity(span.count)
    var i = span.start
    let stop = span.start + span.count
    while i < stop {
      unescaped.append(buffer[i])
      i += buffer[i] == UInt8(ascii: "\"") ? 2 : 1
    }
    try unescaped.withUnsafeBufferPointer { try body($0.baseAddress!, $0.count) }
  }

  private mutating func refill() throws {
    // Keep the unfinished record; grow if it fills the whole buffer.
    let keep = end - position
    if position > 0 {
      buffer.withUnsafeMutableBufferPointer { b in
        _ = memmove(b.baseAddress!, b.baseAddress! + position, keep)
      }
      position = 0
      end = keep
    }
    if end == buffer.count { buffer.append(contentsOf: [UInt8](repeating: 0, count: buffer.count)) }
    var localBuffer: [UInt8] = []
    swap(&localBuffer, &buffer)
    defer { swap(&localBuffer, &buffer) }
    let filled = end
    let n = try localBuffer.withUnsafeMutableBufferPointer { b in
      try source.read(into: b.baseAddress! + filled, count: b.count - filled)
    }
    if n == 0 { atEOF = true }
    end += n
    if !checkedBOM && end >= 3 || atEOF {
      if !checkedBOM && end >= 3 && localBuffer[0] == 0xEF && localBuffer[1] == 0xBB && localBuffer[2] == 0xBF {
        position = 3
      }
      checkedBOM = true
    }
  }

  private mutating func parseRecord() throws -> Outcome {
    if !checkedBOM && !atEOF { return .needMore }
    var spans: [Span] = []
    var quotedFlags: [Bool] = []
    swap(&spans, &self.spans)
    swap(&quotedFlags, &self.quotedFlags)
    spans.removeAll(keepingCapacity: true)
    quotedFlags.removeAll(keepingCapacity: true)
    defer {
      swap(&spans, &self.spans)
      swap(&quotedFlags, &self.quotedFlags)
    }
    let quote = UInt8(ascii: "\"")
    let lf = UInt8(ascii: "\n")
    let cr = UInt8(ascii: "\r")
    let delimiter = self.delimiter
    let end = self.end
    let atEOF = self.atEOF
    let start = position
    let name = self.name
    let startLine = line
    return try buffer.withUnsafeBufferPointer { b -> Outcome in
      let p = b.baseAddress!
      var i = start
      var lines = 0
      // After a field: a delimiter starts another, a line break or the end finishes the record.
      func afterField(_ i: inout Int) -> Outcome? {
        if i == end { return atEOF ? .record(next: i, lines: lines) : .needMore }
        let c = p[i]
        if c == delimiter { i += 1; return nil }
        if c == lf { return .record(next: i + 1, lines: lines + 1) }
        if c == cr {
          if i + 1 == end && !atEOF { return .needMore }
          if i + 1 < end && p[i + 1] == lf { return .record(next: i + 2, lines: lines + 1) }
          return .record(next: i + 1, lines: lines + 1)
        }
        return nil
      }
      while true {
        if i == end {
          if !atEOF { return .needMore }
          if spans.isEmpty { return .endOfInput }
          spans.append(Span(start: i, count: 0, hasEscapedQuotes: false))
          quotedFlags.append(false)
          return .record(next: i, lines: lines)
        }
        if p[i] == quote {
          i += 1
          let fieldStart = i
          var escaped = false
          while true {
            if i == end {
              if !atEOF { return .needMore }
              throw InputError(InputLocation(source: name, line: startLine, column: spans.count + 1),
                               "unterminated quoted field, expected a closing '\"' before the end of the file")
            }
            let c = p[i]
            if c == quote {
              if i + 1 == end && !atEOF { return .needMore }
              if i + 1 < end && p[i + 1] == quote {
                escaped = true
                i += 2
                continue
              }
              break
            }
            if c == lf { lines += 1 }
            i += 1
          }
          spans.append(Span(start: fieldStart, count: i - fieldStart, hasEscapedQuotes: escaped))
          quotedFlags.append(true)
          i += 1
          if let outcome = afterField(&i) { return outcome }
          if p[i - 1] != delimiter {
            let found = p[i]
            throw InputError(InputLocation(source: name, line: startLine + lines, column: spans.count),
                             "unexpected character \(String(decoding: [found], as: UTF8.self).quotedForMessage) after a closing quote, expected a delimiter or the end of the line")
          }
        } else {
          let fieldStart = i
          while i < end {
            let c = p[i]
            if c == delimiter || c == lf || c == cr { break }
            i += 1
          }
          if i == end && !atEOF { return .needMore }
          spans.append(Span(start: fieldStart, count: i - fieldStart, hasEscapedQuotes: false))
          quotedFlags.append(false)
          if let outcome = afterField(&i) { return outcome }
        }
      }
    }
  }
}
