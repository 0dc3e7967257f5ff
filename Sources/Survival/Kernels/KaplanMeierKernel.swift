import Foundation

/// The Kaplan–Meier and Nelson–Aalen estimates of one curve, step by step.
///
/// Contract (mirrors R survival's `survfitkm.c`, survival 3.5):
/// - Inputs, length m ≥ 1, sorted by ascending `stop`: `stop`, `status`
///   (0/1), `weight` (≥ 0), and for counting-process data `start` (< stop)
///   with `startOrder`, which sorts `start` ascending.
/// - Output: one row per distinct stop time t (event or censoring), ascending:
///   weighted number at risk n(t) = Σ w over `start < t ≤ stop`, weighted
///   events d(t) and censorings, the product-limit S(t) = ∏ (1 − d/n), the
///   Nelson–Aalen H(t) = Σ d/n with SE √Σ d/n², and the SE of S:
///   Greenwood's √Σ d/(n(n−d)) on the log scale, or — with `jackknife` — the
///   infinitesimal-jackknife SE of S itself, which R uses when case weights
///   are not integers.
/// - A time contributes to S and H only when it has an event of positive
///   weight. When d = n the Greenwood term is infinite, as in R.
/// - Order-sensitive: the numbers at risk are accumulated from the last time
///   backwards, entries subtracted after exits are added, exactly as R does,
///   so weighted counts agree with R bit for bit.
/// - Complexity: O(m) after sorting; the jackknife is O(m × times), as in R.
enum KaplanMeierKernel {
  struct Steps {
    var time: [Double] = []
    var nRisk: [Double] = []
    var nEvent: [Double] = []
    var nCensor: [Double] = []
    var survival: [Double] = []
    /// SE of log S (Greenwood) or of S (jackknife), per `logScale`.
    var standardError: [Double] = []
    var cumulativeHazard: [Double] = []
    var cumulativeHazardStandardError: [Double] = []
    var standardErrorIsLogScale = true
  }

  /// - `flemingHarringtonHazard`: R's `ctype = 2`, d tied events at n at
  ///   risk as Σ_{j<d} 1/(n − j·w̄) (w̄ the mean event weight), variance
  ///   Σ w̄²/(n − j·w̄)²; else Nelson–Aalen Σ d/n, variance Σ d/n².
  /// - `survivalFromHazard`: R's `stype = 2`, S = exp(−H) with the SE of log S
  ///   that of H; else the product limit with Greenwood's SE.
  static func estimate(stop: [Double], status: [Double], weight: [Double],
                       start: [Double]?, startOrder: [Int32]?, jackknife: Bool,
                       flemingHarringtonHazard: Bool = false, survivalFromHazard: Bool = false) -> Steps {
    let m = stop.count
    var steps = Steps()
    if m == 0 { return steps }
    // Distinct stop times.
    var times: [Double] = []
    var previous = Double.nan
    for t in stop where t != previous {
      times.append(t)
      previous = t
    }
    let nt = times.count
    var nRisk = [Double](repeating: 0, count: nt)
    var nEvent = [Double](repeating: 0, count: nt)
    var nCensor = [Double](repeating: 0, count: nt)
    var eventCount = [Int](repeating: 0, count: nt)

    // Counts, from the last time backwards (R's order of accumulation).
    var p2 = m - 1
    var p1 = m - 1
    var atRisk = 0.0
    for k in stride(from: nt - 1, through: 0, by: -1) {
      var d = 0.0, c = 0.0, d0 = 0
      while p2 >= 0 {
        let i = p2
        if stop[i] < times[k] { break }
        atRisk += weight[i]
        if status[i] == 1 { d0 += 1; d += weight[i] } else { c += weight[i] }
        p2 -= 1
      }
      if let start, let startOrder {
        while p1 >= 0 {
          let i = Int(startOrder[p1])
          if start[i] < times[k] { break }
          atRisk -= weight[i]
          p1 -= 1
        }
      }
      nRisk[k] = atRisk
      nEvent[k] = d
      nCensor[k] = c
      eventCount[k] = d0
    }

    // Product limit, Greenwood and Nelson–Aalen.
    var survival = [Double](repeating: 1, count: nt)
    var se = [Double](repeating: 0, count: nt)
    var hazard = [Double](repeating: 0, count: nt)
    var hazardSE = [Double](repeating: 0, count: nt)
    var km = 1.0, greenwood = 0.0, nelson = 0.0, nelsonVariance = 0.0
    for k in 0..<nt {
      let d = nEvent[k], n = nRisk[k]
      if eventCount[k] > 0 && d > 0 {
        if flemingHarringtonHazard {
          let share = d / Double(eventCount[k])
          for j in 0..<eventCount[k] {
            let term = 1 / (n - Double(j) * share)
            nelson += share * term
            nelsonVariance += share * share * term * term
          }
        } else {
          nelson += d / n
          nelsonVariance += d / (n * n)
        }
        km *= (n - d) / n
        greenwood += d / (n * (n - d))
      }
      survival[k] = survivalFromHazard ? Foundation.exp(-nelson) : km
      se[k] = (survivalFromHazard ? nelsonVariance : greenwood).squareRoot()
      hazard[k] = nelson
      hazardSE[k] = nelsonVariance.squareRoot()
    }
    steps.time = times
    steps.nRisk = nRisk
    steps.nEvent = nEvent
    steps.nCensor = nCensor
    steps.survival = survival
    steps.standardError = se
    steps.cumulativeHazard = hazard
    steps.cumulativeHazardStandardError = hazardSE
    if jackknife {
      let ij = infinitesimalJackknife(stop: stop, status: status, weight: weight, start: start,
                                      startOrder: startOrder, times: times,
                                      nRisk: nRisk, nEvent: nEvent, eventCount: eventCount)
      steps.standardError = ij.survival
      steps.cumulativeHazardStandardError = ij.hazard
      steps.standardErrorIsLogScale = false
    }
    return steps
  }

