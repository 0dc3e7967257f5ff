#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Numbers written as R's `as.character(<double>)` writes them: up to 15
/// significant digits, trailing zeros dropped, and scientific notation only
/// when it is narrower than fixed notation (R's `formatReal` with
/// `scipen = 0`). Used for group labels such as `ph.ecog=1` or `dose=0.5`.
public enum RNumberText {
  public static func format(_ x: Double) -> String {
    if x.isNaN { return "NaN" }
    if x.isInfinite { return x < 0 ? "-Inf" : "Inf" }
    if x == 0 { return "0" }
    // The value rounded to 15 significant digits; trailing zeros of that
    // mantissa are not significant.
    let reference = cFormat("%.14e", x)
    let mantissaDigits = reference.prefix { $0 != "e" }.filter(\.isNumber)
    var digits = mantissaDigits.count
    for ch in mantissaDigits.reversed() {
      if ch == "0" && digits > 1 { digits -= 1 } else { break }
    }
    let sci = cFormat("%.\(digits - 1)e", x)
    // Exponent of the leading digit.
    guard let eIndex = sci.firstIndex(of: "e"), let exponent = Int(sci[sci.index(after: eIndex)...]) else {
      return sci
    }
    let negative = x < 0 ? 1 : 0
    let fixedDecimals = max(0, digits - 1 - exponent)
    let integerDigits = max(1, exponent + 1)
    let fixedWidth = negative + integerDigits + (fixedDecimals > 0 ? 1 + fixedDecimals : 0)
    let expDigits = abs(exponent) >= 100 ? 3 : 2
    let sciWidth = negative + (digits > 1 ? digits + 1 : 1) + 2 + expDigits
    if fixedWidth <= sciWidth {
      return cFormat("%.\(fixedDecimals)f", x)
    }
    // R writes e+05, e-04: at least two exponent digits.
    let mantissa = sci[..<eIndex]
    let sign = exponent < 0 ? "-" : "+"
    let e = abs(exponent)
    return "\(mantissa)e\(sign)\(e < 10 ? "0" : "")\(e)"
  }

  /// R's `formatC(x, digits = d, width = 1)`: C's `%.dg` (`1e+03` for
  /// 1000 at 3 digits), `Inf`/`-Inf`/`NaN` as R spells them. `cut()` labels
  /// its intervals with it.
  public static func formatC(_ x: Double, significantDigits d: Int) -> String {
    if x.isNaN { return "NaN" }
    if x.isInfinite { return x < 0 ? "-Inf" : "Inf" }
    return cFormat("%.\(d)g", x + 0)
  }

  private static func cFormat(_ f: String, _ x: Double) -> String {
    var buffer = [CChar](repeating: 0, count: 64)
    _ = buffer.withUnsafeMutableBufferPointer { b in
      withVaList([x]) { vsnprintf(b.baseAddress!, 64, f, $0) }
    }
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
  }
}
