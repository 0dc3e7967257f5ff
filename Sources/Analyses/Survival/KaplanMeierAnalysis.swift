import Distributions
import ModelFrame
import Rendering
import Survival
import Tabular

/// `km`: Kaplan–Meier curves, as R's `survfit`.
public enum KaplanMeierAnalysis: Analysis {
  public static let name = AnalysisName("km")
  public static let abstract = "Kaplan–Meier survival curves with Greenwood variance (R survfit)."
  public static let discussion = """
    One curve per group of the right-hand side. Prints n, events, the median with its confidence limits and the \
    median follow-up; --times adds the curves at given times, --tau the restricted mean survival time. Near-tied \
    times are merged as R's timefix = TRUE.
    """
  public static let example = #"outcomes km --data Datasets/lung.csv --formula "Surv(time, status) ~ sex" --times 180,365 --tau 730"#

  public struct Options: AnalysisOptions {
    public var data: DataSelection?
    public var formula: String
    public var confidenceLevel: Double
    public var confidenceTransform: ConfidenceTransform
    public var times: [Double]?
    public var tau: Double?
    public var weights: String?
    /// Also tabulate every step (text, Markdown, CSV).
    public var steps: Bool
    /// The unit of a follow-up computed from dates.
    public var timeUnit: TimeUnit?
    public var estimator: SurvivalEstimator = .kaplanMeier
    public var hazard: HazardEstimator = .nelsonAalen
    public var quantiles: [Double]?
    public var extend = false
    public var startTime: Double?
    public var confidenceLower: ConfidenceLower = .usual
    public var variance: VarianceChoice?
    /// Whose defaults the options not given take.
    public var profile: ConventionProfile = .r
    /// The time of a quantile where the curve sits on 1 − p.
    public var medianRule: SurvivalQuantileRule = .midpoint

    /// R's `conf.lower`.
    public enum ConfidenceLower: String, Sendable, CaseIterable, Codable, OptionChoice { case usual, modified }
    /// R's `robust = FALSE | TRUE` (the infinitesimal jackknife).
    public enum VarianceChoice: String, Sendable, CaseIterable, Codable, OptionChoice { case greenwood, robust }

    public init(data: DataSelection, formula: String, confidenceLevel: Double = 0.95, confidenceTransform: ConfidenceTransform = .log,
                times: [Double]? = nil, tau: Double? = nil, weights: String? = nil, steps: Bool = false) {
      self.data = data
      self.formula = formula
      self.confidenceLevel = confidenceLevel
      self.confidenceTransform = confidenceTransform
      self.times = times
      self.tau = tau
      self.weights = weights
      self.steps = steps
    }

    enum CodingKeys: String, CodingKey {
      case formula, confLevel = "conf-level", confType = "conf-type", times, tau, weights, steps, timeUnit = "time-unit"
      case estimator, cumhaz, quantiles, extend, startTime = "start-time", confLower = "conf-lower", variance
      case profile, medianRule = "median-rule"
    }

    /// The pointwise-interval scale a profile takes by default: log (R), log-log (SAS, Stata, lifelines).
    public static func defaultConfidenceTransform(_ profile: ConventionProfile) -> ConfidenceTransform {
      profile == .r ? .log : .logLog
    }

    /// The quantile rule a profile takes by default.
    public static func defaultMedianRule(_ profile: ConventionProfile) -> SurvivalQuantileRule {
      switch profile {
      case .r: return .midpoint
      case .sas: return .sas
      case .stata, .lifelines: return .first
      }
    }

