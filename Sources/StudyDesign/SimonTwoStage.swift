import Distributions

/// Simon's two-stage designs for a single-arm phase II trial of H0: p ≤ p0
/// against H1: p ≥ p1. Stage 1 treats n1 patients and stops for futility
/// when at most r1 respond; otherwise n − n1 more are treated and the
/// treatment is rejected when at most r respond in all n.
///
///     reject H0 (declare the treatment active):  X1 > r1 and X1 + X2 > r
///     α = P(reject | p0) ≤ alpha,  power = P(reject | p1) ≥ power
///     PET(p0) = P(X1 ≤ r1 | p0),  EN(p0) = n1 + (1 − PET(p0))(n − n1)
///
/// Exhaustive search over 2 ≤ n ≤ nmax, 1 ≤ n1 < n, 0 ≤ r1 < n1, r1 ≤ r < n:
/// for each (n1, n, r1) the rejection probability falls as r grows, so the
/// smallest r with α ≤ alpha (found by bisection) is the one with the most
/// power. **Optimal**: the feasible design with the smallest EN(p0) (ties: the
/// smaller n, then the smaller n1); **minimax**: the smallest n, then the
/// smallest EN(p0).
///
/// - Complexity: O(nmax³ log nmax) evaluations of O(n1) sums, with the
///   binomial probabilities of each stage computed once per size (R's
///   `dbinom`/`pbinom`); nmax = 100 takes milliseconds.
/// - Reference: Simon (1989), doi:10.1016/0197-2456(89)90015-9, whose Tables
///   1 and 2 the tests reproduce.
public enum SimonTwoStage {
  public struct Options: Sendable {
    public var p0: Double
    public var p1: Double
    public var alpha: Double
    public var power: Double
    public var maximumSize: Int

    public init(p0: Double, p1: Double, alpha: Double = 0.05, power: Double = 0.8, maximumSize: Int = 100) {
      self.p0 = p0
      self.p1 = p1
      self.alpha = alpha
      self.power = power
      self.maximumSize = maximumSize
    }
  }

  /// Both designs, or `nil` when no design with n ≤ `maximumSize` meets
  /// alpha and power.
  public static func design(_ options: Options) -> SimonDesigns? {
    let nmax = options.maximumSize
    let p0 = options.p0, p1 = options.p1
    // pmf[n][x] and upper tails P(X > k) for every stage size up to nmax.
    func pmf(_ n: Int, _ p: Double) -> [Double] {
      let b = Binomial(trials: Double(n), probability: p)
      return (0...n).map { b.probabilityMass(Double($0)) }
    }
    func upper(_ n: Int, _ p: Double) -> [Double] {
      let b = Binomial(trials: Double(n), probability: p)
      return (0...n).map { b.cdf(Double($0), tail: .upper) }
    }
    let pmf0 = (0...nmax).map { pmf($0, p0) }, pmf1 = (0...nmax).map { pmf($0, p1) }
    let upper0 = (0...nmax).map { upper($0, p0) }, upper1 = (0...nmax).map { upper($0, p1) }
    let cdf0 = (0...nmax).map { n in
      (0...n).map { Binomial(trials: Double(n), probability: p0).cdf(Double($0), tail: .lower) }
    }

    /// P(X1 > r1, X1 + X2 > r) with X1 ~ Bin(n1), X2 ~ Bin(n2).
    func reject(_ pmf1: [Double], _ upper2: [Double], n1: Int, n2: Int, r1: Int, r: Int) -> Double {
      var s = 0.0
      for x1 in (r1 + 1)...n1 {
        let need = r - x1  // X2 > need
        let tail = need < 0 ? 1 : (need >= n2 ? 0 : upper2[need])
        s += pmf1[x1] * tail
      }
      return s
    }

    var optimal: SimonDesign? = nil
    var minimax: SimonDesign? = nil
    for n in 2...max(2, nmax) {
      for n1 in 1..<n {
        let n2 = n - n1
        for r1 in 0..<n1 {
          // Smallest r in r1..<n with α(r) ≤ alpha: α falls as r grows.
          var lo = r1, hi = n
          while lo < hi {
            let mid = (lo + hi) / 2
            if reject(pmf0[n1], upper0[n2], n1: n1, n2: n2, r1: r1, r: mid) <= options.alpha { hi = mid } else { lo = mid + 1 }
          }
          if lo >= n { continue }
          let r = lo
          let power = reject(pmf1[n1], upper1[n2], n1: n1, n2: n2, r1: r1, r: r)
          if power < options.power { continue }
          let pet = cdf0[n1][r1]
          let en = Double(n1) + (1 - pet) * Double(n2)
          let candidate = SimonDesign(r1: r1, n1: n1, r: r, n: n, expectedSize: en, earlyTermination: pet,
                                      alpha: reject(pmf0[n1], upper0[n2], n1: n1, n2: n2, r1: r1, r: r), power: power)
          if optimal.map({ en < $0.expectedSize }) ?? true { optimal = candidate }
          if minimax.map({ n < $0.n || (n == $0.n && en < $0.expectedSize) }) ?? true { minimax = candidate }
        }
      }
    }
    guard let optimal, let minimax else { return nil }
    return SimonDesigns(p0: p0, p1: p1, alpha: options.alpha, power: options.power, maximumSize: nmax,
                        optimal: optimal, minimax: minimax)
  }
}

/// One two-stage design.
public struct SimonDesign: Sendable, Equatable {
  /// Stop after stage 1 if at most r1 of n1 respond.
  public var r1: Int
  public var n1: Int
  /// Reject the treatment if at most r of n respond.
  public var r: Int
  public var n: Int
  /// EN(p0): the expected sample size under H0.
  public var expectedSize: Double
  /// PET(p0): the probability of stopping after stage 1 under H0.
  public var earlyTermination: Double
  public var alpha: Double
  public var power: Double
}

/// The optimal and minimax designs.
public struct SimonDesigns: Sendable, Equatable {
  public var p0: Double
  public var p1: Double
  public var alpha: Double
  public var power: Double
  public var maximumSize: Int
  public var optimal: SimonDesign
  public var minimax: SimonDesign

  public var method: String {
    "Simon (1989) two-stage: stop after stage 1 if responses <= r1 of n1; reject the treatment if responses <= r of n; exhaustive search with n <= \(maximumSize)"
  }
}

extension SimonDesign: Encodable {
  enum CodingKeys: String, CodingKey {
    case r1, n1, r, n, expectedSize = "en0", earlyTermination = "pet0", alpha = "actual_alpha", power = "actual_power"
  }
}

extension SimonDesigns: Encodable {
  enum CodingKeys: String, CodingKey { case p0, p1, alpha, power, nmax, optimal, minimax, method }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(p0, forKey: .p0)
    try c.encode(p1, forKey: .p1)
    try c.encode(alpha, forKey: .alpha)
    try c.encode(power, forKey: .power)
    try c.encode(maximumSize, forKey: .nmax)
    try c.encode(optimal, forKey: .optimal)
    try c.encode(minimax, forKey: .minimax)
    try c.encode(method, forKey: .method)
  }
}