  /// R's robust (infinitesimal jackknife) SEs of S and H with every
  /// observation its own cluster (`survfitkm.c`, type 1). Each observation's
  /// influence on S is decayed by (1 − h) at every event time, gains
  /// w·S(t−)·h/n while it is at risk and loses w·S(t−)/n at its own event.
  private static func infinitesimalJackknife(
    stop: [Double], status: [Double], weight: [Double], start: [Double]?,
    startOrder: [Int32]?, times: [Double],
    nRisk: [Double], nEvent: [Double], eventCount: [Int]
  ) -> (survival: [Double], hazard: [Double]) {
    let m = stop.count
    let nt = times.count
    var atRiskWeight = [Double](repeating: 0, count: m)
    var influenceS = [Double](repeating: 0, count: m)
    var influenceH = [Double](repeating: 0, count: m)
    var seS = [Double](repeating: 0, count: nt)
    var seH = [Double](repeating: 0, count: nt)
    if start == nil {
      for i in 0..<m { atRiskWeight[i] = weight[i] }
    }
    var p2 = 0, p1 = 0
    var km = 1.0
    var v1 = 0.0, v2 = 0.0
    for k in 0..<nt {
      while p2 < m {
        let i = p2
        if stop[i] >= times[k] { break }
        atRiskWeight[i] = 0
        p2 += 1
      }
      if let start, let startOrder {
        while p1 < m {
          let i = Int(startOrder[p1])
          if start[i] >= times[k] { break }
          atRiskWeight[i] += weight[i]
          p1 += 1
        }
      }
      if eventCount[k] > 0 && nEvent[k] > 0 {
        let n = nRisk[k]
        let h = nEvent[k] / n
        for i in 0..<m {
          influenceS[i] = influenceS[i] * (1 - h) + atRiskWeight[i] * km * h / n
          influenceH[i] -= atRiskWeight[i] * h / n
        }
        while p2 < m {
          let i = p2
          if stop[i] > times[k] { break }
          if status[i] == 1 {
            influenceS[i] -= km * weight[i] / n
            influenceH[i] += weight[i] / n
          }
          atRiskWeight[i] = 0
          p2 += 1
        }
        km *= 1 - h
        v1 = 0
        v2 = 0
        for i in 0..<m {
          v1 += influenceS[i] * influenceS[i]
          v2 += influenceH[i] * influenceH[i]
        }
      }
      seS[k] = v1.squareRoot()
      seH[k] = v2.squareRoot()
    }
    return (seS, seH)
  }
}
