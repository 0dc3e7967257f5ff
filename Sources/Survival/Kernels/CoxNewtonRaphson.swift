import LinearAlgebra

/// A factored information matrix: Newton steps and the variance.
protocol CoxFactorization {
  func solve(_ b: [Double]) throws -> [Double]
  func inverse() throws -> Matrix
  /// Columns set aside as aliased.
  var dropped: [Int] { get }
}

extension RankRevealingCholesky: CoxFactorization {}

extension RCholesky: CoxFactorization {
  var dropped: [Int] { (0..<n).filter { matrix[$0][$0] == 0 } }

  func inverse() throws -> Matrix {
    let m: [[Double]] = inverse()
    var out = Matrix(rows: n, columns: n)
    for i in 0..<n {
      for j in 0..<n { out[i, j] = i <= j ? m[i][j] : m[j][i] }
    }
    return out
  }
}

/// Newton–Raphson on the Cox partial likelihood exactly as R's `coxfit6.c`
/// (survival 3.5): start at β = 0; the score test is u₀ᵀ I₀⁻ u₀ there;
/// iterate, converging when |1 − ℓ_best/ℓ_new| ≤ ε; when the
/// log-likelihood falls (or is not finite), step back towards the last good β
/// (halving, then by 2/3, 3/4, …); after `maxIterations` without convergence
/// report the last good β and `iterations = maxIterations + 1`, as R does.
/// Singular columns (R's `cholesky2` rule) take no Newton step and are
/// reported as dropped. The kernel and the factorization are injected: the
/// BLAS kernel with LAPACK, or R's own arithmetic (`CoxExactKernel`, `RCholesky`).
enum CoxNewtonRaphson {
  enum Status: Equatable {
    case converged
    case maxIterations
    case notFinite
  }

  struct Result {
    var beta: [Double]
    var logLikelihoodNull: Double
    var logLikelihood: Double
    var scoreTest: Double
    var iterations: Int
    var status: Status
    /// Generalized inverse of the information at `beta`.
    var variance: Matrix
    var droppedColumns: [Int]
    /// Score vector at `beta`.
    var score: [Double]
  }

  typealias Evaluate = ([Double]) -> (logLikelihood: Double, score: [Double], information: Matrix)
  typealias Factor = (Matrix) throws -> CoxFactorization

  /// `initial`: the starting β (R's `init`), on the scale `evaluate` takes;
  /// the "null" log-likelihood and the score test are then at it, as R's.
  static func fit(p: Int, maxIterations: Int, tolerance: Double, initial: [Double]? = nil,
                  evaluate: Evaluate, factor: Factor) throws -> Result {
    var beta = initial ?? [Double](repeating: 0, count: p)
    var current = evaluate(beta)
    let nullLogLik = current.logLikelihood
    var best = nullLogLik
    var factored = try factor(current.information)
    let step0 = try factored.solve(current.score)
    var scoreTest = 0.0
    for k in 0..<p { scoreTest += current.score[k] * step0[k] }
    if maxIterations == 0 || !nullLogLik.isFinite {
      return Result(beta: beta, logLikelihoodNull: nullLogLik, logLikelihood: nullLogLik, scoreTest: scoreTest,
                    iterations: 0, status: nullLogLik.isFinite ? .converged : .notFinite,
                    variance: try factored.inverse(), droppedColumns: factored.dropped, score: current.score)
    }
    var newBeta = (0..<p).map { beta[$0] + step0[$0] }
    var halving = 0.0
    var iteration = 1
    while iteration <= maxIterations {
      let trial = evaluate(newBeta)
      let trialFactor = try? factor(trial.information)
      let finite = trial.logLikelihood.isFinite && trial.score.allSatisfy(\.isFinite)
        && trial.information.storage.allSatisfy(\.isFinite) && trialFactor != nil
      if finite, abs(1 - best / trial.logLikelihood) <= tolerance, let trialFactor {
        return Result(beta: newBeta, logLikelihoodNull: nullLogLik, logLikelihood: trial.logLikelihood,
                      scoreTest: scoreTest, iterations: iteration, status: .converged,
                      variance: try trialFactor.inverse(), droppedColumns: trialFactor.dropped, score: trial.score)
      }
      if !finite || trial.logLikelihood < best {
        halving += 1
        for k in 0..<p { newBeta[k] = (newBeta[k] + halving * beta[k]) / (halving + 1) }
      } else {
        halving = 0
        best = trial.logLikelihood
        current = trial
        factored = trialFactor!
        let step = try factored.solve(trial.score)
        beta = newBeta
        for k in 0..<p { newBeta[k] += step[k] }
      }
      iteration += 1
    }
    // Out of iterations: the last good β; `current` and `factored` belong to it.
    return Result(beta: beta, logLikelihoodNull: nullLogLik, logLikelihood: current.logLikelihood,
                  scoreTest: scoreTest, iterations: maxIterations + 1, status: .maxIterations,
                  variance: try factored.inverse(), droppedColumns: factored.dropped, score: current.score)
  }

  /// Xᵀ(w ∘ δ): the event part of the score, the same at every β.
  static func eventScoreVector(sets: CoxRiskSets, x: [Double], p: Int) -> [Double] {
    var u = [Double](repeating: 0, count: p)
    let n = sets.n
    var eventWeight = [Double](repeating: 0, count: n)
    for j in 0..<n where sets.status[j] == 1 { eventWeight[j] = sets.weight[j] }
    x.withUnsafeBufferPointer { xp in
      eventWeight.withUnsafeBufferPointer { w in
        for k in 0..<p {
          let column = xp.baseAddress! + k * n
          var acc = 0.0
          for j in 0..<n { acc += w[j] * column[j] }
          u[k] = acc
        }
      }
    }
    return u
  }
}
