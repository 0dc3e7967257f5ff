/// The interval methods of `outcomes rate`; raw values are the contract's keys.
public enum RateIntervalMethod: String, Sendable, CaseIterable {
  case clopperPearson = "clopper_pearson"
  case wilson
  case wilsonCorrected = "wilson_cc"
  case agrestiCoull = "agresti_coull"
  case jeffreys
  case wald
  case midP = "mid_p"
  case waldCorrected = "wald_cc"
  case logit
  case likelihoodRatio = "likelihood_ratio"

  /// Whether the method's limits can fall outside [0, 1] before clipping.
  var canClip: Bool { self == .wald || self == .agrestiCoull || self == .waldCorrected }

  /// The method as a study writer cites it.
  public var citation: String {
    switch self {
    case .clopperPearson: return "Clopper–Pearson exact (Clopper & Pearson 1934; R binom.test)"
    case .wilson: return "Wilson score (Wilson 1927; R prop.test, correct = FALSE)"
    case .wilsonCorrected: return "Wilson score with continuity correction (Newcombe 1998, method 4)"
    case .agrestiCoull: return "Agresti–Coull (Agresti & Coull 1998)"
    case .jeffreys: return "Jeffreys, equal-tailed (Brown, Cai & DasGupta 2001)"
    case .wald: return "Wald (normal approximation)"
    case .midP: return "mid-p exact (Lancaster 1961; Berry & Armitage 1995)"
    case .waldCorrected: return "Wald with continuity correction 1/(2n) (SAS BINOMIAL CORRECT)"
    case .logit: return "logit, Wald on the log-odds scale (SAS BINOMIAL CL=LOGIT; undefined at 0 and n)"
    case .likelihoodRatio: return "likelihood ratio (SAS BINOMIAL CL=LIKELIHOODRATIO)"
    }
  }
}

/// One confidence interval of a rate.
public struct RateInterval: Sendable, Equatable {
  public var method: RateIntervalMethod
  public var lower: Double
  public var upper: Double
  /// For Wald and Agresti–Coull: whether a limit was clipped to [0, 1].
  public var clipped: Bool?
}

/// A test of H0: p = p0.
public struct RateTest: Sendable, Equatable {
  public var nullRate: Double
  public var alternative: Alternative
  /// R's `binom.test` p-value.
  public var exactP: Double
  public var midP: Double
  /// R's `prop.test(correct = FALSE)` p-value.
  public var scoreP: Double
}

/// One rate: x events in n trials.
public struct RateEstimate: Sendable, Equatable {
  /// The group (`arm=B`) in the data form with groups; `nil` otherwise.
  public var label: String?
  public var events: Int
  public var trials: Int
  public var estimate: Double
  public var confidenceLevel: Double
  /// In the contract's order: Clopper–Pearson, Wilson, Wilson cc, Agresti–Coull, Jeffreys, Wald, mid-p.
  public var intervals: [RateInterval]
  public var test: RateTest?

  public func interval(_ method: RateIntervalMethod) -> RateInterval? { intervals.first { $0.method == method } }
}

/// Rates computed from a table, one per group.
public struct RateAnalysis: Sendable, Equatable {
  /// Rows used.
  public var n: Int
  public var nDropped: Int
  /// The response as written in the formula (`failed`, `status == 1`).
  public var response: String
  /// One per group with data, in level order; one without a label for `~ 1`.
  public var groups: [RateEstimate]

  /// `~ 1`: one rate, encoded in the shape of the counts form.
  public var isGrouped: Bool { !(groups.count == 1 && groups[0].label == nil) }
}

extension RateEstimate: Encodable {
  enum CodingKeys: String, CodingKey {
    case label, events, n, estimate, confidenceLevel = "conf_level", intervals, test
  }
  enum IntervalKeys: String, CodingKey { case lower, upper, clipped }
  struct MethodKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encodeIfPresent(label, forKey: .label)
    try c.encode(events, forKey: .events)
    try c.encode(trials, forKey: .n)
    try c.encode(estimate, forKey: .estimate)
    try c.encode(confidenceLevel, forKey: .confidenceLevel)
    var all = c.nestedContainer(keyedBy: MethodKey.self, forKey: .intervals)
    for interval in intervals {
      var one = all.nestedContainer(keyedBy: IntervalKeys.self, forKey: MethodKey(stringValue: interval.method.rawValue))
      try one.encode(interval.lower, forKey: .lower)
      try one.encode(interval.upper, forKey: .upper)
      try one.encodeIfPresent(interval.clipped, forKey: .clipped)
    }
    try c.encodeIfPresent(test, forKey: .test)
  }
}

extension RateTest: Encodable {
  enum CodingKeys: String, CodingKey {
    case nullRate = "p0", alternative, exactP = "exact_p", midP = "mid_p", scoreP = "score_p"
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(nullRate, forKey: .nullRate)
    try c.encode(alternative.rawValue, forKey: .alternative)
    try c.encode(exactP, forKey: .exactP)
    try c.encode(midP, forKey: .midP)
    try c.encode(scoreP, forKey: .scoreP)
  }
}

extension RateAnalysis: Encodable {
  enum CodingKeys: String, CodingKey { case n, nDropped = "n_dropped", response, groups }

  /// Grouped: `n`, `n_dropped`, `response`, `groups: [...]`. Ungrouped: the
  /// counts form's fields (where `n` is both the rows used and the trials)
  /// with `n_dropped` and `response` added.
  public func encode(to encoder: Encoder) throws {
    if !isGrouped {
      try groups[0].encode(to: encoder)
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(nDropped, forKey: .nDropped)
      try c.encode(response, forKey: .response)
      return
    }
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(n, forKey: .n)
    try c.encode(nDropped, forKey: .nDropped)
    try c.encode(response, forKey: .response)
    try c.encode(groups, forKey: .groups)
  }
}
