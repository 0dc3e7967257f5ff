import Distributions
import Foundation

/// Exact unconditional tests of p1 = p2 for two binomial samples: the
/// p-value is the probability of the tables at least as extreme as the
/// observed one, maximized over the common rate π (the nuisance parameter),
///
///     p = sup_π Σ_{(i, j) extreme} C(n1, i) C(n2, j) π^(i+j) (1 − π)^(N − i − j).
///
/// - Barnard (1947), doi:10.2307/2332517, two-sided with the pooled Wald
///   statistic (scipy `barnard_exact(pooled = True)`): tables with
///   |T| ≥ |T_obs|.
/// - Boschloo (1970), doi:10.1111/j.1467-9574.1970.tb00104.x: Fisher's
///   one-sided p-value as the statistic (scipy `boschloo_exact`); two-sided
///   is twice the smaller one-sided p-value.
///
/// Ties: a table counts as at least as extreme when its statistic is within
/// a relative 10⁻¹³ of the observed one (scipy's tolerance for Boschloo; the
/// same here for Barnard, so that tables whose statistics are equal in exact
/// arithmetic are not split by rounding).
///
/// The supremum: the tables are grouped by i + j, so the p-value is a
/// polynomial Σ_s W_s π^s (1 − π)^(N − s) evaluated in O(N); it is scanned
/// on a grid of 2,000 points and every local maximum refined by
/// golden-section search to 10⁻¹² in π (scipy samples 32 Sobol points by
/// default and refines the best). O(n1 n2) to classify the tables.
///
/// Contract: nᵢ ≥ 1; `nil` when n1·n2 is beyond `tableLimit`.
public enum UnconditionalExactTests {
  /// (n1 + 1)(n2 + 1) tables at most (about a second).
  static let tableLimit = 50_000_000
  /// Patients in all up to which `compare` computes the tests by default.
  public static let automaticLimit = 1_000_000

  static func barnard(x1: Int, n1: Int, x2: Int, n2: Int) -> Double? {
    if (n1 + 1) * (n2 + 1) > tableLimit { return nil }
    let c1 = Double(n1), c2 = Double(n2)
    // scipy's arithmetic, operation for operation.
    func statistic(_ i: Int, _ j: Int) -> Double {
      let p1 = Double(i) / c1, p2 = Double(j) / c2
      if p1 == p2 { return 0 }
      let p = Double(i + j) / (c1 + c2)
      let variance = p * (1 - p) * (1 / c1 + 1 / c2)
      return (p1 - p2) / variance.squareRoot()
    }
    let observed = abs(statistic(x1, x2))
    let threshold = observed * (1 - 1e-13)
    return supremum(n1: n1, n2: n2) { abs(statistic($0, $1)) >= threshold }
  }

  static func boschloo(x1: Int, n1: Int, x2: Int, n2: Int) -> Double? {
    if (n1 + 1) * (n2 + 1) > tableLimit { return nil }
    let total = Double(n1 + n2)
    func less(_ i: Int, _ j: Int) -> Double {
      Hypergeometric(white: Double(i + j), black: total - Double(i + j), drawn: Double(n1)).cdf(Double(i), tail: .lower)
    }
    func greater(_ i: Int, _ j: Int) -> Double {
      Hypergeometric(white: Double(i + j), black: total - Double(i + j), drawn: Double(n2)).cdf(Double(j), tail: .lower)
    }
    let lessObserved = less(x1, x2) * (1 + 1e-13)
    let greaterObserved = greater(x1, x2) * (1 + 1e-13)
    guard let pLess = supremum(n1: n1, n2: n2, { less($0, $1) <= lessObserved }),
          let pGreater = supremum(n1: n1, n2: n2, { greater($0, $1) <= greaterObserved }) else { return nil }
    return min(1, 2 * min(pLess, pGreater))
  }

  /// sup over π ∈ [0, 1] of the probability of the tables in `region`.
  static func supremum(n1: Int, n2: Int, _ region: (Int, Int) -> Bool) -> Double? {
    let total = n1 + n2
    let lc1 = (0...n1).map { logChoose(Double(n1), Double($0)) }
    let lc2 = (0...n2).map { logChoose(Double(n2), Double($0)) }
    // log W_s by streaming log-sum-exp.
    var top = [Double](repeating: -.infinity, count: total + 1)
    var sum = [Double](repeating: 0, count: total + 1)
    for i in 0...n1 {
      for j in 0...n2 where region(i, j) {
        let s = i + j, v = lc1[i] + lc2[j]
        if v > top[s] {
          sum[s] = sum[s] * exp(top[s] - v) + 1
          top[s] = v
        } else {
          sum[s] += exp(v - top[s])
        }
      }
    }
    let terms = (0...total).filter { top[$0] > -.infinity }
    if terms.isEmpty { return 0 }
    let logWeight = terms.map { top[$0] + log(sum[$0]) }
    func probability(_ pi: Double) -> Double {
      let lp = log(pi), lq = log1p(-pi)
      var best = -Double.infinity
      var values = [Double](repeating: 0, count: terms.count)
      for (k, s) in terms.enumerated() {
        let a = s == 0 ? 0 : Double(s) * lp
        let b = s == total ? 0 : Double(total - s) * lq
        values[k] = logWeight[k] + a + b
        best = max(best, values[k])
      }
      if best == -.infinity { return 0 }
      var acc = 0.0
      for v in values { acc += exp(v - best) }
      return exp(best + log(acc))
    }
    let grid = 2000
    let values = (0...grid).map { probability(Double($0) / Double(grid)) }
    var best = values.max() ?? 0
    for k in 0...grid {
      let left = k == 0 ? -Double.infinity : values[k - 1]
      let right = k == grid ? -Double.infinity : values[k + 1]
      guard values[k] >= left && values[k] >= right else { continue }
      var a = Double(max(k - 1, 0)) / Double(grid), b = Double(min(k + 1, grid)) / Double(grid)
      // Golden-section search for the maximum on [a, b].
      let ratio = (5.0.squareRoot() - 1) / 2
      var c = b - ratio * (b - a), d = a + ratio * (b - a)
      var fc = probability(c), fd = probability(d)
      while b - a > 1e-12 {
        if fc >= fd {
          b = d; d = c; fd = fc
          c = b - ratio * (b - a); fc = probability(c)
        } else {
          a = c; c = d; fc = fd
          d = a + ratio * (b - a); fd = probability(d)
        }
      }
      best = max(best, fc, fd)
    }
    return min(1, best)
  }
}
