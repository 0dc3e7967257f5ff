import Distributions
import Foundation
import LinearAlgebra
import ModelFrame
import Tabular

/// Logistic regression of a binary outcome (`outcomes logistic`).
///
/// - Maximum likelihood: R's `glm(family = binomial)`, iteration for
///   iteration (IRLS on a LAPACK QR with R's rank rule); Wald z tests and
///   intervals from `summary.glm`; profile-likelihood intervals solved
///   exactly (MASS's `confint.glm` interpolates a spline through a profile
///   grid, so it agrees to about 1e-4); drop-one likelihood-ratio tests;
///   deviance, AIC and the likelihood-ratio test against the null model.
/// - Separation (Albert & Anderson 1984) is checked by a linear program;
///   separated data get no inference and a warning that names the infinite
///   coefficients and suggests `--firth`, where R prints "fitted
///   probabilities numerically 0 or 1 occurred" and a converged-looking fit.
/// - `--firth`: Firth's penalized likelihood as R's `logistf`: estimates,
///   SEs from (XᵀWX)⁻¹, penalized likelihood-ratio tests and profile
///   penalized-likelihood intervals.
public enum LogisticRegression {
  public struct Options: Sendable {
    public var confidenceLevel: Double
    public var firth: Bool
    /// Profile-likelihood intervals (one pair of root searches per term).
    public var profile: Bool
    public var maxIterations: Int
    /// Told which term's likelihood-ratio test and profile are being computed
    /// (each re-fits the model several times; large data take a while).
    public var progress: (@Sendable (String) -> Void)?
    public init(confidenceLevel: Double = 0.95, firth: Bool = false, profile: Bool = true, maxIterations: Int = 25,
                progress: (@Sendable (String) -> Void)? = nil) {
      self.confidenceLevel = confidenceLevel
      self.firth = firth
      self.profile = profile
      self.maxIterations = maxIterations
      self.progress = progress
    }
  }

  public static func fit(frame: ModelFrame, options: Options = Options()) throws -> LogisticFit {
    guard let y = frame.binaryResponse else {
      throw InputError(InputLocation(option: "formula"), "expected a binary response before '~', as in failed ~ arm + age")
    }
    try checkConfidenceLevel(options.confidenceLevel)
    if frame.strata != nil || frame.cluster != nil {
      throw InputError(InputLocation(option: "formula"),
                       "strata() and cluster() are not part of a logistic model; use outcomes cmh for stratified 2×2 tables")
    }
    if frame.offset != nil && options.firth {
      throw InputError(InputLocation(option: "firth"),
                       "Firth's penalized likelihood with offset() is not supported yet, expected a model without offset() or no --firth")
    }
    try frame.checkDesignSize()
    let design = frame.designMatrix(intercept: true)
    let events = y.reduce(0) { $0 + ($1 == 1 ? 1 : 0) }
    var model = Model(x: design.matrix, y: y, names: design.columnNames,
                      hasIntercept: design.columnNames.first == "(Intercept)", options: options, offset: frame.offset)
    var fit = options.firth ? try model.firthFit() : try model.maximumLikelihoodFit()
    fit.n = frame.n
    fit.nDropped = frame.nDropped
    fit.events = events
    fit.response = frame.formula.response?.deparsed
    return fit
  }
}

/// A profile that is not monotone where it should be (a re-fit that
/// disagrees with an earlier one): the interval is left out, with a warning.
struct ProfileFailure: Error {}

/// The computations behind `LogisticRegression.fit`, on a design matrix.
struct Model {
  let x: Matrix
  let y: [Double]
  let names: [String]
  let hasIntercept: Bool
  let options: LogisticRegression.Options
  /// The model's `offset()` (summed), in the linear predictor of every fit.
  var offset: [Double]? = nil

  var n: Int { x.rows }

  /// The model offset plus `extra` (a profiled term's b·xⱼ).
  func offset(adding extra: [Double]?) -> [Double]? {
    guard let offset else { return extra }
    guard let extra else { return offset }
    return zip(offset, extra).map { $0 + $1 }
  }
  var z: Double { Normal.twoSidedCriticalValue(confidenceLevel: options.confidenceLevel) }

  /// Columns `columns` of x.
  func columns(_ columns: [Int]) -> Matrix {
    var m = Matrix(rows: n, columns: columns.count)
    for (c, j) in columns.enumerated() {
      m.storage.replaceSubrange((c * n)..<((c + 1) * n), with: x.storage[(j * n)..<((j + 1) * n)])
    }
    return m
  }

