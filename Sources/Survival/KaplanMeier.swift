import Distributions
import ModelFrame
import Tabular

/// Kaplan–Meier survival with Greenwood variance; matches R
/// `survfit(Surv(time, status) ~ g, conf.type = "log")`, survival 3.5, and
/// the numbers of `summary(fit, censored = TRUE)`, `quantile(fit, 0.5)`,
/// `summary(fit, times = )` and `print(fit, rmean = tau)`.
///
///     S(t) = ∏_{t_i ≤ t} (1 − d_i / n_i)
///
/// - One curve per combination of the right-hand-side variables that occurs
///   (`strata()` variables group too); `~ 1` gives one curve, `all`.
/// - `standardError` of a step is the SE of S(t), as `summary.survfit` prints
///   it (survfit's own `$std.err` is on the log scale).
/// - Case weights: weighted counts. When a weight is not an integer, the
///   variance is R's infinitesimal jackknife instead of Greenwood's.
/// - Counting-process data `Surv(start, stop, status)`: at risk at t when
///   start < t ≤ stop (left truncation, time-varying grouping).
/// - Near-tied times are merged first as R's `aeqSurv` (`timefix = TRUE`).
/// - No events: S ≡ 1 and `median == nil`.
/// - Complexity: O(n) radix sort, then O(n) per curve.
/// - Reference: Kaplan & Meier (1958), doi:10.1080/01621459.1958.10501452;
///   Greenwood (1926); Therneau & Grambsch (2000), doi:10.1007/978-1-4757-3294-8.
public enum KaplanMeier {
  public struct Options: Sendable {
    public var confidenceTransform: ConfidenceTransform
    /// In (0, 1); R's `conf.int`.
    public var confidenceLevel: Double
    /// Report the curve at these times (`summary(fit, times =)`).
    public var times: [Double]?
    /// Restricted mean survival time up to this time.
    public var tau: Double?
    /// Merge near-tied times (R's `timefix = TRUE`).
    public var timeFix: Bool
    /// The survival estimator (R's `stype`).
    public var estimator: SurvivalEstimator = .kaplanMeier
    /// The cumulative hazard estimator (R's `ctype`).
    public var hazard: HazardEstimator = .nelsonAalen
    /// Quantiles reported with their limits (R's `quantile(fit, probs)`).
    public var quantiles: [Double]?
    /// Report `times` after the last observation too (`extend = TRUE`).
    public var extend = false
    /// Curves conditional on surviving to this time (R's `start.time`).
    public var startTime: Double?
    /// R's `conf.lower = "modified"` (Dorey & Korn 1987) for the lower limit.
    public var modifiedLowerLimit = false
    /// The time of a quantile where the curve sits on 1 − p (R's midpoint rule by default).
    public var quantileRule: SurvivalQuantileRule = .midpoint
    /// The variance: nil for R's rule (the infinitesimal jackknife when a
    /// case weight is not an integer), or forced (R's `robust =`).
    public var variance: SurvivalVariance?

    public init(confidenceTransform: ConfidenceTransform = .log, confidenceLevel: Double = 0.95,
                times: [Double]? = nil, tau: Double? = nil, timeFix: Bool = true) {
      self.confidenceTransform = confidenceTransform
      self.confidenceLevel = confidenceLevel
      self.times = times
      self.tau = tau
      self.timeFix = timeFix
    }
  }

