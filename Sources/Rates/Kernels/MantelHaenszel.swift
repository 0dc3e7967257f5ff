import Foundation

/// One stratum's 2×2 table: x1 events of n1 in group 1, x2 of n2 in group 2.
struct StratumCounts: Sendable, Equatable {
  var x1: Int, n1: Int, x2: Int, n2: Int
  var total: Int { n1 + n2 }
  var events: Int { x1 + x2 }
  /// Both groups and both outcomes present: the only strata that carry
  /// information about the odds ratio or its homogeneity.
  var isInformative: Bool { n1 > 0 && n2 > 0 && events > 0 && events < total }
}

/// The Mantel–Haenszel statistics of K 2×2 tables, with a = x1 (group 1
/// events), b = n1 − x1, c = x2, d = n2 − x2 and t = n1 + n2 in each.
///
/// Contract: counts are non-negative with xᵢ ≤ nᵢ. A stratum with t < 2
/// contributes nothing (its variance term has t − 1 = 0 and a·d = b·c = 0);
/// R's `mantelhaen.test` refuses such strata instead.
enum MantelHaenszel {
  /// The CMH statistic (R `mantelhaen.test(correct =)`): (|Σ(a − E a)| − c)² / Σ Var a,
  /// E a = n1·m/t, Var a = n1·n2·m·(t − m) / (t²(t − 1)), with the continuity
  /// correction c = ½ when asked and |Σ(a − E a)| ≥ ½ (as R), else 0. NaN
  /// when Σ Var a = 0 (no informative stratum).
  /// - Reference: Mantel & Haenszel (1959), doi:10.1093/jnci/22.4.719;
  ///   Cochran (1954), doi:10.2307/3001616.
  static func statistic(_ strata: [StratumCounts], corrected: Bool) -> Double {
    var delta = 0.0, variance = 0.0
    for s in strata where s.total >= 2 {
      let t = Double(s.total), m = Double(s.events), n1 = Double(s.n1), n2 = Double(s.n2)
      delta += Double(s.x1) - n1 * m / t
      variance += n1 * n2 * m * (t - m) / (t * t * (t - 1))
    }
    guard variance > 0 else { return .nan }
    let correction = corrected && abs(delta) >= 0.5 ? 0.5 : 0
    let d = abs(delta) - correction
    return d * d / variance
  }

  /// The Mantel–Haenszel common odds ratio Σ(a d/t) / Σ(b c/t) and the
  /// standard error of its log (Robins, Breslow & Greenland 1986, as R's
  /// `mantelhaen.test`). The standard error is `nil` when the estimate is
  /// 0, ∞ or 0/0.
  /// - Reference: Robins, Breslow & Greenland (1986), doi:10.2307/2531166.
  static func commonOddsRatio(_ strata: [StratumCounts]) -> (estimate: Double, seLog: Double?) {
    var r = 0.0, s = 0.0, pr = 0.0, psqr = 0.0, qs = 0.0
    for k in strata where k.total > 0 {
      let a = Double(k.x1), b = Double(k.n1 - k.x1), c = Double(k.x2), d = Double(k.n2 - k.x2)
      let t = Double(k.total)
      let rk = a * d / t, sk = b * c / t
      let p = (a + d) / t, q = (b + c) / t
      r += rk
      s += sk
      pr += p * rk
      psqr += p * sk + q * rk
      qs += q * sk
    }
    if r == 0 && s == 0 { return (.nan, nil) }
    let estimate = r / s
    guard r > 0 && s > 0 else { return (estimate, nil) }
    let variance = pr / (2 * r * r) + psqr / (2 * r * s) + qs / (2 * s * s)
    return (estimate, variance.squareRoot())
  }

  /// The fitted count of a (group 1 events) in one stratum under a common
  /// odds ratio ψ with the stratum's margins: the root in [max(0, m − n2),
  /// min(n1, m)] of a(n2 − m + a) = ψ(n1 − a)(m − a), from the stable form
  /// of the quadratic formula.
  static func fittedCount(_ s: StratumCounts, oddsRatio psi: Double) -> Double {
    let n1 = Double(s.n1), n2 = Double(s.n2), m = Double(s.events)
    let lower = max(0, m - n2), upper = min(n1, m)
    // (1 − ψ)a² + (n2 − m + ψ(n1 + m))a − ψ n1 m = 0
    let qa = 1 - psi, qb = n2 - m + psi * (n1 + m), qc = -psi * n1 * m
    let root: Double
    if abs(qa) < 1e-12 * max(1, abs(qb)) {
      root = -qc / qb
    } else {
      let disc = (qb * qb - 4 * qa * qc).squareRoot()
      let q = -0.5 * (qb + (qb >= 0 ? disc : -disc))
      let r1 = q / qa, r2 = qc / q
      let slack = 1e-9 * max(1, upper)
      root = (r1 >= lower - slack && r1 <= upper + slack) ? r1 : r2
    }
    return min(max(root, lower), upper)
  }

