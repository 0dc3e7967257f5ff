import Distributions
import Foundation
import LinearAlgebra
import ModelFrame

/// The predicted survival curve of one covariate profile in one stratum, as
/// R's `survfit(fit, newdata)`.
public struct CoxPrediction: Sendable {
  /// `age=60, sex=2`.
  public var profile: String
  /// The stratum of the curve, in a stratified model.
  public var stratum: String?
  /// One row per distinct time of the stratum (km's step shape; `std_err`
  /// is the SE of S, `std_chaz` that of the cumulative hazard).
  public var steps: [KaplanMeierStep]
  /// The curve at `--times`, as `summary(sf, times =)`.
  public var at: [KaplanMeierStep]?
}

extension CoxModel {
  /// R's `survfit(fit, newdata)` (survival 3.5 `agsurv`): for each profile x
  /// (and each stratum, unless the profile names one) the cumulative hazard
  /// Λ(t; x) = Σ_{s ≤ t} dΛ₀(s) e^{(x − x̄)β} with the Breslow or, for an
  /// Efron fit, Efron increments (R's default `ctype`), S = exp(−Λ) (R's
  /// `stype = 2`), and the variance of Λ, e^{2(x − x̄)β} [Σ dv(s) + dᵀ V d],
  /// d(t) = Σ_{s ≤ t} (x̄(s) − x) dΛ₀(s) (Tsiatis 1981), V the model's
  /// variance (robust with `cluster()`). Limits on the log scale. With
  /// `offset()`, every risk score and the profile's carry their offset
  /// minus its mean (the profile's from its own columns), as survfit.coxph.
  public func predict(_ profiles: [CovariateProfile], times: [Double]?, confidenceLevel: Double) -> [CoxPrediction] {
    let z = Normal.twoSidedCriticalValue(confidenceLevel: confidenceLevel)
    var out: [CoxPrediction] = []
    let increments = baselineIncrements()
    for profile in profiles {
      let (xc, profileEta) = centredProfile(profile)
      for (s, range) in sets.strata.enumerated() {
        let label = strataLevels.map { $0[Int(stratumOfRow[range.lowerBound])] }
        if let wanted = profile.stratum, wanted != label { continue }
        let relative = exp(profileEta)
        var cumulative = 0.0, variance = 0.0
        var dbar = [Double](repeating: 0, count: p)
        var steps = KaplanMeierKernel.Steps()
        for step in increments[s] {
          cumulative += step.hazard
          variance += step.variance
          for k in 0..<p { dbar[k] += step.xbar[k] - step.hazard * xc[k] }
          // dᵀ V d
          let quadratic = varianceQuadratic(dbar)
          let hazard = cumulative * relative
          let se = relative * (variance + quadratic).squareRoot()
          steps.time.append(step.time)
          steps.nRisk.append(step.atRisk)
          steps.nEvent.append(step.events)
          steps.nCensor.append(step.censored)
          steps.survival.append(exp(-hazard))
          steps.standardError.append(se)
          steps.cumulativeHazard.append(hazard)
          steps.cumulativeHazardStandardError.append(se)
        }
        let curve = CurveBuilder(steps: steps, transform: .log, z: z)
        out.append(CoxPrediction(profile: profile.label, stratum: profile.stratum == nil ? label : nil,
                                 steps: curve.stepRows(), at: times.map { curve.points(at: $0) }))
      }
    }
    return out
  }

  /// Each stratum's baseline increments at the fitted β (once per stratum,
  /// not per profile), from the design in original units centred on the
  /// weighted means the fit used, and the risk scores with the offset.
  private func baselineIncrements() -> [[HazardStep]] {
    let n = sets.n
    let coefficient = (0..<p).map { fit.terms[$0].coefficient ?? 0 }
    var centred = [Double](repeating: 0, count: n * p)
    for k in 0..<p {
      let s = scale[k]
      for j in 0..<n { centred[j + k * n] = x[j + k * n] / s }
    }
    var eta = predictionOffset ?? [Double](repeating: 0, count: n)
    for k in 0..<p where coefficient[k] != 0 {
      for j in 0..<n { eta[j] += centred[j + k * n] * coefficient[k] }
    }
    return sets.strata.enumerated().map { s, range in
      hazardIncrements(stratum: s, range: range, centred: centred, eta: eta)
    }
  }