  /// Fits one curve per group of `frame`.
  /// - Throws: `InputError` for formulas `km` cannot fit (interactions,
  ///   `cluster()`, no `Surv()` response).
  public static func fit(_ frame: ModelFrame, options: Options = Options()) throws -> KaplanMeierFit {
    guard let fullResponse = frame.response else {
      throw InputError(InputLocation(option: "formula"), "expected a survival response Surv(time, status)")
    }
    if let interaction = frame.terms.terms.first(where: { $0.order > 1 }) {
      throw InputError(InputLocation(option: "formula"),
                       "interaction \(interaction.label.quotedForMessage) is not valid for Kaplan–Meier curves, expected variables joined by '+'")
    }
    if frame.terms.cluster != nil {
      throw InputError(InputLocation(option: "formula"), "cluster() is not supported for Kaplan–Meier curves")
    }
    var groups = SurvivalGroups(frame: frame, includeStrata: true)
    let jackknife = options.variance.map { $0 == .jackknife } ?? (frame.weights?.contains { $0 != $0.rounded(.down) } ?? false)
    if jackknife && options.estimator == .flemingHarrington {
      throw InputError(InputLocation(option: "estimator"),
                       "fh: the Fleming–Harrington estimator has no infinitesimal-jackknife variance here, expected --variance greenwood (or integer case weights)")
    }
    // start.time: only rows still under observation at that time, the
    // curves conditional on reaching it.
    var response = fullResponse
    var weights = frame.weights
    var n = frame.n
    if let t0 = options.startTime {
      let keep = response.stop.indices.filter { response.stop[$0] >= t0 }
      guard !keep.isEmpty else {
        throw InputError(InputLocation(option: "start-time"),
                         "\(RNumberText.format(t0)): no row is observed at or after it, expected a time before the last one")
      }
      response = SurvivalResponse(start: response.start.map { s in keep.map { s[$0] } },
                                  stop: keep.map { response.stop[$0] }, status: keep.map { response.status[$0] })
      weights = weights.map { w in keep.map { w[$0] } }
      groups.factor = Factor(levels: groups.factor.levels, codes: keep.map { groups.factor.codes[$0] })
      n = keep.count
    }
    let data = try SortedSurvivalData(response: response, weights: weights, partCodes: groups.factor.codes,
                                      partCount: groups.factor.levels.count, timeFix: options.timeFix,
                                      source: frame.source)
    let z = Normal.twoSidedCriticalValue(confidenceLevel: options.confidenceLevel)
    let origin = options.startTime ?? 0

    var curves: [KaplanMeierCurve] = []
    for (g, label) in groups.factor.levels.enumerated() {
      let curve = data.parts[g]
      if curve.stop.isEmpty { continue }  // a group whose rows all end before --start-time
      let weights = curve.weights
      var steps = KaplanMeierKernel.estimate(
        stop: curve.stop, status: curve.status, weight: weights, start: curve.start,
        startOrder: curve.startOrder, jackknife: jackknife,
        flemingHarringtonHazard: options.hazard == .flemingHarrington,
        survivalFromHazard: options.estimator == .flemingHarrington)
      let fit = CurveBuilder(steps: steps, transform: options.confidenceTransform, z: z,
                             modifiedLower: options.modifiedLowerLimit, origin: origin)
      var reverseStatus = curve.status
      for i in reverseStatus.indices { reverseStatus[i] = 1 - reverseStatus[i] }
      steps = KaplanMeierKernel.estimate(
        stop: curve.stop, status: reverseStatus, weight: weights, start: curve.start,
        startOrder: curve.startOrder, jackknife: false)
      let rule = options.quantileRule
      let followUp = SurvivalQuantile.quantile(0.5, times: steps.time, curve: steps.survival, start: origin, rule: rule)
      func quantile(_ p: Double) -> SurvivalTimeQuantile {
        SurvivalTimeQuantile(p: p, time: SurvivalQuantile.quantile(p, times: fit.times, curve: fit.survival, start: origin, rule: rule),
                             lower: SurvivalQuantile.quantile(p, times: fit.times, curve: fit.lower, start: origin, rule: rule),
                             upper: SurvivalQuantile.quantile(p, times: fit.times, curve: fit.upper, start: origin, rule: rule))
      }
      let median = quantile(0.5)
      curves.append(KaplanMeierCurve(
        label: label, n: curve.stop.count, events: fit.events,
        median: median.time, medianLower: median.lower, medianUpper: median.upper,
        medianFollowUp: followUp,
        restrictedMean: options.tau.map { fit.restrictedMean(tau: $0) },
        quantiles: options.quantiles.map { $0.map(quantile) },
        steps: fit.stepRows(),
        at: options.times.map { fit.points(at: $0, extend: options.extend, countingProcess: curve.start != nil) }))
    }
    return KaplanMeierFit(n: n, nDropped: frame.nDropped,
                          confidenceTransform: options.confidenceTransform,
                          confidenceLevel: options.confidenceLevel,
                          variance: jackknife ? .jackknife : .greenwood,
                          estimator: options.estimator, hazard: options.hazard,
                          modifiedLowerLimit: options.modifiedLowerLimit, startTime: options.startTime,
                          quantileRule: options.quantileRule, curves: curves)
  }
}

/// The grouping of a survival frame: the right-hand-side variables (and,
/// for curves, the `strata()` variables after them) combined as R's
/// `strata()`, labelled `var=value, var=value`; `all` when there are none.
struct SurvivalGroups {
  var factor: Factor

  init(frame: ModelFrame, includeStrata: Bool) {
    var factors = frame.terms.variables.indices.map { frame.factor(ofVariable: $0) }
    var names = frame.terms.variables.map(\.label)
    if includeStrata {
      factors.append(contentsOf: frame.strataFactors)
      names.append(contentsOf: frame.terms.strata.map(\.columnName))
    }
    if factors.isEmpty {
      factor = Factor(levels: ["all"], codes: [Int32](repeating: 0, count: frame.n))
    } else {
      factor = Factor.interaction(factors, names: names)
    }
  }
}
