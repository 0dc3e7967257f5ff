import Distributions

/// Confidence intervals for a binomial proportion x/n, two-sided at level
/// 1 − α. Each returns (lower, upper) and whether the limits were clipped to
/// [0, 1] (only Wald and Agresti–Coull can leave it).
///
/// Contract: 0 ≤ x ≤ n, n ≥ 1, 0 < level < 1. Every limit is exact at the
/// edges: x = 0 gives lower 0 and x = n upper 1 for the methods whose
/// definitions say so (Clopper–Pearson, mid-p, Jeffreys, Wilson). No loop
/// over 0…n: the binomial tails are incomplete beta functions (Rmath's
/// `pbinom`/`qbeta`, TOMS 708), so n up to 10⁹ costs the same as n = 20.
/// - Reference: Brown, Cai & DasGupta (2001), doi:10.1214/ss/1009213286;
///   Newcombe (1998), doi:10.1002/(SICI)1097-0258(19980430)17:8<857::AID-SIM777>3.0.CO;2-E.
enum BinomialIntervals {
  struct Limits: Equatable {
    var lower: Double
    var upper: Double
    var clipped = false
  }

  /// Clopper–Pearson: the limits where P(X ≥ x) and P(X ≤ x) equal α/2,
  /// as beta quantiles (R `binom.test()$conf.int`).
  static func clopperPearson(x: Double, n: Double, level: Double) -> Limits {
    let tail = (1 - level) / 2
    let lower = x == 0 ? 0 : BetaDistribution(alpha: x, beta: n - x + 1).quantile(tail)
    let upper = x == n ? 1 : BetaDistribution(alpha: x + 1, beta: n - x).quantile(tail, tail: .upper)
    return Limits(lower: lower, upper: upper)
  }

  /// Wilson's score interval, with `continuity` = 0 (R
  /// `prop.test(correct = FALSE)$conf.int`) or 0.5 (the full correction,
  /// Newcombe 1998 method 4; R's `prop.test(correct = TRUE)` shrinks it to
  /// |x − n p0| when that is smaller, which ties the interval to p0).
  /// R's expressions, in R's order:
  ///
  ///     p_c = x/n ± c/n,  (p_c + z²/2n ± z √(p_c(1 − p_c)/n + z²/4n²)) / (1 + z²/n)
  ///
  /// with the lower limit 0 when p_c ≤ 0 and the upper 1 when p_c ≥ 1.
  static func wilson(x: Double, n: Double, level: Double, continuity: Double) -> Limits {
    let z = Normal.standard.quantile((1 + level) / 2)
    let estimate = x / n
    let z22n = z * z / (2 * n)
    var pc = estimate + continuity / n
    let upper = pc >= 1 ? 1 : (pc + z22n + z * (pc * (1 - pc) / n + z22n / (2 * n)).squareRoot()) / (1 + 2 * z22n)
    pc = estimate - continuity / n
    let lower = pc <= 0 ? 0 : (pc + z22n - z * (pc * (1 - pc) / n + z22n / (2 * n)).squareRoot()) / (1 + 2 * z22n)
    return Limits(lower: lower, upper: upper)
  }

  /// Agresti–Coull: the Wald interval around (x + z²/2)/(n + z²) with
  /// n + z² trials, clipped to [0, 1] (statsmodels `proportion_confint(method =
  /// "agresti_coull")`). Reference: Agresti & Coull (1998), doi:10.2307/2685469.
  static func agrestiCoull(x: Double, n: Double, level: Double) -> Limits {
    let z = Normal.standard.quantile((1 - level) / 2, tail: .upper)
    let trials = n + z * z
    let centre = (x + z * z / 2) / trials
    let half = z * (centre * (1 - centre) / trials).squareRoot()
    return clip(centre - half, centre + half)
  }

  /// Jeffreys: equal-tailed quantiles of Beta(x + ½, n − x + ½), lower 0 at
  /// x = 0 and upper 1 at x = n (Brown, Cai & DasGupta 2001, §4.1.2).
  static func jeffreys(x: Double, n: Double, level: Double) -> Limits {
    let tail = (1 - level) / 2
    let posterior = BetaDistribution(alpha: x + 0.5, beta: n - x + 0.5)
    return Limits(lower: x == 0 ? 0 : posterior.quantile(tail),
                  upper: x == n ? 1 : posterior.quantile(tail, tail: .upper))
  }

  /// Wald: x/n ± z √(p(1 − p)/n), clipped to [0, 1].
  static func wald(x: Double, n: Double, level: Double) -> Limits {
    let z = Normal.standard.quantile((1 - level) / 2, tail: .upper)
    let p = x / n
    let half = z * (p * (1 - p) / n).squareRoot()
    return clip(p - half, p + half)
  }

