import Distributions
import Foundation

/// Closed-form confidence intervals for comparing two binomial rates
/// p1 = x1/n1 and p2 = x2/n2 (group 1 against group 2), two-sided at `level`.
///
/// Contract: 0 ≤ xᵢ ≤ nᵢ, nᵢ ≥ 1. A limit that does not exist for the data
/// (a log of zero in Katz's or Woolf's interval) is `nil`; a limit at
/// infinity is `.infinity`. Risk-difference limits are clipped to [−1, 1],
/// with `clipped` saying so.
enum TwoRateIntervals {
  typealias Limits = BinomialIntervals.Limits

  /// Newcombe's hybrid score interval for p1 − p2 (method 10): the Wilson
  /// limits of each rate combined, d − √((p1 − l1)² + (u2 − p2)²) and
  /// d + √((u1 − p1)² + (p2 − l2)²). Newcombe (1998),
  /// doi:10.1002/(SICI)1097-0258(19980430)17:8<873::AID-SIM779>3.0.CO;2-I.
  static func newcombe(x1: Double, n1: Double, x2: Double, n2: Double, level: Double) -> Limits {
    let p1 = x1 / n1, p2 = x2 / n2
    let w1 = BinomialIntervals.wilson(x: x1, n: n1, level: level, continuity: 0)
    let w2 = BinomialIntervals.wilson(x: x2, n: n2, level: level, continuity: 0)
    let d = p1 - p2
    let lower = d - ((p1 - w1.lower) * (p1 - w1.lower) + (w2.upper - p2) * (w2.upper - p2)).squareRoot()
    let upper = d + ((w1.upper - p1) * (w1.upper - p1) + (p2 - w2.lower) * (p2 - w2.lower)).squareRoot()
    return Limits(lower: lower, upper: upper)
  }

  /// Wald for p1 − p2 with `added` events and 2·`added` trials per group:
  /// 0 is the textbook Wald interval, 1 Agresti and Caffo's (2000),
  /// doi:10.1080/00031305.2000.10474560. Clipped to [−1, 1].
  static func wald(x1: Double, n1: Double, x2: Double, n2: Double, level: Double, added: Double) -> Limits {
    let z = Normal.standard.quantile((1 - level) / 2, tail: .upper)
    let m1 = n1 + 2 * added, m2 = n2 + 2 * added
    let p1 = (x1 + added) / m1, p2 = (x2 + added) / m2
    let d = p1 - p2
    let half = z * (p1 * (1 - p1) / m1 + p2 * (1 - p2) / m2).squareRoot()
    let lower = d - half, upper = d + half
    return Limits(lower: max(lower, -1), upper: min(upper, 1), clipped: lower < -1 || upper > 1)
  }

  /// Katz's log interval for p1/p2: exp(log RR ± z √(1/x1 − 1/n1 + 1/x2 − 1/n2)).
  /// Undefined (`nil`) when x1 or x2 is 0. Katz et al. (1978), doi:10.2307/2530610.
  static func katz(x1: Double, n1: Double, x2: Double, n2: Double, level: Double) -> (lower: Double, upper: Double)? {
    if x1 == 0 || x2 == 0 { return nil }
    let z = Normal.standard.quantile((1 - level) / 2, tail: .upper)
    let logRatio = log((x1 / n1) / (x2 / n2))
    let half = z * (1 / x1 - 1 / n1 + 1 / x2 - 1 / n2).squareRoot()
    return (exp(logRatio - half), exp(logRatio + half))
  }

  /// Woolf's logit interval for the odds ratio: exp(log OR ± z √(Σ 1/cell)).
  /// Undefined (`nil`) when a cell is 0. Woolf (1955), doi:10.1111/j.1469-1809.1955.tb01348.x.
  static func woolf(x1: Double, n1: Double, x2: Double, n2: Double, level: Double) -> (lower: Double, upper: Double)? {
    if x1 == 0 || x2 == 0 || x1 == n1 || x2 == n2 { return nil }
    let z = Normal.standard.quantile((1 - level) / 2, tail: .upper)
    let logOdds = log((x1 / (n1 - x1)) / (x2 / (n2 - x2)))
    let half = z * (1 / x1 + 1 / (n1 - x1) + 1 / x2 + 1 / (n2 - x2)).squareRoot()
    return (exp(logOdds - half), exp(logOdds + half))
  }
}
