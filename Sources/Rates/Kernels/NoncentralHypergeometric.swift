import Distributions
import Foundation

/// Fisher's noncentral hypergeometric distribution of the events in group 1
/// of a 2×2 table given both margins, with odds ratio ψ: the conditional
/// inference of R's `fisher.test` (p-value, conditional MLE of the odds
/// ratio, exact confidence limits).
///
///     P(X = k | ψ) ∝ C(n1, k) C(n2, m − k) ψᵏ,  k = lo…hi
///
/// with m = x1 + x2 events, lo = max(0, m − n2), hi = min(n1, m).
///
/// R solves the MLE and limits with `uniroot`'s default tolerance (about
/// 1e-4 on the ψ or 1/ψ scale), so its printed values can be off in the
/// fourth or fifth digit; here every equation is solved by Brent's method on
/// log ψ to machine precision.
///
/// Contract: the table's margins are positive; O(hi − lo) per evaluation,
/// with the central log-probabilities computed once (`dhyper`, log scale).
/// - Reference: Fisher (1935), doi:10.2307/2342435; R `fisher.test`.
struct NoncentralHypergeometric {
  let lo: Int, hi: Int
  let observed: Int
  /// log C(n1, k) C(n2, m − k) / C(N, m) for k = lo…hi, computed where needed.
  private let logCentral: LogDensity

  init(x1: Int, n1: Int, x2: Int, n2: Int) {
    let m = x1 + x2
    lo = max(0, m - n2)
    hi = min(n1, m)
    observed = x1
    let h = Hypergeometric(white: Double(m), black: Double(n1 + n2 - m), drawn: Double(n1))
    let first = lo
    logCentral = LogDensity(count: hi - lo + 1) { h.logProbabilityMass(Double(first + $0)) }
  }

  /// The sum of the group-1 events over K independent 2×2 tables with one
  /// common odds ratio ψ (R `mantelhaen.test(exact = TRUE)`): the
  /// convolution of the K noncentral hypergeometric distributions (R's
  /// `d2x2xk`), each step rescaled by its largest term so that nothing
  /// underflows; terms below 2⁻¹⁰²² of the largest are 0, as in R.
  ///
  /// The distributions are convolved at ψ = e^`tilt` (the Mantel–Haenszel
  /// estimate, say), not at ψ = 1 as R does: with large strata the observed
  /// sum can lie so far in the tail of the ψ = 1 distribution that every
  /// term near it underflows, leaving no root for the limits (R's `uniroot`
  /// then stops with an error). Near the estimate the terms that decide the
  /// limits are the largest ones. Terms that are exactly 0 are skipped, so
  /// the convolution costs the product of the supports' non-negligible
  /// widths, not of their full widths.
  /// - Reference: Mehta, Patel & Gray (1985), doi:10.1080/01621459.1985.10478202.
  init(strata: [(x1: Int, n1: Int, x2: Int, n2: Int)], tilt: Double = 0) {
    var density = [1.0]
    var low = 0, observedSum = 0
    for t in strata {
      let m = t.x1 + t.x2
      let l = max(0, m - t.n2), h = min(t.n1, m)
      observedSum += t.x1
      low += l
      let hyper = Hypergeometric(white: Double(m), black: Double(t.n1 + t.n2 - m), drawn: Double(t.n1))
      // The stratum's tilted terms where they do not underflow: log-concave,
      // so from the mode (bisection) outwards until e⁻⁷⁴⁵ of it.
      func v(_ k: Int) -> Double { hyper.logProbabilityMass(Double(k)) + tilt * Double(k) }
      var a = l, b = h
      while a < b {
        let mid = (a + b) / 2
        if v(mid) >= v(mid + 1) { b = mid } else { a = mid + 1 }
      }
      let top = v(a)
      var firstK = a, lastK = a
      while firstK > l && v(firstK - 1) - top > -745 { firstK -= 1 }
      while lastK < h && v(lastK + 1) - top > -745 { lastK += 1 }
      var f = [Double](repeating: 0, count: h - l + 1)
      for k in firstK...lastK { f[k - l] = exp(v(k) - top) }
      let firstF = firstK - l, lastF = lastK - l
      var next = [Double](repeating: 0, count: density.count + f.count - 1)
      for (i, a) in density.enumerated() where a != 0 {
        for j in firstF...lastF { next[i + j] += a * f[j] }
      }
      let largest = next.max() ?? 1
      density = next.map { $0 / largest }
    }
    lo = low
    hi = low + density.count - 1
    observed = observedSum
    let total = density.reduce(0, +)
    // Back to ψ = 1 on the log scale (no underflow there): log d(k) − tilt·k.
    logCentral = LogDensity(values: density.enumerated().map { log($0.element / total) - tilt * Double(low + $0.offset) })
  }

  /// The distribution under odds ratio e^logOdds where it is not negligible:
  /// the tilted log-density log d(k) + θk is concave in k (the convolution
  /// of log-concave sequences is log-concave), so its mode is found by
  /// bisection and the terms are summed outwards while they are within
  /// e⁷⁴⁵ of the mode's — beyond, exp underflows to 0, so the sums are the
  /// full ones — at O(√n) cost rather than O(n) per evaluation.
  struct Window {
    /// Indices (0 = lo) of the first and last term kept.
    var first: Int, last: Int
    /// exp(log d + θk − mode's), one per kept index.
    var weights: [Double]
    var total: Double
  }

