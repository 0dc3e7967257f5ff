import Rates
import Rendering
import StudyDesign
import Survival
import Tabular

/// The result of one analysis as the CLI and the report both see it: its
/// JSON (the contract's), its tables, its warnings and a sentence for a
/// methods section. One value per analysis, so that a report's numbers are
/// the CLI's.
public enum AnalysisResult: Sendable {
  case km(KaplanMeierFit, formula: String)
  case logrank(LogRankTest, formula: String, stratified: Bool)
  case cox(CoxFit, formula: String)
  case rate(RateEstimate)
  case rates(RateAnalysis)
  case compare(RateComparison)
  case cmh(StratifiedComparison, formula: String)
  case logistic(LogisticFit, formula: String)
  case simon(SimonDesigns)
  case singleStage(SingleStage)
  case twoRates(TwoRateSampleSize)
  case logrankDesign(LogRankEvents)

  /// The contract's `command` field.
  public var command: String {
    switch self {
    case .km: return "km"
    case .logrank: return "logrank"
    case .cox: return "cox"
    case .rate, .rates: return "rate"
    case .compare: return "compare"
    case .cmh: return "cmh"
    case .logistic: return "logistic"
    case .simon: return "design-simon"
    case .singleStage: return "design-single-stage"
    case .twoRates: return "design-two-rates"
    case .logrankDesign: return "design-logrank"
    }
  }

  public func json() throws -> JSONValue {
    let encoder = JSONValueEncoder()
    let body: JSONValue
    switch self {
    case .km(let fit, _): body = try encoder.encode(fit)
    case .logrank(let test, _, _): body = try encoder.encode(test)
    case .cox(let fit, _): body = try encoder.encode(fit)
    case .rate(let r): body = try encoder.encode(r)
    case .rates(let r): body = try encoder.encode(r)
    case .compare(let c): body = try encoder.encode(c)
    case .cmh(let c, _): body = try encoder.encode(c)
    case .logistic(let f, _): body = try encoder.encode(f)
    case .simon(let d): body = try encoder.encode(d)
    case .singleStage(let d): body = try encoder.encode(d)
    case .twoRates(let d): body = try encoder.encode(d)
    case .logrankDesign(let d): body = try encoder.encode(d)
    }
    return body.prepending("command", .string(command))
  }

  /// The tables the CLI prints (the report adds its own choices on top).
  public func tables(title: String? = nil) -> [ResultTable] {
    switch self {
    case .km(let fit, let formula):
      var tables = [fit.summaryTable(title: title ?? "Kaplan–Meier: \(formula)")]
      if let t = fit.timesTable() { tables.append(t) }
      return tables
    case .logrank(let test, let formula, _):
      return test.tables(title: title ?? "\(test.rho == 0 ? "Log-rank test" : "G-rho test"): \(formula)")
    case .cox(let fit, let formula): return fit.tables(title: title ?? "Cox proportional hazards: \(formula)")
    case .rate(let r): return r.tables(title: title ?? "Rate: \(r.events) of \(r.trials)")
    case .rates(let r): return r.tables(title: title ?? "Rate of \(r.response)")
    case .compare(let c): return c.tables(title: title)
    case .cmh(let c, _): return c.tables(title: title)
    case .logistic(let f, let formula): return f.tables(title: title ?? "Logistic regression: \(formula)")
    case .simon(let d): return [retitled(d.table(), title)]
    case .singleStage(let d): return [retitled(d.table(), title)]
    case .twoRates(let d): return [retitled(d.table(), title)]
    case .logrankDesign(let d): return [retitled(d.table(), title)]
    }
  }

  private func retitled(_ t: ResultTable, _ title: String?) -> ResultTable {
    var t = t
    if let title { t.title = title }
    return t
  }

  public var warnings: [String] {
    switch self {
    case .cox(let fit, _): return fit.warnings.map(\.message)
    case .logistic(let fit, _): return fit.warnings
    default: return []
    }
  }