  /// R's null deviance: the intercept-only model (with the offset, as
  /// glm re-fits it when there is one), or η = offset without an intercept.
  func nullDeviance() throws -> Double {
    guard let offset else {
      let mean = hasIntercept ? y.reduce(0, +) / Double(n) : 0.5
      return y.reduce(0) { $0 + LogitLink.deviance($1, mean) }
    }
    guard hasIntercept else {
      return zip(y, offset).reduce(0) { $0 + LogitLink.deviance($1.0, LogitLink.mean($1.1)) }
    }
    let irls = LogisticIRLS(maxIterations: 200, epsilon: 1e-13, halving: true)
    return try irls.fit(x: columns([0]), y: y, offset: offset).deviance
  }

  static func chi(_ statistic: Double, df: Int) -> ChiSquareResult {
    ChiSquareResult(statistic: statistic, degreesOfFreedom: df,
                    p: df > 0 ? ChiSquared(degreesOfFreedom: Double(df)).cdf(max(0, statistic), tail: .upper) : .nan)
  }

  static func waldP(_ z: Double) -> Double { 2 * Normal(mean: 0, standardDeviation: 1).cdf(-abs(z)) }

  // MARK: maximum likelihood

  mutating func maximumLikelihoodFit() throws -> LogisticFit {
    let irls = LogisticIRLS(maxIterations: options.maxIterations, epsilon: 1e-8)
    let fit = try irls.fit(x: x, y: y, offset: offset)
    let kept = fit.kept
    let rank = kept.count
    var warnings: [String] = []
    if !fit.converged { warnings.append("glm.fit: algorithm did not converge") }
    let eps = 10 * Double.ulpOfOne
    if fit.fitted.contains(where: { $0 > 1 - eps || $0 < eps }) {
      warnings.append("glm.fit: fitted probabilities numerically 0 or 1 occurred")
    }
    let aliasedCount = names.count - rank
    if aliasedCount > 0 {
      warnings.append("\(aliasedCount) coefficient\(aliasedCount == 1 ? "" : "s") not defined because of singularities: "
                      + (0..<names.count).filter { !kept.contains($0) }.map { names[$0] }.joined(separator: ", "))
    }
    // Separation: checked when it could matter (the fit did not converge or
    // has fitted probabilities near 0 or 1), or always on small data.
    var separation: Separation? = nil
    let nearBoundary = fit.fitted.contains { $0 < 1e-6 || $0 > 1 - 1e-6 }
    if !fit.converged || nearBoundary || n * rank <= 200_000 {
      if let s = SeparationCheck.check(x: columns(kept), y: y) {
        let infinite = kept.enumerated().filter { s.directions[$0.offset] != 0 }
          .map { (term: names[$0.element], direction: s.directions[$0.offset]) }
        separation = Separation(type: s.complete ? "complete" : "quasi-complete", terms: infinite)
        warnings.append("\(s.complete ? "complete" : "quasi-complete") separation: the maximum-likelihood estimates of "
                        + infinite.map(\.term).joined(separator: ", ") + " are infinite; use --firth")
      }
    }
    let deviance = fit.deviance
    let nullDeviance = try nullDeviance()
    let dfNull = n - (hasIntercept ? 1 : 0)
    var terms: [LogisticTerm] = []
    for (j, name) in names.enumerated() {
      guard let c = kept.firstIndex(of: j), let coef = fit.coefficients[j] else {
        terms.append(LogisticTerm(term: name, aliased: true))
        continue
      }
      var term = LogisticTerm(term: name, coef: coef, aliased: false)
      if let separation {
        if let s = separation.terms.first(where: { $0.term == name }) { term.coef = s.direction > 0 ? .infinity : -.infinity }
      } else {
        let se = fit.covariance[c, c].squareRoot()
        term.se = se
        term.z = coef / se
        term.p = Model.waldP(coef / se)
        term.lower = exp(coef - z * se)
        term.upper = exp(coef + z * se)
      }
      terms.append(term)
    }
    var result = LogisticFit(
      method: .maximumLikelihood, n: n, nDropped: 0, events: 0, response: nil,
      confidenceLevel: options.confidenceLevel, terms: terms, deviance: deviance, nullDeviance: nullDeviance,
      dfResidual: n - rank, dfNull: dfNull, aic: deviance + 2 * Double(rank), logLikelihood: -deviance / 2,
      penalizedLogLikelihood: nil, iterations: fit.iterations, converged: fit.converged && separation == nil,
      likelihoodRatio: Model.chi(nullDeviance - deviance, df: rank - (hasIntercept ? 1 : 0)),
      separation: separation, warnings: warnings, covariance: fit.covariance)
    if separation == nil {
      try addProfiles(&result, kept: kept, coefficients: kept.map { fit.coefficients[$0]! })
    }
    return result
  }

