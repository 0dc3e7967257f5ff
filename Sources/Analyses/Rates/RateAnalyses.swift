import ModelFrame
import Rates
import Rendering
import Tabular

/// `rate`: one response or failure rate, from counts or from a table.
public enum OneRateAnalysis: Analysis {
  public static let name = AnalysisName("rate")
  public static let abstract = "One response or failure rate: every standard interval, and tests against p0."
  public static let discussion = """
    Counts (--events 7 --n 20) or a table (--data, --formula "failed ~ arm", one rate per group; "failed ~ 1" for \
    one). Intervals: Clopper–Pearson, Wilson, Wilson with continuity correction, Agresti–Coull, Jeffreys, Wald, \
    mid-p, two-sided at --conf-level. With --p0: the exact binomial test (R binom.test), the mid-p test and the \
    score test (R prop.test).
    """
  public static let example = #"outcomes rate --data Datasets/lung.csv --formula "status == 2 ~ sex" --p0 0.7"#

  public struct Options: AnalysisOptions {
    public var data: DataSelection?
    public var formula: String?
    public var events: Int?
    public var n: Int?
    public var nullRate: Double?
    public var alternative: Alternative
    public var confidenceLevel: Double
    /// Whose defaults the options not given take.
    public var profile: ConventionProfile = .r
    /// How the exact test's two-sided p is formed.
    public var twoSided: TwoSidedRule = .minlike

    enum CodingKeys: String, CodingKey { case events, n, p0, alternative, confLevel = "conf-level", profile, twoSided = "two-sided" }

    /// The exact binomial test's two-sided rule a profile takes by default:
    /// minlike (R, Stata, lifelines), central (SAS).
    public static func defaultTwoSided(_ profile: ConventionProfile) -> TwoSidedRule {
      profile == .sas ? .central : .minlike
    }

    public static var parameters: [Parameter] {
      [Parameter("events", help: "Number of events (failures or responses), from 0 to --n."),
       Parameter("n", help: "Number of trials (patients), at least 1.")]
        + CountsOrTable.parameters(example: "failed ~ arm") + [
          .confidenceLevel,
          Parameter("p0", help: "Rate under the null hypothesis, in (0, 1); adds the tests."),
          .choice("alternative", Alternative.self, help: "Alternative hypothesis.", default: .twoSided),
          .choice("two-sided", TwoSidedRule.self,
                  help: "The exact test's two-sided p: minlike (R binom.test: outcomes no more likely), central (twice the smaller tail; SAS) or blaker.",
                  default: .minlike),
          .profile,
        ]
    }

    public init(from decoder: Decoder) throws {
      let table = try CountsOrTable.decode(from: decoder, counts: ["events", "n"])
      data = table.data
      formula = table.formula
      let c = try decoder.container(keyedBy: CodingKeys.self)
      profile = try c.profile(.profile)
      confidenceLevel = try c.confidenceLevel(.confLevel)
      nullRate = try c.rate(.p0)
      alternative = try c.choice(.alternative, default: .twoSided)
      twoSided = try c.choice(.twoSided, default: Self.defaultTwoSided(profile))
      if c.contains(.twoSided) && (nullRate == nil || alternative != .twoSided) {
        throw c.problem(.twoSided, nullRate == nil ? "\(String.option("p0")) with it (it shapes the exact test)" : "the two-sided alternative with it")
      }
      if data == nil {
        guard let events = try c.count(.events) else {
          throw InputError(option: "events", "expected \(String.option("events")) and \(String.option("n")), or \(String.option("data")) and \(String.option("formula"))")
        }
        guard let n = try c.count(.n) else { throw InputError(option: "n", "expected \(String.option("n")) with \(String.option("events"))") }
        self.events = events
        self.n = n
      }
    }
  }

  public static func run(_ options: Options, in context: AnalysisContext) throws -> RateOutput {
    let rate = BinomialRate.Options(confidenceLevel: options.confidenceLevel, nullRate: options.nullRate, alternative: options.alternative,
                                    twoSided: options.twoSided)
    if let data = options.data, let formula = options.formula {
      let frame = try context.select(data, formula: formula).frame(formula: formula, options: .init(binaryResponse: true))
      return .table(try BinomialRate.estimate(frame: frame, options: rate))
    }
    return .counts(try BinomialRate.estimate(events: options.events ?? 0, trials: options.n ?? 0, options: rate))
  }
}