  func window(logOdds theta: Double) -> Window {
    let n = hi - lo + 1
    func v(_ k: Int) -> Double {
      let c = logCentral[k]
      return c == -.infinity ? -.infinity : c + theta * Double(lo + k)
    }
    // The mode: the first k with v(k) ≥ v(k + 1), among the finite terms
    // (a convolved density's −∞ terms sit at its ends).
    let finite = logCentral.finiteRange ?? 0...(n - 1)
    var a = finite.lowerBound, b = finite.upperBound
    while a < b {
      let mid = (a + b) / 2
      if v(mid) >= v(mid + 1) { b = mid } else { a = mid + 1 }
    }
    let mode = a, top = v(mode)
    var first = mode, last = mode
    while first > finite.lowerBound && v(first - 1) - top > -745 { first -= 1 }
    while last < finite.upperBound && v(last + 1) - top > -745 { last += 1 }
    var weights = [Double](repeating: 0, count: last - first + 1)
    var total = 0.0
    for k in first...last {
      let w = exp(v(k) - top)
      weights[k - first] = w
      total += w
    }
    return Window(first: first, last: last, weights: weights, total: total)
  }

  /// R's two-sided p-value at ψ = 1: the probability of every table no more
  /// likely than the observed one, with R's relative tolerance 1 + 10⁻⁷.
  func twoSidedP() -> Double {
    let w = window(logOdds: 0)  // as R: exp(log d − max), normalized
    let k = observed - lo
    // An observed table outside the window is less likely than 2⁻¹⁰⁷⁴ of the mode's: p underflows to 0.
    guard k >= w.first && k <= w.last else { return 0 }
    let observedProbability = w.weights[k - w.first] / w.total * (1 + 1e-7)
    var p = 0.0
    for v in w.weights where v / w.total <= observedProbability { p += v / w.total }
    return min(1, p)
  }

  /// P(X ≤ observed) (`upper` false) or P(X ≥ observed) (true) under e^logOdds.
  func tail(logOdds: Double, upper: Bool) -> Double {
    let w = window(logOdds: logOdds)
    let k = observed - lo
    if k < w.first { return upper ? 1 : 0 }
    if k > w.last { return upper ? 0 : 1 }
    var s = 0.0
    if upper {
      for i in (k - w.first)..<w.weights.count { s += w.weights[i] }
    } else {
      for i in 0...(k - w.first) { s += w.weights[i] }
    }
    return s / w.total
  }

  /// E[X] under e^logOdds.
  func mean(logOdds: Double) -> Double {
    let w = window(logOdds: logOdds)
    var s = 0.0
    for (i, v) in w.weights.enumerated() { s += Double(lo + w.first + i) * v }
    return s / w.total
  }

  /// The conditional MLE of the odds ratio: E[X | ψ] = observed; 0 at lo, ∞ at hi.
  func conditionalMLE() -> Double {
    if observed == lo { return 0 }
    if observed == hi { return .infinity }
    let target = Double(observed)
    return exp(solveIncreasing(from: 0) { mean(logOdds: $0) - target })
  }

  /// Exact limits (R `fisher.test()$conf.int`, two-sided at `level`): the
  /// lower solves P(X ≥ x | ψ) = α/2 (0 at lo), the upper P(X ≤ x | ψ) = α/2 (∞ at hi).
  func confidenceLimits(level: Double) -> (lower: Double, upper: Double) {
    let alpha = (1 - level) / 2
    let lower = observed == lo ? 0 : exp(solveIncreasing(from: 0) { tail(logOdds: $0, upper: true) - alpha })
    let upper = observed == hi ? Double.infinity
      : exp(solveIncreasing(from: 0) { alpha - tail(logOdds: $0, upper: false) })
    return (lower, upper)
  }

  /// The root of an increasing function of log ψ: a bracket found by
  /// doubling steps from `from`, then Brent's method.
  private func solveIncreasing(from start: Double, _ f: (Double) -> Double) -> Double {
    var a = start, b = start
    var fa = f(a)
    var step = 1.0
    if fa < 0 {
      while true {
        b = a + step
        let fb = f(b)
        if fb >= 0 || step > 1024 { break }
        a = b; fa = fb
        step *= 2
      }
    } else {
      b = a
      while true {
        a = b - step
        fa = f(a)
        if fa <= 0 || step > 1024 { break }
        b = a
        step *= 2
      }
    }
    // A function that never changes sign over the whole search (no
    // representable root) gives no limit rather than a wrong one.
    return RootFinder.bracketed(lower: a, upper: b, f)?.x ?? .nan
  }
}

/// A log-density over lo…hi, either given or computed term by term when
/// first needed (a 2×2 table with millions of possible counts only ever
/// needs the terms near the modes the root searches visit).
final class LogDensity: @unchecked Sendable {
  private var values: [Double]
  private let compute: ((Int) -> Double)?

  /// The indices of the finite terms of a given density (contiguous for a
  /// log-concave one); `nil` when computed term by term (all finite).
  let finiteRange: ClosedRange<Int>?

  init(values: [Double]) {
    self.values = values
    compute = nil
    let first = values.firstIndex { $0 > -.infinity } ?? 0
    let last = values.lastIndex { $0 > -.infinity } ?? 0
    finiteRange = first...max(first, last)
  }

  init(count: Int, compute: @escaping (Int) -> Double) {
    values = [Double](repeating: .nan, count: count)
    self.compute = compute
    finiteRange = nil
  }

  subscript(k: Int) -> Double {
    let v = values[k]
    if !v.isNaN || compute == nil { return v }
    let c = compute!(k)
    values[k] = c
    return c
  }
}