  /// A profile's covariates centred on the fit's means, and its linear
  /// predictor (with its offset less the mean offset).
  private func centredProfile(_ profile: CovariateProfile) -> (xc: [Double], eta: Double) {
    var xc = [Double](repeating: 0, count: p)
    var eta = predictionOffset == nil ? 0 : profile.offset - offsetMean
    for k in 0..<p {
      xc[k] = profile.design[k] - weightedMeans[k]
      eta += xc[k] * (fit.terms[k].coefficient ?? 0)
    }
    return (xc, eta)
  }

  /// dᵀ V d over the estimated coefficients.
  private func varianceQuadratic(_ d: [Double]) -> Double {
    var quadratic = 0.0
    for a in 0..<p where fit.terms[a].coefficient != nil {
      for b in 0..<p where fit.terms[b].coefficient != nil { quadratic += d[a] * predictionVariance[a, b] * d[b] }
    }
    return quadratic
  }

  private struct HazardStep {
    var time: Double
    var atRisk: Double, events: Double, censored: Double
    /// dΛ₀, its variance term and Σ x̄ dΛ₀ (original units, centred).
    var hazard: Double, variance: Double
    var xbar: [Double]
  }

  /// R's `agsurv` for one stratum: at each distinct time the weighted
  /// number at risk, events and censorings, and the hazard, variance and
  /// x̄ increments (Breslow: d/S0, d/S0², d S1/S0²; Efron: the tied events
  /// averaged over the d fractions of the dying risk, as `agsurv5`).
  private func hazardIncrements(stratum s: Int, range: Range<Int>, centred: [Double], eta: [Double]) -> [HazardStep] {
    let n = sets.n
    let efron = ties == .efron
    // Distinct times, descending accumulation of the risk-set sums.
    var times: [Double] = []
    var i = range.lowerBound
    while i < range.upperBound {
      let t = sets.stop[i]
      times.append(t)
      while i < range.upperBound && sets.stop[i] == t { i += 1 }
    }
    var steps = [HazardStep](repeating: HazardStep(time: 0, atRisk: 0, events: 0, censored: 0, hazard: 0, variance: 0, xbar: []),
                             count: times.count)
    var s0 = 0.0, count = 0.0
    var s1 = [Double](repeating: 0, count: p)
    var j = range.upperBound - 1
    // Counting-process exits: rows by decreasing start.
    var exitIndex = 0
    let exits: [Int32] = sets.startOrder.map { order in order.filter { range.contains(Int($0)) } } ?? []
    for k in stride(from: times.count - 1, through: 0, by: -1) {
      let t = times[k]
      var deathWeight = 0.0, deathRisk = 0.0, deaths = 0, censored = 0.0
      var deathS1 = [Double](repeating: 0, count: p)
      while j >= range.lowerBound && sets.stop[j] == t {
        let w = sets.weight[j]
        let r = w * exp(eta[j])
        s0 += r
        count += w
        for c in 0..<p { s1[c] += r * centred[j + c * n] }
        if sets.status[j] == 1 {
          deathWeight += w
          deathRisk += r
          deaths += 1
          for c in 0..<p { deathS1[c] += r * centred[j + c * n] }
        } else {
          censored += w
        }
        j -= 1
      }
      if let start = sets.start {
        // Rows that enter at or after t are not at risk at t.
        while exitIndex < exits.count && start[Int(exits[exitIndex])] >= t {
          let e = Int(exits[exitIndex])
          let w = sets.weight[e]
          let r = w * exp(eta[e])
          s0 -= r
          count -= w
          for c in 0..<p { s1[c] -= r * centred[e + c * n] }
          exitIndex += 1
        }
      }
      var step = HazardStep(time: t, atRisk: count, events: deathWeight, censored: censored, hazard: 0, variance: 0,
                            xbar: [Double](repeating: 0, count: p))
      if deaths > 0 && deathWeight > 0 {
        if !efron || deaths == 1 {
          step.hazard = deathWeight / s0
          step.variance = deathWeight / (s0 * s0)
          for c in 0..<p { step.xbar[c] = deathWeight * s1[c] / (s0 * s0) }
        } else {
          let d = Double(deaths)
          var sum1 = 0.0, sum2 = 0.0
          var xb = [Double](repeating: 0, count: p)
          for m in 0..<deaths {
            let fraction = Double(m) / d
            let temp = 1 / (s0 - deathRisk * fraction)
            sum1 += temp / d
            sum2 += temp * temp / d
            for c in 0..<p { xb[c] += (s1[c] - deathS1[c] * fraction) * temp * temp / d }
          }
          step.hazard = deathWeight * sum1
          step.variance = deathWeight * sum2
          for c in 0..<p { step.xbar[c] = deathWeight * xb[c] }
        }
      }
      steps[k] = step
    }
    return steps
  }
}