  /// The profile deviance of column `j` fixed at b: a fit of the other kept
  /// columns with offset b·xⱼ, converged tightly, warm-started.
  /// With `start` nil the fit begins at R's starting values; a far-off
  /// start (the full fit's estimates far out on the profile) gives extreme
  /// weights, so the profile search starts each fit from the solution at
  /// the previous, nearby point instead.
  ///
  /// `others` is the design without column j (nil when it has no other
  /// column), `xj` column j: both built once per term, not per point.
  func profileDeviance(others: Matrix?, xj: [Double], value b: Double, start: [Double]?) throws -> (deviance: Double, solution: [Double]) {
    let offset = self.offset(adding: xj.map { $0 * b })!
    guard let others else {
      return (zip(y, offset).reduce(0) { $0 + LogitLink.deviance($1.0, LogitLink.mean($1.1)) }, [])
    }
    let irls = LogisticIRLS(maxIterations: 200, epsilon: 1e-13, halving: true)
    var fit = try irls.fit(x: others, y: y, offset: offset, start: start)
    if !fit.converged && start != nil {
      fit = try irls.fit(x: others, y: y, offset: offset)
    }
    return (fit.deviance, fit.coefficients.map { $0 ?? 0 })
  }

  mutating func addProfiles(_ result: inout LogisticFit, kept: [Int], coefficients: [Double]) throws {
    // A tightly converged baseline, so that deviance differences are exact.
    let irls = LogisticIRLS(maxIterations: 200, epsilon: 1e-13, halving: true)
    let full = try irls.fit(x: columns(kept), y: y, offset: offset, start: coefficients)
    let best = full.deviance
    let estimates = full.coefficients.map { $0! }
    let cutoff = z
    for (c, j) in kept.enumerated() {
      options.progress?("likelihood-ratio test\(options.profile ? " and profile" : "") of \(names[j]) (\(c + 1) of \(kept.count))")
      let start = estimates.enumerated().filter { $0.offset != c }.map(\.element)
      let otherColumns = kept.filter { $0 != j }
      let others = otherColumns.isEmpty ? nil : columns(otherColumns)
      let xj = x.column(j)
      // Drop-one likelihood-ratio test (coefficient fixed at 0).
      let atZero = try profileDeviance(others: others, xj: xj, value: 0, start: nil).deviance
      result.terms[j].pLikelihoodRatio = Model.chi(atZero - best, df: 1).p
      guard options.profile, let se = result.terms[j].se else { continue }
      let beta = estimates[c]
      // Warm starts: the solution at the last point evaluated on the same side.
      var warm: (side: Bool, solution: [Double])? = nil
      let signedRoot = { (b: Double) throws -> Double in
        let side = b >= beta
        let from = warm.flatMap { $0.side == side ? $0.solution : nil } ?? start
        let d = try profileDeviance(others: others, xj: xj, value: b, start: from)
        warm = (side, d.solution)
        return (side ? 1 : -1) * max(0, d.deviance - best).squareRoot()
      }
      do {
        let limits = try Model.profileLimits(estimate: beta, scale: se, cutoff: cutoff, signedRoot)
        result.terms[j].profileLower = limits.lower.map(exp) ?? 0
        result.terms[j].profileUpper = limits.upper.map(exp) ?? .infinity
      } catch is ProfileFailure {
        result.warnings.append("profile-likelihood interval of \(names[j]) not computed: the profile is not monotone")
      }
    }
  }

