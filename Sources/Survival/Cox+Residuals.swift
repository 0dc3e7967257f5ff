import CBLAS
import LinearAlgebra

extension CoxModel {
  /// Score residuals in the original units, n × p column-major, sorted rows:
  ///
  ///     L_j = δ_j (x_j − ā(t_j)) − exp(η_j) Σ_{terms t ∋ j} h_t ρ_jt (x_j − a_t)
  ///
  /// with h_t = w_t / den_t and ρ_jt = k/d for j among the tied events of its
  /// own time (Efron) and 1 otherwise; ā is the mean of the block's term
  /// means. R computes this in O(n²) (`coxscore2.c`); here the inner sum is
  /// x_j H_j − G_j with G a per-stratum cumulative sum over blocks of
  /// Σ_t h_t a_t, O(n p).
  static func scoreResiduals(sets: CoxRiskSets, x: [Double], p: Int, scale: [Double],
                             evaluation e: CoxPartialLikelihoodKernel.Evaluation) -> [Double] {
    let n = sets.n
    let nb = sets.blocks.count
    let m = e.termWeight.count
    // Per block: mean of term means, cumulative Σ h a, and the death discount Σ h (1 − f) a.
    var abar = [Double](repeating: 0, count: nb * p)
    var cumulative = [Double](repeating: 0, count: (nb + 1) * p)
    var discount = [Double](repeating: 0, count: nb * p)
    var termsInBlock = [Int](repeating: 0, count: nb)
    for t in 0..<m { termsInBlock[Int(e.termBlock[t])] += 1 }
    var blockSum = [Double](repeating: 0, count: nb * p)
    for t in 0..<m {
      let b = Int(e.termBlock[t])
      let inverseCount = 1 / Double(termsInBlock[b])
      for k in 0..<p {
        let a = e.termMeans[t + k * m]
        abar[b + k * nb] += a * inverseCount
        blockSum[b + k * nb] += e.termHazard[t] * a
        discount[b + k * nb] += e.termHazard[t] * (1 - e.termFraction[t]) * a
      }
    }
    for br in sets.blockRanges {
      for k in 0..<p {
        var acc = 0.0
        for b in br {
          acc += blockSum[b + k * nb]
          cumulative[(b + 1) + k * (nb + 1)] = acc
        }
      }
    }
    var residuals = [Double](repeating: 0, count: n * p)
    for (s, range) in sets.strata.enumerated() {
      let first = sets.blockRanges[s].lowerBound
      for j in range {
        let afterStop = Int(sets.firstBlockAfterStop[j])
        let afterStart = Int(sets.firstBlockAfterStart[j])
        let risk = e.relativeRisk[j]
        let h = e.cumulativeHazard[j]
        let event = sets.status[j] == 1
        for k in 0..<p {
          var g = (afterStop > first ? cumulative[afterStop + k * (nb + 1)] : 0)
            - (afterStart > first ? cumulative[afterStart + k * (nb + 1)] : 0)
          let xv = x[j + k * n]
          var value = 0.0
          if event {
            let b = afterStop - 1
            g -= discount[b + k * nb]
            value = xv - abar[b + k * nb]
          }
          value -= risk * (xv * h - g)
          residuals[j + k * n] = value / scale[k]
        }
      }
    }
    return residuals
  }