extension OneRateAnalysis {
  public static func conventions(_ options: Options, output: RateOutput) -> Conventions? {
    var c = Conventions(profile: options.profile)
    if options.nullRate != nil {
      let words: String
      switch options.twoSided {
      case .minlike: words = "exact two-sided p sums outcomes no more likely"
      case .central: words = "exact two-sided p twice the smaller tail"
      case .blaker: words = "exact two-sided p Blaker's"
      }
      c.add("two_sided", options.twoSided.rawValue, text: words)
    }
    return c
  }
}

/// The result of `rate`: from counts, or one rate per group of a table.
public enum RateOutput: AnalysisOutput {
  case counts(RateEstimate)
  case table(RateAnalysis)

  public func encode(to encoder: Encoder) throws {
    switch self {
    case .counts(let r): try r.encode(to: encoder)
    case .table(let r): try r.encode(to: encoder)
    }
  }

  public func tables(title: String?) -> [ResultTable] {
    switch self {
    case .counts(let r): return r.tables(title: title ?? "Rate: \(r.events) of \(r.trials)")
    case .table(let r): return r.tables(title: title ?? "Rate of \(r.response)")
    }
  }

  var rates: [RateEstimate] {
    switch self {
    case .counts(let r): return [r]
    case .table(let r): return r.groups
    }
  }

  public var methods: String {
    let first = rates.first
    return "Rates are given with exact Clopper–Pearson \(percent(first?.confidenceLevel ?? 0.95)) confidence intervals (Wilson and other intervals alongside)"
      + (first?.test != nil ? " and tested against the reference rate by the exact binomial test." : ".")
  }

  public func sentences(style: JournalStyle, unit: String?) -> [String] {
    rates.map { r in
      let cp = r.interval(.clopperPearson)
      let pct = { (x: Double) -> String in style.number(x * 100, decimals: 1) + "%" }
      return (r.label.map { "\($0): " } ?? "") + "\(r.events)/\(r.trials) (" + pct(r.estimate)
        + "; \(NumberFormat.fixed(r.confidenceLevel * 100, decimals: 0))% CI \(cp.map { pct($0.lower) } ?? "NA")–\(cp.map { pct($0.upper) } ?? "NA"), Clopper–Pearson)"
        + (r.test.map { ", exact binomial test against \(style.number($0.nullRate, decimals: 2)): " + style.pClause($0.exactP) } ?? "") + "."
    }
  }
}

/// `compare`: two rates, from counts or from a table.
public enum CompareAnalysis: Analysis {
  public static let name = AnalysisName("compare")
  public static let abstract = "Two rates: risk difference, risk ratio and odds ratio with their intervals; exact and chi-square tests."
  public static let discussion = """
    Counts (--events1 2 --n1 53 --events2 10 --n2 44) or a table (--data, --formula "failed ~ arm" with a two-level \
    arm; group 1 is the first level). Differences and ratios are group 1 against group 2. Tests: Fisher's exact (R \
    fisher.test), chi-square with and without Yates' correction (R prop.test), likelihood-ratio G, Barnard's and \
    Boschloo's exact unconditional tests (up to 1,000,000 patients unless --exact-unconditional always).
    """
  public static let example = #"outcomes compare --data Datasets/lung.csv --formula "status == 2 ~ sex""#

  public struct Options: AnalysisOptions {
    public var data: DataSelection?
    public var formula: String?
    public var counts: (events1: Int, n1: Int, events2: Int, n2: Int)?
    public var confidenceLevel: Double
    public var unconditional: TwoRates.UnconditionalTests
    /// Whose defaults the options not given take (every test and interval is printed whatever the profile).
    public var profile: ConventionProfile = .r

    enum CodingKeys: String, CodingKey {
      case events1, n1, events2, n2, confLevel = "conf-level", exactUnconditional = "exact-unconditional", profile
    }

    public static var parameters: [Parameter] {
      [Parameter("events1", help: "Events in group 1."), Parameter("n1", help: "Trials in group 1."),
       Parameter("events2", help: "Events in group 2."), Parameter("n2", help: "Trials in group 2.")]
        + CountsOrTable.parameters(example: "failed ~ arm") + [
          .confidenceLevel,
          .choice("exact-unconditional", TwoRates.UnconditionalTests.self,
                  help: "Barnard's and Boschloo's tests: auto (up to 1,000,000 patients), always or never.", default: .auto),
          .profile,
        ]
    }

