/// The result of `KaplanMeier.fit`: one curve per group, with the numbers R's
/// `survfit`, `summary.survfit`, `quantile.survfit` and `print(fit, rmean=)` give.
/// Values are stored unrounded; undefined ones are NaN (printed as `null`).
public struct KaplanMeierFit: Sendable {
  /// Rows used.
  public var n: Int
  /// Rows dropped for missing values.
  public var nDropped: Int
  public var confidenceTransform: ConfidenceTransform
  public var confidenceLevel: Double
  /// How the standard errors were computed.
  public var variance: SurvivalVariance
  /// The survival and cumulative hazard estimators.
  public var estimator: SurvivalEstimator = .kaplanMeier
  public var hazard: HazardEstimator = .nelsonAalen
  /// R's `conf.lower = "modified"`.
  public var modifiedLowerLimit = false
  /// R's `start.time`: the curves are conditional on reaching it.
  public var startTime: Double?
  /// The time of a quantile where the curve sits on 1 − p.
  public var quantileRule: SurvivalQuantileRule = .midpoint
  public var curves: [KaplanMeierCurve]
}

/// The survival estimator (R's `stype`).
public enum SurvivalEstimator: String, Sendable, CaseIterable, Codable {
  /// The product limit (`stype = 1`).
  case kaplanMeier = "km"
  /// exp(−H), the Fleming–Harrington (Breslow) estimator (`stype = 2`).
  case flemingHarrington = "fh"
}

/// The cumulative hazard estimator (R's `ctype`).
public enum HazardEstimator: String, Sendable, CaseIterable, Codable {
  /// Σ d/n (`ctype = 1`).
  case nelsonAalen = "nelson-aalen"
  /// Fleming–Harrington/Tsiatis, ties as Σ 1/(n − j) (`ctype = 2`).
  case flemingHarrington = "fleming-harrington"
}

/// A quantile of a survival curve with its confidence limits, as R's
/// `quantile(fit, probs)`: the time at which 1 − S reaches `p`.
public struct SurvivalTimeQuantile: Sendable, Equatable {
  public var p: Double
  public var time: Double?
  public var lower: Double?
  public var upper: Double?
}

/// Variance method of a survival curve.
public enum SurvivalVariance: String, Sendable, Encodable {
  /// Greenwood's formula (R's default; integer or no case weights).
  case greenwood
  /// Infinitesimal jackknife, which R's `survfit` switches to when case
  /// weights are not all integers.
  case jackknife
}

/// One Kaplan–Meier curve.
public struct KaplanMeierCurve: Sendable {
  /// `sex=1`, `sex=1, ph.ecog=0`, or `all`.
  public var label: String
  /// Rows in the group (unweighted).
  public var n: Int
  /// Σ events (weighted).
  public var events: Double
  /// Median survival and its confidence limits (R's `quantile.survfit`);
  /// `nil` when not reached.
  public var median: Double?
  public var medianLower: Double?
  public var medianUpper: Double?
  /// Median follow-up by the reverse Kaplan–Meier method (Schemper & Smith
  /// 1996): the median of the curve that treats censoring as the event.
  public var medianFollowUp: Double?
  /// Restricted mean survival time up to `tau` (with `--tau`).
  public var restrictedMean: RestrictedMean?
  /// Quantiles with their limits (with `--quantiles`).
  public var quantiles: [SurvivalTimeQuantile]? = nil
  /// One row per distinct time.
  public var steps: [KaplanMeierStep]
  /// Rows at requested times (with `--times`), as `summary(fit, times =)`;
  /// there `nEvent` and `nCensor` count since the previous requested time.
  public var at: [KaplanMeierStep]?
}

/// The curve at one distinct observed time (`steps`) or at a requested time (`at`).
public struct KaplanMeierStep: Sendable, Equatable {
  public var time: Double
  /// Weighted number at risk just before `time`.
  public var nRisk: Double
  public var nEvent: Double
  public var nCensor: Double
  public var survival: Double
  /// Standard error of S(t), as `summary.survfit` prints it.
  public var standardError: Double
  public var lower: Double
  public var upper: Double
  /// Nelson–Aalen cumulative hazard and its standard error.
  public var cumulativeHazard: Double
  public var cumulativeHazardStandardError: Double
  /// At a requested time (`at`): events up to and including it, and the
  /// subjects left (not yet failed or censored), SAS LIFETEST's "Number
  /// Failed" and "Number Left"; `nil` for the steps, and `nLeft` for
  /// counting-process data, whose subjects enter late.
  public var nFailed: Double? = nil
  public var nLeft: Double? = nil
}

/// Restricted mean survival time ∫₀^τ S(t) dt with its standard error, as R's
/// `print(fit, rmean = tau)`.
public struct RestrictedMean: Sendable, Equatable {
  public var tau: Double
  public var estimate: Double
  public var standardError: Double
}

// MARK: - Contract JSON

extension KaplanMeierFit: Encodable {
  enum CodingKeys: String, CodingKey {
    case n, nDropped = "n_dropped", confType = "conf_type", confLevel = "conf_level", variance, estimator, cumhaz = "cumhaz_estimator"
    case confLower = "conf_lower", startTime = "start_time", groups
  }
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(n, forKey: .n)
    try c.encode(nDropped, forKey: .nDropped)
    try c.encode(confidenceTransform, forKey: .confType)
    try c.encode(confidenceLevel, forKey: .confLevel)
    try c.encode(variance, forKey: .variance)
    try c.encode(estimator, forKey: .estimator)
    try c.encode(hazard, forKey: .cumhaz)
    try c.encode(modifiedLowerLimit ? "modified" : "usual", forKey: .confLower)
    try c.encodeIfPresent(startTime, forKey: .startTime)
    try c.encode(curves, forKey: .groups)
  }
}

extension KaplanMeierCurve: Encodable {
  enum CodingKeys: String, CodingKey {
    case label, n, events, median, medianLower = "median_lower", medianUpper = "median_upper"
    case medianFollowUp = "median_followup", rmst, quantiles, steps, at
  }
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(label, forKey: .label)
    try c.encode(n, forKey: .n)
    try c.encode(events, forKey: .events)
    try c.encode(median, forKey: .median)
    try c.encode(medianLower, forKey: .medianLower)
    try c.encode(medianUpper, forKey: .medianUpper)
    try c.encode(medianFollowUp, forKey: .medianFollowUp)
    try c.encodeIfPresent(restrictedMean, forKey: .rmst)
    try c.encodeIfPresent(quantiles, forKey: .quantiles)
    try c.encode(steps, forKey: .steps)
    try c.encodeIfPresent(at, forKey: .at)
  }
}

extension KaplanMeierStep: Encodable {
  public enum CodingKeys: String, CodingKey {
    case time, nRisk = "n_risk", nEvent = "n_event", nCensor = "n_censor", survival = "surv"
    case standardError = "std_err", lower, upper, cumulativeHazard = "cumhaz"
    case cumulativeHazardStandardError = "std_chaz"
    case nFailed = "n_failed", nLeft = "n_left"
  }
}

extension SurvivalTimeQuantile: Encodable {
  enum CodingKeys: String, CodingKey { case p, time, lower, upper }
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(p, forKey: .p)
    try c.encode(time, forKey: .time)
    try c.encode(lower, forKey: .lower)
    try c.encode(upper, forKey: .upper)
  }
}

extension RestrictedMean: Encodable {
  enum CodingKeys: String, CodingKey { case tau, estimate, standardError = "se" }
}