  /// dfbeta residuals L V (n × p), optionally multiplied by the case weights
  /// (R's `residuals(fit, "dfbeta", weighted = TRUE)`), in sorted row order.
  static func dfbeta(sets: CoxRiskSets, x: [Double], p: Int, scale: [Double],
                     evaluation: CoxPartialLikelihoodKernel.Evaluation, variance: Matrix,
                     weighted: Bool) -> [Double] {
    let n = sets.n
    var l = scoreResiduals(sets: sets, x: x, p: p, scale: scale, evaluation: evaluation)
    if weighted {
      for k in 0..<p { for j in 0..<n { l[j + k * n] *= sets.weight[j] } }
    }
    var out = [Double](repeating: 0, count: n * p)
    if n > 0 && p > 0 {
      l.withUnsafeBufferPointer { lp in
        variance.storage.withUnsafeBufferPointer { vp in
          out.withUnsafeMutableBufferPointer { op in
            cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(p), Int32(p), 1,
                        lp.baseAddress, Int32(n), vp.baseAddress, Int32(p), 0, op.baseAddress, Int32(n))
          }
        }
      }
    }
    return out
  }

  /// Σ over clusters of (Σ_{j ∈ c} D_j)(Σ_{j ∈ c} D_j)ᵀ: R's robust variance
  /// `t(dfbeta) %*% dfbeta` after `collapse = cluster`.
  static func sandwich(dfbeta: [Double], n: Int, p: Int, cluster: [Int32], clusterCount: Int) -> Matrix {
    var collapsed = [Double](repeating: 0, count: clusterCount * p)
    for k in 0..<p {
      for j in 0..<n { collapsed[Int(cluster[j]) + k * clusterCount] += dfbeta[j + k * n] }
    }
    return BLAS.crossProduct(Matrix(rows: clusterCount, columns: p, columnMajor: collapsed))
  }
}

extension CoxModel {
  /// R's `residuals(fit, "scaledsch")` (the `y` of `cox.zph`): each event's
  /// Schoenfeld residual (times its weight when `weighted`) times the naive
  /// variance, times the number of events, plus β; `nil` for censored rows.
  public func scaledSchoenfeld(_ r: CoxResiduals, weighted: Bool) -> [[Double]?] {
    let events = r.status.reduce(0.0) { $0 + ($1 == 1 ? 1 : 0) }
    let coefficient = (0..<p).map { fit.terms[$0].coefficient ?? 0 }
    return r.schoenfeld.enumerated().map { i, residual -> [Double]? in
      guard let residual else { return nil }
      let w = weighted ? r.weight[i] : 1
      return (0..<p).map { b in
        var sum = 0.0
        for a in 0..<p where fit.terms[a].coefficient != nil && fit.terms[b].coefficient != nil {
          sum += residual[a] * w * variance[a, b]
        }
        return sum * events + coefficient[b]
      }
    }
  }
}

/// Residuals of a Cox model per observation, in the model frame's row order,
/// as R's `residuals.coxph`: martingale, deviance, score and Schoenfeld
/// unweighted; dfbeta weighted by the case weights (R's defaults).
public struct CoxResiduals: Sendable {
  /// Design-matrix column names.
  public var columnNames: [String]
  /// Model-frame row index of each observation.
  public var rows: [Int]
  public var time: [Double]
  public var status: [Double]
  /// Case weight of each observation (1 without weights).
  public var weight: [Double] = []
  public var martingale: [Double]
  public var deviance: [Double]
  /// Per observation, one value per column.
  public var score: [[Double]]
  /// Per observation: x − the risk-set mean at its event time; `nil` when censored.
  public var schoenfeld: [[Double]?]
  public var dfbeta: [[Double]]
}

/// A point of the baseline cumulative hazard (all covariates 0).
public struct BaselineHazardPoint: Sendable, Equatable {
  public var stratum: String?
  public var time: Double
  public var cumulativeHazard: Double
}