    public static var parameters: [Parameter] {
      DataSelection.parameters(adam: true) + [
        .formula("Surv(time, status) ~ sex"),
        .confidenceLevel,
        .choice("conf-type", ConfidenceTransform.self, help: "Confidence interval scale; default log (R), log-log under --profile sas, stata or lifelines.", default: .log),
        Parameter("times", .list, help: "Report the curves at these times (R summary(fit, times =))."),
        Parameter("tau", help: "Restricted mean survival time up to this time (R print(fit, rmean =))."),
        Parameter("weights", help: "Column of case weights."),
        Parameter("steps", .flag, help: "Also tabulate every step of the curves (text, md and csv)."),
        .timeUnit,
        .choice("estimator", SurvivalEstimator.self, help: "Survival estimator: km (product limit) or fh, exp(-H) (R stype = 2).", default: .kaplanMeier),
        .choice("cumhaz", HazardEstimator.self, help: "Cumulative hazard: nelson-aalen or fleming-harrington (ties as in R ctype = 2).", default: .nelsonAalen),
        Parameter("quantiles", .list, help: "Survival quantiles with confidence limits, e.g. 0.25,0.5,0.75 (R quantile(fit, probs))."),
        Parameter("extend", .flag, help: "With --times, also times after the last observation (R summary(fit, times, extend = TRUE))."),
        Parameter("start-time", help: "Curves conditional on survival to this time (R survfit(start.time =))."),
        .choice("conf-lower", ConfidenceLower.self, help: "Lower limit: usual or modified (Dorey–Korn; R conf.lower).", default: .usual),
        .choice("variance", VarianceChoice.self, help: "greenwood or robust (infinitesimal jackknife); default: R's rule (robust when a weight is not an integer)."),
        .choice("median-rule", SurvivalQuantileRule.self,
                help: "Median and quantiles where the curve sits on 1 − p: midpoint (R), sas (midpoint; not estimable when the curve ends there) or first (the first time S(t) ≤ 1 − p: lifelines, Stata).",
                default: .midpoint),
        .profile,
      ]
    }

    public init(from decoder: Decoder) throws {
      data = try DataSelection.decode(from: decoder, adam: true, required: true)
      let c = try decoder.container(keyedBy: CodingKeys.self)
      profile = try c.profile(.profile)
      formula = try c.formula(.formula)
      confidenceLevel = try c.confidenceLevel(.confLevel)
      confidenceTransform = try c.choice(.confType, default: Self.defaultConfidenceTransform(profile))
      medianRule = try c.choice(.medianRule, default: Self.defaultMedianRule(profile))
      times = try c.numbers(.times)
      tau = try c.number(.tau, expected: "a positive number", where: { $0 > 0 })
      weights = try c.text(.weights)
      steps = try c.flag(.steps)
      timeUnit = try c.decodeIfPresent(TimeUnit.self, forKey: .timeUnit)
      estimator = try c.choice(.estimator, default: .kaplanMeier)
      hazard = try c.choice(.cumhaz, default: .nelsonAalen)
      quantiles = try c.numbers(.quantiles)
      if let q = quantiles, q.isEmpty || q.count > 99 || !q.allSatisfy({ $0 > 0 && $0 < 1 }) {
        throw c.problem(.quantiles, "from 1 to 99 probabilities in (0, 1)")
      }
      extend = try c.flag(.extend)
      if extend && times == nil { throw c.problem(.extend, "--times with it") }
      startTime = try c.number(.startTime, expected: "a finite time", where: { $0.isFinite })
      confidenceLower = try c.choice(.confLower, default: .usual)
      variance = try c.decodeIfPresent(VarianceChoice.self, forKey: .variance)
    }
  }

  public struct FigureOptions: AnalysisOptions {
    public var figure = true
    public var riskTable = true
    public var kmunicate = false
    public var bands = false
    public var cumulativeIncidence = false
    public var logrankP = false
    public var xLabel: String?
    public var yLabel: String?
    public var breaks: [Double]?

    enum CodingKeys: String, CodingKey {
      case figure, riskTable = "risk-table", kmunicate, bands, cumulativeIncidence = "cumulative-incidence"
      case logrankP = "logrank-p", xlab, ylab, breaks
    }

    public static var parameters: [Parameter] {
      [Parameter("figure", .flag, help: "Draw the curves (default true)."),
       Parameter("risk-table", .flag, help: "Numbers at risk under the axis (default true)."),
       Parameter("kmunicate", .flag, help: "Cumulative events and censored under the axis (Morris et al. 2019)."),
       Parameter("bands", .flag, help: "Pointwise confidence bands."),
       Parameter("cumulative-incidence", .flag, help: "Plot 1 − S(t)."),
       Parameter("logrank-p", .flag, help: "The log-rank p-value of the same rows, in a corner."),
       Parameter("xlab", help: "The x-axis title."),
       Parameter("ylab", help: "The y-axis title."),
       Parameter("breaks", .list, help: "The x-axis ticks, which are also the times of the counts under the axis.")]
    }

