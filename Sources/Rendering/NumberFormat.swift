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
  ///
  /// From the shortest round-trip digits (`ShortestDouble`): rounding them
  /// to fewer digits gives the same digits as rounding the binary value
  /// itself, except when what is dropped is exactly one half, which
  /// `printf`'s exact arithmetic decides.
  public static func decimalsNeeded(_ x: Double, significant: Int) -> Int {
    if x == 0 || !x.isFinite { return 0 }
    guard var (digits, exponent) = shortestDigits(x) else { return decimalsNeededExactly(x, significant: significant) }
    let d = max(significant, 1)
    var count = ShortestDouble.decimalLength(digits)
    if count > d {
      guard let rounded = roundDigits(digits, drop: count - d) else { return decimalsNeededExactly(x, significant: significant) }
      digits = rounded
      exponent += Int32(count - d)
      count = ShortestDouble.decimalLength(digits)
    }
    while digits % 10 == 0 && digits > 0 { digits /= 10; exponent += 1 }
    return min(15, max(0, -Int(exponent)))
  }

  /// `decimalsNeeded` by `printf` ("%.*e"): the reference, and the tie case.
  static func decimalsNeededExactly(_ x: Double, significant: Int) -> Int {
    if x == 0 || !x.isFinite { return 0 }
    let text = cFormat("%.\(max(significant - 1, 0))e", x)
    guard let e = text.firstIndex(of: "e"), let exponent = Int(text[text.index(after: e)...]) else { return 0 }
    var mantissa = text[..<e].filter(\.isNumber)
    while mantissa.count > 1 && mantissa.last == "0" { mantissa.removeLast() }
    return min(15, max(0, mantissa.count - 1 - exponent))
  }

  /// Fixed notation; never prints `-0`. As `printf("%.*f")`, from the
  /// shortest digits where they give the same text (the result has at most
  /// 15 significant digits and no half-way rounding), else by `printf`.
  public static func fixed(_ x: Double, decimals: Int) -> String {
    if let fast = fastFixed(x, decimals: decimals) { return fast }
    return fixedExactly(x, decimals: decimals)
  }

  /// `fixed` by `printf`: the reference, and the cases the fast path leaves.
  static func fixedExactly(_ x: Double, decimals: Int) -> String {
    var s = cFormat("%.\(decimals)f", x)
    if s.hasPrefix("-"), s.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { s.removeFirst() }
    return s
  }

  static func fastFixed(_ x: Double, decimals: Int) -> String? {
    guard x.isFinite, decimals >= 0, decimals <= 15 else { return nil }
    if x == 0 { return decimals == 0 ? "0" : "0." + String(repeating: "0", count: decimals) }
    guard var (digits, exponent) = shortestDigits(x) else { return nil }
    // digits × 10^exponent, rounded to `decimals` places.
    let fractional = -Int(exponent)
    if fractional > decimals {
      guard let rounded = roundDigits(digits, drop: fractional - decimals) else { return nil }
      digits = rounded
      exponent = Int32(-decimals)
    }
    // Now digits × 10^exponent with exponent ≥ −decimals: scale to exactly `decimals` places.
    var scaled = digits
    var shift = Int(exponent) + decimals
    while shift > 0 {
      let (m, o) = scaled.multipliedReportingOverflow(by: 10)
      if o { return nil }
      scaled = m
      shift -= 1
    }
    // At most 15 significant digits: the binary value rounds to these digits too.
    if ShortestDouble.decimalLength(scaled) > 15 { return nil }
    if scaled == 0 { return decimals == 0 ? "0" : "0." + String(repeating: "0", count: decimals) }
    var text = String(scaled)
    if decimals > 0 {
      if text.count <= decimals { text = String(repeating: "0", count: decimals - text.count + 1) + text }
      text.insert(".", at: text.index(text.endIndex, offsetBy: -decimals))
    }
    return x < 0 ? "-" + text : text
  }

  /// The shortest round-trip digits of |x| and their power of ten.
  static func shortestDigits(_ x: Double) -> (UInt64, Int32)? {
    let bits = abs(x).bitPattern
    let mantissa = bits & ((1 << 52) - 1)
    let exponent = UInt32((bits >> 52) & 0x7FF)
    guard exponent != 0x7FF, bits != 0 else { return nil }
    return ShortestDouble.decimal(mantissa: mantissa, exponent: exponent)
  }

  /// `digits` with its last `drop` digits rounded away (half up, which is
  /// the binary value's own rounding since it cannot sit exactly on the
  /// half unless the dropped digits are exactly 5000…, where `nil` leaves
  /// the decision to exact arithmetic).
  static func roundDigits(_ digits: UInt64, drop: Int) -> UInt64? {
    guard drop > 0 else { return digits }
    if drop > 19 { return 0 }
    var p: UInt64 = 1
    for _ in 0..<drop { p &*= 10 }
    let kept = digits / p, tail = digits % p
    let half = p / 2
    if tail == half { return nil }
    return tail > half ? kept + 1 : kept
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
