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
/// Numerically delicate choice: most fields' digits form an integer `m` of
/// at most 2^53 with a small exponent, and for those `m × 10^e` (or
/// `m / 10^−e`) with `|e| ≤ 22` is one IEEE operation on exact operands,
/// hence correctly rounded (Clinger 1990). Everything else goes to the C library's `strtod`, which
/// rounds correctly. A naive digit-by-digit `value = value * 10 + d` loop is
/// off by an ulp for inputs like `0.3` with long fractions, so it is not used.
enum NumberParser {
  /// 10^e for 0 ≤ e ≤ 22, exact (each is a double: 10^22 = 2^22 · 5^22 and
  /// 5^22 < 2^53). A switch over literals compiles to a constant table.
  @inline(__always)
  private static func exactPowerOfTen(_ e: Int) -> Double {
    switch e {
    case 0: return 1e0
    case 1: return 1e1
    case 2: return 1e2
    case 3: return 1e3
    case 4: return 1e4
    case 5: return 1e5
    case 6: return 1e6
    case 7: return 1e7
    case 8: return 1e8
    case 9: return 1e9
    case 10: return 1e10
    case 11: return 1e11
    case 12: return 1e12
    case 13: return 1e13
    case 14: return 1e14
    case 15: return 1e15
    case 16: return 1e16
    case 17: return 1e17
    case 18: return 1e18
    case 19: return 1e19
    case 20: return 1e20
    case 21: return 1e21
    default: return 1e22
    }
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

  /// The common field of a numeric column, `[-]digits[.digits]` (at least
  /// one digit, at most 19, an integer of at most 2^53, at most 22 after the
  /// point): one loop, one division by an exact power of ten (Clinger's
  /// fast path, so the value is correctly rounded). `nil` for anything else
  /// (an exponent, a plus sign, blanks, `Inf`, missing spellings, text),
  /// which `parseDecimal` and `classify` then decide.
  @inline(__always)
  static func plainDecimal(_ s: UnsafePointer<UInt8>, _ n: Int) -> Double? {
    let negative = s[0] == UInt8(ascii: "-")
    var i = negative ? 1 : 0
    var mantissa: UInt64 = 0
    var point = -1
    while i < n {
      let c = s[i]
      let d = c &- 0x30
      if d <= 9 {
        mantissa = mantissa &* 10 &+ UInt64(d)
      } else if c == UInt8(ascii: ".") && point < 0 {
        point = i
      } else {
        return nil
      }
      i += 1
    }
    let fraction = point < 0 ? 0 : n - 1 - point
    let digits = n - (negative ? 1 : 0) - (point < 0 ? 0 : 1)
    guard digits > 0, digits <= 19, mantissa <= 1 << 53, fraction <= 22 else { return nil }
    let m = Double(mantissa)
    let value = fraction == 0 ? m : m / exactPowerOfTen(fraction)
    return negative ? -value : value
  }

  /// Parses the decimal grammar; `nil` when the text is not a number.
  ///
  /// Up to 19 digits accumulate exactly in a `UInt64`. When that integer is
  /// at most 2^53 (so exactly a double) and the decimal exponent is within
  /// ±22, one multiplication or division by an exact power of ten is
  /// correctly rounded (Clinger 1990); anything else goes to `strtod`.
  static func parseDecimal(_ s: UnsafePointer<UInt8>, _ n: Int) -> Double? {
    var i = 0
    var negative = false
    if s[0] == UInt8(ascii: "-") || s[0] == UInt8(ascii: "+") {
      negative = s[0] == UInt8(ascii: "-")
      i = 1
    }
    var mantissa: UInt64 = 0
    let integerStart = i
    while i < n {
      let d = s[i] &- 0x30
      if d > 9 { break }
      mantissa = mantissa &* 10 &+ UInt64(d)
      i += 1
    }
    var digits = i - integerStart
    var fractionDigits = 0
    if i < n && s[i] == UInt8(ascii: ".") {
      i += 1
      let fractionStart = i
      while i < n {
        let d = s[i] &- 0x30
        if d > 9 { break }
        mantissa = mantissa &* 10 &+ UInt64(d)
        i += 1
      }
      fractionDigits = i - fractionStart
      digits += fractionDigits
    }
    if digits == 0 {
      if n - i == 3 && s[i] == UInt8(ascii: "I") && s[i + 1] == UInt8(ascii: "n") && s[i + 2] == UInt8(ascii: "f") {
        return negative ? -.infinity : .infinity
      }
      return nil
    }
    var exponent = 0
    if i < n && (s[i] == UInt8(ascii: "e") || s[i] == UInt8(ascii: "E")) {
      i += 1
      var expNegative = false
      if i < n && (s[i] == UInt8(ascii: "-") || s[i] == UInt8(ascii: "+")) {
        expNegative = s[i] == UInt8(ascii: "-")
        i += 1
      }
      let exponentStart = i
      while i < n {
        let d = s[i] &- 0x30
        if d > 9 { break }
        if exponent < 100_000 { exponent = exponent * 10 + Int(d) }
        i += 1
      }
      if i == exponentStart { return nil }
      if expNegative { exponent = -exponent }
    }
    if i != n { return nil }
    // Leading zeros count among the 19 digits: such rare fields take strtod.
    if digits <= 19 && mantissa <= 1 << 53 {
      let e = exponent - fractionDigits
      let m = Double(mantissa)
      if e == 0 { return negative ? -m : m }
      if e > 0 && e <= 22 {
        let value = m * exactPowerOfTen(e)
        return negative ? -value : value
      }
      if e < 0 && e >= -22 {
        let value = m / exactPowerOfTen(-e)
        return negative ? -value : value
      }
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
