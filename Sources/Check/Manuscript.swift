import Distributions
import Foundation
import Rendering
import Tabular

/// A manuscript's text, read for `--manuscript`.
public enum ManuscriptFile {
  public static func read(path: String) throws -> String {
    try WholeFile.text(path: path, what: "the manuscript")
  }
}

/// Checks that the statistics a manuscript reports agree with each other, as
/// statcheck does for psychology (Epskamp & Nuijten 2016), extended to
/// clinical reporting:
///
/// - `χ²(df) = x, p = …`, `t(df) = x, p = …`, `F(df1, df2) = x, p = …`,
///   `z = x, p = …`, `r(df) = x, p = …`: the p-value recomputed from the
///   statistic (two-sided for t, z and r);
/// - `HR 0.59, 95% CI 0.42–0.83, p = 0.002` (also OR, RR): the p-value from
///   the interval on the log scale, SE = (log U − log L)/(2 × 1.96), z =
///   log(estimate)/SE (Altman & Bland 2011, doi:10.1136/bmj.d2090);
/// - `12/40 (30%)`: the percentage against its counts;
/// - `mean 3.45 (n = 20)`: the GRIM test (Brown & Heathers 2017,
///   doi:10.1177/1948550616673876) — whether any integer total over n gives
///   that mean at the printed precision.
///
/// Every printed number stands for the interval it rounds from, so a
/// statement is consistent when the recomputed value and the printed one
/// can agree; a **decision error** is an inconsistency that moves the p-value
/// across 0.05.
public enum ManuscriptCheck {
  public enum Verdict: String, Sendable { case consistent, inconsistent, decisionError = "decision error" }

  public struct Finding: Sendable {
    public var line: Int
    public var kind: String
    public var text: String
    public var reported: String
    public var computed: String
    public var verdict: Verdict
  }

  static let number = "[-−]?[0-9]*[.·]?[0-9]+"
  static let pClause = "[pP]\\s*(<=|>=|=|<|>|≤|≥)\\s*([-−]?[0-9]*[.·]?[0-9]+(?:\\s*[×x]\\s*10\\^?[-−⁻]?[0-9⁰¹²³⁴⁵⁶⁷⁸⁹]+|[eE][-−+]?[0-9]+)?)"

  struct Pattern {
    var kind: String
    var regex: NSRegularExpression
  }

  static let patterns: [Pattern] = {
    let n = number
    let specs: [(String, String)] = [
      ("chi-square", "(?:χ²|χ2|chi²|chi2|chi-square|Χ²|X2)\\s*\\(\\s*([0-9]+)\\s*(?:,\\s*[Nn]\\s*=\\s*[0-9]+\\s*)?\\)\\s*=\\s*(\(n))\\s*[,;]\\s*\(pClause)"),
      ("t", "(?<![A-Za-z])t\\s*\\(\\s*(\(n))\\s*\\)\\s*=\\s*(\(n))\\s*[,;]\\s*\(pClause)"),
      ("F", "(?<![A-Za-z])F\\s*\\(\\s*(\(n))\\s*,\\s*(\(n))\\s*\\)\\s*=\\s*(\(n))\\s*[,;]\\s*\(pClause)"),
      ("z", "(?<![A-Za-z])[zZ]\\s*=\\s*(\(n))\\s*[,;]\\s*\(pClause)"),
      ("r", "(?<![A-Za-z])r\\s*\\(\\s*([0-9]+)\\s*\\)\\s*=\\s*(\(n))\\s*[,;]\\s*\(pClause)"),
      ("ratio", "(?<![A-Za-z])(HR|OR|RR|IRR|aHR|aOR)\\s*[=:]?\\s*(\(n))\\s*[,;(]?\\s*(?:95\\s*%\\s*CI|CI)\\s*[,:]?\\s*(\(n))\\s*(?:[-–—]|to)\\s*(\(n))\\s*\\)?\\s*[,;]?\\s*\(pClause)"),
      ("percentage", "(?<![0-9.])([0-9]+)\\s*/\\s*([0-9]+)\\s*\\(\\s*(\(n))\\s*%\\s*\\)"),
      ("GRIM", "(?<![A-Za-z])(?:mean|M)\\s*(?:=|:)?\\s*(\(n))\\s*(?:,|;|\\()\\s*[nN]\\s*=\\s*([0-9]+)"),
    ]
    return specs.map { Pattern(kind: $0.0, regex: try! NSRegularExpression(pattern: $0.1)) }
  }()

