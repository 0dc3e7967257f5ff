/// One stratum of a stratified comparison.
public struct ComparedStratum: Sendable, Equatable {
  /// `site=2`, as R's `strata()` labels.
  public var label: String
  public var group1: ComparedGroup
  public var group2: ComparedGroup
  /// The stratum's sample odds ratio, group 1 against group 2; `nil` when 0/0.
  public var oddsRatio: Double?
}

/// The tests of a stratified comparison.
public struct StratifiedTests: Sendable, Equatable {
  /// Cochran–Mantel–Haenszel without continuity correction (R
  /// `mantelhaen.test(correct = FALSE)`).
  public var cmh: ChiSquareResult
  /// With R's continuity correction (its default, `correct = TRUE`).
  public var cmhCorrected: ChiSquareResult
  /// The exact conditional test of a common odds ratio of 1 (R
  /// `mantelhaen.test(exact = TRUE)`).
  public var exactP: Double
  /// Breslow–Day and Tarone's corrected version; `nil` when undefined
  /// (fewer than two informative strata, or a common odds ratio of 0 or ∞).
  public var breslowDay: ChiSquareResult?
  public var tarone: ChiSquareResult?
}

/// A binary outcome compared between two groups across strata.
public struct StratifiedComparison: Sendable, Equatable {
  public var n: Int
  public var nDropped: Int
  public var response: String?
  public var group1: String
  public var group2: String
  public var strata: [ComparedStratum]
  /// Strata with both groups and both outcomes (the rest carry no information).
  public var informativeStrata: Int
  public var confidenceLevel: Double
  /// The Mantel–Haenszel common odds ratio with the standard error of its
  /// log (`standardErrorOfLog`, NaN when undefined), its
  /// Robins–Breslow–Greenland interval, and the conditional MLE (NaN when
  /// undefined) with its exact interval.
  public var oddsRatio: ComparisonMeasure
  public var tests: StratifiedTests
  /// The Mantel–Haenszel common risk ratio (Greenland–Robins variance of its
  /// log) and risk difference (Sato's variance), group 1 against group 2,
  /// with Wald limits: SAS PROC FREQ's CMH relative risk and COMMONRISKDIFF.
  public var riskRatio: ComparisonMeasure? = nil
  public var riskDifference: ComparisonMeasure? = nil
}

extension StratifiedComparison: Encodable {
  enum CodingKeys: String, CodingKey {
    case n, nDropped = "n_dropped", response, group1, group2, strata, informativeStrata = "informative_strata"
    case confidenceLevel = "conf_level", oddsRatio = "odds_ratio", tests
    case riskRatio = "risk_ratio", riskDifference = "risk_difference"
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(n, forKey: .n)
    try c.encode(nDropped, forKey: .nDropped)
    try c.encodeIfPresent(response, forKey: .response)
    try c.encode(group1, forKey: .group1)
    try c.encode(group2, forKey: .group2)
    try c.encode(strata, forKey: .strata)
    try c.encode(informativeStrata, forKey: .informativeStrata)
    try c.encode(confidenceLevel, forKey: .confidenceLevel)
    try c.encode(oddsRatio, forKey: .oddsRatio)
    try c.encodeIfPresent(riskRatio, forKey: .riskRatio)
    try c.encodeIfPresent(riskDifference, forKey: .riskDifference)
    try c.encode(tests, forKey: .tests)
  }
}

extension ComparedStratum: Encodable {
  enum CodingKeys: String, CodingKey { case label, group1, group2, oddsRatio = "odds_ratio" }
  enum GroupKeys: String, CodingKey { case events, n }
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(label, forKey: .label)
    for (g, key) in [(group1, CodingKeys.group1), (group2, .group2)] {
      var one = c.nestedContainer(keyedBy: GroupKeys.self, forKey: key)
      try one.encode(g.events, forKey: .events)
      try one.encode(g.trials, forKey: .n)
    }
    try c.encode(oddsRatio ?? .nan, forKey: .oddsRatio)
  }
}

extension StratifiedTests: Encodable {
  enum CodingKeys: String, CodingKey {
    case cmh, cmhCorrected = "cmh_corrected", exact, breslowDay = "breslow_day", tarone
  }
  enum PKeys: String, CodingKey { case p }
  enum ChiKeys: String, CodingKey { case statistic, df, p }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(cmh, forKey: .cmh)
    try c.encode(cmhCorrected, forKey: .cmhCorrected)
    var exact = c.nestedContainer(keyedBy: PKeys.self, forKey: .exact)
    try exact.encode(exactP, forKey: .p)
    for (result, key) in [(breslowDay, CodingKeys.breslowDay), (tarone, .tarone)] {
      if let result {
        try c.encode(result, forKey: key)
      } else {
        var none = c.nestedContainer(keyedBy: ChiKeys.self, forKey: key)
        try none.encode(Double.nan, forKey: .statistic)
        try none.encode(Double.nan, forKey: .df)
        try none.encode(Double.nan, forKey: .p)
      }
    }
  }
}
