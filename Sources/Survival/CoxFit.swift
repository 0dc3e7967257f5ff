/// The result of `Cox.fit`: what R's `coxph` and `summary.coxph` report, with
/// the diagnostics asked for. Aliased coefficients are `nil` (R's NA).
public struct CoxFit: Sendable {
  public var ties: CoxTies
  /// Rows used, rows dropped for missing values, and events (unweighted, R's `nevent`).
  public var n: Int
  public var nDropped: Int
  public var events: Int
  public var confidenceLevel: Double
  public var terms: [CoxTerm]
  public var logLikelihoodNull: Double
  public var logLikelihood: Double
  /// Newton–Raphson iterations, counted as R counts them.
  public var iterations: Int
  public var tests: CoxTests
  public var concordance: Concordance?
  /// R's `cox.zph`, with `--zph`.
  public var proportionalHazards: ProportionalHazardsTest?
  /// Numerical conditions, worded as R words them.
  public var warnings: [FitWarning]
  /// Whether the variance is robust (`cluster()`, or non-integer case weights as R).
  public var robust: Bool
  /// Column means used to centre the covariates (R's `fit$means`).
  public var means: [Double]
}

/// One coefficient of a Cox model.
public struct CoxTerm: Sendable, Equatable {
  /// Design-matrix column name, as R names it (`age`, `factor(ph.ecog)1`).
  public var name: String
  public var coefficient: Double?
  public var hazardRatio: Double?
  public var standardError: Double?
  /// Sandwich (robust) SE with `cluster()` or fractional weights; `nil` otherwise.
  public var robustStandardError: Double?
  /// Wald z and p, from the robust SE when there is one (as R).
  public var z: Double?
  public var p: Double?
  /// Confidence limits of exp(coef).
  public var lower: Double?
  public var upper: Double?
  /// The log-likelihood converged while this coefficient was still moving
  /// (monotone likelihood, separation): its estimate is not finite in truth.
  public var mayBeInfinite: Bool = false
  /// False when the estimate is not a maximum of the partial likelihood:
  /// `mayBeInfinite`, or a fit that ran out of iterations with this
  /// coefficient diverging (monotone likelihood). Printed as not estimable.
  public var estimable: Bool = true
}

/// A chi-square test.
public struct ChiSquareTest: Sendable, Equatable {
  public var statistic: Double
  public var degreesOfFreedom: Int
  public var p: Double
}

/// Likelihood-ratio, Wald and score tests of all coefficients, as
/// `summary.coxph` (the Wald test uses the robust variance when there is one).
public struct CoxTests: Sendable, Equatable {
  public var likelihoodRatio: ChiSquareTest
  public var wald: ChiSquareTest
  public var score: ChiSquareTest
}

/// Harrell's C as `coxph` reports it (`fit$concordance`).
public struct Concordance: Sendable, Equatable {
  public var c: Double
  public var standardError: Double
  public var concordant: Double
  public var discordant: Double
  public var tiedRisk: Double
}

/// R's `cox.zph`: per term and global score tests of proportional hazards.
public struct ProportionalHazardsTest: Sendable, Equatable {
  public var transform: ZPHTransform
  public var terms: [ZPHTerm]
  public var global: ZPHTerm
}

public struct ZPHTerm: Sendable, Equatable {
  public var term: String
  public var chiSquare: Double
  public var degreesOfFreedom: Int
  public var p: Double
}

/// Time transform of `cox.zph`; raw value is the CLI spelling.
public enum ZPHTransform: String, Sendable, CaseIterable, Codable {
  case km, identity, log, rank
}

/// A numerical condition of a fit. `message` is R's wording.
public enum FitWarning: Sendable, Equatable {
  case didNotConverge(iterations: Int)
  case infiniteCoefficients(columns: [Int])
  case singular(columns: [Int], names: [String])

  public var message: String {
    switch self {
    case .didNotConverge:
      return "Ran out of iterations and did not converge"
    case .infiniteCoefficients(let columns):
      return "Loglik converged before variable \(columns.map { String($0 + 1) }.joined(separator: ",")); coefficient may be infinite."
    case .singular(let columns, let names):
      return "X matrix deemed to be singular; variable \(columns.map { String($0 + 1) }.joined(separator: " ")) (\(names.joined(separator: ", ")))"
    }
  }
}

// MARK: - Contract JSON

extension CoxFit: Encodable {
  enum CodingKeys: String, CodingKey {
    case ties, n, nDropped = "n_dropped", events, confLevel = "conf_level", terms
    case logLikNull = "loglik_null", logLik = "loglik", iterations, tests, concordance, zph, robust, warnings
  }
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(ties, forKey: .ties)
    try c.encode(n, forKey: .n)
    try c.encode(nDropped, forKey: .nDropped)
    try c.encode(events, forKey: .events)
    try c.encode(confidenceLevel, forKey: .confLevel)
    try c.encode(terms, forKey: .terms)
    try c.encode(logLikelihoodNull, forKey: .logLikNull)
    try c.encode(logLikelihood, forKey: .logLik)
    try c.encode(iterations, forKey: .iterations)
    try c.encode(tests, forKey: .tests)
    try c.encode(concordance, forKey: .concordance)
    try c.encodeIfPresent(proportionalHazards, forKey: .zph)
    try c.encode(robust, forKey: .robust)
    try c.encode(warnings.map(\.message), forKey: .warnings)
  }
}

extension CoxTerm: Encodable {
  enum CodingKeys: String, CodingKey {
    case name = "term", coefficient = "coef", hazardRatio = "exp_coef", standardError = "se"
    case robustStandardError = "robust_se", z, p, lower, upper, mayBeInfinite = "may_be_infinite", estimable
  }
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(name, forKey: .name)
    try c.encode(coefficient, forKey: .coefficient)
    try c.encode(hazardRatio, forKey: .hazardRatio)
    try c.encode(standardError, forKey: .standardError)
    try c.encode(robustStandardError, forKey: .robustStandardError)
    try c.encode(z, forKey: .z)
    try c.encode(p, forKey: .p)
    try c.encode(lower, forKey: .lower)
    try c.encode(upper, forKey: .upper)
    if mayBeInfinite { try c.encode(true, forKey: .mayBeInfinite) }
    try c.encode(estimable, forKey: .estimable)
  }
}

extension ChiSquareTest: Encodable {
  enum CodingKeys: String, CodingKey { case statistic, degreesOfFreedom = "df", p }
}

extension CoxTests: Encodable {
  enum CodingKeys: String, CodingKey { case likelihoodRatio = "likelihood_ratio", wald, score }
}

extension Concordance: Encodable {
  enum CodingKeys: String, CodingKey {
    case c, standardError = "se", concordant, discordant, tiedRisk = "tied_risk"
  }
}

extension ProportionalHazardsTest: Encodable {
  enum CodingKeys: String, CodingKey { case transform, terms, global }
}

extension ZPHTerm: Encodable {
  enum CodingKeys: String, CodingKey { case term, chiSquare = "chisq", degreesOfFreedom = "df", p }
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    if term != "GLOBAL" { try c.encode(term, forKey: .term) }
    try c.encode(chiSquare, forKey: .chiSquare)
    try c.encode(degreesOfFreedom, forKey: .degreesOfFreedom)
    try c.encode(p, forKey: .p)
  }
}
