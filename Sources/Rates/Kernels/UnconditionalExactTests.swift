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
/// The rejection region once, by margins: both statistics are monotone in
/// x1 among the tables with the same total s = x1 + x2 (Barnard's pooled z
/// is linear in x1 there, Fisher's one-sided p-value a hypergeometric
/// distribution function), so in each margin the region is one tail or two,
/// found from the previous margin's boundary in a step or two. A margin's
/// weight Σ C(n1, x1) C(n2, s − x1) over its tail is C(N, s) times a
/// hypergeometric tail probability (R's `phyper`, in logs), so
///
///     p(π) = Σ_s C(N, s) H_s π^s (1 − π)^(N − s)
///
/// costs O(N) to build; each evaluation only sums the margins within 40
/// binomial standard deviations of Nπ (the rest weigh less than e⁻⁸⁰⁰ of
/// the largest binomial term). The supremum over π: a grid of 2,000 points,
/// each local maximum refined by golden-section search to 10⁻¹² in π
/// (scipy samples 32 Sobol points by default and refines the best).
///
/// Complexity: O(N) `phyper` calls and O(grid · √N) terms; 3,000 per group
/// takes milliseconds (enumerating the (n1 + 1)(n2 + 1) tables took seconds).
///
/// Contract: nᵢ ≥ 1.
public enum UnconditionalExactTests {
  /// Patients in all up to which `compare` computes the tests by default
  /// (about a second at the limit).
  public static let automaticLimit = 200_000

  static func barnard(x1: Int, n1: Int, x2: Int, n2: Int) -> Double? {
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
    let total = n1 + n2
    var logWeights = [Double](repeating: -.infinity, count: total + 1)
    for s in 0...total {
      let lo = max(0, s - n2), hi = min(n1, s)
      let extreme = { (i: Int) -> Bool in abs(statistic(i, s - i)) >= threshold }
      // T is increasing in x1 within the margin: the region is x1 ≤ a or x1 ≥ b.
      var logH = -Double.infinity
      let hyper = Hypergeometric(white: Double(s), black: Double(total - s), drawn: c1)
      if threshold <= 0 {
        logH = 0
      } else {
        let p = Double(s) / Double(total)
        let sd = (p * (1 - p) * (1 / c1 + 1 / c2)).squareRoot()
        // T(i) = (i (1/n1 + 1/n2) − s/n2) / sd: the real solutions of T = ±threshold.
        let slope = (1 / c1 + 1 / c2)
        let centre = (Double(s) / c2) / slope
        let width = sd > 0 ? threshold * sd / slope : .infinity
        var a = width.isFinite ? Int((centre - width).rounded(.down)) : lo - 1
        var b = width.isFinite ? Int((centre + width).rounded(.up)) : hi + 1
        a = min(max(a, lo - 1), hi)
        b = max(min(b, hi + 1), lo)
        // Exact classification at the edges, with the statistic as computed:
        // [lo, a] has T ≤ −threshold, [b, hi] has T ≥ threshold.
        let low = { (i: Int) -> Bool in extreme(i) && statistic(i, s - i) < 0 }
        let high = { (i: Int) -> Bool in extreme(i) && statistic(i, s - i) > 0 }
        while a >= lo && !low(a) { a -= 1 }
        while a + 1 <= hi && low(a + 1) { a += 1 }
        while b <= hi && !high(b) { b += 1 }
        while b - 1 >= lo && high(b - 1) { b -= 1 }
        var terms: [Double] = []
        if a >= lo { terms.append(hyper.logCDF(Double(a), tail: .lower)) }
        if b <= hi { terms.append(hyper.logCDF(Double(b - 1), tail: .upper)) }
        logH = logSum(terms)
      }
      if logH > -.infinity { logWeights[s] = logChoose(Double(total), Double(s)) + logH }
    }
    return supremum(logWeights: logWeights)
  }

