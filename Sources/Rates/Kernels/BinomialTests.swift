import Distributions

/// Tests of H0: p = p0 for x events in n binomial trials.
///
/// Contract: 0 ≤ x ≤ n, n ≥ 1, 0 < p0 < 1. Each returns a p-value in [0, 1].
/// No loop over 0…n: tails are `pbinom` (incomplete beta), and the two-sided
/// exact test finds the other tail's cut-off by bisection on the unimodal
/// probability mass function, O(log n).
enum BinomialTests {
  /// Which alternative a test is against.
  enum Side { case twoSided, less, greater }

  /// R's `binom.test(x, n, p0, alternative)$p.value`. Two-sided: the
  /// probability of every outcome no more likely than x, with R's relative
  /// tolerance 1 + 10⁻⁷ for "no more likely" (so that equal probabilities
  /// computed with different rounding still count).
  /// - Reference: R `binom.test`; Clopper & Pearson (1934), doi:10.1093/biomet/26.4.404.
  ///
  /// `central` (SAS PROC FREQ's BINOMIAL EXACT, Fay's "central"): twice the
  /// smaller one-sided p, at most 1. `blaker` (Blaker 2000; exactci's
  /// tsmethod = "blaker"): the probability of every outcome whose smaller
  /// tail is no larger than x's, with the same relative tolerance.
  /// - Reference: Fay (2010), doi:10.32614/RJ-2010-008; Blaker (2000), doi:10.2307/3315958.
  static func exact(x: Double, n: Double, p0: Double, side: Side, twoSided rule: TwoSidedRule = .minlike) -> Double {
    let b = Binomial(trials: n, probability: p0)
    let p: Double
    switch side {
    case .less: p = b.cdf(x, tail: .lower)
    case .greater: p = x == 0 ? 1 : b.cdf(x - 1, tail: .upper)
    case .twoSided where rule == .central:
      let lower = b.cdf(x, tail: .lower)
      let upper = x == 0 ? 1 : b.cdf(x - 1, tail: .upper)
      p = 2 * min(lower, upper)
    case .twoSided where rule == .blaker:
      // γ(k) = min(P(X ≤ k), P(X ≥ k)); P(X ≤ k) rises with k and P(X ≥ k)
      // falls, so {k : γ(k) ≤ γ(x)} is a prefix 0…a and a suffix c…n.
      let atMost = { (k: Double) in b.cdf(k, tail: .lower) }
      let atLeast = { (k: Double) in k <= 0 ? 1 : b.cdf(k - 1, tail: .upper) }
      let bound = min(atMost(x), atLeast(x)) * (1 + 1e-7)
      let a = firstIndex(from: 0, to: n) { atMost($0) > bound } - 1
      let c = firstIndex(from: 0, to: n) { atLeast($0) <= bound }
      if a + 1 >= c { return 1 }
      p = (a < 0 ? 0 : atMost(a)) + (c > n ? 0 : atLeast(c))
    case .twoSided:
      let relativeError = 1 + 1e-7
      let d = b.probabilityMass(x)
      let m = n * p0
      if x == m { return 1 }
      if x < m {
        // Outcomes i ≥ ⌈m⌉ with dbinom(i) ≤ d: a suffix k…n (the mass
        // decreases beyond the mode, which is at most ⌈m⌉).
        let k = firstIndex(from: m.rounded(.up), to: n) { b.probabilityMass($0) <= d * relativeError }
        p = b.cdf(x, tail: .lower) + (k > n ? 0 : b.cdf(k - 1, tail: .upper))
      } else {
        // Outcomes i ≤ ⌊m⌋ with dbinom(i) ≤ d: a prefix 0…k−1 (the mass
        // increases up to the mode, which is at least ⌊m⌋).
        let k = firstIndex(from: 0, to: m.rounded(.down)) { b.probabilityMass($0) > d * relativeError }
        p = (k == 0 ? 0 : b.cdf(k - 1, tail: .lower)) + b.cdf(x - 1, tail: .upper)
      }
    }
    return min(1, p)
  }

  /// Mid-p: P(X < x) + P(X = x)/2 (less), P(X > x) + P(X = x)/2 (greater);
  /// two-sided twice the smaller, at most 1 (the contract's convention).
  /// - Reference: Lancaster (1961), doi:10.1080/01621459.1961.10482105.
  static func midP(x: Double, n: Double, p0: Double, side: Side) -> Double {
    let b = Binomial(trials: n, probability: p0)
    let half = b.probabilityMass(x) / 2
    let less = (x == 0 ? 0 : b.cdf(x - 1, tail: .lower)) + half
    let greater = b.cdf(x, tail: .upper) + half
    switch side {
    case .less: return less
    case .greater: return greater
    case .twoSided: return min(1, 2 * min(less, greater))
    }
  }

  /// The score test, R's `prop.test(x, n, p0, alternative, correct = FALSE)$p.value`:
  /// X² = Σ (O − E)²/E over events and non-events, on 1 df (two-sided), or
  /// the normal tail of sign(x/n − p0)·√X² (one-sided).
  /// - Reference: Wilson (1927), doi:10.1080/01621459.1927.10502953.
  static func score(x: Double, n: Double, p0: Double, side: Side) -> Double {
    let expectedEvents = n * p0, expectedOthers = n * (1 - p0)
    let a = abs(x - expectedEvents), c = abs((n - x) - expectedOthers)
    let statistic = a * a / expectedEvents + c * c / expectedOthers
    switch side {
    case .twoSided:
      return ChiSquared(degreesOfFreedom: 1).cdf(statistic, tail: .upper)
    case .less, .greater:
      let difference = x / n - p0
      let z = (difference > 0 ? 1.0 : difference < 0 ? -1.0 : 0) * statistic.squareRoot()
      return Normal.standard.cdf(z, tail: side == .less ? .lower : .upper)
    }
  }

  /// The first i in from…to (whole numbers) where `predicate` holds, for a
  /// predicate false then true along the range; to + 1 when it never holds.
  private static func firstIndex(from: Double, to: Double, _ predicate: (Double) -> Bool) -> Double {
    var lo = from, hi = to + 1
    while lo < hi {
      let mid = ((lo + hi) / 2).rounded(.down)
      if predicate(mid) { hi = mid } else { lo = mid + 1 }
    }
    return lo
  }
}

/// How an exact test's two-sided p-value is formed from the distribution of
/// the outcome (Fay 2010's names; docs/CONVENTIONS.md).
public enum TwoSidedRule: String, Sendable, CaseIterable, Codable {
  /// R's `binom.test`: every outcome no more likely than the observed.
  case minlike
  /// Twice the smaller one-sided p (SAS PROC FREQ, Stata's bitest... see docs).
  case central
  /// Blaker's acceptability: every outcome whose smaller tail is no larger.
  case blaker
}