  /// The Breslow–Day test of a common odds ratio, at the Mantel–Haenszel
  /// estimate: Σ (a − â)² / Var(â) over the informative strata, with
  /// Var(â) = 1/(1/â + 1/(n1 − â) + 1/(m − â) + 1/(n2 − m + â)); Tarone's
  /// version subtracts (Σa − Σâ)² / Σ Var(â). Degrees of freedom: the
  /// informative strata − 1. `nil` with fewer than two informative strata or
  /// when the common odds ratio is 0 or ∞.
  /// - Reference: Breslow & Day (1980), *Statistical Methods in Cancer
  ///   Research I*, IARC, §4.4; Tarone (1985), doi:10.1093/biomet/72.1.91.
  static func breslowDay(_ strata: [StratumCounts], oddsRatio psi: Double)
    -> (statistic: Double, tarone: Double, degreesOfFreedom: Int)? {
    let informative = strata.filter(\.isInformative)
    guard informative.count >= 2, psi > 0, psi.isFinite else { return nil }
    var statistic = 0.0, sumObserved = 0.0, sumFitted = 0.0, sumVariance = 0.0
    for s in informative {
      let a = fittedCount(s, oddsRatio: psi)
      let n1 = Double(s.n1), n2 = Double(s.n2), m = Double(s.events)
      let variance = 1 / (1 / a + 1 / (n1 - a) + 1 / (m - a) + 1 / (n2 - m + a))
      let x = Double(s.x1)
      statistic += (x - a) * (x - a) / variance
      sumObserved += x
      sumFitted += a
      sumVariance += variance
    }
    let tarone = statistic - (sumObserved - sumFitted) * (sumObserved - sumFitted) / sumVariance
    return (statistic, tarone, informative.count - 1)
  }
}

extension MantelHaenszel {
  /// The Mantel–Haenszel common risk ratio and risk difference of group 1
  /// against group 2, as SAS PROC FREQ computes them (strata with a group
  /// missing carry no weight):
  ///
  ///     RR = Σ a n₂/t / Σ c n₁/t,
  ///     var(log RR) = Σ (n₁ n₂ (a + c) − a c t)/t² / (Σ a n₂/t · Σ c n₁/t)   (Greenland & Robins 1985)
  ///     RD = Σ w (a/n₁ − c/n₂) / Σ w,  w = n₁ n₂ / t,
  ///     var(RD) = (RD Σ P + Σ Q) / (Σ w)²                                  (Sato 1989)
  ///     P = (n₁² c − n₂² a + n₁ n₂ (n₂ − n₁)/2)/t²,  Q = (a (n₂ − c) + c (n₁ − a))/(2t).
  ///
  /// `nil` where a sum in a denominator is 0.
  static func commonRisks(_ strata: [StratumCounts])
    -> (ratio: Double?, ratioSELog: Double?, difference: Double?, differenceSE: Double?) {
    var rNum = 0.0, rDen = 0.0, rVar = 0.0
    var dNum = 0.0, w = 0.0, p = 0.0, q = 0.0
    for s in strata where s.n1 > 0 && s.n2 > 0 {
      let a = Double(s.x1), c = Double(s.x2), n1 = Double(s.n1), n2 = Double(s.n2), t = n1 + n2
      rNum += a * n2 / t
      rDen += c * n1 / t
      rVar += (n1 * n2 * (a + c) - a * c * t) / (t * t)
      let weight = n1 * n2 / t
      dNum += weight * (a / n1 - c / n2)
      w += weight
      p += (n1 * n1 * c - n2 * n2 * a + n1 * n2 * (n2 - n1) / 2) / (t * t)
      q += (a * (n2 - c) + c * (n1 - a)) / (2 * t)
    }
    let ratio: Double? = rDen > 0 ? rNum / rDen : (rNum > 0 ? .infinity : nil)
    let ratioSE: Double? = rNum > 0 && rDen > 0 ? (rVar / (rNum * rDen)).squareRoot() : nil
    let difference: Double? = w > 0 ? dNum / w : nil
    let differenceSE: Double? = difference.map { d in (max(0, d * p + q)).squareRoot() / w }
    return (ratio, ratioSE, difference, differenceSE)
  }
}