  static func boschloo(x1: Int, n1: Int, x2: Int, n2: Int) -> Double? {
    let total = n1 + n2
    let N = Double(total)
    func less(_ i: Int, _ j: Int) -> Double {
      Hypergeometric(white: Double(i + j), black: N - Double(i + j), drawn: Double(n1)).cdf(Double(i), tail: .lower)
    }
    func greater(_ i: Int, _ j: Int) -> Double {
      Hypergeometric(white: Double(i + j), black: N - Double(i + j), drawn: Double(n2)).cdf(Double(j), tail: .lower)
    }
    let lessObserved = less(x1, x2) * (1 + 1e-13)
    let greaterObserved = greater(x1, x2) * (1 + 1e-13)
    // In each margin, less(i, s − i) grows with i: the region is i ≤ a_s;
    // greater(i, s − i) falls with i: the region is i ≥ b_s.
    var lessWeights = [Double](repeating: -.infinity, count: total + 1)
    var greaterWeights = [Double](repeating: -.infinity, count: total + 1)
    var a = -1, b = 0
    for s in 0...total {
      let lo = max(0, s - n2), hi = min(n1, s)
      let inLess = { (i: Int) -> Bool in less(i, s - i) <= lessObserved }
      let inGreater = { (i: Int) -> Bool in greater(i, s - i) <= greaterObserved }
      a = min(max(a, lo - 1), hi)
      while a >= lo && !inLess(a) { a -= 1 }
      while a + 1 <= hi && inLess(a + 1) { a += 1 }
      if a >= lo {
        let h = Hypergeometric(white: Double(s), black: N - Double(s), drawn: Double(n1))
        lessWeights[s] = logChoose(N, Double(s)) + h.logCDF(Double(a), tail: .lower)
      }
      b = max(min(b, hi + 1), lo)
      while b <= hi && !inGreater(b) { b += 1 }
      while b - 1 >= lo && inGreater(b - 1) { b -= 1 }
      if b <= hi {
        let h = Hypergeometric(white: Double(s), black: N - Double(s), drawn: Double(n2))
        greaterWeights[s] = logChoose(N, Double(s)) + h.logCDF(Double(s - b), tail: .lower)
      }
    }
    guard let pLess = supremum(logWeights: lessWeights), let pGreater = supremum(logWeights: greaterWeights) else { return nil }
    return min(1, 2 * min(pLess, pGreater))
  }

  /// log Σ exp(xs).
  static func logSum(_ xs: [Double]) -> Double {
    guard let top = xs.max(), top > -.infinity else { return -.infinity }
    return top + log(xs.reduce(0) { $0 + exp($1 - top) })
  }

  /// sup over π of Σ_s exp(logWeights[s]) π^s (1 − π)^(N − s), N = logWeights.count − 1.
  static func supremum(logWeights: [Double]) -> Double? {
    let total = logWeights.count - 1
    let N = Double(total)
    if !logWeights.contains(where: { $0 > -.infinity }) { return 0 }
    var terms = [Double](repeating: 0, count: total + 1)
    func probability(_ pi: Double) -> Double {
      let lp = log(pi), lq = log1p(-pi)
      let sd = (N * pi * (1 - pi)).squareRoot()
      let from = pi == 0 ? 0 : max(0, Int((N * pi - 40 * sd - 1).rounded(.down)))
      let to = pi == 1 ? total : min(total, Int((N * pi + 40 * sd + 1).rounded(.up)))
      var best = -Double.infinity
      for s in from...to {
        let v = logWeights[s] + (s == 0 ? 0 : Double(s) * lp) + (s == total ? 0 : Double(total - s) * lq)
        terms[s - from] = v
        if v > best { best = v }
      }
      if best == -.infinity { return 0 }
      // Terms 40 below the largest (e⁻⁴⁰ ≈ 4·10⁻¹⁸ of it) cannot change the sum.
      let cut = best - 40
      var acc = 0.0
      for k in 0...(to - from) where terms[k] > cut { acc += exp(terms[k] - best) }
      return exp(best + log(acc))
    }
    return maximize(probability)
  }

  /// sup over π ∈ [0, 1] of the probability of the tables in `region`, by
  /// enumerating every table: O(n1 n2), the reference the margin-by-margin
  /// computation is tested against.
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
    return maximize(probability)
  }

  /// The maximum of `f` over [0, 1]: a grid of 2,000 points, each local
  /// maximum refined by golden-section search to 10⁻¹².
  static func maximize(_ probability: (Double) -> Double) -> Double? {
    let grid = 2000
    let values = (0...grid).map { probability(Double($0) / Double(grid)) }
    var best = values.max() ?? 0
    guard best > 0 else { return 0 }
    // The grid's local maxima (a plateau counted once), refined from the
    // highest down; one whose grid value is below 10⁻³ of the best cannot
    // rise above it within one cell of a polynomial this smooth.
    var peaks: [Int] = []
    for k in 0...grid {
      let left = k == 0 ? -Double.infinity : values[k - 1]
      let right = k == grid ? -Double.infinity : values[k + 1]
      if values[k] >= left && values[k] >= right && !(k > 0 && values[k] == left)
        && values[k] >= 1e-3 * best {
        peaks.append(k)
      }
    }
    peaks.sort { values[$0] > values[$1] }
    for k in peaks.prefix(20) {
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
