/// A column of a `Table`: numbers, or categories with sorted levels.
///
/// The contract's typing rule: a column whose every non-missing value parses as
/// a number is numeric; otherwise it is categorical, with levels sorted in byte
/// order (C locale) so that the first level is the reference, as in R.
public enum Column: Sendable {
  case numeric(NumericColumn)
  case categorical(CategoricalColumn)

  public var count: Int {
    switch self {
    case .numeric(let c): return c.values.count
    case .categorical(let c): return c.codes.count
    }
  }

  /// Whether the column holds categories (rather than numbers).
  public var isCategorical: Bool {
    if case .categorical = self { return true }
    return false
  }

  /// Whether row `i` is missing.
  @inlinable
  public func isMissing(_ i: Int) -> Bool {
    switch self {
    case .numeric(let c): return c.values[i].isNaN
    case .categorical(let c): return c.codes[i] < 0
    }
  }
}

/// Numbers, with `NaN` standing for a missing value (empty, `NA`, `.` or `NaN`).
public struct NumericColumn: Sendable {
  public var values: [Double]
  public init(values: [Double]) { self.values = values }
}

/// Categories: `codes[i]` indexes `levels`, and `-1` is missing.
public struct CategoricalColumn: Sendable {
  /// Distinct values in byte order.
  public var levels: [String]
  public var codes: [Int32]
  /// Where the first value that is not a number appeared (line, text); lets a
  /// caller that needs a number say exactly which cell is at fault.
  public var firstNonNumeric: (line: Int, text: String)?

  public init(levels: [String], codes: [Int32], firstNonNumeric: (line: Int, text: String)? = nil) {
    self.levels = levels
    self.codes = codes
    self.firstNonNumeric = firstNonNumeric
  }

  /// The value of row `i`, or `nil` if missing.
  public func value(at i: Int) -> String? {
    let c = codes[i]
    return c < 0 ? nil : levels[Int(c)]
  }
}

/// Byte-order (C locale) comparison of strings, as R's `sort(method = "radix")`
/// and the contract require for level order. Swift's `<` on `String` compares
/// Unicode canonical forms, which differs for non-ASCII text.
@inlinable
public func byteOrderPrecedes(_ a: String, _ b: String) -> Bool {
  a.utf8.lexicographicallyPrecedes(b.utf8)
}
