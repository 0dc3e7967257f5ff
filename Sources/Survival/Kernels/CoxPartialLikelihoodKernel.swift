import CBLAS
import Dispatch
import Foundation
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
  /// What diagnostics need from an evaluation (at the fitted β).
  struct Evaluation {
    var logLikelihood: Double
    var score: [Double]
    var information: Matrix
    /// Per term (empty unless kept): a = S1/den (m × p, column-major), its
    /// weight, its fraction k/d of the tied deaths, its block, w/den.
    var termMeans: [Double]
    var termWeight: [Double]
    var termFraction: [Double]
    var termBlock: [Int32]
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

  /// Buffers reused by every evaluation of one fit (the kernel allocates
  /// nothing per iteration); after an evaluation they hold its per-row and
  /// per-block results.
  final class Workspace: @unchecked Sendable {
    let n: Int, p: Int, blocks: Int
    var eta: [Double], relative: [Double], risk: [Double], h: [Double], rootWeight: [Double]
    var s0: [Double], s0d: [Double], deadWeight: [Double]
    var blockHazard: [Double], blockDiscount: [Double]
    var scoreA: [Double], scoreB: [Double], l11: [Double], l21: [Double], l22: [Double]
    var buffer: [Double]
    var chunkS1: [Double]
    var shift: [Double]
    var termMeans: [Double] = [], termWeight: [Double] = [], termFraction: [Double] = []
    var termBlock: [Int32] = [], termHazard: [Double] = []
    static let bufferRows = 8192
    static let chunkRows = 1024

    init(sets: CoxRiskSets, p: Int) {
      n = sets.n
      self.p = p
      blocks = sets.blocks.count
      func rows() -> [Double] { [Double](repeating: 0, count: sets.n) }
      func perBlock() -> [Double] { [Double](repeating: 0, count: sets.blocks.count) }
      eta = rows(); relative = rows(); risk = rows(); h = rows(); rootWeight = rows()
      s0 = perBlock(); s0d = perBlock(); deadWeight = perBlock()
      blockHazard = perBlock(); blockDiscount = perBlock()
      scoreA = perBlock(); scoreB = perBlock(); l11 = perBlock(); l21 = perBlock(); l22 = perBlock()
      buffer = [Double](repeating: 0, count: Workspace.bufferRows * max(p, 1))
      chunkS1 = [Double](repeating: 0, count: (Workspace.chunkRows + 1) * max(p, 1))
      shift = [Double](repeating: 0, count: sets.strata.count)
    }
  }

  /// Log-likelihood, score and information at β; per-row and per-block
  /// results stay in `work`. With `keepTerms`, the terms' means and weights too.
  static func evaluate(sets: CoxRiskSets, x: [Double], p: Int, beta: [Double], ties: CoxTies,
                       eventScore: [Double], work: Workspace, keepTerms: Bool = false)
    -> (logLikelihood: Double, score: [Double], information: Matrix) {
    let n = sets.n
    let blocks = sets.blocks
    let nb = blocks.count
    let bufferRows = Workspace.bufferRows

    // η = X β and the shifted risk scores.
    if p > 0 {
      x.withUnsafeBufferPointer { xp in
        beta.withUnsafeBufferPointer { bp in
          work.eta.withUnsafeMutableBufferPointer { ep in
            cblas_dgemv(CblasColMajor, CblasNoTrans, Int32(n), Int32(p), 1, xp.baseAddress, Int32(max(n, 1)),
                        bp.baseAddress, 1, 0, ep.baseAddress, 1)
          }
        }
      }
    } else {
      for j in 0..<n { work.eta[j] = 0 }
    }
    work.eta.withUnsafeBufferPointer { eta in
      work.relative.withUnsafeMutableBufferPointer { relative in
        work.risk.withUnsafeMutableBufferPointer { risk in
          sets.weight.withUnsafeBufferPointer { weight in
            for (s, range) in sets.strata.enumerated() {
              var c = -Double.infinity
              for j in range where eta[j] > c { c = eta[j] }
              if !c.isFinite { c = 0 }
              work.shift[s] = c
              for j in range {
                let e = exp(eta[j] - c)
                relative[j] = e
                risk[j] = e * weight[j]
              }
            }
          }
        }
      }
    }

    // S0 at each block (suffix sums over the risk set) and the death sums.
    var logLik = 0.0
    work.risk.withUnsafeBufferPointer { r in
      for (s, range) in sets.strata.enumerated() {
        let br = sets.blockRanges[s]
        if br.isEmpty { continue }
        var acc = 0.0, startAcc = 0.0
        var row = range.upperBound
        var q = range.lowerBound
        for b in br.reversed() {
          let low = blocks[b].rows.lowerBound
          while row > low { row -= 1; acc += r[row] }
          var value = acc
          if let start = sets.start, let order = sets.startOrder {
            let t = blocks[b].time
            while q < range.upperBound && start[Int(order[q])] >= t { startAcc += r[Int(order[q])]; q += 1 }
            value -= startAcc
          }
          work.s0[b] = value
        }
      }
      for (b, block) in blocks.enumerated() {
        var deadWeight = 0.0, etaSum = 0.0, riskSum = 0.0
        for j in block.rows where sets.status[j] == 1 {
          riskSum += r[j]
          deadWeight += sets.weight[j]
          etaSum += sets.weight[j] * work.eta[j]
        }
        work.s0d[b] = riskSum
        work.deadWeight[b] = deadWeight
        logLik += etaSum
      }
    }

    // Per block, with S1' = S1 − S1D and a_t = α_t S1' + β_t S1D
    // (α = 1/den, β = f/den, den = S0 − S0D + f·S0D): the log-likelihood and
    // hazards, the score coefficients Σ w α and Σ w β, and Σ_t w_t a_t a_tᵀ as
    // the rank-two form of the Gram matrix [[Σ wα², Σ wαβ], [Σ wαβ, Σ wβ²]]
    // = L Lᵀ: u uᵀ + v vᵀ with u = L₁₁ S1' + L₂₁ S1D and v = L₂₂ S1D. A block
    // of d tied events so adds two rows to the second `dsyrk`, not d (Efron's
    // d terms collapse). Breslow, or one event: one term, f = 1.
    var termCount = 0
    for b in blocks { termCount += (ties == .efron && b.deaths > 1) ? b.deaths : 1 }
    if keepTerms {
      work.termWeight = [Double](repeating: 0, count: termCount)
      work.termFraction = [Double](repeating: 0, count: termCount)
      work.termBlock = [Int32](repeating: 0, count: termCount)
      work.termHazard = [Double](repeating: 0, count: termCount)
      work.termMeans = [Double](repeating: 0, count: termCount * p)
    }
    var termStartOfBlock = keepTerms ? [Int](repeating: 0, count: nb + 1) : []
    var t = 0
    for (b, block) in blocks.enumerated() {
      if keepTerms { termStartOfBlock[b] = t }
      let deadWeight = work.deadWeight[b]
      let c = work.shift[block.stratum]
      let d = (ties == .efron && block.deaths > 1) ? block.deaths : 1
      let meanWeight = deadWeight / Double(d)
      let s0 = work.s0[b], s0d = work.s0d[b]
      var hazard = 0.0, discount = 0.0
      var sa = 0.0, sb = 0.0, caa = 0.0, cab = 0.0, cbb = 0.0
      for m in 1...d {
        let fraction = d == 1 ? 1 : Double(m) / Double(d)
        let den = d == 1 ? s0 : (s0 - s0d) + fraction * s0d
        logLik -= meanWeight * (log(den) + c)
        hazard += meanWeight / den
        discount += meanWeight * (1 - fraction) / den
        let alpha = 1 / den, beta = fraction / den
        sa += meanWeight * alpha
        sb += meanWeight * beta
        caa += meanWeight * alpha * alpha
        cab += meanWeight * alpha * beta
        cbb += meanWeight * beta * beta
        if keepTerms {
          work.termWeight[t] = meanWeight
          work.termFraction[t] = fraction
          work.termBlock[t] = Int32(b)
          work.termHazard[t] = meanWeight / den
        }
        t += 1
      }
      work.blockHazard[b] = hazard
      work.blockDiscount[b] = d == 1 ? 0 : discount
      work.scoreA[b] = sa
      work.scoreB[b] = sb
      let l11 = caa.squareRoot()
      let l21 = d == 1 ? l11 : cab / l11
      work.l11[b] = l11
      work.l21[b] = l21
      work.l22[b] = d == 1 ? 0 : max(cbb - l21 * l21, 0).squareRoot()
    }
    if keepTerms { termStartOfBlock[nb] = t }

    // The score and −Σ_t w_t a_t a_tᵀ in one backward sweep per stratum. Blocks
    // are taken in chunks spanning at most `chunkRows` rows: within a chunk
    // the running sums advance one covariate at a time over contiguous memory,
    // recording S1 at each block; each block's one or two rows then go to a
    // buffer that a `dsyrk` empties whenever it fills.
    var score = eventScore
    var information = Matrix(rows: p, columns: p)
    if p > 0 {
      var running = [Double](repeating: 0, count: p)
      var startSum = [Double](repeating: 0, count: p)
      var s1d = [Double](repeating: 0, count: p)
      var buffered = 0
      let chunkRows = Workspace.chunkRows
      information.storage.withUnsafeMutableBufferPointer { info in
      work.risk.withUnsafeBufferPointer { r in
      x.withUnsafeBufferPointer { xp in
      blocks.withUnsafeBufferPointer { blk in
      sets.status.withUnsafeBufferPointer { status in
      work.buffer.withUnsafeMutableBufferPointer { buffer in
      score.withUnsafeMutableBufferPointer { sc in
      work.chunkS1.withUnsafeMutableBufferPointer { cs in
      running.withUnsafeMutableBufferPointer { acc in
      startSum.withUnsafeMutableBufferPointer { ss in
      s1d.withUnsafeMutableBufferPointer { sd in
        func flush() {
          if buffered == 0 { return }
          cblas_dsyrk(CblasColMajor, CblasLower, CblasTrans, Int32(p), Int32(buffered), -1,
                      buffer.baseAddress, Int32(bufferRows), 1, info.baseAddress, Int32(p))
          buffered = 0
        }
        let xb = xp.baseAddress!
        for (s, range) in sets.strata.enumerated() {
          let br = sets.blockRanges[s]
          if br.isEmpty { continue }
          for k in 0..<p { acc[k] = 0; ss[k] = 0 }
          var row = range.upperBound
          var q = range.lowerBound
          var high = br.upperBound
          while high > br.lowerBound {
            var low = high - 1
            while low > br.lowerBound && row - blk[low - 1].rows.lowerBound <= chunkRows { low -= 1 }
            for k in 0..<p {
              let column = xb + k * n
              var a = acc[k]
              var i = row
              var b = high - 1
              while b >= low {
                let bottom = blk[b].rows.lowerBound
                while i > bottom { i -= 1; a += r[i] * column[i] }
                cs[(b - low) * p + k] = a
                b -= 1
              }
              acc[k] = a
            }
            row = blk[low].rows.lowerBound
            var b = high - 1
            while b >= low {
              if let start = sets.start, let order = sets.startOrder {
                let t = blk[b].time
                while q < range.upperBound && start[Int(order[q])] >= t {
                  let j = Int(order[q])
                  for k in 0..<p { ss[k] += r[j] * xb[j + k * n] }
                  q += 1
                }
              }
              for k in 0..<p { sd[k] = 0 }
              for j in blk[b].rows where status[j] == 1 {
                let rj = r[j]
                for k in 0..<p { sd[k] += rj * xb[j + k * n] }
              }
              let base = (b - low) * p
              let sA = work.scoreA[b], sB = work.scoreB[b]
              let l11 = work.l11[b], l21 = work.l21[b], l22 = work.l22[b]
              let twoRows = l22 > 0
              for k in 0..<p {
                let rest = (cs[base + k] - ss[k]) - sd[k]  // S1' = S1 − S1D
                sc[k] -= sA * rest + sB * sd[k]
                buffer[buffered + k * bufferRows] = l11 * rest + l21 * sd[k]
                if twoRows { buffer[buffered + 1 + k * bufferRows] = l22 * sd[k] }
              }
              buffered += twoRows ? 2 : 1
              if buffered >= bufferRows - 1 { flush() }
              if keepTerms {
                for t in termStartOfBlock[b]..<termStartOfBlock[b + 1] {
                  let fraction = work.termFraction[t]
                  let den = work.termWeight[t] / work.termHazard[t]
                  for k in 0..<p {
                    let rest = (cs[base + k] - ss[k]) - sd[k]
                    work.termMeans[t + k * termCount] = (rest + fraction * sd[k]) / den
                  }
                }
              }
              b -= 1
            }
            high = low
          }
        }
        flush()
      }}}}}}}}}}}
    }

    // H_j: cumulative hazard over the blocks row j is at risk for, within its
    // stratum, less its own block's Efron discount if it is an event.
    var cumulative = [Double](repeating: 0, count: nb + 1)
    for br in sets.blockRanges {
      var acc = 0.0
      for b in br {
        acc += work.blockHazard[b]
        cumulative[b + 1] = acc
      }
    }
    for (s, range) in sets.strata.enumerated() {
      let first = sets.blockRanges[s].lowerBound
      for j in range {
        let afterStop = Int(sets.firstBlockAfterStop[j]), afterStart = Int(sets.firstBlockAfterStart[j])
        var value = (afterStop > first ? cumulative[afterStop] : 0) - (afterStart > first ? cumulative[afterStart] : 0)
        if sets.status[j] == 1 { value -= work.blockDiscount[afterStop - 1] }
        work.h[j] = max(value, 0)
        work.rootWeight[j] = (work.risk[j] * work.h[j]).squareRoot()
      }
    }

    if p > 0 {
      // + Σ_j r_j H_j x_j x_jᵀ: rows split between two threads, each summing
      // √(r H) X over its row blocks with single-threaded BLAS; the partial
      // matrices are added in a fixed order, so results do not depend on
      // scheduling.
      let halves = n >= 4 * bufferRows ? 2 : 1
      let partial = PartialSums(count: halves, size: p * p)
      let rootWeight = work.rootWeight
      let x = x
      DispatchQueue.concurrentPerform(iterations: halves) { part in
        let from = part * n / halves, to = (part + 1) * n / halves
        var local = [Double](repeating: 0, count: p * p)
        var scratch = [Double](repeating: 0, count: bufferRows * p)
        x.withUnsafeBufferPointer { xp in
          rootWeight.withUnsafeBufferPointer { rw in
            scratch.withUnsafeMutableBufferPointer { sb in
              local.withUnsafeMutableBufferPointer { lp in
                var first = from
                while first < to {
                  let rows = min(bufferRows, to - first)
                  for k in 0..<p {
                    let column = xp.baseAddress! + k * n + first
                    let target = sb.baseAddress! + k * bufferRows
                    let weight = rw.baseAddress! + first
                    for i in 0..<rows { target[i] = weight[i] * column[i] }
                  }
                  cblas_dsyrk(CblasColMajor, CblasLower, CblasTrans, Int32(p), Int32(rows), 1,
                              sb.baseAddress, Int32(bufferRows), 1, lp.baseAddress, Int32(p))
                  first += rows
                }
              }
            }
          }
        }
        partial.store(local, at: part)
      }
      for part in 0..<halves {
        let sums = partial.parts[part]
        for i in 0..<(p * p) { information.storage[i] += sums[i] }
      }
      for j in 0..<p { for i in 0..<j { information[i, j] = information[j, i] } }
    }
    return (logLik, score, information)
  }

  /// The diagnostics' view of the workspace after an evaluation (moves the
  /// arrays out; the workspace is not used afterwards).
  static func snapshot(_ work: Workspace, logLikelihood: Double, score: [Double], information: Matrix) -> Evaluation {
    Evaluation(logLikelihood: logLikelihood, score: score, information: information,
               termMeans: work.termMeans, termWeight: work.termWeight, termFraction: work.termFraction,
               termBlock: work.termBlock, termHazard: work.termHazard,
               blockHazard: work.blockHazard, blockDeathDiscount: work.blockDiscount,
               relativeRisk: work.relative, cumulativeHazard: work.h, eta: work.eta)
  }

  /// One full evaluation with its diagnostics.
  static func evaluateWithDetails(sets: CoxRiskSets, x: [Double], p: Int, beta: [Double], ties: CoxTies,
                                  eventScore: [Double], keepTerms: Bool) -> Evaluation {
    let work = Workspace(sets: sets, p: p)
    let r = evaluate(sets: sets, x: x, p: p, beta: beta, ties: ties, eventScore: eventScore, work: work,
                     keepTerms: keepTerms)
    return snapshot(work, logLikelihood: r.logLikelihood, score: r.score, information: r.information)
  }
}

/// Results of the parallel parts, each written once by its own thread.
final class PartialSums: @unchecked Sendable {
  private(set) var parts: [[Double]]
  private let lock = NSLock()

  init(count: Int, size: Int) {
    parts = [[Double]](repeating: [Double](repeating: 0, count: size), count: count)
  }

  func store(_ values: [Double], at index: Int) {
    lock.lock()
    parts[index] = values
    lock.unlock()
  }
}
