/// A columnar table read from a file, with enough provenance to point back at
/// the line a row came from.
public struct Table: Sendable {
  /// Where the table came from, as the user named it (`Datasets/lung.csv`, `-`).
  public var source: String
  public private(set) var names: [String]
  public private(set) var columns: [Column]
  public private(set) var rowCount: Int
  var lines: RowLineIndex
  /// After `selecting(rows:)`: each row's index in the table as read.
  var rowMap: [Int]? = nil
  /// Variable labels of typed files (SAS, Stata, SPSS), one per column.
  public var variableLabels: [String?] = []
  /// The unit of a date or time column (`days since 1960-01-01`), one per column.
  public var units: [String?] = []
  /// Rows are records of a binary file, not text lines: messages name the
  /// record number (1-based) instead of a line.
  public var rowsAreRecords = false
  /// Every column name of the file, in file order: `names` unless the file
  /// was read with a projection (only the columns an analysis uses), in
  /// which case messages still list what the file holds.
  public var headerNames: [String] { projection?.header ?? names }
  /// A projected read: the file's header and, per column of the table, its
  /// 1-based position in the file.
  var projection: (header: [String], fileColumns: [Int])? = nil

  /// A table from columns built in memory (tests, benchmarks, other readers).
  /// Rows are taken to sit on lines 2, 3, … as under a one-line header.
  public init(source: String, names: [String], columns: [Column]) {
    precondition(names.count == columns.count, "one name per column")
    let n = columns.first?.count ?? 0
    precondition(columns.allSatisfy { $0.count == n }, "columns of equal length")
    self.source = source
    self.names = names
    self.columns = columns
    self.rowCount = n
    self.lines = RowLineIndex(firstLine: 2)
  }

  init(source: String, names: [String], columns: [Column], rowCount: Int, lines: RowLineIndex) {
    self.source = source
    self.names = names
    self.columns = columns
    self.rowCount = rowCount
    self.lines = lines
  }

  /// The unit of column `j` (`days since 1970-01-01`), if it has one.
  public func unit(ofColumn j: Int) -> String? {
    units.indices.contains(j) ? units[j] : nil
  }

  /// The calendar unit of column `j`, if it holds dates or date-times.
  public func calendarUnit(ofColumn j: Int) -> CalendarDate.Unit? {
    CalendarDate.unit(unit(ofColumn: j))
  }

  /// The index of the column called `name` (exact match), if any.
  public func columnIndex(named name: String) -> Int? {
    names.firstIndex(of: name)
  }

  public func column(named name: String) -> Column? {
    columnIndex(named: name).map { columns[$0] }
  }

  /// The physical line on which row `row` (0-based) starts in the source.
  public func line(ofRow row: Int) -> Int {
    if rowsAreRecords { return (rowMap?[row] ?? row) + 1 }
    return lines.line(ofRow: rowMap?[row] ?? row)
  }

  /// The 1-based position in the file of column `j` (0-based) of the table.
  public func fileColumn(_ j: Int) -> Int {
    projection?.fileColumns[j] ?? j + 1
  }

  /// Every observable part of the table as text: names, the file's header,
  /// each column's type, values (bit patterns), levels, codes, first
  /// non-numeric cell and unit, each column's place in the file and each
  /// row's line. Equal descriptions are the same table (tests, fuzzing).
  public var canonicalDescription: String {
    var out = "source \(source) rows \(rowCount)\nnames \(names)\nheader \(headerNames)\n"
    for (j, column) in columns.enumerated() {
      out += "column \(j) at \(fileColumn(j)) unit \(unit(ofColumn: j) ?? "-"): "
      switch column {
      case .numeric(let c): out += "numeric " + c.values.map { String($0.bitPattern, radix: 16) }.joined(separator: ",")
      case .categorical(let c):
        out += "categorical \(c.levels) \(c.codes) first \(c.firstNonNumeric.map { "\($0.line):\($0.text)" } ?? "-")"
      }
      out += "\n"
    }
    return out + "lines " + (0..<rowCount).map { String(line(ofRow: $0)) }.joined(separator: ",")
  }

  /// The location of a cell, for error messages.
  public func location(row: Int, column: Int) -> InputLocation {
    InputLocation(source: source, line: line(ofRow: row), column: fileColumn(column))
  }
}

/// Maps data rows to the physical lines they start on without storing a line
/// per row: lines advance one per row except after blank lines or records
/// with embedded newlines, where a breakpoint is recorded.
struct RowLineIndex: Sendable {
  /// (first row, line of that row) at every place the row→line offset changes.
  private var breaks: [(row: Int, line: Int)]

  init(firstLine: Int) { breaks = [(0, firstLine)] }

  /// Records that row `row` starts on `line`; rows must come in order.
  mutating func record(row: Int, line: Int) {
    let last = breaks[breaks.count - 1]
    if last.line + (row - last.row) != line { breaks.append((row, line)) }
  }

  /// Appends the rows of `other` (read from a later part of the same file),
  /// shifted by `rows` rows and `lines` lines.
  mutating func append(_ other: RowLineIndex, rows: Int, lines: Int) {
    for b in other.breaks { record(row: b.row + rows, line: b.line + lines) }
  }

  func line(ofRow row: Int) -> Int {
    var lo = 0
    var hi = breaks.count - 1
    while lo < hi {
      let mid = (lo + hi + 1) / 2
      if breaks[mid].row <= row { lo = mid } else { hi = mid - 1 }
    }
    return breaks[lo].line + (row - breaks[lo].row)
  }
}
