#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Cox log-likelihood, score and information computed with exactly the
/// arithmetic of R survival's `coxfit6.c` (`coxfit6_iter`): one pass from the
/// last row backwards, risk sums accumulated person by person in double
/// precision, Efron terms added in R's order.
///
/// Why a second kernel: the BLAS kernel agrees with R to ~1e-15, but the
/// concordance counts pairs whose linear predictors are *exactly* equal, and
/// R's linear predictor (`X %*% coef` through OpenBLAS) splits some tied rows
/// by one ulp depending on the last bits of the coefficients. Only R's own
/// order of operations reproduces those bits. This kernel is used for
/// right-censored data up to `CoxModel.exactKernelLimit` (n·p²), where its
/// O(n p²) scalar loop costs milliseconds; larger problems use the BLAS kernel.
///
/// Contract: as `CoxPartialLikelihoodKernel` (rows sorted by stratum and
/// ascending time, `x` n × p column-major centred and scaled as R does), but
/// right-censored data only, and no information about terms is returned.
enum CoxExactKernel {
  struct Evaluation {
    var logLikelihood: Double
    var score: [Double]
    /// Upper triangle filled as R fills `imat[j][i]` (j ≤ i), p × p row-major [i][j] = imat[i][j].
    var information: [[Double]]
  }

  static func evaluate(sets: CoxRiskSets, x: [Double], p: Int, beta: [Double], ties: CoxTies) -> Evaluation {
    let n = sets.n
    // Flat p × p buffers indexed [i * p + j] for R's [i][j]; same operations, same order.
    var u = [Double](repeating: 0, count: p)
    var a = [Double](repeating: 0, count: p)
    var a2 = [Double](repeating: 0, count: p)
    var imat = [Double](repeating: 0, count: p * p)
    var cmat = [Double](repeating: 0, count: p * p)
    var cmat2 = [Double](repeating: 0, count: p * p)
    var loglik = 0.0
    var denom = 0.0
    // strata[person] == 1 marks the last row of a stratum (R's newstrat).
    var lastOfStratum = [Bool](repeating: false, count: n)
    for range in sets.strata where !range.isEmpty { lastOfStratum[range.upperBound - 1] = true }
    if n > 0 { lastOfStratum[n - 1] = true }
    var xi = [Double](repeating: 0, count: p)
    x.withUnsafeBufferPointer { xp in
    sets.stop.withUnsafeBufferPointer { time in
    sets.status.withUnsafeBufferPointer { status in
    sets.weight.withUnsafeBufferPointer { weights in
    u.withUnsafeMutableBufferPointer { u in
    a.withUnsafeMutableBufferPointer { a in
    a2.withUnsafeMutableBufferPointer { a2 in
    imat.withUnsafeMutableBufferPointer { imat in
    cmat.withUnsafeMutableBufferPointer { cmat in
    cmat2.withUnsafeMutableBufferPointer { cmat2 in
    xi.withUnsafeMutableBufferPointer { xi in
      var person = n - 1
      while person >= 0 {
        if lastOfStratum[person] {
          denom = 0
          for i in 0..<p { a[i] = 0 }
          for i in 0..<(p * p) { cmat[i] = 0 }
        }
        let dtime = time[person]
        var ndead = 0
        var deadwt = 0.0
        var denom2 = 0.0
        while person >= 0 && time[person] == dtime {
          var zbeta = sets.offset?[person] ?? 0   // R: zbeta = offset[person], then the terms
          for i in 0..<p {
            xi[i] = xp[person + i * n]
            zbeta += beta[i] * xi[i]
          }
          let risk = exp(zbeta) * weights[person]
          if status[person] == 0 {
            denom += risk
            for i in 0..<p {
              a[i] += risk * xi[i]
              for j in 0...i { cmat[i * p + j] += risk * xi[i] * xi[j] }
            }
          } else {
            ndead += 1
            deadwt += weights[person]
            denom2 += risk
            loglik += weights[person] * zbeta
            for i in 0..<p {
              u[i] += weights[person] * xi[i]
              a2[i] += risk * xi[i]
              for j in 0...i { cmat2[i * p + j] += risk * xi[i] * xi[j] }
            }
          }
          person -= 1
          if person >= 0 && lastOfStratum[person] { break }
        }
        if ndead > 0 {
          if ties == .breslow || ndead == 1 {
            denom += denom2
            loglik -= deadwt * log(denom)
            for i in 0..<p {
              a[i] += a2[i]
              let temp2 = a[i] / denom
              u[i] -= deadwt * temp2
              for j in 0...i {
                cmat[i * p + j] += cmat2[i * p + j]
                imat[j * p + i] += deadwt * (cmat[i * p + j] - temp2 * a[j]) / denom
              }
            }
          } else {
            let wtave = deadwt / Double(ndead)
            for _ in 0..<ndead {
              denom += denom2 / Double(ndead)
              loglik -= wtave * log(denom)
              for i in 0..<p {
                a[i] += a2[i] / Double(ndead)
                let temp2 = a[i] / denom
                u[i] -= wtave * temp2
                for j in 0...i {
                  cmat[i * p + j] += cmat2[i * p + j] / Double(ndead)
                  imat[j * p + i] += wtave * (cmat[i * p + j] - temp2 * a[j]) / denom
                }
              }
            }
          }
          for i in 0..<p { a2[i] = 0 }
          for i in 0..<(p * p) { cmat2[i] = 0 }
        }
      }
    }}}}}}}}}}}
    let information = (0..<p).map { i in Array(imat[(i * p)..<((i + 1) * p)]) }
    return Evaluation(logLikelihood: loglik, score: u, information: information)
  }
}