    public init(from decoder: Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      figure = try c.decodeIfPresent(Bool.self, forKey: .figure) ?? true
      riskTable = try c.decodeIfPresent(Bool.self, forKey: .riskTable) ?? true
      kmunicate = try c.flag(.kmunicate)
      bands = try c.flag(.bands)
      cumulativeIncidence = try c.flag(.cumulativeIncidence)
      logrankP = try c.flag(.logrankP)
      xLabel = try c.text(.xlab)
      yLabel = try c.text(.ylab)
      breaks = try c.numbers(.breaks)
      if let b = breaks {
        let increasing = zip(b, b.dropFirst()).allSatisfy { $0 < $1 }
        guard b.count >= 2, b.count <= 40, increasing, b.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
          throw c.problem(.breaks, "from 2 to 40 increasing times of at least 0")
        }
      }
    }
  }

  public static func run(_ options: Options, in context: AnalysisContext) throws -> KaplanMeierOutput {
    var km = KaplanMeier.Options(confidenceTransform: options.confidenceTransform, confidenceLevel: options.confidenceLevel,
                                 times: options.times, tau: options.tau)
    km.estimator = options.estimator
    km.hazard = options.hazard
    km.quantiles = options.quantiles
    km.extend = options.extend
    km.startTime = options.startTime
    km.modifiedLowerLimit = options.confidenceLower == .modified
    km.variance = options.variance.map { $0 == .robust ? .jackknife : .greenwood }
    km.quantileRule = options.medianRule
    let selection = try context.select(options.data!, formula: options.formula, columns: options.weights.map { [$0] } ?? [])
    let frame = try selection.frame(formula: options.formula, options: .init(weights: options.weights, timeUnit: options.timeUnit))
    return KaplanMeierOutput(fit: try KaplanMeier.fit(frame, options: km), formula: options.data!.formula(options.formula),
                             showSteps: options.steps)
  }

  public static func conventions(_ options: Options, output: KaplanMeierOutput) -> Conventions? {
    var c = Conventions(profile: options.profile)
    let fit = output.fit
    c.add("estimator", options.estimator.rawValue,
          text: options.estimator == .kaplanMeier ? "KM product-limit" : "survival exp(−Fleming–Harrington hazard)")
    c.add("variance", fit.variance == .greenwood ? "greenwood" : "robust",
          text: fit.variance == .greenwood ? "Greenwood variance" : "infinitesimal-jackknife variance")
    c.add("conf_type", fit.confidenceTransform.rawValue, text: "CI \(fit.confidenceTransform.rawValue)")
    if options.confidenceLower == .modified { c.add("conf_lower", "modified", text: "modified lower limit") }
    let rule: String
    switch options.medianRule {
    case .midpoint: rule = "median midpoint rule"
    case .sas: rule = "median SAS rule"
    case .first: rule = "median first S(t) ≤ 0.5"
    }
    c.add("median_rule", options.medianRule.rawValue, text: rule)
    return c
  }

  public static func figures(_ output: KaplanMeierOutput, options: Options, figure: FigureOptions, in context: AnalysisContext,
                             style: JournalStyle) throws -> [ReportFigure] {
    guard figure.figure else { return [] }
    var annotation: String? = nil
    var methods: String? = nil
    if figure.logrankP {
      // The test of the same rows and formula as the curves.
      if options.weights != nil {
        throw InputError(option: "logrank-p", "the log-rank test takes no case weights, expected no \(String.option("weights")) with it")
      }
      let frame = try context.select(options.data!, formula: options.formula).frame(formula: options.formula, options: .init(timeUnit: options.timeUnit))
      let test = try LogRank.test(frame)
      annotation = "Log-rank χ²(\(test.degreesOfFreedom)) = \(style.number(test.chiSquare, decimals: 2)), " + style.pClause(test.p)
      methods = "Curves on the figures are compared by the log-rank test."
    }
    let fit = output.fit
    let breaks = fit.plotBreaks(figure.breaks)
    let plot = fit.plot(title: nil, breaks: breaks, riskTable: figure.riskTable, kmunicate: figure.kmunicate, bands: figure.bands,
                        cumulativeIncidence: figure.cumulativeIncidence, xLabel: figure.xLabel, yLabel: figure.yLabel,
                        annotation: annotation)
    var tables: [(String, ResultTable)] = []
    if figure.riskTable { tables.append(("-at-risk", fit.atRiskTable(breaks: breaks, kmunicate: figure.kmunicate))) }
    return [ReportFigure(suffix: "", svg: plot.svg(), subject: "Kaplan–Meier curves",
                         detail: (figure.riskTable ? ", with the numbers at risk" : "") + ".", titled: true,
                         tables: tables, methods: methods)]
  }
}

