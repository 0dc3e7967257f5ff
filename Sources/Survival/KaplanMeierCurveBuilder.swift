/// Turns a kernel's steps into the reported rows: confidence limits, the SE
/// of S, R's `survfit0` time-zero row for `summary(fit, times =)` and
/// `print(fit, rmean =)`.
struct CurveBuilder {
  let steps: KaplanMeierKernel.Steps
  let lower: [Double]
  let upper: [Double]
  /// SE of S per step (what `summary.survfit` prints).
  let survivalStandardError: [Double]

  /// The time the curves start from: 0, or R's `start.time`.
  let origin: Double

  /// - `modifiedLower`: R's `conf.lower = "modified"`: the lower limit's SE
  ///   scaled by √(n at the last event / n at risk) (Dorey & Korn 1987).
  init(steps: KaplanMeierKernel.Steps, transform: ConfidenceTransform, z: Double,
       modifiedLower: Bool = false, origin: Double = 0) {
    self.steps = steps
    self.origin = origin
    var lower = [Double](repeating: .nan, count: steps.time.count)
    var upper = lower
    var se = lower
    var atLastEvent = steps.nRisk.first ?? 0
    for k in steps.time.indices {
      let s = steps.survival[k]
      let (lo, hi) = transform.limits(survival: s, standardError: steps.standardError[k],
                                      logScale: steps.standardErrorIsLogScale, z: z)
      lower[k] = lo
      upper[k] = hi
      if modifiedLower {
        if k == 0 || steps.nEvent[k] > 0 { atLastEvent = steps.nRisk[k] }
        let scaled = steps.standardError[k] * (atLastEvent / steps.nRisk[k]).squareRoot()
        lower[k] = transform.limits(survival: s, standardError: scaled, logScale: steps.standardErrorIsLogScale, z: z).lower
      }
      se[k] = steps.standardErrorIsLogScale ? steps.standardError[k] * s : steps.standardError[k]
    }
    self.lower = lower
    self.upper = upper
    self.survivalStandardError = se
  }

  var times: [Double] { steps.time }
  var survival: [Double] { steps.survival }

  /// Σ events, weighted (R's `sum(n.event)`).
  var events: Double {
    var total = 0.0
    for d in steps.nEvent { total += d }
    return total
  }

  func stepRows() -> [KaplanMeierStep] {
    steps.time.indices.map { k in
      KaplanMeierStep(time: steps.time[k], nRisk: steps.nRisk[k], nEvent: steps.nEvent[k],
                      nCensor: steps.nCensor[k], survival: steps.survival[k],
                      standardError: survivalStandardError[k], lower: lower[k], upper: upper[k],
                      cumulativeHazard: steps.cumulativeHazard[k],
                      cumulativeHazardStandardError: steps.cumulativeHazardStandardError[k])
    }
  }

  /// The curve with R's `survfit0` row at its origin in front (unless the
  /// first time is the origin): S = 1, limits 1, SE 0, events 0, at risk as
  /// at the first time.
  private var withTimeZero: [KaplanMeierStep] {
    var rows: [KaplanMeierStep] = []
    if let first = steps.time.first, first != origin {
      rows.append(KaplanMeierStep(time: origin, nRisk: steps.nRisk[0], nEvent: 0, nCensor: 0, survival: 1,
                                   standardError: 0, lower: 1, upper: 1, cumulativeHazard: 0,
                                   cumulativeHazardStandardError: 0))
    }
    for k in steps.time.indices {
      rows.append(KaplanMeierStep(time: steps.time[k], nRisk: steps.nRisk[k], nEvent: steps.nEvent[k],
                                   nCensor: steps.nCensor[k], survival: steps.survival[k],
                                   standardError: survivalStandardError[k], lower: lower[k], upper: upper[k],
                                   cumulativeHazard: steps.cumulativeHazard[k],
                                   cumulativeHazardStandardError: steps.cumulativeHazardStandardError[k]))
    }
    return rows
  }

