/// One group of a comparison.
public struct ComparedGroup: Sendable, Equatable {
  /// `arm=B` in the data form; `nil` from counts.
  public var label: String?
  public var events: Int
  public var trials: Int
  public var estimate: Double
}

/// A confidence interval of a difference or ratio; `nil` limits do not
/// exist for the data, infinite ones are written `null` in JSON.
public struct ComparisonInterval: Sendable, Equatable {
  /// The contract's key: `newcombe`, `miettinen_nurminen`, `katz`, …
  public var method: String
  public var lower: Double?
  public var upper: Double?
  /// Wald and Agresti–Caffo risk differences: whether a limit was clipped to [−1, 1].
  public var clipped: Bool?
}

/// A risk difference, risk ratio or odds ratio with its intervals.
public struct ComparisonMeasure: Sendable, Equatable {
  /// `nil` when undefined (0/0).
  public var estimate: Double?
  public var intervals: [ComparisonInterval]
  /// Odds ratio only: the conditional MLE (R `fisher.test()$estimate`).
  public var conditionalMLE: Double?
  /// Stratified odds ratio only: the standard error of the log estimate.
  public var standardErrorOfLog: Double?

  public func interval(_ method: String) -> ComparisonInterval? { intervals.first { $0.method == method } }
}

/// A chi-square statistic on its degrees of freedom.
public struct ChiSquareResult: Sendable, Equatable {
  public var statistic: Double
  public var degreesOfFreedom: Int
  public var p: Double
}

/// The tests of equal rates.
public struct ComparisonTests: Sendable, Equatable {
  /// R `fisher.test` two-sided p-value.
  public var fisherExactP: Double
  /// R `prop.test(correct = FALSE)`.
  public var chiSquare: ChiSquareResult
  /// R `prop.test(correct = TRUE)`.
  public var chiSquareYates: ChiSquareResult
  /// Likelihood-ratio chi-square.
  public var gTest: ChiSquareResult
  /// The Mantel–Haenszel chi-square, (N − 1)/N × Pearson's (SAS PROC FREQ's
  /// "Mantel-Haenszel Chi-Square"; R `mantelhaen.test` on one stratum
  /// without correction).
  public var mantelHaenszel: ChiSquareResult? = nil
  /// Fisher's one-sided p-values: P(X ≤ x₁) and P(X ≥ x₁) with the margins
  /// fixed (SAS's left- and right-sided Pr; R `fisher.test(alternative =
  /// "less" | "greater")`).
  public var fisherLessP: Double? = nil
  public var fisherGreaterP: Double? = nil
  /// `nil` when the table is too large to enumerate.
  public var barnardP: Double?
  public var boschlooP: Double?
  /// Why Barnard's and Boschloo's tests were not computed, when they were not.
  public var unconditionalSkipped: String? = nil
}

/// Two rates compared, group 1 against group 2.
public struct RateComparison: Sendable, Equatable {
  public var group1: ComparedGroup
  public var group2: ComparedGroup
  public var confidenceLevel: Double
  public var riskDifference: ComparisonMeasure
  public var riskRatio: ComparisonMeasure
  public var oddsRatio: ComparisonMeasure
  public var tests: ComparisonTests
  /// Data form only: rows used, dropped, and the response as written.
  public var n: Int?
  public var nDropped: Int?
  public var response: String?
}

extension RateComparison: Encodable {
  enum CodingKeys: String, CodingKey {
    case n, nDropped = "n_dropped", response, group1, group2, confidenceLevel = "conf_level"
    case riskDifference = "risk_difference", riskRatio = "risk_ratio", oddsRatio = "odds_ratio", tests
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encodeIfPresent(n, forKey: .n)
    try c.encodeIfPresent(nDropped, forKey: .nDropped)
    try c.encodeIfPresent(response, forKey: .response)
    try c.encode(group1, forKey: .group1)
    try c.encode(group2, forKey: .group2)
    try c.encode(confidenceLevel, forKey: .confidenceLevel)
    try c.encode(riskDifference, forKey: .riskDifference)
    try c.encode(riskRatio, forKey: .riskRatio)
    try c.encode(oddsRatio, forKey: .oddsRatio)
    try c.encode(tests, forKey: .tests)
  }
}

extension ComparedGroup: Encodable {
  enum CodingKeys: String, CodingKey { case label, events, n, estimate }
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encodeIfPresent(label, forKey: .label)
    try c.encode(events, forKey: .events)
    try c.encode(trials, forKey: .n)
    try c.encode(estimate, forKey: .estimate)
  }
}

extension ComparisonMeasure: Encodable {
  enum CodingKeys: String, CodingKey { case estimate, seLog = "se_log", conditionalMLE = "conditional_mle", intervals }
  enum IntervalKeys: String, CodingKey { case lower, upper, clipped }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(estimate ?? .nan, forKey: .estimate)
    try c.encodeIfPresent(standardErrorOfLog, forKey: .seLog)
    try c.encodeIfPresent(conditionalMLE, forKey: .conditionalMLE)
    var all = c.nestedContainer(keyedBy: RateEstimate.MethodKey.self, forKey: .intervals)
    for interval in intervals {
      var one = all.nestedContainer(keyedBy: IntervalKeys.self, forKey: RateEstimate.MethodKey(stringValue: interval.method))
      try one.encode(interval.lower ?? .nan, forKey: .lower)
      try one.encode(interval.upper ?? .nan, forKey: .upper)
      try one.encodeIfPresent(interval.clipped, forKey: .clipped)
    }
  }
}

extension ComparisonTests: Encodable {
  enum CodingKeys: String, CodingKey {
    case fisherExact = "fisher_exact", chisq, chisqYates = "chisq_yates", gTest = "g_test", barnard, boschloo
    case mantelHaenszel = "mantel_haenszel"
  }
  enum PKeys: String, CodingKey { case p, skipped, pLess = "p_less", pGreater = "p_greater" }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    var fisher = c.nestedContainer(keyedBy: PKeys.self, forKey: .fisherExact)
    try fisher.encode(fisherExactP, forKey: .p)
    try fisher.encodeIfPresent(fisherLessP, forKey: .pLess)
    try fisher.encodeIfPresent(fisherGreaterP, forKey: .pGreater)
    try c.encode(chiSquare, forKey: .chisq)
    try c.encode(chiSquareYates, forKey: .chisqYates)
    try c.encode(gTest, forKey: .gTest)
    try c.encodeIfPresent(mantelHaenszel, forKey: .mantelHaenszel)
    var barnard = c.nestedContainer(keyedBy: PKeys.self, forKey: .barnard)
    try barnard.encode(barnardP ?? .nan, forKey: .p)
    try barnard.encodeIfPresent(unconditionalSkipped, forKey: .skipped)
    var boschloo = c.nestedContainer(keyedBy: PKeys.self, forKey: .boschloo)
    try boschloo.encode(boschlooP ?? .nan, forKey: .p)
    try boschloo.encodeIfPresent(unconditionalSkipped, forKey: .skipped)
  }
}

extension ChiSquareResult: Encodable {
  enum CodingKeys: String, CodingKey { case statistic, degreesOfFreedom = "df", p }
}