    public init(from decoder: Decoder) throws {
      let names = ["events1", "n1", "events2", "n2"]
      let table = try CountsOrTable.decode(from: decoder, counts: names)
      data = table.data
      formula = table.formula
      let c = try decoder.container(keyedBy: CodingKeys.self)
      profile = try c.profile(.profile)
      confidenceLevel = try c.confidenceLevel(.confLevel)
      unconditional = try c.choice(.exactUnconditional, default: .auto)
      if data == nil {
        var values: [Int] = []
        for key in [CodingKeys.events1, .n1, .events2, .n2] {
          guard let v = try c.count(key) else {
            throw InputError(option: key.rawValue, "expected " + names.dropLast().map { String.option($0) }.joined(separator: ", ")
                             + " and \(String.option("n2")), or \(String.option("data")) and \(String.option("formula"))")
          }
          values.append(v)
        }
        counts = (values[0], values[1], values[2], values[3])
      }
    }
  }

  public static func conventions(_ options: Options, output: CompareOutput) -> Conventions? {
    var c = Conventions(profile: options.profile)
    c.add("fisher_two_sided", "minlike", text: "Fisher two-sided p sums tables no more likely (R, SAS, Stata)")
    c.add("comparison", "first-vs-second", text: "group 1 (first level) against group 2")
    return c
  }

  public static func run(_ options: Options, in context: AnalysisContext) throws -> CompareOutput {
    let compare = TwoRates.Options(confidenceLevel: options.confidenceLevel, unconditional: options.unconditional)
    if let data = options.data, let formula = options.formula {
      let frame = try context.select(data, formula: formula).frame(formula: formula, options: .init(binaryResponse: true))
      return CompareOutput(comparison: try TwoRates.compare(frame: frame, options: compare))
    }
    let c = options.counts ?? (0, 0, 0, 0)
    return CompareOutput(comparison: try TwoRates.compare(events1: c.events1, trials1: c.n1, events2: c.events2, trials2: c.n2,
                                                          options: compare))
  }
}

public struct CompareOutput: AnalysisOutput {
  public var comparison: RateComparison

  public func encode(to encoder: Encoder) throws { try comparison.encode(to: encoder) }
  public func tables(title: String?) -> [ResultTable] { comparison.tables(title: title) }

  public var warnings: [String] {
    comparison.tests.unconditionalSkipped.map { ["Barnard's and Boschloo's tests \($0)"] } ?? []
  }

  public var methods: String {
    "Two rates were compared by the risk difference (Newcombe's hybrid score interval), the risk ratio and the odds ratio with \(percent(comparison.confidenceLevel)) confidence intervals, and tested by Fisher's exact test."
  }

  public func sentences(style: JournalStyle, unit: String?) -> [String] {
    let c = comparison
    guard let d = c.riskDifference.interval("newcombe") else { return [] }
    let pct = { (x: Double?) -> String in x.map { style.number($0 * 100, decimals: 1) } ?? "NA" }
    return ["Risk difference " + style.interval(pct(c.riskDifference.estimate) + " percentage points", pct(d.lower), pct(d.upper), level: c.confidenceLevel)
            + ", Fisher's exact test " + style.pClause(c.tests.fisherExactP) + "."]
  }
}

/// `cmh`: a binary outcome in two groups across strata.
public enum CMHAnalysis: Analysis {
  public static let name = AnalysisName("cmh")
  public static let abstract = "Stratified 2×2 tables: Cochran–Mantel–Haenszel test, common odds ratio, Breslow–Day homogeneity."
  public static let discussion = """
    The formula names a binary outcome, one two-level grouping variable and strata(): "failed ~ arm + \
    strata(site)". The odds ratio is the first group against the second, for the event. Tests: CMH with and without \
    continuity correction and the exact conditional test (R mantelhaen.test); Breslow–Day with Tarone's correction.
    """
  public static let example = #"outcomes cmh --data Datasets/ucb-admissions.csv --formula "Admit == 'Admitted' ~ Gender + strata(Dept)""#

  public struct Options: AnalysisOptions {
    public var data: DataSelection?
    public var formula: String
    public var confidenceLevel: Double

    /// Whose defaults the options not given take (both CMH statistics are printed whatever the profile).
    public var profile: ConventionProfile = .r