  public static func check(_ text: String) -> [Finding] {
    var findings: [Finding] = []
    for (k, line) in text.components(separatedBy: "\n").enumerated() {
      let ns = line as NSString
      var taken: [NSRange] = []
      for pattern in patterns {
        for m in pattern.regex.matches(in: line, range: NSRange(location: 0, length: ns.length)) {
          if taken.contains(where: { NSIntersectionRange($0, m.range).length > 0 }) { continue }
          let groups = (1..<m.numberOfRanges).map { m.range(at: $0).location == NSNotFound ? "" : ns.substring(with: m.range(at: $0)) }
          if let f = evaluate(pattern.kind, groups, text: ns.substring(with: m.range), line: k + 1) {
            findings.append(f)
            taken.append(m.range)
          }
        }
      }
    }
    return findings.sorted { $0.line < $1.line }
  }

  /// A printed number and its rounding interval.
  static func printed(_ s: String) -> (value: Double, low: Double, high: Double)? {
    guard let p = try? PublishedValue(parsing: s) else { return nil }
    return (p.value, p.value - p.unit / 2, p.value + p.unit / 2)
  }

  /// Whether the reported p (with its relation and rounding) can be the recomputed range.
  static func agrees(relation: String, reported: String, low: Double, high: Double) -> Bool? {
    guard let r = printed(reported) else { return nil }
    switch relation {
    case "<": return low < r.value
    case "<=", "≤": return low <= r.value
    case ">": return high > r.value
    case ">=", "≥": return high >= r.value
    default: return high >= r.low - 1e-12 && low <= r.high + 1e-12
    }
  }

  static func reportedSignificant(relation: String, reported: String) -> Bool {
    guard let r = printed(reported) else { return false }
    switch relation {
    case "<", "<=", "≤": return r.value <= 0.05
    case ">", ">=", "≥": return false
    default: return r.value < 0.05
    }
  }

  static func pText(_ p: Double) -> String {
    p < 1e-4 ? String(format: "p = %.2e", p) : String(format: "p = %.4f", p)
  }

