/// A table value that renderers draw: a title, typed columns, rows of cells
/// and footnotes naming the methods behind the numbers. Analyses never format
/// numbers themselves: a bridge builds this value, `NumberFormat` chooses
/// digits, and a renderer lays it out.
public struct ResultTable: Sendable, Equatable {
  public var title: String?
  public var columns: [ColumnSpec]
  public var rows: [[Cell]]
  public var footnotes: [String]

  public init(title: String? = nil, columns: [ColumnSpec], rows: [[Cell]] = [], footnotes: [String] = []) {
    self.title = title
    self.columns = columns
    self.rows = rows
    self.footnotes = footnotes
  }
}

/// A column: its header, and how its numbers are shown.
public struct ColumnSpec: Sendable, Equatable {
  public var header: String
  public var style: NumberStyle
  public init(_ header: String, style: NumberStyle = .text) {
    self.header = header
    self.style = style
  }
}

/// How the numbers of a column are presented (digits are chosen only by
/// `NumberFormat`).
public enum NumberStyle: Sendable, Equatable {
  /// Labels: left-aligned, not numbers.
  case text
  /// Counts: integers, or two decimals when weighted counts are fractional.
  case count
  /// R's `print` convention: the column shares one number of decimals, enough
  /// for every value to show `digits` significant digits (as `format()`).
  case significant(Int)
  /// A p-value: two significant digits, scientific below 10⁻⁴.
  case pValue
}

/// One cell.
public enum Cell: Sendable, Equatable {
  case text(String)
  case number(Double)
  /// An undefined value; `display` is what text and Markdown show (`NR` for a
  /// median not reached, `NA` otherwise). CSV writes `NA`.
  case missing(display: String)

  /// A number, or `missing` when `nil` or not finite.
  public static func value(_ x: Double?, missing display: String = "NA") -> Cell {
    guard let x, x.isFinite else { return .missing(display: display) }
    return .number(x)
  }

  /// A value that may be infinite: ±∞ shown as R prints it (`Inf`, `-Inf`),
  /// nil or NaN (0/0, undefined) as `NA`.
  public static func extended(_ x: Double?) -> Cell {
    guard let x, !x.isNaN else { return .missing(display: "NA") }
    if x.isInfinite { return .missing(display: x > 0 ? "Inf" : "-Inf") }
    return .number(x)
  }
}
