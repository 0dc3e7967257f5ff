import Rates
import Rendering
import StudyDesign
import Survival
import Tabular

/// One-sentence results for a manuscript, in a journal's style:
/// `sex=1: median 270 days (95% CI 212–310)`, `HR 0.59 (95% CI 0.42–0.83), p = 0.002`.
extension AnalysisResult {
  /// `unit`: the time unit of Kaplan–Meier medians (`days`).
  public func inlineSentences(style: JournalStyle, unit: String?) -> [String] {
    func ratio(_ x: Double?) -> String {
      guard let x else { return "NA" }
      return style.number(x, decimals: x < 0.1 ? 3 : 2)
    }
    func time(_ x: Double?) -> String {
      guard let x else { return "not reached" }
      let decimals = x == x.rounded() ? 0 : NumberFormat.decimalsNeeded(x, significant: 3)
      return style.number(x, decimals: min(decimals, 2))
    }
    let u = unit.map { " " + $0 } ?? ""
    switch self {
    case .km(let fit, _):
      return fit.curves.map { c in
        let median = c.median == nil ? "median not reached" : "median \(time(c.median))\(u)"
        let ci = "\(c.medianLower == nil ? "NR" : time(c.medianLower))–\(c.medianUpper == nil ? "NR" : time(c.medianUpper))"
        let level = NumberFormat.fixed(fit.confidenceLevel * 100, decimals: 0)
        return "\(c.label): \(median) (\(level)% CI \(ci)); \(Int(c.events)) events among \(c.n) patients."
      }
    case .logrank(let test, _, _):
      return ["Log-rank test: χ²(\(test.degreesOfFreedom)) = \(style.number(test.chiSquare, decimals: 2)), \(style.pClause(test.p))."]
    case .cox(let fit, _):
      return fit.terms.map { t in
        "\(t.name): HR " + style.interval(ratio(t.hazardRatio), ratio(t.lower), ratio(t.upper), level: fit.confidenceLevel)
          + (t.p.map { ", " + style.pClause($0) } ?? "") + "."
      }
    case .logistic(let fit, _):
      return fit.terms.filter { $0.term != "(Intercept)" && !$0.aliased }.map { t in
        let lower = t.profileLower ?? t.lower, upper = t.profileUpper ?? t.upper
        return "\(t.term): OR " + style.interval(ratio(t.oddsRatio), ratio(lower), ratio(upper), level: fit.confidenceLevel)
          + ((fit.method == .firth ? t.pLikelihoodRatio : t.p).map { ", " + style.pClause($0) } ?? "") + "."
      }
    case .rate(let r):
      return [rateSentence(r, style)]
    case .rates(let a):
      return a.groups.map { rateSentence($0, style) }
    case .compare(let c):
      guard let d = c.riskDifference.interval("newcombe") else { return [] }
      let pct = { (x: Double?) -> String in x.map { style.number($0 * 100, decimals: 1) } ?? "NA" }
      return ["Risk difference " + style.interval(pct(c.riskDifference.estimate) + " percentage points", pct(d.lower), pct(d.upper), level: c.confidenceLevel)
              + ", Fisher's exact test " + style.pClause(c.tests.fisherExactP) + "."]
    case .cmh(let c, _):
      let i = c.oddsRatio.interval("robins_breslow_greenland")
      return ["Mantel–Haenszel common odds ratio " + style.interval(ratio(c.oddsRatio.estimate), ratio(i?.lower), ratio(i?.upper), level: c.confidenceLevel)
              + ", Cochran–Mantel–Haenszel " + style.pClause(c.tests.cmh.p) + "."]
    case .simon(let d):
      return ["Optimal design: stop after \(d.optimal.n1) patients if \(d.optimal.r1) or fewer respond; otherwise treat \(d.optimal.n) in all and reject the treatment if \(d.optimal.r) or fewer respond (alpha \(style.number(d.optimal.alpha, decimals: 3)), power \(style.number(d.optimal.power, decimals: 3)))."]
    case .singleStage(let d):
      return ["Treat \(d.n) patients; the treatment is worth pursuing with \(d.minimumResponses) or more responses (alpha \(style.number(d.actualAlpha, decimals: 3)), power \(style.number(d.actualPower, decimals: 3)))."]
    case .twoRates(let d):
      return ["\(d.perGroup) patients per group (normal approximation; \(d.perGroupCorrected) with continuity correction)."]
    case .logrankDesign(let d):
      return ["\(d.events) events (Schoenfeld)" + (d.patients.map { ", \($0.total) patients" } ?? "") + "."]
    }
  }

  private func rateSentence(_ r: RateEstimate, _ style: JournalStyle) -> String {
    let cp = r.intervals.first { $0.method == .clopperPearson }
    let pct = { (x: Double) -> String in style.number(x * 100, decimals: 1) + "%" }
    return (r.label.map { "\($0): " } ?? "") + "\(r.events)/\(r.trials) (" + pct(r.estimate)
      + "; \(NumberFormat.fixed(r.confidenceLevel * 100, decimals: 0))% CI \(cp.map { pct($0.lower) } ?? "NA")–\(cp.map { pct($0.upper) } ?? "NA"), Clopper–Pearson)"
      + (r.test.map { ", exact binomial test against \(style.number($0.nullRate, decimals: 2)): " + style.pClause($0.exactP) } ?? "") + "."
  }
}
