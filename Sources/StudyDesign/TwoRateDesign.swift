import Distributions
import Foundation

/// Patients per group to compare two rates p1 and p2 with a two-sided test.
///
/// - `n_per_group`: R's `power.prop.test(p1 =, p2 =, sig.level =, power =)`
///   rounded up: the normal approximation with the pooled variance under H0,
///   no continuity correction,
///
///       n = (z₁₋α/₂ √(2 p̄ q̄) + z_power √(p1 q1 + p2 q2))² / (p1 − p2)²
///
///   solved in closed form (R solves the same equation with `uniroot` at
///   tolerance 1.2e-4, which can move the unrounded n in its fifth digit).
/// - `n_per_group_cc`: with Fleiss, Tytun & Ury's continuity correction,
///   n/4 · (1 + √(1 + 4/(n |p1 − p2|)))², rounded up.
/// - `fisher`: the exact power of Fisher's two-sided test at `n_per_group`
///   (every pair of outcomes enumerated), and the smallest n per group whose
///   exact power reaches the target (Fisher's test is conservative, so more).
/// - Actual alpha and power: the normal approximation's power at the rounded
///   n (its alpha is nominal); Fisher's exact size, with both rates at
///   (p1 + p2)/2, and exact power at both sizes.
///
/// - Reference: Fleiss, Tytun & Ury (1980), doi:10.2307/2529990; R `power.prop.test`.
public enum TwoRateDesign {
  public struct Options: Sendable {
    public var p1: Double
    public var p2: Double
    public var alpha: Double
    public var power: Double
    /// Largest n per group searched for the exact Fisher design.
    public var maximumFisherSize: Int

    public init(p1: Double, p2: Double, alpha: Double = 0.05, power: Double = 0.8, maximumFisherSize: Int = 1000) {
      self.p1 = p1
      self.p2 = p2
      self.alpha = alpha
      self.power = power
      self.maximumFisherSize = maximumFisherSize
    }
  }

  public static func sampleSize(_ options: Options) -> TwoRateSampleSize {
    let p1 = options.p1, p2 = options.p2
    let za = Normal.standard.quantile(options.alpha / 2, tail: .upper)
    let zb = Normal.standard.quantile(options.power)
    let pooled = (p1 + p2) / 2
    let d = abs(p1 - p2)
    let root = za * (2 * pooled * (1 - pooled)).squareRoot() + zb * (p1 * (1 - p1) + p2 * (1 - p2)).squareRoot()
    let n = root * root / (d * d)
    let corrected = n / 4 * pow(1 + (1 + 4 / (n * d)).squareRoot(), 2)
    let perGroup = Int(n.rounded(.up))
    let fisherPower = exactFisherPower(n: perGroup, p1: p1, p2: p2, alpha: options.alpha)
    var fisherSize: Int? = nil
    var size = perGroup
    while size <= options.maximumFisherSize {
      if exactFisherPower(n: size, p1: p1, p2: p2, alpha: options.alpha) >= options.power {
        fisherSize = size
        break
      }
      size += 1
    }
    // R power.prop.test(n = n_per_group)$power: the same equation solved for power.
    let actualPower = Normal.standard.cdf(((Double(perGroup)).squareRoot() * d - za * (2 * pooled * (1 - pooled)).squareRoot())
                                          / (p1 * (1 - p1) + p2 * (1 - p2)).squareRoot())
    return TwoRateSampleSize(p1: p1, p2: p2, alpha: options.alpha, power: options.power,
                             actualPower: actualPower,
                             fisherAlphaAtPerGroup: exactFisherPower(n: perGroup, p1: pooled, p2: pooled, alpha: options.alpha),
                             fisherActualAlpha: fisherSize.map { exactFisherPower(n: $0, p1: pooled, p2: pooled, alpha: options.alpha) },
                             fisherActualPower: fisherSize.map { exactFisherPower(n: $0, p1: p1, p2: p2, alpha: options.alpha) },
                             perGroup: perGroup, perGroupUnrounded: n,
                             perGroupCorrected: Int(corrected.rounded(.up)), perGroupCorrectedUnrounded: corrected,
                             fisherPowerAtPerGroup: fisherPower, fisherPerGroup: fisherSize,
                             maximumFisherSize: options.maximumFisherSize)
  }

