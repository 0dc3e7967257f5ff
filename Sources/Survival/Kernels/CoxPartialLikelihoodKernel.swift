import CBLAS
import LinearAlgebra

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ties in the Cox partial likelihood; the raw value is the CLI spelling.
public enum CoxTies: String, Sendable, CaseIterable, Encodable {
  case efron, breslow
}

/// The Cox partial log-likelihood, its score vector and information matrix
/// at one β, with the O(n p²) work in two BLAS-3 rank-k updates.
///
/// Contract:
/// - `x`: n × p column-major, rows in `sets`' sorted order (centred and scaled
///   by the caller); `beta`: p; `eventScore`: Xᵀ(w ∘ δ), constant across
///   iterations.
/// - Risk scores r_j = w_j exp(η_j − c_s), with c_s the largest η of the
///   stratum, so exp never overflows; the shift is added back to the
///   log-likelihood.
/// - For each block of tied events with d events, weight sum d_w and death
///   sums S0D, S1D, the terms are k = 1…d with
///   den_k = S0 − S0D + (k/d)·S0D and weight d_w/d (Efron), or one term with
///   den = S0 and weight d_w (Breslow, or d = 1), as R's `coxfit6.c`.
/// - Information: Σ_terms w_t [S2/den − a aᵀ]. The first part is
///   Σ_j r_j H_j x_j x_jᵀ, where H_j sums c_t = w_t/den over the terms whose
///   risk set holds j, less e_t = w_t(1 − k/d)/den for j's own tied block
///   (a Breslow–Efron cumulative hazard) — one `dsyrk` over row blocks of
///   √(r H) X; the second is Σ_t w_t a_t a_tᵀ — a second `dsyrk`.
/// - Order-sensitive: S0 and S1 are suffix sums from the last row of a
///   stratum backwards; for counting-process data the rows whose start is at
///   or after t are summed the same way and subtracted.
/// - Workspace: the returned terms (one row of p per term) and O(n) vectors.
/// - Complexity: O(n p) sweeps plus O((n + terms) p²) in BLAS-3.
/// - Reference: Therneau & Grambsch (2000), ch. 3, doi:10.1007/978-1-4757-3294-8.
enum CoxPartialLikelihoodKernel {
  struct Evaluation {
    var logLikelihood: Double
    var score: [Double]
    var information: Matrix
    /// Per term: a = S1/den (m × p, column-major), its weight, its fraction
    /// k/d of the tied deaths, its block.
    var termMeans: [Double]
    var termWeight: [Double]
    var termFraction: [Double]
    var termBlock: [Int32]
    /// Per term: its weight / den, the hazard increment it contributes.
    var termHazard: [Double]
    /// Per block: Σ_terms w/den and Σ_terms w(1 − k/d)/den, in shifted units.
    var blockHazard: [Double]
    var blockDeathDiscount: [Double]
    /// Per row: exp(η − c_s) and H_j in the same shifted units, so that
    /// exp(η) H is the row's cumulative hazard (its martingale compensator).
    var relativeRisk: [Double]
    var cumulativeHazard: [Double]
    var eta: [Double]
  }

