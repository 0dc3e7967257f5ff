import Foundation

/// How a published number was rounded.
public enum Rounding: String, Sendable, CaseIterable {
  case halfUp = "half-up"
  case halfEven = "half-even"
  case truncate
}

/// A number exactly as a paper printed it, and the rule that decides whether a
/// computed value still reproduces it at the printed precision.
///
/// Forms: `0.59`, `-1.2`, `.03`, `59%`, `59.0%`, `<0.001`, `< .001`, `≤0.05`,
/// `>35%`, `1.2e-5`, `1.2 × 10⁻⁵`, `1.2x10^-5`, the Lancet's `0·59`, a
/// leading `p =`, `P=` or `p` before a relation. A value holds when the
/// computed one rounds to it: within half a unit of the last printed digit
/// (plus a relative slack of 1e-9 for binary floating point), or by the given
/// `rounding` or absolute `tolerance`. A percentage compares 100 × the
/// computed proportion. An inequality holds when the computed value satisfies it.
public struct PublishedValue: Sendable, Equatable {
  public enum Relation: String, Sendable { case equal = "=", less = "<", lessOrEqual = "≤", greater = ">", greaterOrEqual = "≥" }

  public var text: String
  public var relation: Relation
  /// The printed number on the printed scale (35 for `35%`).
  public var value: Double
  /// One unit of the last printed digit (0.01 for `0.59`, 1e-6 for `1.2e-5`).
  public var unit: Double
  public var percent: Bool

  public struct ParseError: Error, Equatable { public var message: String }

  public init(parsing raw: String) throws {
    text = raw
    var s = Array(raw.trimmed.unicodeScalars)
    func skipSpaces() { while let f = s.first, f == " " || f == "\u{00A0}" || f == "\u{2009}" { s.removeFirst() } }
    skipSpaces()
    // A leading p / P (p-value), then a relation or '='.
    if let f = s.first, f == "p" || f == "P", s.count > 1 {
      let rest = s.dropFirst().drop { $0 == " " }
      if let r = rest.first, "=<>≤≥".unicodeScalars.contains(r) { s = Array(rest) }
    }
    skipSpaces()
    relation = .equal
    if s.starts(with: "<=".unicodeScalars) { relation = .lessOrEqual; s.removeFirst(2) }
    else if s.starts(with: ">=".unicodeScalars) { relation = .greaterOrEqual; s.removeFirst(2) }
    else if let f = s.first {
      switch f {
      case "<": relation = .less; s.removeFirst()
      case ">": relation = .greater; s.removeFirst()
      case "≤": relation = .lessOrEqual; s.removeFirst()
      case "≥": relation = .greaterOrEqual; s.removeFirst()
      case "=": s.removeFirst()
      default: break
      }
    }
    skipSpaces()
    // Mantissa.
    var mantissa = ""
    var decimals = 0
    var seenPoint = false
    if let f = s.first, f == "-" || f == "−" { mantissa = "-"; s.removeFirst() }
    while let f = s.first {
      if ("0"..."9").contains(f) {
        mantissa.unicodeScalars.append(f)
        if seenPoint { decimals += 1 }
      } else if (f == "." || f == "·") && !seenPoint {
        mantissa += "."
        seenPoint = true
      } else { break }
      s.removeFirst()
    }
    guard mantissa.contains(where: \.isNumber), let m = Double(mantissa.hasPrefix(".") || mantissa.hasPrefix("-.") ? mantissa.replacingOccurrences(of: ".", with: "0.") : mantissa) else {
      throw ParseError(message: "cannot read a number in \(raw.quoted), expected forms like 0.59, 59%, <0.001, 1.2e-5 or p = .03")
    }
    // Exponent: e-5, E+3, × 10⁻⁵, x10^-5.
    var exponent = 0
    skipSpaces()
    if let f = s.first, f == "e" || f == "E" {
      s.removeFirst()
      var e = ""
      if let g = s.first, g == "-" || g == "+" || g == "−" { e = g == "+" ? "" : "-"; s.removeFirst() }
      while let g = s.first, ("0"..."9").contains(g) { e.unicodeScalars.append(g); s.removeFirst() }
      guard let v = Int(e) else { throw ParseError(message: "cannot read the exponent in \(raw.quoted)") }
      exponent = v
    } else if let f = s.first, f == "×" || f == "x" || f == "*" {
      s.removeFirst()
      skipSpaces()
      guard s.starts(with: "10".unicodeScalars) else { throw ParseError(message: "expected 10 after × in \(raw.quoted)") }
      s.removeFirst(2)
      if s.first == "^" { s.removeFirst() }
      let superscripts: [Unicode.Scalar: Character] = ["⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9", "⁻": "-", "⁺": "+"]
      var e = ""
      while let g = s.first {
        if let d = superscripts[g] { e.append(d) } else if g == "-" || g == "−" { e.append("-") } else if g == "+" {
          // skip
        } else if ("0"..."9").contains(g) { e.unicodeScalars.append(g) } else { break }
        s.removeFirst()
      }
      guard let v = Int(e.replacingOccurrences(of: "+", with: "")) else { throw ParseError(message: "cannot read the power of 10 in \(raw.quoted)") }
      exponent = v
    }
    skipSpaces()
    percent = false
    if s.first == "%" { percent = true; s.removeFirst() }
    skipSpaces()
    guard s.isEmpty else {
      throw ParseError(message: "unexpected \(String(String.UnicodeScalarView(s)).quoted) in \(raw.quoted), expected a number with an optional %, relation or power of 10")
    }
    value = m * pow(10, Double(exponent))
    unit = pow(10, Double(exponent - decimals))
  }