    enum CodingKeys: String, CodingKey { case formula, confLevel = "conf-level", profile }

    public static var parameters: [Parameter] {
      DataSelection.parameters(adam: false) + [.formula("failed ~ arm + strata(site)"), .confidenceLevel, .profile]
    }

    public init(from decoder: Decoder) throws {
      data = try DataSelection.decode(from: decoder, adam: false, required: true)
      let c = try decoder.container(keyedBy: CodingKeys.self)
      profile = try c.profile(.profile)
      formula = try c.formula(.formula)
      confidenceLevel = try c.confidenceLevel(.confLevel)
    }
  }

  public static func conventions(_ options: Options, output: CMHOutput) -> Conventions? {
    var c = Conventions(profile: options.profile)
    c.add("cmh_correction", "both", text: "CMH with (R) and without (SAS) continuity correction")
    return c
  }

  public static func run(_ options: Options, in context: AnalysisContext) throws -> CMHOutput {
    let frame = try context.select(options.data!, formula: options.formula).frame(formula: options.formula, options: .init(binaryResponse: true))
    return CMHOutput(comparison: try StratifiedTables.analyze(frame: frame, options: .init(confidenceLevel: options.confidenceLevel)),
                     formula: options.formula)
  }
}

public struct CMHOutput: AnalysisOutput {
  public var comparison: StratifiedComparison
  public var formula: String

  public func encode(to encoder: Encoder) throws { try comparison.encode(to: encoder) }
  public func tables(title: String?) -> [ResultTable] { comparison.tables(title: title) }

  public var methods: String {
    "Stratified 2×2 tables were analysed with the Cochran–Mantel–Haenszel test, the Mantel–Haenszel common odds ratio with its Robins–Breslow–Greenland \(percent(comparison.confidenceLevel)) confidence interval, and the Breslow–Day test of homogeneity with Tarone's correction."
  }

  public func sentences(style: JournalStyle, unit: String?) -> [String] {
    let c = comparison
    let i = c.oddsRatio.interval("robins_breslow_greenland")
    return ["Mantel–Haenszel common odds ratio " + style.interval(style.ratio(c.oddsRatio.estimate), style.ratio(i?.lower), style.ratio(i?.upper), level: c.confidenceLevel)
            + ", Cochran–Mantel–Haenszel " + style.pClause(c.tests.cmh.p) + "."]
  }
}

/// `logistic`: logistic regression, as R's `glm(family = binomial)` or, with
/// `--firth`, as `logistf`.
public enum LogisticAnalysis: Analysis {
  public static let name = AnalysisName("logistic")
  public static let abstract = "Logistic regression (R glm binomial; --firth as logistf)."
  public static let discussion = """
    A binary outcome (0/1, TRUE/FALSE or col == value) on covariates, factors and interactions. Odds ratios with Wald \
    and profile-likelihood intervals, Wald and likelihood-ratio tests, deviance, AIC. Separated data are detected \
    and reported; --firth fits Firth's penalized likelihood, finite under separation.
    """
  public static let example = #"outcomes logistic --data Datasets/lung.csv --formula "status == 2 ~ age + sex + ph.ecog""#

  public struct Options: AnalysisOptions {
    public var data: DataSelection?
    public var formula: String
    public var confidenceLevel: Double
    public var firth: Bool
    public var profile: Bool
    public var maxIterations: Int
    public var references: [(column: String, level: String)] = []
    /// Whose defaults the options not given take.
    public var conventionProfile: ConventionProfile = .r
    /// A factor's reference level when --reference does not name one.
    public var referenceLevel: ReferenceLevel = .first

    enum CodingKeys: String, CodingKey {
      case formula, confLevel = "conf-level", firth, noProfile = "no-profile", iterMax = "iter-max", reference
      case conventionProfile = "profile", referenceDefault = "reference-default"
    }

    public static var parameters: [Parameter] {
      DataSelection.parameters(adam: false) + [
        .formula("failed ~ age + arm"), .confidenceLevel,
        Parameter("firth", .flag, help: "Firth's penalized likelihood (R logistf)."),
        Parameter("no-profile", .flag, help: "Skip the profile-likelihood intervals."),
        Parameter("iter-max", help: "Maximum IRLS iterations (R glm.control maxit).", default: "25"),
        .reference,
        .referenceDefault,
        .profile,
      ]
    }

