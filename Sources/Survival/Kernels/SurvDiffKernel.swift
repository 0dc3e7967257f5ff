/// The weighted k-sample tests within one stratum: the G-rho family as R
/// survival's `survdiff2.c` (Harrington & Fleming 1982), and the other
/// weights of SAS PROC LIFETEST's STRATA tests (`LogRankWeight`).
///
/// Contract:
/// - Inputs, length m ≥ 1, sorted by ascending `time`: `time`, `status`
///   (0/1), `group` (0..<groups); rho, gamma ≥ 0.
/// - Adds to `observed[k]`, `expected[k]` (length `groups`) and `variance`
///   (groups × groups, row-major) the weighted sums over the stratum's event
///   times t: weight w(t) (for G-rho, S(t−)^rho·(1 − S(t−))^gamma with S the
///   pooled, left-continuous Kaplan–Meier of the stratum; see
///   `LogRankWeight`); O_k += w·d_k, E_k += w·d·n_k/n and
///   V_jk += w²·d·(n − d)/(n(n − 1))·n_j(δ_jk − n_k/n). A time with one
///   subject at risk adds nothing to V.
/// - Order-sensitive: the risk sets are accumulated from the last time
///   backwards, as in R.
/// - Complexity: O(m · groups²) in the worst case, O(m + times · groups²).
enum SurvDiffKernel {
  static func accumulate(time: [Double], status: [Double], group: [Int32], groups: Int, weight: LogRankWeight,
                         observed: inout [Double], expected: inout [Double], variance: inout [Double]) {
    let n = time.count
    // S(t−) of the pooled Kaplan–Meier (G-rho), or Peto's S̃(t) = ∏_{t_j ≤ t}
    // (1 − d_j/(n_j + 1)), at each row's time.
    var curve = [Double](repeating: 1, count: n)
    let peto: Bool
    switch weight {
    case .peto, .modifiedPeto: peto = true
    default: peto = false
    }
    if weight != .flemingHarrington(rho: 0, gamma: 0) && weight != .gehan && weight != .taroneWare {
      var km = 1.0
      var i = 0
      while i < n {
        let atRisk = Double(n - i)
        var deaths = status[i]
        var j = i + 1
        while j < n && time[j] == time[i] {
          deaths += status[j]
          j += 1
        }
        if peto {
          km = km * (1 - deaths / (atRisk + 1))
          for r in i..<j { curve[r] = km }
        } else {
          for r in i..<j { curve[r] = km }
          km = km * (atRisk - deaths) / atRisk
        }
        i = j
      }
    }
    var risk = [Double](repeating: 0, count: groups)
    var i = n - 1
    while i >= 0 {
      // The number at risk at this time: every row from the time's first on.
      var first = i
      while first > 0 && time[first - 1] == time[i] { first -= 1 }
      let nAtRisk = Double(n - first)
      var w: Double
      switch weight {
      case .flemingHarrington(let rho, let gamma):
        w = (rho == 0 ? 1 : pow(curve[i], rho)) * (gamma == 0 ? 1 : pow(1 - curve[i], gamma))
      case .gehan: w = nAtRisk
      case .taroneWare: w = nAtRisk.squareRoot()
      case .peto: w = curve[i]
      case .modifiedPeto: w = curve[i] * nAtRisk / (nAtRisk + 1)
      case .likelihoodRatio: w = 1  // not a weight: LogRank.likelihoodRatio computes it
      }
      var deaths = 0.0
      var j = i
      while j >= 0 && time[j] == time[i] {
        let k = Int(group[j])
        deaths += status[j]
        risk[k] += 1
        observed[k] += status[j] * w
        j -= 1
      }
      i = j
      let atRisk = Double(n - (j + 1))
      if deaths > 0 {
        for k in 0..<groups { expected[k] += w * deaths * risk[k] / atRisk }
        if atRisk == 1 { continue }
        w = w * w
        for a in 0..<groups {
          let tmp = w * deaths * risk[a] * (atRisk - deaths) / (atRisk * (atRisk - 1))
          variance[a * groups + a] += tmp
          for b in 0..<groups { variance[a * groups + b] -= tmp * risk[b] / atRisk }
        }
      }
    }
  }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The weight of each event time in a k-sample test (SAS PROC LIFETEST's
/// STRATA TEST= weights; R's `survdiff` has the G-rho family with gamma 0).
/// n is the number at risk, S the pooled product-limit estimate.
public enum LogRankWeight: Sendable, Equatable {
  /// S(t−)^rho·(1 − S(t−))^gamma; (0, 0) is the log-rank test, (1, 0) R's
  /// Peto–Peto (survdiff rho = 1).
  case flemingHarrington(rho: Double, gamma: Double)
  /// n: Gehan's generalized Wilcoxon (SAS TEST=WILCOXON).
  case gehan
  /// √n (Tarone & Ware 1977).
  case taroneWare
  /// S̃(t) = ∏_{t_j ≤ t} (1 − d_j/(n_j + 1)) (Peto & Peto 1972; SAS TEST=PETO).
  case peto
  /// S̃(t)·n/(n + 1) (Andersen et al. 1982; SAS TEST=MODPETO).
  case modifiedPeto
  /// Not a weight: SAS's −2Log(LR) test of equal exponential rates
  /// (`LogRank.likelihoodRatio`), offered beside the rank tests as SAS does.
  case likelihoodRatio
}
