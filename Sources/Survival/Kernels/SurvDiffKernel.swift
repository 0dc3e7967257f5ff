/// The G-rho family of k-sample tests within one stratum, as R survival's
/// `survdiff2.c` (Harrington & Fleming 1982).
///
/// Contract:
/// - Inputs, length m ≥ 1, sorted by ascending `time`: `time`, `status`
///   (0/1), `group` (0..<groups); `rho` ≥ 0.
/// - Adds to `observed[k]`, `expected[k]` (length `groups`) and `variance`
///   (groups × groups, row-major) the weighted sums over the stratum's event
///   times t: weight w = S(t−)^rho with S the pooled, left-continuous
///   Kaplan–Meier of the stratum; O_k += w·d_k, E_k += w·d·n_k/n and
///   V_jk += w²·d·(n − d)/(n(n − 1))·n_j(δ_jk − n_k/n). A time with one
///   subject at risk adds nothing to V.
/// - Order-sensitive: the risk sets are accumulated from the last time
///   backwards, as in R.
/// - Complexity: O(m · groups²) in the worst case, O(m + times · groups²).
enum SurvDiffKernel {
  static func accumulate(time: [Double], status: [Double], group: [Int32], groups: Int, rho: Double,
                         observed: inout [Double], expected: inout [Double], variance: inout [Double]) {
    let n = time.count
    var kaplan = [Double](repeating: 1, count: n)
    if rho != 0 {
      var km = 1.0
      var i = 0
      while i < n {
        kaplan[i] = km
        let atRisk = Double(n - i)
        var deaths = status[i]
        var j = i + 1
        while j < n && time[j] == time[i] {
          kaplan[j] = km
          deaths += status[j]
          j += 1
        }
        km = km * (atRisk - deaths) / atRisk
        i = j
      }
    }
    var risk = [Double](repeating: 0, count: groups)
    var i = n - 1
    while i >= 0 {
      var w = rho == 0 ? 1 : pow(kaplan[i], rho)
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
