import Foundation
import LinearAlgebra

/// R's binomial logit link with its guards (`C_logit_linkinv`,
/// `C_logit_mu_eta`): η below −30 or above 30 gives μ = ε or 1 − ε and
/// dμ/dη = ε, so that weights never vanish.
enum LogitLink {
  static let threshold = 30.0
  static func mean(_ eta: Double) -> Double {
    let t = eta < -threshold ? Double.ulpOfOne : (eta > threshold ? 1 / Double.ulpOfOne : exp(eta))
    return t / (1 + t)
  }
  static func derivative(_ eta: Double) -> Double {
    let opexp = 1 + exp(eta)
    return (eta > threshold || eta < -threshold) ? Double.ulpOfOne : exp(eta) / (opexp * opexp)
  }
  /// The binomial unit deviance of a 0/1 outcome (R `binomial()$dev.resids`).
  static func deviance(_ y: Double, _ mu: Double) -> Double {
    var d = 0.0
    if y != 0 { d += y * log(y / mu) }
    if y != 1 { d += (1 - y) * log((1 - y) / (1 - mu)) }
    return 2 * d
  }
}

/// Iteratively reweighted least squares for logistic regression, step for
/// step as R's `glm.fit`: start at μ = (y + ½)/2, solve each weighted least
/// squares problem by a QR factorization with R's rank rule (LAPACK), stop
/// when |D − D_old|/(|D| + 0.1) < ε (default 1e-8) or after `maxIterations`
/// (25). The covariance is (RᵀR)⁻¹ from the last iteration's QR, as R's
/// `summary.glm`.
///
/// Contract: `x` is n × p, `y` 0/1, `offset` n values or nil. Aliased columns
/// (R's `NA` coefficients) are decided by the QR at tolerance
/// min(1e-7, ε/1000) and keep coefficient 0 in η.
///
/// Tall problems (n ≥ 4,096 and n ≥ 16p): the first iteration's QR decides
/// the kept columns; later iterations solve the normal equations XᵀWX β =
/// XᵀWz by one `dsyrk` and a Cholesky factorization (a pivoted QR of a
/// 10⁶ × 4 matrix is column-by-column work, `dsyrk` is blocked), and the
/// last iteration's weighted matrix gets one QR for R's rank rule and
/// covariance. If that QR keeps other columns, or a Cholesky fails, the fit
/// is done again by QR throughout. The coefficients agree with the QR
/// iterations to rounding (the condition number of XᵀWX is the square of
/// the weighted design's, about 1e-12 relative for designs of that shape).
struct LogisticIRLS {
  struct Fit {
    /// One per column; `nil` for aliased columns.
    var coefficients: [Double?]
    /// Unscaled covariance of the kept columns (rank × rank), in `kept` order.
    var covariance: Matrix
    var kept: [Int]
    var deviance: Double
    var iterations: Int
    var converged: Bool
    var fitted: [Double]
    var eta: [Double]
  }

  var maxIterations = 25
  var epsilon = 1e-8
  /// Halve a step that raises the deviance (not in R's `glm.fit`, which
  /// only halves non-finite steps): the profile fits start far from their
  /// solution, where plain IRLS can diverge.
  var halving = false

  /// Normal equations for the iterations after the first (see above).
  static func usesNormalEquations(rows n: Int, columns p: Int) -> Bool { n >= 4096 && n >= 16 * p }

  func fit(x: Matrix, y: [Double], offset: [Double]? = nil, start: [Double]? = nil) throws -> Fit {
    if LogisticIRLS.usesNormalEquations(rows: x.rows, columns: x.columns),
       let fit = try fit(x: x, y: y, offset: offset, start: start, normalEquations: true) {
      return fit
    }
    return try fit(x: x, y: y, offset: offset, start: start, normalEquations: false)!
  }

