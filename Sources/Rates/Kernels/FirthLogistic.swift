import Foundation
import LinearAlgebra

/// Firth's penalized-likelihood logistic regression (R `logistf`):
/// maximizes l*(β) = l(β) + ½ log det(XᵀWX), W = diag(μ(1 − μ)), whose
/// estimates are finite under separation and have O(n⁻²) bias. Newton's
/// method on the modified score U*(β) = Xᵀ(y − μ + h(½ − μ)), h the
/// diagonal of the hat matrix W^½X(XᵀWX)⁻¹XᵀW^½ (from a LAPACK QR), with
/// logistf's safeguards (a step longer than 5 is shortened; a step that
/// lowers l* is halved, up to five times), iterated to |step| < 1e-10.
///
/// With `fixed`, the coefficients named there stay at their values and the
/// others maximize l* with the penalty of the full design (logistf's
/// profile and test fits).
/// - Reference: Firth (1993), doi:10.1093/biomet/80.1.27; Heinze &
///   Schemper (2002), doi:10.1002/sim.1047.
struct FirthLogistic {
  struct Fit {
    var coefficients: [Double]
    var penalizedLogLikelihood: Double
    var logLikelihood: Double
    /// (XᵀWX)⁻¹ at the estimate (full design).
    var covariance: Matrix
    var iterations: Int
    var converged: Bool
  }

  var maxIterations = 1000
  var tolerance = 1e-10

  /// l, ½ log det(XᵀWX), U*, and the QR of W^½X at β.
  private func evaluate(x: Matrix, y: [Double], beta: [Double])
    throws -> (loglik: Double, penalty: Double, score: [Double], weighted: Matrix) {
    let n = x.rows, p = x.columns
    let eta = IRLSHelpers.product(x, beta)
    var weighted = Matrix(rows: n, columns: p)
    var mu = [Double](repeating: 0, count: n)
    var loglik = 0.0
    for i in 0..<n {
      let e = eta[i]
      // log μ = −log(1 + e^−η), log(1 − μ) = −log(1 + e^η), stably.
      let logMu = e >= 0 ? -log1p(exp(-e)) : e - log1p(exp(e))
      let logOneMinus = e >= 0 ? -e - log1p(exp(-e)) : -log1p(exp(e))
      loglik += y[i] == 1 ? logMu : logOneMinus
      mu[i] = exp(logMu)
      let w = (mu[i] * (1 - mu[i])).squareRoot()
      for j in 0..<p { weighted.storage[j * n + i] = x.storage[j * n + i] * w }
    }
    let qr = try QRFactorization(weighted, tolerance: 0)
    guard qr.rank == p else { throw LinearAlgebraError.singular(pivot: qr.aliased.first.map { $0 + 1 } ?? 0) }
    let h = try qr.hatDiagonal()
    var residual = [Double](repeating: 0, count: n)
    for i in 0..<n { residual[i] = y[i] - mu[i] + h[i] * (0.5 - mu[i]) }
    var scoreMatrix = Matrix(rows: p, columns: 1)
    try BLAS.gemm(x, transposeA: true, Matrix(rows: n, columns: 1, columnMajor: residual), into: &scoreMatrix)
    let score = scoreMatrix.storage
    return (loglik, qr.logAbsDeterminant, score, weighted)
  }

  func fit(x: Matrix, y: [Double], start: [Double]? = nil, fixed: Set<Int> = []) throws -> Fit {
    let p = x.columns
    var beta = start ?? [Double](repeating: 0, count: p)
    let free = (0..<p).filter { !fixed.contains($0) }
    var current = try evaluate(x: x, y: y, beta: beta)
    var iterations = 0
    var converged = free.isEmpty
    while !converged && iterations < maxIterations {
      iterations += 1
      let information = BLAS.crossProduct(current.weighted)
      var sub = Matrix(rows: free.count, columns: free.count)
      for (a, i) in free.enumerated() { for (b, j) in free.enumerated() { sub[a, b] = information[i, j] } }
      var step = try LinearSolve.solve(sub, free.map { current.score[$0] })
      let longest = step.map(abs).max() ?? 0
      if longest > 5 { step = step.map { $0 * 5 / longest } }
      // A step is taken only when it raises l*; otherwise it is halved (up
      // to 30 times). Fisher scoring is not Newton's method on l*, and near
      // a coefficient fitted from one observation (hat value ≈ 1) the full
      // step can cycle between two points.
      let before = current.loglik + current.penalty
      var accepted = false
      for _ in 0...30 {
        var trial = beta
        for (a, j) in free.enumerated() { trial[j] += step[a] }
        let next = try evaluate(x: x, y: y, beta: trial)
        if next.loglik + next.penalty >= before {
          beta = trial
          current = next
          accepted = true
          break
        }
        step = step.map { $0 / 2 }
      }
      let size = step.map(abs).max() ?? 0
      let gradient = free.map { abs(current.score[$0]) }.max() ?? 0
      if !accepted || size < tolerance * max(1, beta.map(abs).max() ?? 0) || gradient < 1e-12 {
        // No step raises l* any more: the maximum to rounding, when the
        // modified score is (near) zero.
        converged = accepted || gradient < 1e-6 * max(1, Double(x.rows))
        break
      }
    }
    let covariance = try LinearSolve.inverseSPD(BLAS.crossProduct(current.weighted))
    return Fit(coefficients: beta, penalizedLogLikelihood: current.loglik + current.penalty,
               logLikelihood: current.loglik, covariance: covariance, iterations: iterations, converged: converged)
  }
}

enum IRLSHelpers {
  /// Xβ by BLAS.
  static func product(_ x: Matrix, _ beta: [Double], offset: [Double]? = nil) -> [Double] {
    var out = Matrix(rows: x.rows, columns: 1, columnMajor: offset ?? [Double](repeating: 0, count: x.rows))
    try? BLAS.gemm(x, Matrix(rows: beta.count, columns: 1, columnMajor: beta), beta: 1, into: &out)
    return out.storage
  }
}
