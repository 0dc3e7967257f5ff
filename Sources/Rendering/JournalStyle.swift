/// How a journal prints numbers: p-values, decimal marks, intervals. Kept as
/// data (one value per journal), applied in one place (`NumberFormat`), so a
/// report switches style with one key.
///
/// - `default`: gtsummary's `style_pvalue()` (≥ 0.2 one decimal, 0.1–0.2 two,
///   0.001–0.1 three, `<0.001`, `>0.9`); intervals `0.59 (0.42–0.83)`.
/// - `nejm`: P to two decimals, to three below 0.01, `<0.001`, `>0.99`;
///   intervals `0.59 (95% CI, 0.42 to 0.83)`.
/// - `jama` (AMA Manual of Style): no zero before the decimal point of a
///   P value, two decimals, three below .01, `<.001`, `>.99`; intervals
///   `0.59 (95% CI, 0.42-0.83)`.
/// - `lancet`: the decimal point is a middle dot (`0·05`), p to two
///   significant figures, `<0·0001`; intervals `0·59 (95% CI 0·42–0·83)`.
/// - `apa` (APA 7): no leading zero for p, exact to three decimals, `< .001`;
///   intervals `0.59, 95% CI [0.42, 0.83]`.
public struct JournalStyle: Sendable, Equatable {
  public enum PValueRule: Sendable, Equatable {
    /// gtsummary's `style_pvalue(digits = 1)`.
    case gtsummary
    /// Two decimals, three below 0.01; bounds `<lower`, `>upper`.
    case twoThenThree(lower: Double, upper: Double)
    /// Two significant figures; below `lower` as `<lower`.
    case significant(lower: Double)
    /// Three decimals; below 0.001 as `<.001`.
    case threeDecimals
  }

  public enum IntervalForm: Sendable, Equatable {
    /// `0.59 (0.42–0.83)`
    case parentheses
    /// `0.59 (95% CI, 0.42 to 0.83)`
    case words(prefix: String, separator: String)
    /// `0.59, 95% CI [0.42, 0.83]`
    case brackets
  }

  public var name: String
  public var decimalMark: String
  /// Whether a p-value keeps the zero before the decimal mark.
  public var pLeadingZero: Bool
  public var pValueRule: PValueRule
  public var intervalForm: IntervalForm

  public static let `default` = JournalStyle(name: "default", decimalMark: ".", pLeadingZero: true,
                                              pValueRule: .gtsummary, intervalForm: .parentheses)
  public static let nejm = JournalStyle(name: "nejm", decimalMark: ".", pLeadingZero: true,
                                        pValueRule: .twoThenThree(lower: 0.001, upper: 0.99),
                                        intervalForm: .words(prefix: "95% CI, ", separator: " to "))
  public static let jama = JournalStyle(name: "jama", decimalMark: ".", pLeadingZero: false,
                                        pValueRule: .twoThenThree(lower: 0.001, upper: 0.99),
                                        intervalForm: .words(prefix: "95% CI, ", separator: "-"))
  public static let lancet = JournalStyle(name: "lancet", decimalMark: "·", pLeadingZero: true,
                                          pValueRule: .significant(lower: 0.0001),
                                          intervalForm: .words(prefix: "95% CI ", separator: "–"))
  public static let apa = JournalStyle(name: "apa", decimalMark: ".", pLeadingZero: false,
                                       pValueRule: .threeDecimals, intervalForm: .brackets)

  public static let all: [JournalStyle] = [.default, .nejm, .jama, .lancet, .apa]

  public static func named(_ name: String) -> JournalStyle? { all.first { $0.name == name } }