/// R survival's generalized Cholesky (`cholesky2.c`, `chsolve2.c`,
/// `chinv2.c`), ported operation for operation so that Newton steps and the
/// variance agree with R bit for bit. Works on the upper triangle as R's
/// `imat[j][i]` (j ≤ i) layout; `matrix[i][j]` here is R's `matrix[i][j]`.
struct RCholesky {
  var matrix: [[Double]]
  let n: Int
  /// R's return value: rank (negative when the matrix is not non-negative definite).
  private(set) var flag: Int

  init(_ input: [[Double]], tolerance: Double) {
    var m = input
    n = m.count
    var nonneg = 1
    var eps = 0.0
    for i in 0..<n {
      if m[i][i] > eps { eps = m[i][i] }
      for j in (i + 1)..<max(i + 1, n) { m[j][i] = m[i][j] }
    }
    if eps == 0 {  // no positive diagonal: every column constant (R returns at once)
      matrix = m
      flag = 0
      return
    }
    eps *= tolerance
    var rank = 0
    for i in 0..<n {
      let pivot = m[i][i]
      if !pivot.isFinite || pivot < eps {
        m[i][i] = 0
        if pivot < -8 * eps { nonneg = -1 }
      } else {
        rank += 1
        for j in (i + 1)..<max(i + 1, n) {
          let temp = m[j][i] / pivot
          m[j][i] = temp
          m[j][j] -= temp * temp * pivot
          for k in (j + 1)..<max(j + 1, n) { m[k][j] -= temp * m[k][i] }
        }
      }
    }
    matrix = m
    flag = rank * nonneg
  }

  /// `chsolve2`: y ← A⁻ y.
  func solve(_ y: [Double]) -> [Double] {
    var y = y
    for i in 0..<n {
      var temp = y[i]
      for j in 0..<i { temp -= y[j] * matrix[i][j] }
      y[i] = temp
    }
    for i in stride(from: n - 1, through: 0, by: -1) {
      if matrix[i][i] == 0 {
        y[i] = 0
      } else {
        var temp = y[i] / matrix[i][i]
        for j in (i + 1)..<max(i + 1, n) { temp -= y[j] * matrix[j][i] }
        y[i] = temp
      }
    }
    return y
  }

  /// `chinv2`: the generalized inverse, full symmetric, as R leaves it in `imat`.
  func inverse() -> [[Double]] {
    var m = matrix
    // Invert the Cholesky in the lower triangle (take full advantage of the unit diagonal).
    for i in 0..<n {
      if m[i][i] > 0 {
        m[i][i] = 1 / m[i][i]
        for j in (i + 1)..<max(i + 1, n) {
          m[j][i] = -m[j][i]
          for k in 0..<i { m[j][k] += m[j][i] * m[i][k] }
        }
      }
    }
    // Lower triangle now holds the inverse Cholesky; form F'DF into the upper triangle.
    for i in 0..<n {
      if m[i][i] == 0 {
        for j in 0..<i { m[j][i] = 0 }
        for j in i..<n { m[i][j] = 0 }
      } else {
        for j in (i + 1)..<max(i + 1, n) {
          let temp = m[j][i] * m[j][j]
          m[i][j] = temp
          for k in i..<j { m[i][k] += temp * m[j][k] }
        }
      }
    }
    return m
  }
}
