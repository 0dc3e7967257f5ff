import Distributions
import Foundation

/// Score (test-inversion) intervals for comparing two binomial rates: the
/// values of the difference, ratio or odds ratio that a score test at level
/// 1 − `level` does not reject, with the variance evaluated at the maximum
/// likelihood estimates restricted to that value.
///
/// - Risk difference: Miettinen & Nurminen (1985), doi:10.1002/sim.4780040211,
///   with the restricted MLE in Farrington & Manning's closed form (1990),
///   doi:10.1002/sim.4780091208.
/// - Risk ratio: Koopman (1984), doi:10.2307/2531405 (no variance
///   correction) and Miettinen & Nurminen (with it).
/// - Odds ratio: Miettinen & Nurminen.
///
/// The Miettinen–Nurminen variance carries the factor N/(N − 1), N = n1 + n2.
/// Each limit is solved by Brent's method to machine precision after a
/// bracketing search outward from the estimate; a limit that the statistic
/// never reaches is the bound of the parameter (±1, 0 or ∞).
///
/// Contract: 0 ≤ xᵢ ≤ nᵢ, nᵢ ≥ 1, 0 < level < 1.
enum ScoreIntervals {
  struct Data {
    var x1: Double, n1: Double, x2: Double, n2: Double
    var p1: Double { x1 / n1 }
    var p2: Double { x2 / n2 }
    var total: Double { n1 + n2 }
  }

  // MARK: Risk difference

  /// The rates maximizing the likelihood under p1 − p2 = δ (Farrington &
  /// Manning's cubic, solved in closed form).
  static func restrictedDifference(_ d: Data, delta: Double) -> (p1: Double, p2: Double) {
    let theta = d.n2 / d.n1
    let a = 1 + theta
    let b = -(1 + theta + d.p1 + theta * d.p2 + delta * (theta + 2))
    let c = delta * delta + delta * (2 * d.p1 + theta + 1) + d.p1 + theta * d.p2
    let e = -d.p1 * delta * (1 + delta)
    let v = b * b * b / (27 * a * a * a) - b * c / (6 * a * a) + e / (2 * a)
    let s = b * b / (9 * a * a) - c / (3 * a)
    let u = (v < 0 ? -1.0 : 1.0) * max(s, 0).squareRoot()
    var p1: Double
    if u == 0 {
      p1 = -b / (3 * a)
    } else {
      let w = (Double.pi + acos(min(max(v / (u * u * u), -1), 1))) / 3
      p1 = 2 * u * cos(w) - b / (3 * a)
    }
    p1 = min(max(p1, max(0, delta)), min(1, 1 + delta))
    return (p1, p1 - delta)
  }

  /// The signed score statistic for H0: p1 − p2 = δ.
  static func differenceStatistic(_ d: Data, delta: Double, corrected: Bool) -> Double {
    let r = restrictedDifference(d, delta: delta)
    var variance = r.p1 * (1 - r.p1) / d.n1 + r.p2 * (1 - r.p2) / d.n2
    if corrected { variance *= d.total / (d.total - 1) }
    let numerator = d.p1 - d.p2 - delta
    if variance <= 0 { return numerator == 0 ? 0 : (numerator > 0 ? .infinity : -.infinity) }
    return numerator / variance.squareRoot()
  }

  static func difference(_ d: Data, level: Double, corrected: Bool = true) -> (lower: Double, upper: Double) {
    let z = Normal.standard.quantile((1 - level) / 2, tail: .upper)
    let estimate = d.p1 - d.p2
    let f = { (delta: Double) in differenceStatistic(d, delta: delta, corrected: corrected) }
    // The statistic decreases in δ: positive below the estimate, negative above.
    let lower = limit(from: estimate, toward: -1, inside: { f($0) < z }, equation: { f($0) - z })
    let upper = limit(from: estimate, toward: 1, inside: { f($0) > -z }, equation: { f($0) + z })
    return (lower, upper)
  }

  // MARK: Risk ratio

  /// The rates maximizing the likelihood under p1 = φ p2 (a quadratic).
  static func restrictedRatio(_ d: Data, ratio: Double) -> (p1: Double, p2: Double) {
    let a = d.total * ratio
    let b = -(d.n1 * ratio + d.x1 + d.n2 + d.x2 * ratio)
    let c = d.x1 + d.x2
    let p2 = (-b - max(b * b - 4 * a * c, 0).squareRoot()) / (2 * a)
    return (p2 * ratio, p2)
  }

  static func ratioStatistic(_ d: Data, ratio: Double, corrected: Bool) -> Double {
    let r = restrictedRatio(d, ratio: ratio)
    var variance = r.p1 * (1 - r.p1) / d.n1 + ratio * ratio * r.p2 * (1 - r.p2) / d.n2
    if corrected { variance *= d.total / (d.total - 1) }
    let numerator = d.p1 - ratio * d.p2
    if variance <= 0 || !variance.isFinite { return numerator == 0 ? 0 : (numerator > 0 ? .infinity : -.infinity) }
    return numerator / variance.squareRoot()
  }