  /// The computed value on the printed scale.
  public func scaled(_ computed: Double) -> Double { percent ? computed * 100 : computed }

  /// Whether `computed` reproduces the printed value.
  public func holds(_ computed: Double, rounding: Rounding? = nil, tolerance: Double? = nil) -> Bool {
    let c = scaled(computed)
    guard c.isFinite || relation != .equal else { return false }
    let slack = 1e-9 * max(abs(value), unit)
    switch relation {
    // Strict inequalities exclude the bound itself (within rounding of it).
    case .less: return c < value - slack
    case .lessOrEqual: return c <= value + slack
    case .greater: return c > value + slack
    case .greaterOrEqual: return c >= value - slack
    case .equal: break
    }
    if let tolerance { return abs(c - value) <= tolerance + slack }
    let half = unit / 2
    switch rounding {
    case nil:
      return abs(c - value) <= half + slack
    case .halfUp?:
      // Half away from zero: |c| in [|v| − u/2, |v| + u/2).
      guard value == 0 || (c >= 0) == (value >= 0) || abs(c) <= half + slack else { return false }
      let d = abs(c) - abs(value)
      return d >= -half - slack && d < half - slack
    case .halfEven?:
      let d = abs(c - value)
      if abs(d - half) <= slack {
        // The parity of the last printed digit, without an integer conversion that could trap.
        return (abs(value) / unit).rounded().truncatingRemainder(dividingBy: 2) == 0
      }
      return d <= half + slack
    case .truncate?:
      guard value == 0 || (c >= 0) == (value >= 0) || abs(c) < unit else { return false }
      let d = abs(c) - abs(value)
      return d >= -slack && d < unit - slack
    }
  }

  /// The computed value with enough digits to see a discrepancy: two more
  /// than were printed.
  public func display(_ computed: Double) -> String {
    let c = scaled(computed)
    guard c.isFinite else { return c.isNaN ? "NA" : (c > 0 ? "Inf" : "-Inf") }
    let places = -log10(unit)
    let digits = (places.isFinite ? max(0, Int(min(places, 300).rounded())) : 0) + 2
    let text: String
    if abs(c) < 1e-4 && c != 0 {
      text = String(format: "%.3g", c)
    } else {
      text = String(format: "%.\(min(digits, 12))f", c)
    }
    return text + (percent ? "%" : "")
  }
}