  /// One or two sentences for the methods section.
  public var methods: String {
    switch self {
    case .km(let fit, _):
      return "Survival was estimated by the Kaplan–Meier method, with \(percent(fit.confidenceLevel)) pointwise confidence intervals on the \(fit.confidenceTransform.rawValue) scale (\(fit.variance == .greenwood ? "Greenwood" : "infinitesimal-jackknife") variance) and medians with their confidence limits as in R's quantile.survfit."
    case .logrank(let test, _, let stratified):
      let name = test.rho == 0 ? "the log-rank test" : "the Fleming–Harrington G-rho test with rho = \(RNumberText.format(test.rho))"
      return "Survival was compared between groups with \(stratified ? "the stratified form of " : "")\(name)."
    case .cox(let fit, _):
      var s = "Hazard ratios were estimated by Cox proportional-hazards regression with \(fit.ties == .efron ? "Efron's" : "Breslow's") method for tied times and \(percent(fit.confidenceLevel)) Wald confidence intervals\(fit.robust ? " from the robust (cluster) variance" : "")."
      if fit.proportionalHazards != nil {
        s += " Proportional hazards were checked with the scaled Schoenfeld residual test (R cox.zph)."
      }
      return s
    case .rate(let r):
      return rateMethods(level: r.confidenceLevel, tested: r.test != nil)
    case .rates(let r):
      return rateMethods(level: r.groups.first?.confidenceLevel ?? 0.95, tested: r.groups.first?.test != nil)
    case .compare(let c):
      return "Two rates were compared by the risk difference (Newcombe's hybrid score interval), the risk ratio and the odds ratio with \(percent(c.confidenceLevel)) confidence intervals, and tested by Fisher's exact test."
    case .cmh(let c, _):
      return "Stratified 2×2 tables were analysed with the Cochran–Mantel–Haenszel test, the Mantel–Haenszel common odds ratio with its Robins–Breslow–Greenland \(percent(c.confidenceLevel)) confidence interval, and the Breslow–Day test of homogeneity with Tarone's correction."
    case .logistic(let f, _):
      return f.method == .firth
        ? "Odds ratios were estimated by logistic regression with Firth's penalized likelihood, with \(percent(f.confidenceLevel)) profile penalized-likelihood confidence intervals and penalized likelihood-ratio tests."
        : "Odds ratios were estimated by logistic regression (maximum likelihood), with \(percent(f.confidenceLevel)) profile-likelihood confidence intervals and Wald tests."
    case .simon(let d):
      return "The trial follows Simon's two-stage design (Simon 1989) for H0: p ≤ \(RNumberText.format(d.p0)) against p ≥ \(RNumberText.format(d.p1)) with one-sided alpha \(RNumberText.format(d.alpha)) and power \(RNumberText.format(d.power)), found by exhaustive search of exact binomial probabilities."
    case .singleStage(let d):
      return "The exact single-stage design (A'Hern 2001) for H0: p ≤ \(RNumberText.format(d.p0)) against p ≥ \(RNumberText.format(d.p1)) uses exact binomial probabilities with one-sided alpha \(RNumberText.format(d.alpha)) and power \(RNumberText.format(d.power))."
    case .twoRates(let d):
      return "Patients per group for rates \(RNumberText.format(d.p1)) and \(RNumberText.format(d.p2)) were computed by the normal approximation (R power.prop.test), with Fleiss' continuity correction and the exact power of Fisher's test alongside; two-sided alpha \(RNumberText.format(d.alpha)), power \(RNumberText.format(d.power))."
    case .logrankDesign(let d):
      return "The number of events for a two-sided log-rank test of a hazard ratio of \(RNumberText.format(d.hazardRatio)) (alpha \(RNumberText.format(d.alpha)), power \(RNumberText.format(d.power))) follows Schoenfeld (1983)\(d.patients == nil ? "" : ", and the number of patients assumes uniform accrual and exponential survival")."
    }
  }

  private func rateMethods(level: Double, tested: Bool) -> String {
    "Rates are given with exact Clopper–Pearson \(percent(level)) confidence intervals (Wilson and other intervals alongside)"
      + (tested ? " and tested against the reference rate by the exact binomial test." : ".")
  }
}