  /// Koopman's interval (`corrected` false) or Miettinen–Nurminen's (true).
  static func ratio(_ d: Data, level: Double, corrected: Bool) -> (lower: Double, upper: Double) {
    let z = Normal.standard.quantile((1 - level) / 2, tail: .upper)
    return logScaleLimits(estimate: d.p1 / d.p2, z: z) { ratioStatistic(d, ratio: exp($0), corrected: corrected) }
  }

  // MARK: Odds ratio

  /// The rates maximizing the likelihood under odds ratio ψ (a quadratic in p2).
  static func restrictedOdds(_ d: Data, odds: Double) -> (p1: Double, p2: Double) {
    if odds == 1 {
      let p = (d.x1 + d.x2) / d.total
      return (p, p)
    }
    let a = d.n2 * (odds - 1)
    let b = d.n1 * odds + d.n2 - (d.x1 + d.x2) * (odds - 1)
    let c = -(d.x1 + d.x2)
    let p2 = (-b + max(b * b - 4 * a * c, 0).squareRoot()) / (2 * a)
    return (p2 * odds / (1 + p2 * (odds - 1)), p2)
  }

  /// The score statistic for H0: odds ratio = ψ (statsmodels' form,
  /// `score_test_proportions_2indep(compare = "odds-ratio")`).
  static func oddsStatistic(_ d: Data, odds: Double, corrected: Bool) -> Double {
    let r = restrictedOdds(d, odds: odds)
    let q1 = r.p1 * (1 - r.p1), q2 = r.p2 * (1 - r.p2)
    var variance = 1 / (q1 * d.n1) + 1 / (q2 * d.n2)
    if corrected { variance *= d.total / (d.total - 1) }
    let numerator = (d.p1 - r.p1) / q1 - (d.p2 - r.p2) / q2
    if !(variance > 0) || !variance.isFinite || !numerator.isFinite {
      let sign = d.p1 * (1 - d.p2) - d.p2 * (1 - d.p1) * odds
      return sign == 0 ? 0 : (sign > 0 ? .infinity : -.infinity)
    }
    return numerator / variance.squareRoot()
  }

  static func odds(_ d: Data, level: Double) -> (lower: Double, upper: Double) {
    let z = Normal.standard.quantile((1 - level) / 2, tail: .upper)
    let estimate = (d.x1 * (d.n2 - d.x2)) / (d.x2 * (d.n1 - d.x1))
    return logScaleLimits(estimate: estimate, z: z) { oddsStatistic(d, odds: exp($0), corrected: true) }
  }

  // MARK: Solving

  /// Limits on the log scale for a statistic decreasing in log φ, with the
  /// estimate possibly 0 (log −∞), ∞ or undefined (0/0).
  private static func logScaleLimits(estimate: Double, z: Double, _ statistic: @escaping (Double) -> Double)
    -> (lower: Double, upper: Double) {
    // A starting point inside the acceptance region: the log estimate when
    // finite, else the point of the grid ±1, ±2, ±4, … closest to it where
    // the statistic is inside (−z, z).
    var start: Double? = estimate > 0 && estimate.isFinite ? log(estimate) : nil
    if start == nil {
      var candidates: [Double] = [0]
      var step = 1.0
      while step <= 512 { candidates += [-step, step]; step *= 2 }
      if estimate == 0 { candidates.sort() } else if estimate.isInfinite { candidates.sort(by: >) }
      start = candidates.first { abs(statistic($0)) < z }
    }
    guard let from = start else { return (0, .infinity) }
    let lower = limit(from: from, toward: -.infinity, inside: { statistic($0) < z }, equation: { statistic($0) - z })
    let upper = limit(from: from, toward: .infinity, inside: { statistic($0) > -z }, equation: { statistic($0) + z })
    return (exp(lower), exp(upper))
  }

  /// The boundary of the acceptance region between `from` (inside) and
  /// `toward`: steps outward, doubling, until the statistic leaves the
  /// region, then Brent's method on the last step. `toward` itself when the
  /// statistic never leaves.
  private static func limit(from: Double, toward bound: Double, inside: (Double) -> Bool,
                            equation: (Double) -> Double) -> Double {
    var inner = from
    var step = bound.isFinite ? (bound - from) / 1024 : (bound > 0 ? 0.0625 : -0.0625)
    if step == 0 { return from }
    while true {
      var outer = inner + step
      if bound.isFinite && (bound > from ? outer >= bound : outer <= bound) { outer = bound }
      if !bound.isFinite && abs(outer) > 700 { return bound }  // beyond exp(±700): 0 or ∞ for all purposes
      if !inside(outer) {
        let f1 = equation(inner), f2 = equation(outer)
        if !f2.isFinite || !f1.isFinite {
          // Bisect down to a finite bracket end.
          var a = inner, b = outer
          for _ in 0..<200 {
            let m = (a + b) / 2
            if m == a || m == b { break }
            if inside(m) { a = m } else { b = m }
            if equation(b).isFinite { break }
          }
          if !equation(b).isFinite { return (a + b) / 2 }
          return RootFinder.brent(lower: a, upper: b, equation).x
        }
        return RootFinder.brent(lower: inner, upper: outer, equation).x
      }
      if outer == bound { return bound }
      inner = outer
      step *= 2
    }
  }
}