    public init(from decoder: Decoder) throws {
      data = try DataSelection.decode(from: decoder, adam: false, required: true)
      let c = try decoder.container(keyedBy: CodingKeys.self)
      conventionProfile = try c.profile(.conventionProfile)
      formula = try c.formula(.formula)
      confidenceLevel = try c.confidenceLevel(.confLevel)
      referenceLevel = try c.choice(.referenceDefault, default: ReferenceLevel.defaultFor(conventionProfile))
      firth = try c.flag(.firth)
      profile = !(try c.flag(.noProfile))
      maxIterations = try c.wholeNumber(.iterMax, expected: "a whole number of iterations of at least 1", where: { $0 >= 1 && $0 < 100_000 }) ?? 25
      references = try c.references(.reference)
    }
  }

  public struct FigureOptions: AnalysisOptions {
    public var forest = true
    enum CodingKeys: String, CodingKey { case forest }
    public static var parameters: [Parameter] { [Parameter("forest", .flag, help: "A forest plot of the odds ratios (default true).")] }
    public init(from decoder: Decoder) throws {
      forest = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(Bool.self, forKey: .forest) ?? true
    }
  }

  public static func run(_ options: Options, in context: AnalysisContext) throws -> LogisticOutput {
    var frameOptions = ModelFrame.Options(binaryResponse: true, basisTerms: true)
    frameOptions.offsets = true
    frameOptions.references = options.references
    frameOptions.referenceLevel = options.referenceLevel
    let frame = try context.select(options.data!, formula: options.formula).frame(formula: options.formula, options: frameOptions)
    let fit = try LogisticRegression.fit(frame: frame, options: .init(confidenceLevel: options.confidenceLevel, firth: options.firth,
                                                                      profile: options.profile, maxIterations: options.maxIterations,
                                                                      progress: frame.n >= 100_000 ? context.progress : nil))
    return LogisticOutput(fit: fit, formula: options.formula)
  }

  public static func conventions(_ options: Options, output: LogisticOutput) -> Conventions? {
    var c = Conventions(profile: options.conventionProfile)
    c.addReference(options.referenceLevel)
    return c
  }

  public static func figures(_ output: LogisticOutput, options: Options, figure: FigureOptions, in context: AnalysisContext,
                             style: JournalStyle) throws -> [ReportFigure] {
    let fit = output.fit
    guard figure.forest, fit.terms.contains(where: { $0.term != "(Intercept)" && !$0.aliased }) else { return [] }
    let plot = fit.forestPlot(title: nil)
    return [ReportFigure(suffix: "-forest", svg: plot.svg(),
                         subject: "Odds ratios with \(RNumberText.format(fit.confidenceLevel * 100))% profile-likelihood confidence intervals",
                         detail: plot.captionNote + ".")]
  }
}

public struct LogisticOutput: AnalysisOutput {
  public var fit: LogisticFit
  public var formula: String

  public func encode(to encoder: Encoder) throws { try fit.encode(to: encoder) }
  public func tables(title: String?) -> [ResultTable] { fit.tables(title: title ?? "Logistic regression: \(formula)") }
  public var warnings: [String] { fit.warnings }

  public var methods: String {
    fit.method == .firth
      ? "Odds ratios were estimated by logistic regression with Firth's penalized likelihood, with \(percent(fit.confidenceLevel)) profile penalized-likelihood confidence intervals and penalized likelihood-ratio tests."
      : "Odds ratios were estimated by logistic regression (maximum likelihood), with \(percent(fit.confidenceLevel)) profile-likelihood confidence intervals and Wald tests."
  }

  public func sentences(style: JournalStyle, unit: String?) -> [String] {
    let infinite = Set(fit.separation?.terms.map(\.term) ?? [])
    return fit.terms.filter { $0.term != "(Intercept)" && !$0.aliased }.map { t in
      if infinite.contains(t.term) && fit.method != .firth { return "\(t.term): OR not estimable (separation: the estimate is infinite)." }
      let lower = t.profileLower ?? t.lower, upper = t.profileUpper ?? t.upper
      return "\(t.term): OR " + style.interval(style.ratio(t.oddsRatio), style.ratio(lower), style.ratio(upper), level: fit.confidenceLevel)
        + ((fit.method == .firth ? t.pLikelihoodRatio : t.p).map { ", " + style.pClause($0) } ?? "") + "."
    }
  }
}
