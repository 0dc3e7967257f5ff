import Foundation
import LinearAlgebra

/// The exact partial likelihood of tied event times, the discrete logistic
/// model of Cox (1972) — R's `coxph(ties = "exact")` (`coxexact.c`), SAS
/// PHREG's `TIES=DISCRETE`, and conditional logistic regression (`clogit`).
///
/// At a time with d events among the n at risk (scores r_i = e^{η_i}) the
/// term is Σ_{events} η − log B(d, n), B(d, n) the sum over every d-subset
/// of the risk set of Π r. B and its first and second derivatives in β
/// follow from the recursion of Gail, Lubin & Rubinstein (1981, Biometrika
/// 68:703–7): B(k, m) = B(k, m − 1) + r_m B(k − 1, m − 1), B(0, ·) = 1.
///
/// Contract: as `CoxExactKernel` (rows sorted by stratum and ascending time,
/// `x` n × p column-major, centred and scaled), right-censored or
/// counting-process data (risk set start < t ≤ stop), unit case weights.
/// Scores are shifted by the risk set's largest η and divided by e·Σr/d
/// (so that B stays of order 1 with hundreds of ties among thousands at
/// risk), which cancel in the ratios and are added back to the likelihood.
/// Cost: O(n_t · d_t · p²) per event time (n_t at risk, d_t events).
enum CoxDiscreteKernel {
  static func evaluate(sets: CoxRiskSets, x: [Double], p: Int, beta: [Double])
    -> (logLikelihood: Double, score: [Double], information: Matrix) {
    let n = sets.n
    var loglik = 0.0
    var score = [Double](repeating: 0, count: p)
    var information = [Double](repeating: 0, count: p * p)
    let eta = sets.linearPredictor(x: x, p: p, beta: beta)
    for (s, range) in sets.strata.enumerated() {
      for b in sets.blockRanges[s] {
        let block = sets.blocks[b]
        let d = block.deaths
        guard d > 0 else { continue }
        let t = block.time
        // The risk set: rows of the stratum with stop ≥ t (sorted: from the
        // block on), and start < t for counting-process data.
        var risk: [Int] = []
        for i in block.rows.lowerBound..<range.upperBound {
          if let start = sets.start, !(start[i] < t) { continue }
          risk.append(i)
        }
        var shift = -Double.infinity
        for i in risk where eta[i] > shift { shift = eta[i] }
        // B(d, n) grows as C(n, d)·r̄^d and overflows for many ties in a
        // large risk set: scores are divided by c = e·Σr/d, which makes
        // C(n, d)(r̄/c)^d of order 1 (log c is added back below).
        var riskSum = 0.0
        for i in risk { riskSum += exp(eta[i] - shift) }
        let scaleLog = d > 1 ? log(M_E * riskSum / Double(d)) : 0
        // B[k], dB[k][·], d2B[k][·][·] for k = 0…d, updated row by row
        // (k descending, so that k − 1 still holds the previous row's value).
        var bValue = [Double](repeating: 0, count: d + 1)
        var bFirst = [Double](repeating: 0, count: (d + 1) * p)
        var bSecond = [Double](repeating: 0, count: (d + 1) * p * p)
        bValue[0] = 1
        var xi = [Double](repeating: 0, count: p)
        for (m, i) in risk.enumerated() {
          let r = exp(eta[i] - shift - scaleLog)
          for c in 0..<p { xi[c] = x[i + c * n] }
          for k in stride(from: min(d, m + 1), through: 1, by: -1) {
            let previous = bValue[k - 1]
            let f = (k - 1) * p, g = k * p
            let ff = (k - 1) * p * p, gg = k * p * p
            for a in 0..<p {
              let da = bFirst[f + a]
              for c in 0...a {
                bSecond[gg + a * p + c] += r * (xi[a] * xi[c] * previous + xi[a] * bFirst[f + c] + da * xi[c] + bSecond[ff + a * p + c])
              }
            }
            for a in 0..<p { bFirst[g + a] += r * (xi[a] * previous + bFirst[f + a]) }
            bValue[k] += r * previous
          }
        }
        let total = bValue[d]
        for i in block.rows where sets.status[i] == 1 {
          loglik += eta[i]
          for c in 0..<p { score[c] += x[i + c * n] }
        }
        loglik -= log(total) + Double(d) * (shift + scaleLog)
        for a in 0..<p {
          let ma = bFirst[d * p + a] / total
          score[a] -= ma
          for c in 0...a {
            let value = bSecond[d * p * p + a * p + c] / total - ma * bFirst[d * p + c] / total
            information[a * p + c] += value
          }
        }
      }
    }
    return (loglik, score, CoxRiskSets.symmetric(lower: information, p: p))
  }
}

extension CoxRiskSets {
  /// η = offset + xβ per row (x n × p column-major), for the exact kernels.
  func linearPredictor(x: [Double], p: Int, beta: [Double]) -> [Double] {
    var eta = offset ?? [Double](repeating: 0, count: n)
    for k in 0..<p where beta[k] != 0 {
      for i in 0..<n { eta[i] += x[i + k * n] * beta[k] }
    }
    return eta
  }

  /// The p × p matrix whose lower triangle is stored row-major in `lower`.
  static func symmetric(lower: [Double], p: Int) -> Matrix {
    var m = Matrix(rows: p, columns: p)
    for a in 0..<p {
      for c in 0...a {
        m[a, c] = lower[a * p + c]
        m[c, a] = lower[a * p + c]
      }
    }
    return m
  }
}
