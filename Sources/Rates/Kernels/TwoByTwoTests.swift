import Distributions
import Foundation

/// Large-sample tests of p1 = p2 for a 2×2 table (x1 of n1 against x2 of n2).
///
/// Contract: 0 ≤ xᵢ ≤ nᵢ, nᵢ ≥ 1. A statistic that is undefined (no events
/// at all, or only events: every expected count of a column 0) is NaN.
enum TwoByTwoTests {
  /// Pearson's chi-square, R's `prop.test(c(x1, x2), c(n1, n2), correct =)`:
  /// Σ (|O − E| − c)²/E over the four cells, with E from the pooled rate,
  /// c = 0, or with Yates' correction c = min(0.5, |O − E|) (R shrinks the
  /// 0.5 so that the correction never overshoots). Summed in column-major
  /// order in extended precision, as R's `sum`.
  /// - Reference: Pearson (1900); Yates (1934), doi:10.2307/2983604.
  static func pearson(x1: Double, n1: Double, x2: Double, n2: Double, yates: Bool) -> Double {
    let p = (x1 + x2) / (n1 + n2)
    var correction = 0.0
    if yates {
      let delta = x1 / n1 - x2 / n2
      correction = min(0.5, abs(delta) / (1 / n1 + 1 / n2))
    }
    let observed = [x1, x2, n1 - x1, n2 - x2]
    let expected = [n1 * p, n2 * p, n1 * (1 - p), n2 * (1 - p)]
    var sum = AccurateSum()  // R sums in long double
    for i in 0..<4 {
      let d = abs(observed[i] - expected[i]) - correction
      sum.add(d * d / expected[i])
    }
    return sum.value
  }

  /// The likelihood-ratio (G) chi-square: 2 Σ O log(O/E), 0 log 0 = 0 (SAS
  /// PROC FREQ's "Likelihood Ratio Chi-Square").
  /// - Reference: Wilks (1938), doi:10.1214/aoms/1177732360.
  static func likelihoodRatio(x1: Double, n1: Double, x2: Double, n2: Double) -> Double {
    let p = (x1 + x2) / (n1 + n2)
    let observed = [x1, x2, n1 - x1, n2 - x2]
    let expected = [n1 * p, n2 * p, n1 * (1 - p), n2 * (1 - p)]
    var sum = AccurateSum()
    for i in 0..<4 where observed[i] > 0 {
      sum.add(observed[i] * log(observed[i] / expected[i]))
    }
    return max(0, 2 * sum.value)
  }
}
