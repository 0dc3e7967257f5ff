import Distributions
import Tabular
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

  /// Patients per group no design may exceed: the exact computations and
  /// integer sizes stay in range (`p2` closer to `p1` is an error).
  public static let maximumPerGroup = 1_000_000_000

  /// - Throws: `InputError` naming `p2` when the rates are so close that
  ///   more than `maximumPerGroup` patients per group would be needed.
  /// - Parameter progress: called on long exact searches.
  public static func sampleSize(_ options: Options, progress: ((String) -> Void)? = nil) throws -> TwoRateSampleSize {
    let p1 = options.p1, p2 = options.p2
    let za = Normal.standard.quantile(options.alpha / 2, tail: .upper)
    let zb = Normal.standard.quantile(options.power)
    let pooled = (p1 + p2) / 2
    let d = abs(p1 - p2)
    let root = za * (2 * pooled * (1 - pooled)).squareRoot() + zb * (p1 * (1 - p1) + p2 * (1 - p2)).squareRoot()
    let n = root * root / (d * d)
    let corrected = n / 4 * pow(1 + (1 + 4 / (n * d)).squareRoot(), 2)
    guard corrected.isFinite, corrected <= Double(maximumPerGroup) else {
      throw InputError(option: "p2", "the rates are too close: more than \(maximumPerGroup) patients per group, expected p1 and p2 further apart")
    }
    let perGroup = Int(n.rounded(.up))
    let fisherPower = exactFisherPower(n: perGroup, p1: p1, p2: p2, alpha: options.alpha)
    var fisherSize: Int? = nil
    var size = perGroup
    while size <= options.maximumFisherSize {
      if let progress, (size - perGroup) % 50 == 49 {
        progress("exact Fisher power: n = \(size) per group (searching up to \(options.maximumFisherSize))")
      }
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
  ///
  /// The p-values depend only on the table, so the outcomes are taken margin
  /// by margin (m = x1 + x2), each with one hypergeometric distribution. In
  /// a margin the two-sided p-value (R: the mass of the outcomes no more
  /// likely than the observed one, tolerance 1 + 10⁻⁷) grows with the
  /// outcome's probability, so the rejected outcomes are those at most as
  /// likely as a threshold, found by merging the two tails in increasing order.
  ///
  /// Only what can change the sum is visited: x1 and x2 where their binomial
  /// probabilities are above 10⁻³⁰ of the largest (the rest adds less than
  /// 10⁻²⁵ to the power), and in each margin the outcomes whose probability
  /// is above alpha·10⁻²² of the mode's (every outcome beyond is rejected:
  /// its p-value is below alpha). So the cost is O(√n) margins of O(√n)
  /// outcomes, not O(n²).
  public static func exactFisherPower(n: Int, p1: Double, p2: Double, alpha: Double) -> Double {
    let w1 = BinomialWindow(n: n, p: p1), w2 = BinomialWindow(n: n, p: p2)
    var power = 0.0
    var values: [Double] = [], merged: [Double] = []
    let cutoff = alpha * 1e-22
    for m in (w1.low + w2.low)...(w1.high + w2.high) {
      let xLow = max(w1.low, m - w2.high), xHigh = min(w1.high, m - w2.low)
      guard xLow <= xHigh else { continue }
      // The hypergeometric distribution of x1 given m, from its mode outwards.
      let lo = max(0, m - n), hi = min(n, m)
      let mode = min(hi, max(lo, (m + 1) * (n + 1) / (2 * n + 2)))
      func ratioUp(_ i: Int) -> Double {  // d(i + 1) / d(i)
        Double(n - i) * Double(m - i) / (Double(i + 1) * Double(n - m + i + 1))
      }
      var left: [Double] = [1], right: [Double] = []
      var v = 1.0, i = mode
      while i > lo {
        v /= ratioUp(i - 1)
        if v < cutoff { break }
        left.append(v)
        i -= 1
      }
      let windowLow = mode - (left.count - 1)
      v = 1; i = mode
      while i < hi {
        v *= ratioUp(i)
        if v < cutoff { break }
        right.append(v)
        i += 1
      }
      let windowHigh = mode + right.count
      // values[k] = d(windowLow + k) relative to the mode.
      values.removeAll(keepingCapacity: true)
      values.append(contentsOf: left.reversed())
      values.append(contentsOf: right)
      // Both tails merged into increasing order.
      merged.removeAll(keepingCapacity: true)
      var a = 0, b = values.count - 1
      while a <= b {
        if values[a] <= values[b] { merged.append(values[a]); a += 1 } else { merged.append(values[b]); b -= 1 }
      }
      let total = merged.reduce(0, +)
      // The largest value whose p-value is at most alpha.
      var threshold = -1.0
      var j = 0, mass = 0.0
      for k in merged.indices {
        let limit = merged[k] * (1 + 1e-7)
        while j < merged.count && merged[j] <= limit { mass += merged[j]; j += 1 }
        if mass / total <= alpha { threshold = merged[k] } else { break }
      }
      for x1 in xLow...xHigh {
        let rejected = x1 < windowLow || x1 > windowHigh || values[x1 - windowLow] <= threshold
        if rejected { power += w1.mass(x1) * w2.mass(m - x1) }
      }
    }
    return power
  }
}

/// The binomial probabilities of the outcomes that carry all but 10⁻³⁰ of
/// the largest probability, computed from the mode by ratios.
struct BinomialWindow {
  let low: Int
  let high: Int
  let values: [Double]

  init(n: Int, p: Double) {
    let b = Binomial(trials: Double(n), probability: p)
    let mode = min(n, Int((Double(n + 1) * p).rounded(.down)))
    let top = b.probabilityMass(Double(mode))
    var left: [Double] = [], right: [Double] = []
    var k = mode
    while k > 0 {
      let v = b.probabilityMass(Double(k - 1))
      if v < top * 1e-30 { break }
      left.append(v)
      k -= 1
    }
    low = k
    k = mode
    while k < n {
      let v = b.probabilityMass(Double(k + 1))
      if v < top * 1e-30 { break }
      right.append(v)
      k += 1
    }
    high = k
    values = left.reversed() + [top] + right
  }

  func mass(_ x: Int) -> Double { values[x - low] }
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
