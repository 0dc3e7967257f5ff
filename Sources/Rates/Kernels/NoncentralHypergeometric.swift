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
  /// log C(n1, k) C(n2, m − k) / C(N, m) for k = lo…hi.
  private let logCentral: [Double]

  init(x1: Int, n1: Int, x2: Int, n2: Int) {
    let m = x1 + x2
    lo = max(0, m - n2)
    hi = min(n1, m)
    observed = x1
    let h = Hypergeometric(white: Double(m), black: Double(n1 + n2 - m), drawn: Double(n1))
    logCentral = (lo...hi).map { h.logProbabilityMass(Double($0)) }
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
      let logs = (l...h).map { hyper.logProbabilityMass(Double($0)) + tilt * Double($0) }
      let top = logs.max() ?? 0
      let f = logs.map { exp($0 - top) }
      let firstF = f.firstIndex { $0 != 0 } ?? 0, lastF = f.lastIndex { $0 != 0 } ?? 0
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
    logCentral = density.enumerated().map { log($0.element / total) - tilt * Double(low + $0.offset) }
  }

  /// The probabilities of lo…hi under odds ratio e^logOdds, normalized.
  func probabilities(logOdds: Double) -> [Double] {
    var d = logCentral.enumerated().map { $0.element + logOdds * Double(lo + $0.offset) }
    let top = d.max() ?? 0
    var total = 0.0
    for i in d.indices {
      d[i] = exp(d[i] - top)
      total += d[i]
    }
    return d.map { $0 / total }
  }

  /// R's two-sided p-value at ψ = 1: the probability of every table no more
  /// likely than the observed one, with R's relative tolerance 1 + 10⁻⁷.
  func twoSidedP() -> Double {
    let d = probabilities(logOdds: 0)  // as R: exp(log d − max), normalized
    let observedProbability = d[observed - lo] * (1 + 1e-7)
    var p = 0.0
    for v in d where v <= observedProbability { p += v }
    return min(1, p)
  }

  /// P(X ≤ observed) (`upper` false) or P(X ≥ observed) (true) under e^logOdds.
  func tail(logOdds: Double, upper: Bool) -> Double {
    let d = probabilities(logOdds: logOdds)
    let k = observed - lo
    var s = 0.0
    if upper { for i in k..<d.count { s += d[i] } } else { for i in 0...k { s += d[i] } }
    return s
  }

  /// E[X] under e^logOdds.
  func mean(logOdds: Double) -> Double {
    let d = probabilities(logOdds: logOdds)
    var s = 0.0
    for (i, v) in d.enumerated() { s += Double(lo + i) * v }
    return s
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