  /// A p-value as the journal prints it, without `p =`: `0.042`, `<0.001`, `.04`.
  public func pValue(_ p: Double) -> String {
    guard p.isFinite, p >= 0, p <= 1 else { return "NA" }
    var text: String
    switch pValueRule {
    case .gtsummary:
      // gtsummary rounds half up (its round2), not to the nearest binary value.
      func round2(_ x: Double, _ digits: Int) -> Double {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        return (x * scale + 0.5 + 1.4901161193847656e-08).rounded(.towardZero) / scale
      }
      if p > 0.9 { text = ">0.9" }
      else if round2(p, 1) >= 0.2 { text = NumberFormat.fixed(round2(p, 1), decimals: 1) }
      else if round2(p, 2) >= 0.1 { text = NumberFormat.fixed(round2(p, 2), decimals: 2) }
      else if p >= 0.001 { text = NumberFormat.fixed(round2(p, 3), decimals: 3) }
      else { text = "<0.001" }
    case .twoThenThree(let lower, let upper):
      if p > upper { text = ">" + NumberFormat.fixed(upper, decimals: 2) }
      else if p < lower { text = "<" + NumberFormat.fixed(lower, decimals: 3) }
      else if (p * 100).rounded() / 100 < 0.01 { text = NumberFormat.fixed(p, decimals: 3) }
      else { text = NumberFormat.fixed(p, decimals: 2) }
    case .significant(let lower):
      if p < lower { text = "<" + NumberFormat.fixed(lower, decimals: 4) }
      else { text = NumberFormat.fixed(p, decimals: min(4, NumberFormat.decimalsNeeded(p, significant: 2))) }
    case .threeDecimals:
      text = p < 0.001 ? "<0.001" : NumberFormat.fixed(p, decimals: 3)
    }
    if !pLeadingZero { text = text.replacingFirst("0.", with: ".") }
    return decimal(text)
  }

  /// `p = 0.042` or `p < 0.001` in running text (`P` for NEJM and JAMA).
  public func pClause(_ p: Double) -> String {
    let v = pValue(p)
    let letter = (name == "nejm" || name == "jama") ? "P" : "p"
    if v.hasPrefix("<") || v.hasPrefix(">") { return "\(letter) \(v.prefix(1)) \(v.dropFirst())" }
    return "\(letter) = \(v)"
  }

  /// A number with `decimals` decimals, never `-0`, with the journal's decimal mark.
  public func number(_ x: Double, decimals: Int) -> String {
    guard x.isFinite else { return x == .infinity ? "∞" : "NA" }
    return decimal(NumberFormat.fixed(x, decimals: decimals))
  }

  /// An estimate with its interval: `0.59 (0.42–0.83)` in the journal's form.
  public func interval(_ estimate: String, _ lower: String, _ upper: String, level: Double = 0.95) -> String {
    let percent = NumberFormat.fixed(level * 100, decimals: level * 100 == (level * 100).rounded() ? 0 : 1) + "% CI"
    switch intervalForm {
    case .parentheses: return "\(estimate) (\(percent) \(lower)–\(upper))"
    case .words(let prefix, let separator):
      let p = prefix.replacingFirst("95% CI", with: percent)
      return "\(estimate) (\(p)\(lower)\(separator)\(upper))"
    case .brackets: return "\(estimate), \(percent) [\(lower), \(upper)]"
    }
  }

  /// Replaces the decimal point of a formatted number.
  public func decimal(_ text: String) -> String {
    decimalMark == "." ? text : text.replacingAll(".", with: decimalMark)
  }
}

extension String {
  func replacingFirst(_ target: String, with replacement: String) -> String {
    guard let r = range(of: target) else { return self }
    return String(self[..<r.lowerBound]) + replacement + String(self[r.upperBound...])
  }

  func replacingAll(_ target: Character, with replacement: String) -> String {
    var out = ""
    for ch in self { if ch == target { out += replacement } else { out.append(ch) } }
    return out
  }

  fileprivate func range(of target: String) -> Range<String.Index>? {
    var i = startIndex
    while i < endIndex {
      if self[i...].hasPrefix(target) { return i..<index(i, offsetBy: target.count) }
      i = index(after: i)
    }
    return nil
  }
}
