import CRmath

// Distribution functions over R's standalone math library (Rmath), so that
// p-values and quantiles agree with R to the last bit. Each function names the
// tail it computes; nothing here has a default tail.

/// Which tail of a distribution a probability refers to.
public enum Tail: Sendable {
  /// P(X ≤ x).
  case lower
  /// P(X > x).
  case upper

  @usableFromInline var isLower: Int32 { self == .lower ? 1 : 0 }
}

/// The normal distribution N(mean, sd²); R's `pnorm`/`qnorm`/`dnorm`.
public struct Normal: Sendable {
  public var mean: Double
  public var standardDeviation: Double

  public init(mean: Double = 0, standardDeviation: Double = 1) {
    self.mean = mean
    self.standardDeviation = standardDeviation
  }

  /// The standard normal distribution.
  public static let standard = Normal()

  public func cdf(_ x: Double, tail: Tail = .lower) -> Double {
    pnorm5(x, mean, standardDeviation, tail.isLower, 0)
  }

  public func quantile(_ p: Double, tail: Tail = .lower) -> Double {
    qnorm5(p, mean, standardDeviation, tail.isLower, 0)
  }

  public func density(_ x: Double) -> Double {
    dnorm4(x, mean, standardDeviation, 0)
  }

  /// The two-sided critical value z with P(|Z| > z) = 1 − level, as R's
  /// `qnorm(1 - (1 - level)/2)`.
  public static func twoSidedCriticalValue(confidenceLevel level: Double) -> Double {
    qnorm5(1 - (1 - level) / 2, 0, 1, 1, 0)
  }
}

/// The chi-squared distribution; R's `pchisq`/`qchisq`.
public struct ChiSquared: Sendable {
  public var degreesOfFreedom: Double
  public init(degreesOfFreedom: Double) { self.degreesOfFreedom = degreesOfFreedom }

  public func cdf(_ x: Double, tail: Tail) -> Double {
    pchisq(x, degreesOfFreedom, tail.isLower, 0)
  }

  public func quantile(_ p: Double, tail: Tail = .lower) -> Double {
    qchisq(p, degreesOfFreedom, tail.isLower, 0)
  }
}

/// Student's t distribution; R's `pt`/`qt`.
public struct StudentT: Sendable {
  public var degreesOfFreedom: Double
  public init(degreesOfFreedom: Double) { self.degreesOfFreedom = degreesOfFreedom }

  public func cdf(_ x: Double, tail: Tail) -> Double { pt(x, degreesOfFreedom, tail.isLower, 0) }
  public func quantile(_ p: Double, tail: Tail = .lower) -> Double { qt(p, degreesOfFreedom, tail.isLower, 0) }
}

/// Fisher's F distribution; R's `pf`/`qf`.
public struct FisherF: Sendable {
  public var numeratorDegreesOfFreedom: Double
  public var denominatorDegreesOfFreedom: Double
  public init(numeratorDegreesOfFreedom: Double, denominatorDegreesOfFreedom: Double) {
    self.numeratorDegreesOfFreedom = numeratorDegreesOfFreedom
    self.denominatorDegreesOfFreedom = denominatorDegreesOfFreedom
  }

  public func cdf(_ x: Double, tail: Tail) -> Double {
    pf(x, numeratorDegreesOfFreedom, denominatorDegreesOfFreedom, tail.isLower, 0)
  }
  public func quantile(_ p: Double, tail: Tail = .lower) -> Double {
    qf(p, numeratorDegreesOfFreedom, denominatorDegreesOfFreedom, tail.isLower, 0)
  }
}

/// The beta distribution; R's `pbeta`/`qbeta` (TOMS 708).
public struct BetaDistribution: Sendable {
  public var alpha: Double
  public var beta: Double
  public init(alpha: Double, beta: Double) {
    self.alpha = alpha
    self.beta = beta
  }

  public func cdf(_ x: Double, tail: Tail) -> Double { pbeta(x, alpha, beta, tail.isLower, 0) }
  public func quantile(_ p: Double, tail: Tail = .lower) -> Double { qbeta(p, alpha, beta, tail.isLower, 0) }
}

/// The binomial distribution Bin(n, p); R's `dbinom`/`pbinom`/`qbinom`.
public struct Binomial: Sendable {
  public var trials: Double
  public var probability: Double
  public init(trials: Double, probability: Double) {
    self.trials = trials
    self.probability = probability
  }

  public func probabilityMass(_ k: Double) -> Double { dbinom(k, trials, probability, 0) }
  public func logProbabilityMass(_ k: Double) -> Double { dbinom(k, trials, probability, 1) }
  public func cdf(_ k: Double, tail: Tail) -> Double { pbinom(k, trials, probability, tail.isLower, 0) }
  public func quantile(_ p: Double, tail: Tail = .lower) -> Double { qbinom(p, trials, probability, tail.isLower, 0) }
}

/// The hypergeometric distribution: `white` white and `black` black balls,
/// `drawn` drawn; R's `dhyper`/`phyper`.
public struct Hypergeometric: Sendable {
  public var white: Double
  public var black: Double
  public var drawn: Double
  public init(white: Double, black: Double, drawn: Double) {
    self.white = white
    self.black = black
    self.drawn = drawn
  }

  public func probabilityMass(_ k: Double) -> Double { dhyper(k, white, black, drawn, 0) }
  public func logProbabilityMass(_ k: Double) -> Double { dhyper(k, white, black, drawn, 1) }
  public func cdf(_ k: Double, tail: Tail) -> Double { phyper(k, white, black, drawn, tail.isLower, 0) }
  /// log of `cdf`, accurate where the tail underflows.
  public func logCDF(_ k: Double, tail: Tail) -> Double { phyper(k, white, black, drawn, tail.isLower, 1) }
}

/// log C(n, k), R's `lchoose`.
public func logChoose(_ n: Double, _ k: Double) -> Double { lchoose(n, k) }

/// A sum accumulated with more precision than a `Double`, where R sums in
/// `long double`: 80-bit extended precision on x86-64 (as R on Linux and
/// Windows there), Neumaier's compensated summation elsewhere (arm64, where
/// `Float80` does not exist), which is at least as accurate.
public struct AccurateSum: Sendable {
  #if arch(x86_64) && !os(Windows) && !os(Android)
  private var sum: Float80 = 0
  public init() {}
  @inline(__always) public mutating func add(_ x: Double) { sum += Float80(x) }
  public var value: Double { Double(sum) }
  #else
  private var sum = 0.0, compensation = 0.0
  public init() {}
  @inline(__always) public mutating func add(_ x: Double) {
    let t = sum + x
    if abs(sum) >= abs(x) { compensation += (sum - t) + x } else { compensation += (x - t) + sum }
    sum = t
  }
  public var value: Double { sum + compensation }
  #endif
}