extension CoxPrediction: Encodable {
  enum CodingKeys: String, CodingKey { case profile, stratum, at, steps }
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(profile, forKey: .profile)
    try c.encodeIfPresent(stratum, forKey: .stratum)
    try c.encodeIfPresent(at, forKey: .at)
    try c.encode(steps, forKey: .steps)
  }
}

/// One subject's covariate path for R's `survfit(fit, newdata, id = id)`:
/// its intervals (start, stop] in time order, each with its covariates.
public struct CoxCovariatePath: Sendable {
  /// `id=7`.
  public var label: String
  public var intervals: [(start: Double, stop: Double, profile: CovariateProfile)]

  public init(label: String, intervals: [(start: Double, stop: Double, profile: CovariateProfile)]) {
    self.label = label
    self.intervals = intervals
  }
}

extension CoxModel {
  /// R's `survfit(fit, newdata, id = id)` (survival 3.5 `coxsurv.fit`,
  /// `onecurve`): one curve per path, following the covariates of each
  /// interval. For each interval, the baseline's times in (start, stop] of
  /// its stratum contribute dΛ₀ e^{(x − x̄)β + offset}; the time axis is the
  /// time elapsed along the path (as R's `timeforward`, which skips the
  /// gaps between intervals). The variance is R's: Σ dv e^{2η} along the
  /// path plus, at each time, e^{2η} dᵀ V d with d = Λ₀(t) x − Σ_{s ≤ t} x̄ dΛ₀
  /// of the interval's covariates over the whole baseline (not the path).
  public func predict(paths: [CoxCovariatePath], times: [Double]?, confidenceLevel: Double) -> [CoxPrediction] {
    let z = Normal.twoSidedCriticalValue(confidenceLevel: confidenceLevel)
    let increments = baselineIncrements()
    // Λ₀(t) and Σ x̄ dΛ₀ accumulated over each stratum's baseline.
    let cumulative = increments.map { steps -> (hazard: [Double], xbar: [[Double]]) in
      var h = 0.0
      var xb = [Double](repeating: 0, count: p)
      var hs: [Double] = [], xbs: [[Double]] = []
      for step in steps {
        h += step.hazard
        for k in 0..<p { xb[k] += step.xbar[k] }
        hs.append(h)
        xbs.append(xb)
      }
      return (hs, xbs)
    }
    let labels = strataLevels ?? []
    var out: [CoxPrediction] = []
    for path in paths {
      var steps = KaplanMeierKernel.Steps()
      var hazard = 0.0, varianceSum = 0.0, elapsed = 0.0, forward = 0.0
      for (start, stop, profile) in path.intervals {
        let s = profile.stratum.flatMap { labels.firstIndex(of: $0) } ?? 0
        let (xc, profileEta) = centredProfile(profile)
        let risk = exp(profileEta)
        let inside = increments[s].indices.filter { increments[s][$0].time > start && increments[s][$0].time <= stop }
        guard let last = inside.last else {
          forward += stop - start
          continue
        }
        var previous = start
        for (m, k) in inside.enumerated() {
          let step = increments[s][k]
          elapsed += step.time - previous + (m == 0 ? forward : 0)
          previous = step.time
          hazard += step.hazard * risk
          varianceSum += step.variance * risk * risk
          var d = [Double](repeating: 0, count: p)
          for c in 0..<p { d[c] = cumulative[s].hazard[k] * xc[c] - cumulative[s].xbar[k][c] }
          let quadratic = varianceQuadratic(d)
          let se = (varianceSum + quadratic * risk * risk).squareRoot()
          steps.time.append(elapsed)
          steps.nRisk.append(step.atRisk)
          steps.nEvent.append(step.events)
          steps.nCensor.append(step.censored)
          steps.survival.append(exp(-hazard))
          steps.standardError.append(se)
          steps.cumulativeHazard.append(hazard)
          steps.cumulativeHazardStandardError.append(se)
        }
        forward = stop - increments[s][last].time
      }
      let curve = CurveBuilder(steps: steps, transform: .log, z: z)
      out.append(CoxPrediction(profile: path.label, stratum: nil, steps: curve.stepRows(), at: times.map { curve.points(at: $0) }))
    }
    return out
  }
}