  /// The roots of signedRoot(b) = ∓cutoff on either side of the estimate:
  /// brackets by doubling steps of `scale`, then Brent's method. `nil` when
  /// the profile stays within the cut-off (the limit is infinite).
  static func profileLimits(estimate: Double, scale: Double, cutoff: Double,
                            _ signedRoot: (Double) throws -> Double) throws -> (lower: Double?, upper: Double?) {
    var found: [Double?] = []
    for side in [-1.0, 1.0] {
      var inner = estimate
      var step = cutoff * scale
      var outer = estimate + side * step
      var value = try signedRoot(outer)
      var doublings = 0
      while side * value < cutoff && doublings < 30 {
        inner = outer
        step *= 2
        outer = estimate + side * step
        value = try signedRoot(outer)
        doublings += 1
      }
      if side * value < cutoff {
        found.append(nil)
        continue
      }
      // Each point is a separate fit: Brent's method checks the bracket again.
      var failure: Error? = nil
      let root = RootFinder.bracketed(lower: min(inner, outer), upper: max(inner, outer)) { b in
        do { return try side * signedRoot(b) - cutoff } catch { failure = error; return .nan }
      }
      if let failure { throw failure }
      guard let root else { throw ProfileFailure() }
      found.append(root.x)
    }
    return (found[0], found[1])
  }

  // MARK: Firth

  mutating func firthFit() throws -> LogisticFit {
    // Aliased columns are set aside first, by R's rank rule on X itself.
    let rankCheck = try QRFactorization(x, tolerance: 1e-7)
    let kept = rankCheck.kept
    var warnings: [String] = []
    if kept.count < names.count {
      let k = names.count - kept.count
      warnings.append("\(k) coefficient\(k == 1 ? "" : "s") not defined because of singularities: "
                      + (0..<names.count).filter { !kept.contains($0) }.map { names[$0] }.joined(separator: ", "))
    }
    let xk = columns(kept)
    let firth = FirthLogistic()
    let fit = try firth.fit(x: xk, y: y)
    if !fit.converged { warnings.append("Firth's penalized likelihood did not converge") }
    let interceptColumn = hasIntercept ? kept.firstIndex(of: 0) : nil
    // Penalized likelihood-ratio test against the intercept-only model
    // (penalty of the full design, as logistf).
    let nullFixed = Set((0..<kept.count).filter { $0 != interceptColumn })
    var nullStart = [Double](repeating: 0, count: kept.count)
    if let ic = interceptColumn { nullStart[ic] = fit.coefficients[ic] }
    let null = try firth.fit(x: xk, y: y, start: nullStart, fixed: nullFixed)
    let lr = Model.chi(2 * (fit.penalizedLogLikelihood - null.penalizedLogLikelihood), df: nullFixed.count)
    var terms: [LogisticTerm] = []
    for (j, name) in names.enumerated() {
      guard let c = kept.firstIndex(of: j) else {
        terms.append(LogisticTerm(term: name, aliased: true))
        continue
      }
      let coef = fit.coefficients[c]
      let se = fit.covariance[c, c].squareRoot()
      var term = LogisticTerm(term: name, coef: coef, se: se, z: coef / se, p: Model.waldP(coef / se),
                              lower: exp(coef - z * se), upper: exp(coef + z * se), aliased: false)
      var start = fit.coefficients
      start[c] = 0
      let atZero = try firth.fit(x: xk, y: y, start: start, fixed: [c])
      term.pLikelihoodRatio = Model.chi(2 * (fit.penalizedLogLikelihood - atZero.penalizedLogLikelihood), df: 1).p
      if options.profile {
        let best = fit.penalizedLogLikelihood
        let signedRoot = { (b: Double) throws -> Double in
          var s = fit.coefficients
          s[c] = b
          let restricted = try firth.fit(x: xk, y: y, start: s, fixed: [c])
          return (b >= coef ? 1 : -1) * max(0, 2 * (best - restricted.penalizedLogLikelihood)).squareRoot()
        }
        do {
          let limits = try Model.profileLimits(estimate: coef, scale: se, cutoff: z, signedRoot)
          term.profileLower = limits.lower.map(exp) ?? 0
          term.profileUpper = limits.upper.map(exp) ?? .infinity
        } catch is ProfileFailure {
          warnings.append("profile penalized-likelihood interval of \(name) not computed: the profile is not monotone")
        }
      }
      terms.append(term)
    }
    let deviance = -2 * fit.logLikelihood
    return LogisticFit(
      method: .firth, n: n, nDropped: 0, events: 0, response: nil, confidenceLevel: options.confidenceLevel,
      terms: terms, deviance: deviance, nullDeviance: try nullDeviance(), dfResidual: n - kept.count,
      dfNull: n - (hasIntercept ? 1 : 0), aic: nil, logLikelihood: fit.logLikelihood,
      penalizedLogLikelihood: fit.penalizedLogLikelihood, iterations: fit.iterations, converged: fit.converged,
      likelihoodRatio: lr, separation: nil, warnings: warnings, covariance: fit.covariance)
  }
}