  static func evaluate(sets: CoxRiskSets, x: [Double], p: Int, beta: [Double], ties: CoxTies,
                       eventScore: [Double], wantInformation: Bool = true) -> Evaluation {
    let n = sets.n
    let blocks = sets.blocks
    let nb = blocks.count

    // η = X β
    var eta = [Double](repeating: 0, count: n)
    if p > 0 {
      x.withUnsafeBufferPointer { xp in
        beta.withUnsafeBufferPointer { bp in
          eta.withUnsafeMutableBufferPointer { ep in
            cblas_dgemv(CblasColMajor, CblasNoTrans, Int32(n), Int32(p), 1, xp.baseAddress, Int32(max(n, 1)),
                        bp.baseAddress, 1, 0, ep.baseAddress, 1)
          }
        }
      }
    }
    // Shifted risk scores.
    var relative = [Double](repeating: 0, count: n)
    var risk = [Double](repeating: 0, count: n)
    var shift = [Double](repeating: 0, count: sets.strata.count)
    for (s, range) in sets.strata.enumerated() {
      var c = -Double.infinity
      for j in range where eta[j] > c { c = eta[j] }
      if !c.isFinite { c = 0 }
      shift[s] = c
      for j in range {
        let e = exp(eta[j] - c)
        relative[j] = e
        risk[j] = e * sets.weight[j]
      }
    }

    // S0 and S1 at each block: suffix sums over the risk set.
    var s0 = [Double](repeating: 0, count: nb)
    var s1 = [Double](repeating: 0, count: nb * p)
    risk.withUnsafeBufferPointer { r in
      x.withUnsafeBufferPointer { xp in
        for (s, range) in sets.strata.enumerated() {
          let br = sets.blockRanges[s]
          if br.isEmpty { continue }
          for k in -1..<p {  // k = -1: S0
            var acc = 0.0
            var row = range.upperBound
            var startAcc = 0.0
            var q = range.lowerBound
            for b in br.reversed() {
              let low = blocks[b].rows.lowerBound
              if k < 0 {
                while row > low { row -= 1; acc += r[row] }
              } else {
                let col = xp.baseAddress! + k * n
                while row > low { row -= 1; acc += r[row] * col[row] }
              }
              var value = acc
              if let start = sets.start, let order = sets.startOrder {
                let t = blocks[b].time
                if k < 0 {
                  while q < range.upperBound && start[Int(order[q])] >= t { startAcc += r[Int(order[q])]; q += 1 }
                } else {
                  let col = xp.baseAddress! + k * n
                  while q < range.upperBound && start[Int(order[q])] >= t {
                    let j = Int(order[q])
                    startAcc += r[j] * col[j]
                    q += 1
                  }
                }
                value -= startAcc
              }
              if k < 0 { s0[b] = value } else { s1[b + k * nb] = value }
            }
          }
        }
      }
    }

    // Terms of each block.
    var termCount = 0
    for b in blocks { termCount += (ties == .efron && b.deaths > 1) ? b.deaths : 1 }
    var termMeans = [Double](repeating: 0, count: termCount * p)
    var termWeight = [Double](repeating: 0, count: termCount)
    var termFraction = [Double](repeating: 0, count: termCount)
    var termBlock = [Int32](repeating: 0, count: termCount)
    var termHazard = [Double](repeating: 0, count: termCount)
    var blockHazard = [Double](repeating: 0, count: nb)
    var blockDiscount = [Double](repeating: 0, count: nb)
    var logLik = 0.0
    var score = eventScore
    var s1d = [Double](repeating: 0, count: p)
    var t = 0
    for (b, block) in blocks.enumerated() {
      var s0d = 0.0, deadWeight = 0.0, etaSum = 0.0
      for k in 0..<p { s1d[k] = 0 }
      for j in block.rows where sets.status[j] == 1 {
        s0d += risk[j]
        deadWeight += sets.weight[j]
        etaSum += sets.weight[j] * eta[j]
        for k in 0..<p { s1d[k] += risk[j] * x[j + k * n] }
      }
      let c = shift[block.stratum]
      logLik += etaSum
      let d = block.deaths
      if ties == .breslow || d == 1 {
        let den = s0[b]
        logLik -= deadWeight * (log(den) + c)
        for k in 0..<p {
          let a = s1[b + k * nb] / den
          termMeans[t + k * termCount] = a
          score[k] -= deadWeight * a
        }
        termWeight[t] = deadWeight
        termFraction[t] = 1
        termBlock[t] = Int32(b)
        termHazard[t] = deadWeight / den
        blockHazard[b] = deadWeight / den
        blockDiscount[b] = 0
        t += 1
      } else {
        let meanWeight = deadWeight / Double(d)
        var hazard = 0.0, discount = 0.0
        for m in 1...d {
          let fraction = Double(m) / Double(d)
          let den = (s0[b] - s0d) + fraction * s0d
          logLik -= meanWeight * (log(den) + c)
          for k in 0..<p {
            let a = ((s1[b + k * nb] - s1d[k]) + fraction * s1d[k]) / den
            termMeans[t + k * termCount] = a
            score[k] -= meanWeight * a
          }
          termWeight[t] = meanWeight
          termFraction[t] = fraction
          termBlock[t] = Int32(b)
          termHazard[t] = meanWeight / den
          hazard += meanWeight / den
          discount += meanWeight * (1 - fraction) / den
          t += 1
        }
        blockHazard[b] = hazard
        blockDiscount[b] = discount
      }
    }

    // H_j: cumulative hazard over the blocks row j is at risk for, within its stratum.
    var cumulative = [Double](repeating: 0, count: nb + 1)  // cumulative[b + 1] = Σ_{stratum blocks ≤ b}
    for br in sets.blockRanges {
      var acc = 0.0
      for b in br {
        acc += blockHazard[b]
        cumulative[b + 1] = acc
      }
    }
    func cumulativeBefore(_ b: Int, stratumFirst: Int) -> Double { b > stratumFirst ? cumulative[b] : 0 }
    var h = [Double](repeating: 0, count: n)
    for (s, range) in sets.strata.enumerated() {
      let first = sets.blockRanges[s].lowerBound
      for j in range {
        var value = cumulativeBefore(Int(sets.firstBlockAfterStop[j]), stratumFirst: first)
          - cumulativeBefore(Int(sets.firstBlockAfterStart[j]), stratumFirst: first)
        if sets.status[j] == 1 {
          value -= blockDiscount[Int(sets.firstBlockAfterStop[j]) - 1]
        }
        h[j] = max(value, 0)
      }
    }

    var information = Matrix(rows: p, columns: p)
    if wantInformation && p > 0 {
      information.storage.withUnsafeMutableBufferPointer { info in
        // Σ_j r_j H_j x_j x_jᵀ over row blocks.
        let blockRows = 16384
        var scaled = [Double](repeating: 0, count: blockRows * p)
        var first = 0
        while first < n {
          let rows = min(blockRows, n - first)
          for k in 0..<p {
            for i in 0..<rows {
              let j = first + i
              scaled[i + k * rows] = (risk[j] * h[j]).squareRoot() * x[j + k * n]
            }
          }
          scaled.withUnsafeBufferPointer { sp in
            cblas_dsyrk(CblasColMajor, CblasLower, CblasTrans, Int32(p), Int32(rows), 1,
                        sp.baseAddress, Int32(rows), 1, info.baseAddress, Int32(p))
          }
          first += rows
        }
        // − Σ_t w_t a_t a_tᵀ
        if termCount > 0 {
          var weightedMeans = termMeans
          for k in 0..<p {
            for i in 0..<termCount { weightedMeans[i + k * termCount] *= termWeight[i].squareRoot() }
          }
          weightedMeans.withUnsafeBufferPointer { ap in
            cblas_dsyrk(CblasColMajor, CblasLower, CblasTrans, Int32(p), Int32(termCount), -1,
                        ap.baseAddress, Int32(termCount), 1, info.baseAddress, Int32(p))
          }
        }
      }
      for j in 0..<p { for i in 0..<j { information[i, j] = information[j, i] } }
    }
    return Evaluation(logLikelihood: logLik, score: score, information: information, termMeans: termMeans,
                      termWeight: termWeight, termFraction: termFraction, termBlock: termBlock, termHazard: termHazard,
                      blockHazard: blockHazard, blockDeathDiscount: blockDiscount,
                      relativeRisk: relative, cumulativeHazard: h, eta: eta)
  }
}
