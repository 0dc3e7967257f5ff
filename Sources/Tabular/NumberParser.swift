#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a CSV field holds once the missing-value rules are applied.
enum FieldValue {
  case missing
  case number(Double)
  case text
}

/// Parses CSV fields into numbers without allocating.
///
/// The grammar is R's decimal form: optional blanks, optional sign, digits with
/// an optional decimal point, an optional exponent, optional blanks; also `Inf`
/// and `-Inf`. Missing: an empty or blank field, `NA`, `.`, and `NaN` (which R
/// treats as missing in a model frame).
///
/// Numerically delicate choice: most fields have at most 15 significant digits
/// and a small exponent, and for those `m × 10^e` (or `m / 10^−e`) with
/// `|e| ≤ 22` is exact in two IEEE operations, hence correctly rounded
/// (Clinger 1990). Everything else goes to the C library's `strtod`, which
/// rounds correctly. A naive digit-by-digit `value = value * 10 + d` loop is
/// off by an ulp for inputs like `0.3` with long fractions, so it is not used.
enum NumberParser {
  /// 10^e for 0 ≤ e ≤ 22, exact: every partial product is a power of ten
  /// below 2^53 · 2^e, hence representable.
  @inline(__always)
  private static func exactPowerOfTen(_ e: Int) -> Double {
    var p = 1.0
    for _ in 0..<e { p *= 10 }
    return p
  }

  /// Whether the field is one of the missing-value spellings (blank, `NA`,
  /// `.`, `NaN`), without parsing it.
  @inline(__always)
  static func isMissing(_ p: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    let (s, n) = trimmed(p, count)
    return isMissingToken(s, n)
  }

  @inline(__always)
  private static func isMissingToken(_ s: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    switch n {
    case 0: return true
    case 1: return s[0] == UInt8(ascii: ".")
    case 2: return s[0] == UInt8(ascii: "N") && s[1] == UInt8(ascii: "A")
    case 3: return s[0] == UInt8(ascii: "N") && s[1] == UInt8(ascii: "a") && s[2] == UInt8(ascii: "N")
    default: return false
    }
  }

  static func classify(_ p: UnsafePointer<UInt8>, _ count: Int) -> FieldValue {
    let (s, n) = trimmed(p, count)
    if isMissingToken(s, n) { return .missing }
    if let v = parseDecimal(s, n) { return .number(v) }
    return .text
  }

  /// The field without leading and trailing blanks (spaces, tabs).
  @inline(__always)
  private static func trimmed(_ p: UnsafePointer<UInt8>, _ count: Int) -> (UnsafePointer<UInt8>, Int) {
    var start = 0
    var end = count
    while start < end && (p[start] == 0x20 || p[start] == 0x09) { start += 1 }
    while end > start && (p[end - 1] == 0x20 || p[end - 1] == 0x09) { end -= 1 }
    return (p + start, end - start)
  }

  /// Parses the decimal grammar; `nil` when the text is not a number.
  static func parseDecimal(_ s: UnsafePointer<UInt8>, _ n: Int) -> Double? {
    var i = 0
    var negative = false
    if s[0] == UInt8(ascii: "-") || s[0] == UInt8(ascii: "+") {
      negative = s[0] == UInt8(ascii: "-")
      i = 1
    }
    if n - i == 3 && s[i] == UInt8(ascii: "I") && s[i + 1] == UInt8(ascii: "n") && s[i + 2] == UInt8(ascii: "f") {
      return negative ? -.infinity : .infinity
    }
    var mantissa: UInt64 = 0
    var significantDigits = 0
    var droppedDigits = 0       // integer digits beyond what the fast path holds
    var fractionDigits = 0
    var sawDigit = false
    while i < n, s[i] >= 0x30, s[i] <= 0x39 {
      sawDigit = true
      if mantissa == 0 && s[i] == 0x30 { i += 1; continue }  // leading zeros
      if significantDigits < 19 {
        mantissa = mantissa * 10 + UInt64(s[i] - 0x30)
        significantDigits += 1
      } else {
        droppedDigits += 1
      }
      i += 1
    }
    if i < n && s[i] == UInt8(ascii: ".") {
      i += 1
      while i < n, s[i] >= 0x30, s[i] <= 0x39 {
        sawDigit = true
        if mantissa == 0 && s[i] == 0x30 {
          fractionDigits += 1
        } else if significantDigits < 19 {
          mantissa = mantissa * 10 + UInt64(s[i] - 0x30)
          significantDigits += 1
          fractionDigits += 1
        } else {
          droppedDigits += 1  // marks the value as not exactly held
        }
        i += 1
      }
    }
    if !sawDigit { return nil }
    var exponent = 0
    if i < n && (s[i] == UInt8(ascii: "e") || s[i] == UInt8(ascii: "E")) {
      i += 1
      var expNegative = false
      if i < n && (s[i] == UInt8(ascii: "-") || s[i] == UInt8(ascii: "+")) {
        expNegative = s[i] == UInt8(ascii: "-")
        i += 1
      }
      var sawExpDigit = false
      while i < n, s[i] >= 0x30, s[i] <= 0x39 {
        sawExpDigit = true
        if exponent < 100_000 { exponent = exponent * 10 + Int(s[i] - 0x30) }
        i += 1
      }
      if !sawExpDigit { return nil }
      if expNegative { exponent = -exponent }
    }
    if i != n { return nil }

    if droppedDigits == 0 && significantDigits <= 15 {
      let e = exponent - fractionDigits
      let m = Double(mantissa)
      var value: Double? = nil
      if e == 0 {
        value = m
      } else if e > 0 && e <= 22 {
        value = m * exactPowerOfTen(e)
      } else if e < 0 && e >= -22 {
        value = m / exactPowerOfTen(-e)
      }
      if let value { return negative ? -value : value }
    }
    return slowPath(s, n)
  }

  /// Correctly rounded conversion of text already known to match the grammar.
  private static func slowPath(_ s: UnsafePointer<UInt8>, _ n: Int) -> Double? {
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buffer in
      for k in 0..<n { buffer[k] = CChar(bitPattern: s[k]) }
      buffer[n] = 0
      return strtod(buffer.baseAddress!, nil)
    }
  }
}