/// The result of `km`: the fit, and how the command was asked to show it.
public struct KaplanMeierOutput: AnalysisOutput {
  public var fit: KaplanMeierFit
  /// The formula fitted (with ADaM's response filled in).
  public var formula: String
  public var showSteps: Bool

  /// Two curves with `--tau`: survRM2's between-group contrasts.
  public var rmstComparison: RestrictedMeanComparison? {
    RestrictedMeanComparison(curves: fit.curves, confidenceLevel: fit.confidenceLevel)
  }

  enum ComparisonKey: String, CodingKey { case rmstComparison = "rmst_comparison" }

  /// τ past a curve's last time: its RMST extends the last value flat (as R's
  /// `rmean`); survRM2 refuses such a τ for a comparison.
  public var warnings: [String] {
    guard let tau = fit.curves.first?.restrictedMean?.tau else { return [] }
    return fit.curves.compactMap { c in
      guard let last = c.steps.last?.time, tau > last else { return nil }
      return "tau = \(RNumberText.format(tau)) is past the last observed time of \(c.label) (\(RNumberText.format(last))): its restricted mean extends the curve flat beyond it"
    }
  }

  public func encode(to encoder: Encoder) throws {
    try fit.encode(to: encoder)
    if let comparison = rmstComparison {
      var c = encoder.container(keyedBy: ComparisonKey.self)
      try c.encode(comparison, forKey: .rmstComparison)
    }
  }

  public func tables(title: String?) -> [ResultTable] {
    var tables = [fit.summaryTable(title: title ?? "Kaplan–Meier: \(formula)")]
    if let c = rmstComparison { tables.append(c.table(level: fit.confidenceLevel)) }
    if let t = fit.quantilesTable() { tables.append(t) }
    if let t = fit.timesTable() { tables.append(t) }
    if showSteps { tables.append(fit.stepsTable()) }
    return tables
  }

  public var methods: String {
    "Survival was estimated by the Kaplan–Meier method, with \(percent(fit.confidenceLevel)) pointwise confidence intervals on the \(fit.confidenceTransform.rawValue) scale (\(fit.variance == .greenwood ? "Greenwood" : "infinitesimal-jackknife") variance) and medians with their confidence limits \(medianMethod)."
  }

  private var medianMethod: String {
    switch fit.quantileRule {
    case .midpoint: return "as in R's quantile.survfit"
    case .sas: return "by SAS PROC LIFETEST's rule (not estimable when the curve ends at 0.5)"
    case .first: return "taken as the first time S(t) ≤ 0.5"
    }
  }

  public func sentences(style: JournalStyle, unit: String?) -> [String] {
    let u = unit.map { " " + $0 } ?? ""
    return fit.curves.map { c in
      let median = c.median == nil ? "median not reached" : "median \(style.time(c.median))\(u)"
      let ci = "\(c.medianLower == nil ? "NR" : style.time(c.medianLower))–\(c.medianUpper == nil ? "NR" : style.time(c.medianUpper))"
      let level = NumberFormat.fixed(fit.confidenceLevel * 100, decimals: 0)
      return "\(c.label): \(median) (\(level)% CI \(ci)); \(NumberFormat.count(c.events)) events among \(c.n) patients."
    }
  }
}

/// A curve's steps are written by the million; the fields as `Encodable` writes them.
extension KaplanMeierStep: JSONRecord {
  public func writeJSON(to record: inout JSONRecordWriter) {
    record.field(CodingKeys.time.stringValue, time)
    record.field(CodingKeys.nRisk.stringValue, nRisk)
    record.field(CodingKeys.nEvent.stringValue, nEvent)
    record.field(CodingKeys.nCensor.stringValue, nCensor)
    record.field(CodingKeys.survival.stringValue, survival)
    record.field(CodingKeys.standardError.stringValue, standardError)
    record.field(CodingKeys.lower.stringValue, lower)
    record.field(CodingKeys.upper.stringValue, upper)
    record.field(CodingKeys.cumulativeHazard.stringValue, cumulativeHazard)
    record.field(CodingKeys.cumulativeHazardStandardError.stringValue, cumulativeHazardStandardError)
    if let nFailed { record.field(CodingKeys.nFailed.stringValue, nFailed) }
    if let nLeft { record.field(CodingKeys.nLeft.stringValue, nLeft) }
  }
}