  /// `nil` when the normal equations were asked for and could not be used.
  func fit(x: Matrix, y: [Double], offset: [Double]?, start: [Double]?, normalEquations: Bool) throws -> Fit? {
    let n = x.rows, p = x.columns
    var eta = [Double](repeating: 0, count: n)
    var mu = [Double](repeating: 0, count: n)
    if let start {
      eta = linearPredictor(x, start, offset)
      for i in 0..<n { mu[i] = LogitLink.mean(eta[i]) }
    } else {
      for i in 0..<n {
        let m = (y[i] + 0.5) / 2
        eta[i] = log(m / (1 - m))
        mu[i] = LogitLink.mean(eta[i])
      }
    }
    var devold = 0.0
    for i in 0..<n { devold += LogitLink.deviance(y[i], mu[i]) }
    var coefficients = [Double](repeating: 0, count: p)
    var previous: [Double]? = start
    var qr: QRFactorization? = nil
    var converged = false
    var iterations = 0
    var dev = devold
    let tolerance = min(1e-7, epsilon / 1000)
    var weighted = Matrix(rows: n, columns: p)
    var z = [Double](repeating: 0, count: n)
    // With the normal equations: the columns the first QR kept; the last
    // iteration was solved by them (its QR is still to be done).
    var normalColumns: [Int]? = nil
    var lastByNormalEquations = false
    for iteration in 1...max(1, maxIterations) {
      iterations = iteration
      for i in 0..<n {
        let d = LogitLink.derivative(eta[i])
        let variance = mu[i] * (1 - mu[i])
        let w = (d * d / variance).squareRoot()
        z[i] = ((eta[i] - (offset?[i] ?? 0)) + (y[i] - mu[i]) / d) * w
        for j in 0..<p { weighted.storage[j * n + i] = x.storage[j * n + i] * w }
      }
      if let kept = normalColumns {
        guard let solution = try LogisticIRLS.normalSolve(weighted, z, columns: kept, all: p) else { return nil }
        coefficients = [Double](repeating: 0, count: p)
        for (c, j) in kept.enumerated() { coefficients[j] = solution[c] }
        lastByNormalEquations = true
      } else {
        let factor = try QRFactorization(weighted, tolerance: tolerance)
        let solution = try factor.solve(z)
        coefficients = [Double](repeating: 0, count: p)
        for (c, j) in factor.kept.enumerated() { coefficients[j] = solution[c] }
        qr = factor
        if normalEquations { normalColumns = factor.kept }
        lastByNormalEquations = false
      }
      var halvings = 0
      while true {
        eta = linearPredictor(x, coefficients, offset)
        dev = 0
        for i in 0..<n {
          mu[i] = LogitLink.mean(eta[i])
          dev += LogitLink.deviance(y[i], mu[i])
        }
        guard halving, let old = previous, dev > devold * (1 + 1e-12), halvings < 40 else { break }
        coefficients = zip(coefficients, old).map { ($0 + $1) / 2 }
        halvings += 1
      }
      previous = coefficients
      // A halved step says nothing about convergence: it is small by construction.
      if halvings == 0 && abs(dev - devold) / (abs(dev) + 0.1) < epsilon {
        converged = true
        break
      }
      devold = dev
    }
    if lastByNormalEquations {
      // R's rank rule and covariance from the last weighted least squares.
      let factor = try QRFactorization(weighted, tolerance: tolerance)
      guard factor.kept == normalColumns else { return nil }
      qr = factor
    }
    let factor = qr!
    var result = [Double?](repeating: nil, count: p)
    for j in factor.kept { result[j] = coefficients[j] }
    return Fit(coefficients: result, covariance: try factor.unscaledCovariance(), kept: factor.kept,
               deviance: dev, iterations: iterations, converged: converged, fitted: mu, eta: eta)
  }

  /// The solution on `columns` of (WᵀW) b = Wᵀz for the weighted design W
  /// (`dsyrk`, `dgemm`, `dposv`); `nil` when WᵀW is not positive definite
  /// in floating point.
  static func normalSolve(_ weighted: Matrix, _ z: [Double], columns: [Int], all p: Int) throws -> [Double]? {
    let n = weighted.rows
    var w = weighted
    if columns.count != p {
      var storage = [Double]()
      storage.reserveCapacity(n * columns.count)
      for j in columns { storage.append(contentsOf: weighted.storage[(j * n)..<((j + 1) * n)]) }
      w = Matrix(rows: n, columns: columns.count, columnMajor: storage)
    }
    let a = BLAS.crossProduct(w)
    var b = Matrix(rows: columns.count, columns: 1)
    try BLAS.gemm(w, transposeA: true, Matrix(rows: n, columns: 1, columnMajor: z), into: &b)
    guard let y = try? LinearSolve.solveSPD(a, b.storage) else { return nil }
    return y.allSatisfy(\.isFinite) ? y : nil
  }

  /// Xβ + offset by BLAS (`dgemm` with one column).
  func linearPredictor(_ x: Matrix, _ beta: [Double], _ offset: [Double]?) -> [Double] {
    IRLSHelpers.product(x, beta, offset: offset)
  }
}