  static func evaluate(_ kind: String, _ g: [String], text: String, line: Int) -> Finding? {
    func finding(_ reported: String, _ computed: String, _ consistent: Bool, decision: Bool = false) -> Finding {
      Finding(line: line, kind: kind, text: text, reported: reported, computed: computed,
              verdict: consistent ? .consistent : (decision ? .decisionError : .inconsistent))
    }
    /// p as a function of |statistic|, decreasing: the range over the statistic's rounding.
    func testStatistic(_ stat: String, relation: String, p reported: String, _ p: (Double) -> Double) -> Finding? {
      guard let s = printed(stat) else { return nil }
      let lowAbs = max(0, min(abs(s.low), abs(s.high)) * (s.low * s.high < 0 ? 0 : 1)), highAbs = max(abs(s.low), abs(s.high))
      let pHigh = p(lowAbs), pLow = p(highAbs), central = p(abs(s.value))
      guard let ok = agrees(relation: relation, reported: reported, low: pLow, high: pHigh) else { return nil }
      let decision = !ok && reportedSignificant(relation: relation, reported: reported) != (central < 0.05)
      return finding("p \(relation) \(reported)", pText(central), ok, decision: decision)
    }
    let normal = Normal(mean: 0, standardDeviation: 1)
    switch kind {
    // A statistic with no degrees of freedom (r(0), t(0)) has no p-value to check.
    case "chi-square":
      guard let df = Double(g[0]), df > 0, df.isFinite else { return nil }
      return testStatistic(g[1], relation: g[2], p: g[3]) { ChiSquared(degreesOfFreedom: df).cdf($0, tail: .upper) }
    case "t":
      guard let df = printed(g[0])?.value, df > 0, df.isFinite else { return nil }
      return testStatistic(g[1], relation: g[2], p: g[3]) { 2 * StudentT(degreesOfFreedom: df).cdf(-$0, tail: .lower) }
    case "F":
      guard let d1 = printed(g[0])?.value, let d2 = printed(g[1])?.value, d1 > 0, d2 > 0, d1.isFinite, d2.isFinite else { return nil }
      return testStatistic(g[2], relation: g[3], p: g[4]) {
        FisherF(numeratorDegreesOfFreedom: d1, denominatorDegreesOfFreedom: d2).cdf($0, tail: .upper)
      }
    case "z":
      return testStatistic(g[0], relation: g[1], p: g[2]) { 2 * normal.cdf(-$0, tail: .lower) }
    case "r":
      guard let df = Double(g[0]), df > 0, df.isFinite else { return nil }
      return testStatistic(g[1], relation: g[2], p: g[3]) { r in
        guard r < 1 else { return 0 }
        let t = r * (df / (1 - r * r)).squareRoot()
        return 2 * StudentT(degreesOfFreedom: df).cdf(-t, tail: .lower)
      }
    case "ratio":
      guard let e = printed(g[1]), let l = printed(g[2]), let u = printed(g[3]), e.low > 0, l.low >= 0, u.value > 0 else { return nil }
      var ps: [Double] = []
      for est in [e.low, e.high] where est > 0 {
        for lo in [max(l.low, 1e-300), l.high] {
          for hi in [u.low, u.high] where hi > lo {
            let se = (log(hi) - log(lo)) / (2 * 1.959963984540054)
            ps.append(2 * normal.cdf(-abs(log(est) / se), tail: .lower))
          }
        }
      }
      guard let pLow = ps.min(), let pHigh = ps.max() else { return nil }
      let se = (log(u.value) - log(max(l.value, 1e-300))) / (2 * 1.959963984540054)
      let central = 2 * normal.cdf(-abs(log(e.value) / se), tail: .lower)
      guard let ok = agrees(relation: g[4], reported: g[5], low: pLow, high: pHigh) else { return nil }
      let decision = !ok && reportedSignificant(relation: g[4], reported: g[5]) != (central < 0.05)
      return finding("\(g[0]) \(g[1]) (\(g[2])–\(g[3])), p \(g[4]) \(g[5])", pText(central) + " from the interval", ok, decision: decision)
    case "percentage":
      guard let k = Double(g[0]), let n = Double(g[1]), n > 0, let pct = printed(g[2]) else { return nil }
      let computed = 100 * k / n
      let ok = computed >= pct.low - 1e-9 && computed <= pct.high + 1e-9
      return finding("\(g[0])/\(g[1]) (\(g[2])%)", String(format: "%.2f%%", computed), ok)
    case "GRIM":
      guard let m = printed(g[0]), let n = Int(g[1]), n > 0 else { return nil }
      let total = (m.low * Double(n) - 1e-9).rounded(.up)
      let ok = total / Double(n) <= m.high + 1e-9
      let nearest = (m.value * Double(n)).rounded()
      // The total is a whole number but may be beyond Int (n in the 10¹⁸s): printed as a double.
      return finding("mean \(g[0]), n = \(n)", ok ? "a total of \(String(format: "%.0f", total)) gives \(String(format: "%.4f", total / Double(n)))"
                       : "no integer total over \(n) gives \(g[0]) (nearest \(String(format: "%.4f", nearest / Double(n))))", ok)
    default:
      return nil
    }
  }

  public static func table(_ findings: [Finding], path: String) -> ResultTable {
    ResultTable(
      title: "Manuscript: \(path)",
      columns: [ColumnSpec("line", style: .count), ColumnSpec("kind", style: .text), ColumnSpec("reported", style: .text),
                ColumnSpec("recomputed", style: .text), ColumnSpec("verdict", style: .text)],
      rows: findings.map { [.number(Double($0.line)), .text($0.kind), .text($0.reported), .text($0.computed), .text($0.verdict.rawValue)] },
      footnotes: ["\(findings.count) statements; \(findings.filter { $0.verdict == .inconsistent }.count) inconsistent, \(findings.filter { $0.verdict == .decisionError }.count) decision errors. p-values recomputed from the statistic (two-sided for t, z and r), ratio p-values from the interval on the log scale (Altman & Bland 2011), percentages from their counts, means by the GRIM test; each printed number stands for the interval it rounds from."])
  }

  public static func json(_ findings: [Finding], path: String) -> JSONValue {
    .object([
      ("path", .string(path)),
      ("consistent", .int(findings.filter { $0.verdict == .consistent }.count)),
      ("inconsistent", .int(findings.filter { $0.verdict == .inconsistent }.count)),
      ("decision_errors", .int(findings.filter { $0.verdict == .decisionError }.count)),
      ("statements", .array(findings.map { f in
        .object([("line", .int(f.line)), ("kind", .string(f.kind)), ("text", .string(f.text)), ("reported", .string(f.reported)),
                 ("recomputed", .string(f.computed)), ("verdict", .string(f.verdict.rawValue))])
      })),
    ])
  }
}