extension CoxModel {
  /// All residuals; see `CoxResiduals`.
  public func residuals() -> CoxResiduals {
    let n = sets.n
    let e = evaluation.termMeans.isEmpty && p > 0
      ? CoxPartialLikelihoodKernel.evaluateWithDetails(sets: sets, x: x, p: p, beta: betaScaled, ties: ties,
                                                       eventScore: eventScore, keepTerms: true)
      : evaluation
    let score = CoxModel.scoreResiduals(sets: sets, x: x, p: p, scale: scale, evaluation: e)
    let dfbeta = CoxModel.dfbeta(sets: sets, x: x, p: p, scale: scale, evaluation: e, variance: variance, weighted: true)
    // Block means for Schoenfeld residuals.
    let m = e.termWeight.count
    let nb = sets.blocks.count
    var abar = [Double](repeating: 0, count: nb * p)
    var termsInBlock = [Int](repeating: 0, count: nb)
    for t in 0..<m { termsInBlock[Int(e.termBlock[t])] += 1 }
    for t in 0..<m {
      let b = Int(e.termBlock[t])
      for k in 0..<p { abar[b + k * nb] += e.termMeans[t + k * m] / Double(termsInBlock[b]) }
    }
    var order = [Int](repeating: 0, count: n)   // sorted position of each frame row
    for (i, r) in rows.enumerated() { order[Int(r)] = i }
    var out = CoxResiduals(columnNames: columnNames, rows: Array(0..<n), time: [], status: [], martingale: [],
                           deviance: [], score: [], schoenfeld: [], dfbeta: [])
    for r in 0..<n {
      let j = order[r]
      let delta = sets.status[j]
      let martingale = delta - e.relativeRisk[j] * e.cumulativeHazard[j]
      let inner = martingale + (delta == 0 ? 0 : delta * log(delta - martingale))
      let sign: Double = martingale > 0 ? 1 : (martingale < 0 ? -1 : 0)
      out.time.append(sets.stop[j])
      out.status.append(delta)
      out.weight.append(sets.weight[j])
      out.martingale.append(martingale)
      out.deviance.append(sign * (-2 * inner).squareRoot())
      out.score.append((0..<p).map { score[j + $0 * n] })
      out.dfbeta.append((0..<p).map { dfbeta[j + $0 * n] })
      if delta == 1 {
        let b = Int(sets.firstBlockAfterStop[j]) - 1
        out.schoenfeld.append((0..<p).map { (x[j + $0 * n] - abar[b + $0 * nb]) / scale[$0] })
      } else {
        out.schoenfeld.append(nil)
      }
    }
    return out
  }

  /// R's `basehaz(fit, centered = FALSE)`: the cumulative hazard at covariates
  /// 0, at every distinct time of each stratum (Efron or Breslow increments,
  /// as the fit).
  public func baselineHazard() -> [BaselineHazardPoint] {
    let e = evaluation
    // exp(-(c_s + Σ mean·β)) turns shifted, centred hazards into raw ones.
    var meanShift = 0.0
    for k in 0..<p { meanShift += fit.means[k] * (fit.terms[k].coefficient ?? 0) }
    if sets.isCountingProcess {
      // The fit centred on weighted means; fit.means are R's unweighted ones.
      meanShift = 0
      for k in 0..<p { meanShift += weightedMeans[k] * (fit.terms[k].coefficient ?? 0) }
    }
    // With offset(), R's basehaz takes the mean offset (survfit's curve at
    // covariates 0 and the average offset).
    if let offset = sets.offset, !offset.isEmpty {
      var total = 0.0
      for o in offset { total += o }
      meanShift -= total / Double(offset.count)
    }
    var points: [BaselineHazardPoint] = []
    for (s, range) in sets.strata.enumerated() {
      var shift = -Double.infinity
      for j in range where e.eta[j] > shift { shift = e.eta[j] }
      let factor = exp(-(shift + meanShift))
      var cumulative = 0.0
      var b = sets.blockRanges[s].lowerBound
      var i = range.lowerBound
      while i < range.upperBound {
        let t = sets.stop[i]
        while i < range.upperBound && sets.stop[i] == t { i += 1 }
        if b < sets.blockRanges[s].upperBound && sets.blocks[b].time == t {
          cumulative += e.blockHazard[b] * factor
          b += 1
        }
        points.append(BaselineHazardPoint(stratum: strataLevels.map { $0[Int(stratumOfRow[range.lowerBound])] },
                                          time: t, cumulativeHazard: cumulative))
      }
    }
    return points
  }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