  /// Wald with the continuity correction: p̂ ± (z√(p̂(1 − p̂)/n) + 1/(2n)),
  /// clipped to [0, 1] (SAS PROC FREQ's BINOMIAL(CORRECT) Wald limits).
  static func waldCorrected(x: Double, n: Double, level: Double) -> Limits {
    let z = Normal.standard.quantile((1 - level) / 2, tail: .upper)
    let p = x / n
    let half = z * (p * (1 - p) / n).squareRoot() + 1 / (2 * n)
    return clip(p - half, p + half)
  }

  /// Logit: the Wald interval of log(p̂/(1 − p̂)), SE 1/√(n p̂ (1 − p̂)),
  /// back-transformed; undefined (NaN) at x = 0 and x = n.
  static func logit(x: Double, n: Double, level: Double) -> Limits {
    guard x > 0 && x < n else { return Limits(lower: .nan, upper: .nan) }
    let z = Normal.standard.quantile((1 - level) / 2, tail: .upper)
    let p = x / n
    let centre = log(p / (1 - p)), half = z / (n * p * (1 - p)).squareRoot()
    func expit(_ t: Double) -> Double { 1 / (1 + exp(-t)) }
    return Limits(lower: expit(centre - half), upper: expit(centre + half))
  }

  /// Likelihood ratio: the p where 2[ℓ(p̂) − ℓ(p)] = χ²₁ at `level`,
  /// ℓ(p) = x log p + (n − x) log(1 − p), on either side of p̂ (0 at x = 0,
  /// 1 at x = n), to machine precision by bracketed root finding.
  static func likelihoodRatio(x: Double, n: Double, level: Double) -> Limits {
    let p = x / n
    func loglik(_ q: Double) -> Double {
      (x > 0 ? x * log(q) : 0) + (x < n ? (n - x) * log1p(-q) : 0)
    }
    let cut = loglik(p) - ChiSquared(degreesOfFreedom: 1).quantile(level) / 2
    let lower = x == 0 ? 0 : RootFinder.bracketed(lower: .leastNormalMagnitude, upper: p) { loglik($0) - cut }?.x ?? .nan
    let upper = x == n ? 1 : RootFinder.bracketed(lower: p, upper: 1 - Double.ulpOfOne / 2) { loglik($0) - cut }?.x ?? .nan
    return Limits(lower: lower, upper: upper)
  }

  /// Mid-p: the p where P(X > x) + P(X = x)/2 = α/2 (lower; 0 at x = 0) and
  /// P(X < x) + P(X = x)/2 = α/2 (upper; 1 at x = n), each solved to machine
  /// precision between the two Clopper–Pearson-type beta quantiles that
  /// bracket it. Reference: Lancaster (1961), doi:10.1080/01621459.1961.10482105;
  /// Berry & Armitage (1995), doi:10.2307/2348867.
  static func midP(x: Double, n: Double, level: Double) -> Limits {
    let tail = (1 - level) / 2
    var lower = 0.0, upper = 1.0
    if x > 0 {
      // f(p) = P(X > x) + P(X = x)/2 − α/2 increases with p. At the
      // Clopper–Pearson limit P(X ≥ x) = α/2, so f ≤ 0; where P(X > x) = α/2, f ≥ 0.
      let from = BetaDistribution(alpha: x, beta: n - x + 1).quantile(tail)
      let to = x == n ? 1 : BetaDistribution(alpha: x + 1, beta: n - x).quantile(tail)
      lower = RootFinder.brent(lower: from, upper: to) { p in
        let b = Binomial(trials: n, probability: p)
        return b.cdf(x, tail: .upper) + b.probabilityMass(x) / 2 - tail
      }.x
    }
    if x < n {
      // g(p) = P(X < x) + P(X = x)/2 − α/2 decreases with p.
      let from = x == 0 ? 0 : BetaDistribution(alpha: x, beta: n - x + 1).quantile(tail, tail: .upper)
      let to = BetaDistribution(alpha: x + 1, beta: n - x).quantile(tail, tail: .upper)
      upper = RootFinder.brent(lower: from, upper: to) { p in
        let b = Binomial(trials: n, probability: p)
        return (x == 0 ? 0 : b.cdf(x - 1, tail: .lower)) + b.probabilityMass(x) / 2 - tail
      }.x
    }
    return Limits(lower: lower, upper: upper)
  }

  private static func clip(_ lower: Double, _ upper: Double) -> Limits {
    Limits(lower: max(lower, 0), upper: min(upper, 1), clipped: lower < 0 || upper > 1)
  }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
