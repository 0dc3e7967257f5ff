import Distributions

/// The single-stage exact design of a single-arm phase II trial of H0:
/// p ≤ p0 against H1: p ≥ p1: treat n patients and reject the treatment if
/// at most r respond (declare it active with r + 1 or more), with the
/// smallest n for which some r has P(X > r | p0) ≤ alpha and
/// P(X > r | p1) ≥ power, X ~ Bin(n, p), and for that n the smallest such r
/// (the most power). Exact binomial probabilities (R's `pbinom`), no normal
/// approximation: A'Hern's tables, not Fleming's.
///
/// Exact designs are not monotone in n: a larger n can fail where a smaller
/// one met both constraints (the discrete alpha jumps), which is why the
/// smallest feasible n is searched from 1 up.
///
/// - Complexity: O(nmax log nmax) binomial tails.
/// - Reference: A'Hern (2001), doi:10.1002/sim.721.
public enum SingleStageDesign {
  public struct Options: Sendable {
    public var p0: Double
    public var p1: Double
    public var alpha: Double
    public var power: Double
    public var maximumSize: Int

    public init(p0: Double, p1: Double, alpha: Double = 0.05, power: Double = 0.8, maximumSize: Int = 1000) {
      self.p0 = p0
      self.p1 = p1
      self.alpha = alpha
      self.power = power
      self.maximumSize = maximumSize
    }
  }

  /// The design, or `nil` when no n ≤ `maximumSize` meets alpha and power.
  public static func design(_ options: Options) -> SingleStage? {
    for n in 1...max(1, options.maximumSize) {
      let b0 = Binomial(trials: Double(n), probability: options.p0)
      // Smallest r in 0...n with P(X > r | p0) ≤ alpha (the tail falls as r grows; r = n has tail 0).
      var lo = 0, hi = n
      while lo < hi {
        let mid = (lo + hi) / 2
        if b0.cdf(Double(mid), tail: .upper) <= options.alpha { hi = mid } else { lo = mid + 1 }
      }
      let r = lo
      if r >= n { continue }
      let power = Binomial(trials: Double(n), probability: options.p1).cdf(Double(r), tail: .upper)
      if power >= options.power {
        return SingleStage(p0: options.p0, p1: options.p1, alpha: options.alpha, power: options.power,
                           maximumSize: options.maximumSize, n: n, r: r,
                           actualAlpha: b0.cdf(Double(r), tail: .upper), actualPower: power)
      }
    }
    return nil
  }
}

/// The result of `SingleStageDesign.design`.
public struct SingleStage: Sendable, Equatable {
  public var p0: Double
  public var p1: Double
  public var alpha: Double
  public var power: Double
  public var maximumSize: Int
  public var n: Int
  /// Reject the treatment if at most r of n respond (Simon's convention).
  public var r: Int
  /// A'Hern's cut-off: the fewest responses that declare the treatment active, r + 1.
  public var minimumResponses: Int { r + 1 }
  public var actualAlpha: Double
  public var actualPower: Double

  public var method: String {
    "A'Hern (2001) single-stage exact binomial design: smallest n with P(X > r | p0) <= alpha and P(X > r | p1) >= power; reject the treatment if responses <= r"
  }
}

extension SingleStage: Encodable {
  enum CodingKeys: String, CodingKey {
    case p0, p1, alpha, power, nmax, n, r, minimumResponses = "min_responses", actualAlpha = "actual_alpha"
    case actualPower = "actual_power", method
  }
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(p0, forKey: .p0)
    try c.encode(p1, forKey: .p1)
    try c.encode(alpha, forKey: .alpha)
    try c.encode(power, forKey: .power)
    try c.encode(maximumSize, forKey: .nmax)
    try c.encode(n, forKey: .n)
    try c.encode(r, forKey: .r)
    try c.encode(minimumResponses, forKey: .minimumResponses)
    try c.encode(actualAlpha, forKey: .actualAlpha)
    try c.encode(actualPower, forKey: .actualPower)
    try c.encode(method, forKey: .method)
  }
}
