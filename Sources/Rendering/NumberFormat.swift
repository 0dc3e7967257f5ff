#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one place where digits are chosen for presentation. Stored values are
/// never rounded; this turns them into text for a column at a time.
public enum NumberFormat {
  /// Formats every cell of a column consistently.
  public static func format(column cells: [Cell], style: NumberStyle) -> [String] {
    format(column: cells, style: style, journal: nil)
  }

  /// With a journal style: its p-values and its decimal mark (R's
  /// conventions without one, as the command line prints).
  public static func format(column cells: [Cell], style: NumberStyle, journal: JournalStyle?) -> [String] {
    guard let journal else { return formatR(column: cells, style: style) }
    if style == .pValue {
      return cells.map { cell in
        guard case .number(let x) = cell else { return displayText(cell) }
        return journal.pValue(x)
      }
    }
    return zip(cells, formatR(column: cells, style: style)).map { cell, text in
      if case .number = cell { return journal.decimal(text) }
      return text
    }
  }

  static func formatR(column cells: [Cell], style: NumberStyle) -> [String] {
    switch style {
    case .text:
      return cells.map(displayText)
    case .count:
      let fractional = cells.contains { if case .number(let x) = $0 { return x != x.rounded() } else { return false } }
      return cells.map { cell in
        guard case .number(let x) = cell else { return displayText(cell) }
        return fixed(x, decimals: fractional ? 2 : 0)
      }
    case .significant(let digits):
      var decimals = 0
      for cell in cells {
        if case .number(let x) = cell { decimals = max(decimals, decimalsNeeded(x, significant: digits)) }
      }
      return cells.map { cell in
        guard case .number(let x) = cell else { return displayText(cell) }
        return fixed(x, decimals: decimals)
      }
    case .pValue:
      return cells.map { cell in
        guard case .number(let x) = cell else { return displayText(cell) }
        return pValue(x)
      }
    }
  }

  /// A p-value with two significant digits; below 10⁻⁴ in scientific form;
  /// below machine precision as `< 2.2e-16`, as R's `format.pval`.
  public static func pValue(_ p: Double) -> String {
    if p.isNaN { return "NA" }
    if p < 2.220446049250313e-16 { return "< 2.2e-16" }
    if p < 1e-4 {
      return cFormat("%.1e", p)
    }
    return fixed(p, decimals: decimalsNeeded(p, significant: 2))
  }

  /// A p-value with its relation for running text: `= 0.0042`, `< 0.001`.
  public static func pValueWithRelation(_ p: Double) -> String {
    if p.isNaN { return "NA" }
    if p < 0.001 { return "< 0.001" }
    return "= " + pValue(p)
  }

  /// Decimals needed to show `significant` significant digits of `x`
  /// (trailing zeros dropped, as R's `formatReal`), at most 15.
  public static func decimalsNeeded(_ x: Double, significant: Int) -> Int {
    if x == 0 || !x.isFinite { return 0 }
    let text = cFormat("%.\(max(significant - 1, 0))e", x)
    guard let e = text.firstIndex(of: "e"), let exponent = Int(text[text.index(after: e)...]) else { return 0 }
    var mantissa = text[..<e].filter(\.isNumber)
    while mantissa.count > 1 && mantissa.last == "0" { mantissa.removeLast() }
    return min(15, max(0, mantissa.count - 1 - exponent))
  }

  /// Fixed notation; never prints `-0`.
  public static func fixed(_ x: Double, decimals: Int) -> String {
    var s = cFormat("%.\(decimals)f", x)
    if s.hasPrefix("-"), s.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { s.removeFirst() }
    return s
  }

  /// Full precision for machine-readable output (CSV): the shortest text that
  /// reads back to the same double.
  public static func roundTrip(_ x: Double) -> String {
    if x == x.rounded(), abs(x) < 9_007_199_254_740_992 { return x == 0 ? "0" : String(Int64(x)) }
    return x.description
  }

  static func displayText(_ cell: Cell) -> String {
    switch cell {
    case .text(let s): return s
    case .number(let x): return roundTrip(x)
    case .missing(let display): return display
    }
  }

  static func cFormat(_ f: String, _ x: Double) -> String {
    var buffer = [CChar](repeating: 0, count: 512)
    _ = buffer.withUnsafeMutableBufferPointer { b in
      withVaList([x]) { vsnprintf(b.baseAddress!, 512, f, $0) }
    }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
