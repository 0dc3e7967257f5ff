import Foundation
import LinearAlgebra

/// One coefficient of a logistic regression.
public struct LogisticTerm: Sendable, Equatable {
  /// R's column name: `(Intercept)`, `age`, `factor(stage)3`, `armB`.
  public var term: String
  /// `nil` when aliased (R's `NA`); ±∞ when separated.
  public var coef: Double?
  public var se: Double?
  public var z: Double?
  /// Wald test of coef = 0.
  public var p: Double?
  /// Likelihood-ratio test of coef = 0 (penalized with `--firth`, as logistf).
  public var pLikelihoodRatio: Double?
  /// Wald limits of the odds ratio.
  public var lower: Double?
  public var upper: Double?
  /// Profile-likelihood limits of the odds ratio (penalized with `--firth`);
  /// ∞ when the profile never reaches the cut-off.
  public var profileLower: Double?
  public var profileUpper: Double?
  public var aliased: Bool

  public var oddsRatio: Double? { coef.map { exp($0) } }
}

/// How the estimates were found.
public enum LogisticMethod: String, Sendable, Equatable {
  case maximumLikelihood = "maximum_likelihood"
  case firth
}

/// Separated data: the maximum-likelihood estimates do not exist.
public struct Separation: Sendable, Equatable {
  /// `complete` or `quasi-complete`.
  public var type: String
  /// The coefficients that go to infinity and their direction (+1 or −1).
  public var terms: [(term: String, direction: Int)]

  public static func == (a: Separation, b: Separation) -> Bool {
    a.type == b.type && a.terms.map(\.term) == b.terms.map(\.term) && a.terms.map(\.direction) == b.terms.map(\.direction)
  }
}

/// A fitted logistic regression.
public struct LogisticFit: Sendable, Equatable {
  public var method: LogisticMethod
  public var n: Int
  public var nDropped: Int
  public var events: Int
  public var response: String?
  public var confidenceLevel: Double
  public var terms: [LogisticTerm]
  /// −2 log-likelihood (unpenalized, also with `--firth`).
  public var deviance: Double
  public var nullDeviance: Double
  public var dfResidual: Int
  public var dfNull: Int
  /// deviance + 2 × rank (maximum likelihood only).
  public var aic: Double?
  public var logLikelihood: Double
  /// `--firth`: the penalized log-likelihood at the estimate.
  public var penalizedLogLikelihood: Double?
  public var iterations: Int
  public var converged: Bool
  /// The model against the intercept-only model (penalized with `--firth`).
  public var likelihoodRatio: ChiSquareResult
  public var separation: Separation?
  public var warnings: [String]
  /// The coefficients' covariance (kept columns, in term order).
  public var covariance: Matrix?
}

extension LogisticFit: Encodable {
  enum CodingKeys: String, CodingKey {
    case method, n, nDropped = "n_dropped", events, response, confidenceLevel = "conf_level", terms
    case deviance, nullDeviance = "null_deviance", dfResidual = "df_residual", dfNull = "df_null", aic
    case logLikelihood = "loglik", penalizedLogLikelihood = "loglik_penalized", iterations, converged
    case tests, separation, warnings
  }
  enum TestKeys: String, CodingKey { case likelihoodRatio = "likelihood_ratio" }
  enum SeparationKeys: String, CodingKey { case type, terms }
  enum SeparatedKeys: String, CodingKey { case term, direction }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(method.rawValue, forKey: .method)
    try c.encode(n, forKey: .n)
    try c.encode(nDropped, forKey: .nDropped)
    try c.encode(events, forKey: .events)
    try c.encodeIfPresent(response, forKey: .response)
    try c.encode(confidenceLevel, forKey: .confidenceLevel)
    try c.encode(terms, forKey: .terms)
    try c.encode(deviance, forKey: .deviance)
    try c.encode(nullDeviance, forKey: .nullDeviance)
    try c.encode(dfResidual, forKey: .dfResidual)
    try c.encode(dfNull, forKey: .dfNull)
    try c.encode(aic ?? .nan, forKey: .aic)
    try c.encode(logLikelihood, forKey: .logLikelihood)
    if let penalizedLogLikelihood { try c.encode(penalizedLogLikelihood, forKey: .penalizedLogLikelihood) }
    try c.encode(iterations, forKey: .iterations)
    try c.encode(converged, forKey: .converged)
    var tests = c.nestedContainer(keyedBy: TestKeys.self, forKey: .tests)
    try tests.encode(likelihoodRatio, forKey: .likelihoodRatio)
    if let separation {
      var s = c.nestedContainer(keyedBy: SeparationKeys.self, forKey: .separation)
      try s.encode(separation.type, forKey: .type)
      var list = s.nestedUnkeyedContainer(forKey: .terms)
      for t in separation.terms {
        var one = list.nestedContainer(keyedBy: SeparatedKeys.self)
        try one.encode(t.term, forKey: .term)
        try one.encode(t.direction > 0 ? "+Inf" : "-Inf", forKey: .direction)
      }
    } else {
      try c.encodeNil(forKey: .separation)
    }
    try c.encode(warnings, forKey: .warnings)
  }
}

extension LogisticTerm: Encodable {
  enum CodingKeys: String, CodingKey {
    case term, coef, oddsRatio = "odds_ratio", se, z, p, pLikelihoodRatio = "p_lr", lower, upper
    case profileLower = "profile_lower", profileUpper = "profile_upper", aliased
  }
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(term, forKey: .term)
    try c.encode(coef ?? .nan, forKey: .coef)
    try c.encode(oddsRatio ?? .nan, forKey: .oddsRatio)
    try c.encode(se ?? .nan, forKey: .se)
    try c.encode(z ?? .nan, forKey: .z)
    try c.encode(p ?? .nan, forKey: .p)
    try c.encode(pLikelihoodRatio ?? .nan, forKey: .pLikelihoodRatio)
    try c.encode(lower ?? .nan, forKey: .lower)
    try c.encode(upper ?? .nan, forKey: .upper)
    try c.encode(profileLower ?? .nan, forKey: .profileLower)
    try c.encode(profileUpper ?? .nan, forKey: .profileUpper)
    try c.encode(aliased, forKey: .aliased)
  }
}
