import Distributions
import ModelFrame
import Tabular

/// One response or failure rate x/n: the estimate, every standard interval,
/// and, against a historical rate p0, the exact, mid-p and score tests.
///
/// - Intervals (two-sided at `confidenceLevel`, whatever the test's
///   alternative, as SAS PROC FREQ's BINOMIAL output): Clopper–Pearson
///   (R `binom.test`), Wilson (R `prop.test(correct = FALSE)`), Wilson with
///   the full 0.5 continuity correction (Newcombe 1998, method 4),
///   Agresti–Coull, Jeffreys, Wald, mid-p.
/// - Tests: R's `binom.test` p-value (two-sided: every outcome no more
///   likely than x; or twice the smaller tail, or Blaker's, by `twoSided`), the mid-p test (two-sided: twice the smaller one-sided
///   mid-p), R's `prop.test(correct = FALSE)` score test.
/// - Edges: x = 0 or x = n give the one-sided limits 0 or 1 exactly; n = 1 works.
/// - Complexity: O(log n) for every number (incomplete beta functions and
///   bisection, no loop over 0…n), so n up to 10⁹ is as fast as n = 20.
public enum BinomialRate {
  public struct Options: Sendable {
    public var confidenceLevel: Double
    /// The rate under the null hypothesis; no test when `nil`.
    public var nullRate: Double?
    public var alternative: Alternative
    /// How the exact test's two-sided p is formed (R's `minlike` by default).
    public var twoSided: TwoSidedRule

    public init(confidenceLevel: Double = 0.95, nullRate: Double? = nil, alternative: Alternative = .twoSided,
                twoSided: TwoSidedRule = .minlike) {
      self.confidenceLevel = confidenceLevel
      self.nullRate = nullRate
      self.alternative = alternative
      self.twoSided = twoSided
    }
  }

  /// The estimate from counts.
  /// - Throws: `InputError` naming `--events`, `--n` or `--p0` when the
  ///   counts are impossible or p0 is outside (0, 1).
  public static func estimate(events: Int, trials: Int, options: Options = Options()) throws -> RateEstimate {
    if trials < 1 {
      throw InputError(InputLocation(option: "n"), "expected a number of trials of at least 1, found \(trials)")
    }
    if events < 0 || events > trials {
      throw InputError(InputLocation(option: "events"),
                       "expected a number of events from 0 to n = \(trials), found \(events)")
    }
    try validate(options)
    return estimateValidated(events: events, trials: trials, label: nil, options: options)
  }

  /// One estimate per group of a table: the formula's response is the
  /// binary outcome (0/1, TRUE/FALSE, `col == value`), its right-hand side
  /// the grouping (`~ 1` for one rate).
  public static func estimate(frame: ModelFrame, options: Options = Options()) throws -> RateAnalysis {
    try validate(options)
    guard let outcome = frame.binaryResponse else {
      throw InputError(InputLocation(option: "formula"), "expected a binary response before '~', as in failed ~ arm or response == 1 ~ 1")
    }
    if let interaction = frame.terms.terms.first(where: { $0.order > 1 }) {
      throw InputError(InputLocation(option: "formula"),
                       "interaction \(interaction.label.quotedForMessage) is not valid for rates, expected variables joined by '+'")
    }
    let groups = frame.grouping(of: Array(frame.terms.variables.indices))
    var events = [Int](repeating: 0, count: groups.levels.count)
    var trials = [Int](repeating: 0, count: groups.levels.count)
    for (i, g) in groups.codes.enumerated() {
      trials[Int(g)] += 1
      if outcome[i] == 1 { events[Int(g)] += 1 }
    }
    let estimates = groups.levels.indices.compactMap { g in
      trials[g] == 0 ? nil : estimateValidated(events: events[g], trials: trials[g],
                                                label: frame.terms.variables.isEmpty ? nil : groups.levels[g],
                                                options: options)
    }
    return RateAnalysis(n: frame.n, nDropped: frame.nDropped, response: frame.formula.response?.deparsed ?? "",
                        groups: estimates)
  }

  private static func validate(_ options: Options) throws {
    try checkConfidenceLevel(options.confidenceLevel)
    if let p0 = options.nullRate, !(p0 > 0 && p0 < 1) {
      throw InputError(InputLocation(option: "p0"), "expected a rate in (0, 1), found \(RNumberText.format(p0))")
    }
  }

  private static func estimateValidated(events: Int, trials: Int, label: String?, options: Options) -> RateEstimate {
    let x = Double(events), n = Double(trials), level = options.confidenceLevel
    func interval(_ method: RateIntervalMethod, _ limits: BinomialIntervals.Limits) -> RateInterval {
      RateInterval(method: method, lower: limits.lower, upper: limits.upper,
                   clipped: method.canClip ? limits.clipped : nil)
    }
    let intervals = [
      interval(.clopperPearson, BinomialIntervals.clopperPearson(x: x, n: n, level: level)),
      interval(.wilson, BinomialIntervals.wilson(x: x, n: n, level: level, continuity: 0)),
      interval(.wilsonCorrected, BinomialIntervals.wilson(x: x, n: n, level: level, continuity: 0.5)),
      interval(.agrestiCoull, BinomialIntervals.agrestiCoull(x: x, n: n, level: level)),
      interval(.jeffreys, BinomialIntervals.jeffreys(x: x, n: n, level: level)),
      interval(.wald, BinomialIntervals.wald(x: x, n: n, level: level)),
      interval(.midP, BinomialIntervals.midP(x: x, n: n, level: level)),
      interval(.waldCorrected, BinomialIntervals.waldCorrected(x: x, n: n, level: level)),
      interval(.logit, BinomialIntervals.logit(x: x, n: n, level: level)),
      interval(.likelihoodRatio, BinomialIntervals.likelihoodRatio(x: x, n: n, level: level)),
    ]
    let test = options.nullRate.map { p0 -> RateTest in
      let side = options.alternative.side
      return RateTest(nullRate: p0, alternative: options.alternative,
                      exactP: BinomialTests.exact(x: x, n: n, p0: p0, side: side, twoSided: options.twoSided),
                      midP: BinomialTests.midP(x: x, n: n, p0: p0, side: side),
                      scoreP: BinomialTests.score(x: x, n: n, p0: p0, side: side))
    }
    return RateEstimate(label: label, events: events, trials: trials, estimate: x / n, confidenceLevel: level,
                        intervals: intervals, test: test)
  }
}

/// The alternative hypothesis of a test; raw values are the CLI spellings.
public enum Alternative: String, Sendable, CaseIterable, Codable {
  case twoSided = "two-sided", less, greater

  var side: BinomialTests.Side {
    switch self {
    case .twoSided: return .twoSided
    case .less: return .less
    case .greater: return .greater
    }
  }
}

/// The confidence level every rate analysis takes, in (0, 1).
/// - Throws: `InputError` naming `--conf-level`.
func checkConfidenceLevel(_ level: Double) throws {
  if !(level > 0 && level < 1) {
    throw InputError(InputLocation(option: "conf-level"), "expected a number in (0, 1), found \(RNumberText.format(level))")
  }
}