  /// `summary(fit, times = requested)` for this curve: times sorted, those
  /// after the last observed time left out unless `extend` (R's `extend =`);
  /// S and its limits carried forward from the last step at or before each
  /// time; the number at risk of the first step at or after it (0 past the
  /// end); events and censorings counted since the previous requested time.
  func points(at requested: [Double], extend: Bool = false, countingProcess: Bool = false) -> [KaplanMeierStep] {
    let fit0 = withTimeZero
    guard let maxTime = steps.time.last else { return [] }
    let times = requested.filter { $0.isFinite && (extend || $0 <= maxTime) }.sorted()
    var out: [KaplanMeierStep] = []
    var cumulativeEvents = [0.0]
    var cumulativeCensor = [0.0]
    for row in fit0 {
      cumulativeEvents.append(cumulativeEvents.last! + row.nEvent)
      cumulativeCensor.append(cumulativeCensor.last! + row.nCensor)
    }
    var previousIndex = 0
    // Subjects left: the number at the start less those failed or censored
    // (right-censored data; with (start, stop] rows a subject's intervals
    // end many times and subjects enter late, so it is not defined).
    let start = fit0.first?.nRisk ?? 0
    let noLateEntry = !countingProcess
    for t in times {
      // findInterval(t, time): number of times ≤ t; and 1 + number of times < t.
      let atOrBefore = fit0.partitionPoint { $0.time <= t }
      let before = fit0.partitionPoint { $0.time < t }
      let row = fit0[max(atOrBefore, 1) - 1]
      let nRisk = before < fit0.count ? fit0[before].nRisk : 0
      out.append(KaplanMeierStep(
        time: t, nRisk: nRisk,
        nEvent: cumulativeEvents[atOrBefore] - cumulativeEvents[previousIndex],
        nCensor: cumulativeCensor[atOrBefore] - cumulativeCensor[previousIndex],
        survival: row.survival, standardError: row.standardError, lower: row.lower, upper: row.upper,
        cumulativeHazard: row.cumulativeHazard, cumulativeHazardStandardError: row.cumulativeHazardStandardError,
        nFailed: cumulativeEvents[atOrBefore],
        nLeft: noLateEntry ? start - cumulativeEvents[atOrBefore] - cumulativeCensor[atOrBefore] : nil))
      previousIndex = atOrBefore
    }
    return out
  }

  /// R's `survmean(fit0, rmean = tau)`: the area under S from 0 to τ as
  /// rectangles, and its variance Σ_j A_j² d_j / (n_j (n_j − d_j)) with A_j
  /// the area after the j-th time (Klein & Moeschberger 4.5).
  func restrictedMean(tau: Double) -> RestrictedMean {
    let fit0 = withTimeZero
    let startTime = origin
    var times: [Double] = []
    var surv: [Double] = []
    var hh: [Double] = []
    for row in fit0 where row.time <= tau {
      times.append(row.time)
      surv.append(row.survival)
      let free = row.nRisk - row.nEvent
      hh.append(free == 0 ? 0 : row.nEvent / (row.nRisk * free))
    }
    if times.isEmpty {
      times = [tau]; surv = [1]; hh = [0]
    } else {
      times.append(tau)
      surv.append(surv[surv.count - 1])
      hh.append(0)
    }
    let n = times.count
    var rectangles = [Double](repeating: 0, count: n)
    var previousTime = startTime
    for k in 0..<n {
      let width = times[k] - previousTime
      rectangles[k] = width * (k == 0 ? 1 : surv[k - 1])
      previousTime = times[k]
    }
    var variance = 0.0
    var after = 0.0
    // cumsum(rev(rectangles[-1]))^2 * rev(hh)[-1]
    for k in stride(from: n - 1, through: 1, by: -1) {
      after += rectangles[k]
      variance += after * after * hh[k - 1]
    }
    var mean = 0.0
    for r in rectangles { mean += r }
    return RestrictedMean(tau: tau, estimate: mean + startTime, standardError: variance.squareRoot())
  }
}

extension Array {
  /// The first index whose element fails `belongs`, for a predicate that is
  /// true on a prefix (binary search).
  func partitionPoint(_ belongs: (Element) -> Bool) -> Int {
    var lo = 0, hi = count
    while lo < hi {
      let mid = (lo + hi) / 2
      if belongs(self[mid]) { lo = mid + 1 } else { hi = mid }
    }
    return lo
  }
}