  /// The exact power of Fisher's two-sided test (R's rule) with n per group:
  /// Σ over every (x1, x2) with p-value ≤ alpha of b(x1; n, p1) b(x2; n, p2).
  /// The p-values depend only on the table, so they are computed per margin
  /// total m = x1 + x2 from one hypergeometric distribution each.
  public static func exactFisherPower(n: Int, p1: Double, p2: Double, alpha: Double) -> Double {
    let b1 = Binomial(trials: Double(n), probability: p1), b2 = Binomial(trials: Double(n), probability: p2)
    let f1 = (0...n).map { b1.probabilityMass(Double($0)) }
    let f2 = (0...n).map { b2.probabilityMass(Double($0)) }
    var power = 0.0
    for m in 0...(2 * n) {
      let lo = max(0, m - n), hi = min(n, m)
      let h = Hypergeometric(white: Double(m), black: Double(2 * n - m), drawn: Double(n))
      let logd = (lo...hi).map { h.logProbabilityMass(Double($0)) }
      let top = logd.max() ?? 0
      var d = logd.map { exp($0 - top) }
      let total = d.reduce(0, +)
      for i in d.indices { d[i] /= total }
      // Two-sided p of each outcome: the mass of outcomes no more likely (R's
      // tolerance 1 + 10⁻⁷), from the sorted masses and their prefix sums.
      let sorted = d.sorted()
      var prefix = [Double](repeating: 0, count: sorted.count + 1)
      for (i, v) in sorted.enumerated() { prefix[i + 1] = prefix[i] + v }
      var cumulative = [Double](repeating: 0, count: d.count)
      for idx in d.indices {
        let limit = d[idx] * (1 + 1e-7)
        var a = 0, b = sorted.count
        while a < b {
          let mid = (a + b) / 2
          if sorted[mid] <= limit { a = mid + 1 } else { b = mid }
        }
        cumulative[idx] = prefix[a]
      }
      for idx in d.indices where cumulative[idx] <= alpha {
        let x1 = lo + idx
        power += f1[x1] * f2[m - x1]
      }
    }
    return power
  }
}

/// The result of `TwoRateDesign.sampleSize`.
public struct TwoRateSampleSize: Sendable, Equatable {
  public var p1: Double
  public var p2: Double
  public var alpha: Double
  public var power: Double
  /// The normal approximation's power at `perGroup` (R `power.prop.test(n =)`).
  public var actualPower: Double
  /// The exact size of Fisher's test at `perGroup` with both rates (p1 + p2)/2.
  public var fisherAlphaAtPerGroup: Double
  /// Exact size (at (p1 + p2)/2) and power of Fisher's test at `fisherPerGroup`.
  public var fisherActualAlpha: Double?
  public var fisherActualPower: Double?
  public var perGroup: Int
  public var perGroupUnrounded: Double
  public var perGroupCorrected: Int
  public var perGroupCorrectedUnrounded: Double
  public var fisherPowerAtPerGroup: Double
  /// `nil` when no n up to `maximumFisherSize` reaches the power.
  public var fisherPerGroup: Int?
  public var maximumFisherSize: Int

  public var method: String {
    "R power.prop.test: normal approximation, pooled variance under H0, two-sided alpha, no continuity correction, rounded up"
  }
}

extension TwoRateSampleSize: Encodable {
  enum CodingKeys: String, CodingKey {
    case p1, p2, alpha, power, perGroup = "n_per_group", perGroupUnrounded = "n_per_group_unrounded"
    case perGroupCorrected = "n_per_group_cc", perGroupCorrectedUnrounded = "n_per_group_cc_unrounded", method, fisher
    case actualAlpha = "actual_alpha", actualPower = "actual_power"
  }
  enum FisherKeys: String, CodingKey {
    case powerAtPerGroup = "power_at_n_per_group", alphaAtPerGroup = "alpha_at_n_per_group", perGroup = "n_per_group"
    case actualAlpha = "actual_alpha", actualPower = "actual_power", method
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(p1, forKey: .p1)
    try c.encode(p2, forKey: .p2)
    try c.encode(alpha, forKey: .alpha)
    try c.encode(power, forKey: .power)
    try c.encode(perGroup, forKey: .perGroup)
    try c.encode(perGroupUnrounded, forKey: .perGroupUnrounded)
    try c.encode(perGroupCorrected, forKey: .perGroupCorrected)
    try c.encode(perGroupCorrectedUnrounded, forKey: .perGroupCorrectedUnrounded)
    try c.encode(alpha, forKey: .actualAlpha)
    try c.encode(actualPower, forKey: .actualPower)
    try c.encode(method, forKey: .method)
    var f = c.nestedContainer(keyedBy: FisherKeys.self, forKey: .fisher)
    try f.encode(fisherPowerAtPerGroup, forKey: .powerAtPerGroup)
    try f.encode(fisherAlphaAtPerGroup, forKey: .alphaAtPerGroup)
    try f.encode(fisherPerGroup.map(Double.init) ?? .nan, forKey: .perGroup)
    try f.encode(fisherActualAlpha ?? .nan, forKey: .actualAlpha)
    try f.encode(fisherActualPower ?? .nan, forKey: .actualPower)
    try f.encode("exact power of Fisher's two-sided test (R fisher.test rule), every outcome enumerated; smallest n per group (up to \(maximumFisherSize)) reaching the power", forKey: .method)
  }
}