/// Two curves with `--tau`: the between-group contrasts of survRM2's
/// `rmst2` (Uno et al. 2014), the second group against the first (survRM2's
/// arm 1 against arm 0): the difference in restricted mean survival time,
/// its ratio, and the ratio of restricted mean time lost (τ − RMST), each
/// with a Wald interval (the ratios on the log scale) and two-sided p, from
/// the groups' RMST and their variances as `print(survfit, rmean = τ)`.
public struct RestrictedMeanComparison: Sendable, Encodable {
  public struct Contrast: Sendable, Encodable {
    public var estimate: Double
    public var standardError: Double
    public var lower: Double
    public var upper: Double
    public var p: Double
    enum CodingKeys: String, CodingKey { case estimate, standardError = "se", lower, upper, p }
  }
  public var tau: Double
  /// The second group's label, then the first's.
  public var groups: [String]
  public var difference: Contrast
  public var ratio: Contrast
  public var timeLostRatio: Contrast

  enum CodingKeys: String, CodingKey { case tau, groups, difference, ratio, timeLostRatio = "rmtl_ratio" }

  /// `nil` unless there are exactly two curves with an RMST.
  init?(curves: [KaplanMeierCurve], confidenceLevel: Double) {
    guard curves.count == 2, let first = curves[0].restrictedMean, let second = curves[1].restrictedMean else { return nil }
    let z = Normal.twoSidedCriticalValue(confidenceLevel: confidenceLevel)
    func p(_ statistic: Double) -> Double { 2 * Normal.standard.cdf(-abs(statistic)) }
    let v1 = second.standardError * second.standardError, v0 = first.standardError * first.standardError
    let d = second.estimate - first.estimate, dse = (v1 + v0).squareRoot()
    difference = Contrast(estimate: d, standardError: dse, lower: d - z * dse, upper: d + z * dse, p: p(d / dse))
    let lr = log(second.estimate) - log(first.estimate)
    let lrse = (v1 / (second.estimate * second.estimate) + v0 / (first.estimate * first.estimate)).squareRoot()
    ratio = Contrast(estimate: exp(lr), standardError: lrse, lower: exp(lr - z * lrse), upper: exp(lr + z * lrse), p: p(lr / lrse))
    let lost1 = first.tau - second.estimate, lost0 = first.tau - first.estimate
    let tl = log(lost1) - log(lost0)
    let tlse = (v1 / (lost1 * lost1) + v0 / (lost0 * lost0)).squareRoot()
    timeLostRatio = Contrast(estimate: exp(tl), standardError: tlse, lower: exp(tl - z * tlse), upper: exp(tl + z * tlse), p: p(tl / tlse))
    tau = first.tau
    groups = [curves[1].label, curves[0].label]
  }

  func table(level: Double) -> ResultTable {
    let pct = NumberFormat.fixed(level * 100, decimals: 0)
    func row(_ name: String, _ c: Contrast) -> [Cell] {
      [.text(name), .value(c.estimate), .value(c.lower), .value(c.upper), .value(c.p)]
    }
    return ResultTable(
      title: "Restricted mean survival up to \(RNumberText.format(tau)): \(groups[0]) against \(groups[1])",
      columns: [ColumnSpec("contrast", style: .text), ColumnSpec("estimate", style: .significant(4)),
                ColumnSpec("lower \(pct)%", style: .significant(4)), ColumnSpec("upper \(pct)%", style: .significant(4)),
                ColumnSpec("p", style: .pValue)],
      rows: [row("RMST difference", difference), row("RMST ratio", ratio), row("RMTL ratio", timeLostRatio)],
      footnotes: ["survRM2 rmst2: the second group against the first; ratios with log-scale Wald intervals; RMTL = τ − RMST."])
  }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
