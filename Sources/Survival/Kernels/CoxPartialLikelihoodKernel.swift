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
public enum CoxTies: String, Sendable, CaseIterable, Codable {
  case efron, breslow
  /// The exact partial likelihood (discrete logistic model; R's
  /// `ties = "exact"`, SAS's `TIES=DISCRETE`), `CoxDiscreteKernel`.
  case exact
  /// The exact marginal likelihood (continuous time; SAS's `TIES=EXACT`),
  /// `CoxMarginalKernel`.
  case exactMarginal = "exact-marginal"

  /// Either exact likelihood: no Breslow/Efron risk sets behind it.
  public var isExact: Bool { self == .exact || self == .exactMarginal }
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
    var eta: [Double], relative: [Double], risk: [Double], h: [Double]
    var s0: [Double], s0d: [Double], deadWeight: [Double]
    var blockHazard: [Double], blockDiscount: [Double]
    var scoreA: [Double], scoreB: [Double], l11: [Double], l21: [Double], l22: [Double]
    var shift: [Double]
    let segments = [SegmentScratch(), SegmentScratch()]
    var termMeans: [Double] = [], termWeight: [Double] = [], termFraction: [Double] = []
    var termBlock: [Int32] = [], termHazard: [Double] = []
    static let bufferRows = 2048
    static let chunkRows = 1024

    /// Frees every buffer.
    func release() {
      risk = []; s0 = []; s0d = []; deadWeight = []
      scoreA = []; scoreB = []; l11 = []; l21 = []; l22 = []
      for segment in segments { segment.release() }
    }

    init(sets: CoxRiskSets, p: Int) {
      n = sets.n
      self.p = p
      blocks = sets.blocks.count
      func rows() -> [Double] { [Double](repeating: 0, count: sets.n) }
      func perBlock() -> [Double] { [Double](repeating: 0, count: sets.blocks.count) }
      eta = rows(); relative = rows(); risk = rows(); h = rows()
      s0 = perBlock(); s0d = perBlock(); deadWeight = perBlock()
      blockHazard = perBlock(); blockDiscount = perBlock()
      scoreA = perBlock(); scoreB = perBlock(); l11 = perBlock(); l21 = perBlock(); l22 = perBlock()
      shift = [Double](repeating: 0, count: sets.strata.count)
    }
  }

  /// Log-likelihood, score and information at β; per-row and per-block
  /// results stay in `work`. With `keepTerms`, the terms' means and weights too.
  static func evaluate(sets: CoxRiskSets, x: [Double], p: Int, beta: [Double], ties: CoxTies,
                       eventScore: [Double], work: Workspace, keepTerms: Bool = false)
    -> (logLikelihood: Double, score: [Double], information: Matrix) {
    // The workspace's arrays are moved into locals for the duration (uniquely
    // referenced, so no copy, and no dynamic exclusivity checks on class
    // properties inside the loops), and moved back at the end.
    var eta = take(&work.eta)
    var relative = take(&work.relative)
    var risk = take(&work.risk)
    var h = take(&work.h)
    var s0 = take(&work.s0)
    var s0d = take(&work.s0d)
    var deadWeight = take(&work.deadWeight)
    var blockHazard = take(&work.blockHazard)
    var blockDiscount = take(&work.blockDiscount)
    var scoreA = take(&work.scoreA)
    var scoreB = take(&work.scoreB)
    var l11 = take(&work.l11)
    var l21 = take(&work.l21)
    var l22 = take(&work.l22)
    var shift = take(&work.shift)
    var termMeans = take(&work.termMeans)
    var termWeight = take(&work.termWeight)
    var termFraction = take(&work.termFraction)
    var termHazard = take(&work.termHazard)
    var termBlock = take(&work.termBlock)
    defer {
      work.eta = eta
      work.relative = relative
      work.risk = risk
      work.h = h
      work.s0 = s0
      work.s0d = s0d
      work.deadWeight = deadWeight
      work.blockHazard = blockHazard
      work.blockDiscount = blockDiscount
      work.scoreA = scoreA
      work.scoreB = scoreB
      work.l11 = l11
      work.l21 = l21
      work.l22 = l22
      work.shift = shift
      work.termMeans = termMeans
      work.termWeight = termWeight
      work.termFraction = termFraction
      work.termHazard = termHazard
      work.termBlock = termBlock
    }

    let n = sets.n
    let blocks = sets.blocks
    let nb = blocks.count
    let bufferRows = Workspace.bufferRows

    // η = X β and the shifted risk scores; rows split between two threads.
    let parts = n >= 1 << 16 ? 2 : 1
    if p > 0 && beta.contains(where: { $0 != 0 }) {
      x.withUnsafeBufferPointer { xp in
        beta.withUnsafeBufferPointer { bp in
          eta.withUnsafeMutableBufferPointer { ep in
            let xs = SharedRows(UnsafeMutablePointer(mutating: xp.baseAddress!))
            let bs = SharedRows(UnsafeMutablePointer(mutating: bp.baseAddress!))
            let es = SharedRows(ep.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
              let from = part * n / parts, to = (part + 1) * n / parts
              cblas_dgemv(CblasColMajor, CblasNoTrans, Int32(to - from), Int32(p), 1, xs.pointer + from,
                          Int32(max(n, 1)), bs.pointer, 1, 0, es.pointer + from, 1)
            }
          }
        }
      }
    } else {
      for j in 0..<n { eta[j] = 0 }
    }
    if let offset = sets.offset {
      for j in 0..<n { eta[j] += offset[j] }
    }
    for (s, range) in sets.strata.enumerated() {
      var c = -Double.infinity
      for j in range where eta[j] > c { c = eta[j] }
      shift[s] = c.isFinite ? c : 0
    }
    var shiftOfRow = [Double](repeating: 0, count: 0)
    if sets.strata.count > 1 {
      shiftOfRow = [Double](repeating: 0, count: n)
      for (s, range) in sets.strata.enumerated() { for j in range { shiftOfRow[j] = shift[s] } }
    }
    eta.withUnsafeBufferPointer { eta in
      relative.withUnsafeMutableBufferPointer { relative in
        risk.withUnsafeMutableBufferPointer { risk in
          sets.weight.withUnsafeBufferPointer { weight in
            let e = SharedRows(UnsafeMutablePointer(mutating: eta.baseAddress!))
            let rel = SharedRows(relative.baseAddress!)
            let rk = SharedRows(risk.baseAddress!)
            let w = SharedRows(UnsafeMutablePointer(mutating: weight.baseAddress!))
            let single = shift.first ?? 0
            let perRow = shiftOfRow
            DispatchQueue.concurrentPerform(iterations: parts) { part in
              let from = part * n / parts, to = (part + 1) * n / parts
              for j in from..<to {
                let v = exp(e.pointer[j] - (perRow.isEmpty ? single : perRow[j]))
                rel.pointer[j] = v
                rk.pointer[j] = v * w.pointer[j]
              }
            }
          }
        }
      }
    }

    // S0 at each block (suffix sums over the risk set) and the death sums,
    // in one backward pass over the blocks.
    var logLik = 0.0
    risk.withUnsafeBufferPointer { r in
    eta.withUnsafeBufferPointer { eta in
    sets.status.withUnsafeBufferPointer { status in
    sets.weight.withUnsafeBufferPointer { weight in
      for (s, range) in sets.strata.enumerated() {
        let br = sets.blockRanges[s]
        if br.isEmpty { continue }
        var acc = 0.0, startAcc = 0.0
        var row = range.upperBound
        var q = range.lowerBound
        for b in br.reversed() {
          let rows = blocks[b].rows
          while row > rows.lowerBound { row -= 1; acc += r[row] }
          var value = acc
          if let start = sets.start, let order = sets.startOrder {
            let t = blocks[b].time
            while q < range.upperBound && start[Int(order[q])] >= t { startAcc += r[Int(order[q])]; q += 1 }
            value -= startAcc
          }
          s0[b] = value
          var dw = 0.0, etaSum = 0.0, riskSum = 0.0
          for j in rows where status[j] == 1 {
            riskSum += r[j]
            dw += weight[j]
            etaSum += weight[j] * eta[j]
          }
          s0d[b] = riskSum
          deadWeight[b] = dw
          logLik += etaSum
        }
      }
    }}}}

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
      termWeight = [Double](repeating: 0, count: termCount)
      termFraction = [Double](repeating: 0, count: termCount)
      termBlock = [Int32](repeating: 0, count: termCount)
      termHazard = [Double](repeating: 0, count: termCount)
      termMeans = [Double](repeating: 0, count: termCount * p)
    }
    var termStartOfBlock = keepTerms ? [Int](repeating: 0, count: nb + 1) : []
    if keepTerms {
      var t = 0
      for (b, block) in blocks.enumerated() {
        termStartOfBlock[b] = t
        let d = (ties == .efron && block.deaths > 1) ? block.deaths : 1
        let meanWeight = deadWeight[b] / Double(d)
        for m in 1...d {
          let fraction = d == 1 ? 1 : Double(m) / Double(d)
          let den = d == 1 ? s0[b] : (s0[b] - s0d[b]) + fraction * s0d[b]
          termWeight[t] = meanWeight
          termFraction[t] = fraction
          termBlock[t] = Int32(b)
          termHazard[t] = meanWeight / den
          t += 1
        }
      }
      termStartOfBlock[nb] = t
    }
    // Blocks are independent here: two threads on large data, each with its
    // part of the log-likelihood (added in a fixed order).
    let coefficientParts = nb >= 1 << 14 ? 2 : 1
    let logLikParts = PartialSums(count: coefficientParts, size: 1)
    blockHazard.withUnsafeMutableBufferPointer { hz in
    blockDiscount.withUnsafeMutableBufferPointer { dc in
    scoreA.withUnsafeMutableBufferPointer { sA in
    scoreB.withUnsafeMutableBufferPointer { sB in
    l11.withUnsafeMutableBufferPointer { o11 in
    l21.withUnsafeMutableBufferPointer { o21 in
    l22.withUnsafeMutableBufferPointer { o22 in
      let out = BlockOutputs(hazard: hz.baseAddress!, discount: dc.baseAddress!, scoreA: sA.baseAddress!,
                             scoreB: sB.baseAddress!, l11: o11.baseAddress!, l21: o21.baseAddress!,
                             l22: o22.baseAddress!)
      let s0Read = s0, s0dRead = s0d, deadRead = deadWeight, shiftRead = shift
      DispatchQueue.concurrentPerform(iterations: coefficientParts) { part in
        let from = part * nb / coefficientParts, to = (part + 1) * nb / coefficientParts
        var logLik = 0.0
        for b in from..<to {
          let block = blocks[b]
          let c = shiftRead[block.stratum]
          let d = (ties == .efron && block.deaths > 1) ? block.deaths : 1
          let meanWeight = deadRead[b] / Double(d)
          let s0 = s0Read[b], s0d = s0dRead[b]
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
          }
          out.hazard[b] = hazard
          out.discount[b] = d == 1 ? 0 : discount
          out.scoreA[b] = sa
          out.scoreB[b] = sb
          let a11 = caa.squareRoot()
          let a21 = d == 1 ? a11 : cab / a11
          out.l11[b] = a11
          out.l21[b] = a21
          out.l22[b] = d == 1 ? 0 : max(cbb - a21 * a21, 0).squareRoot()
        }
        logLikParts.store([logLik], at: part)
      }
    }}}}}}}
    for part in 0..<coefficientParts { logLik += logLikParts.parts[part][0] }


    // The score and −Σ_t w_t a_t a_tᵀ in one backward sweep per stratum. Blocks
    // are taken in chunks spanning at most `chunkRows` rows: within a chunk
    // the running sums advance one covariate at a time over contiguous memory,
    // recording S1 at each block; each block's one or two rows then go to a
    // buffer that a `dsyrk` empties whenever it fills. A large right-censored
    // stratum is cut in two at a block: the later half sweeps from zero, the
    // earlier half from the later half's column sums; each half on its own
    // thread with its own buffer, partial score and partial matrix, added in
    // a fixed order.
    var score = eventScore
    var information = Matrix(rows: p, columns: p)
    if p > 0 {
      let segmentWork = work.segments
      let x = x
      let blocksCopy = blocks
      let statusCopy = sets.status
      let termStart = termStartOfBlock
      let riskRead = risk
      let coefficients = BlockCoefficients(scoreA: scoreA, scoreB: scoreB, l11: l11, l21: l21, l22: l22)
      let fractions = termFraction, weights = termWeight, hazards = termHazard
      termMeans.withUnsafeMutableBufferPointer { meansBuffer in
      let termPointers = TermPointers(means: meansBuffer.baseAddress,
                                      fraction: fractions, weight: weights, hazard: hazards)
      for (s, range) in sets.strata.enumerated() {
        let br = sets.blockRanges[s]
        if br.isEmpty { continue }
        var cut = br.lowerBound
        if sets.start == nil && !keepTerms && range.count >= 8 * bufferRows && br.count >= 4 {
          let middle = (range.lowerBound + range.upperBound) / 2
          cut = br.lowerBound
          while cut < br.upperBound && blocks[cut].rows.lowerBound < middle { cut += 1 }
          if cut == br.lowerBound || cut == br.upperBound { cut = br.lowerBound }
        }
        let segments: [(blocks: Range<Int>, startRow: Int)] = cut == br.lowerBound
          ? [(br, range.upperBound)]
          : [(cut..<br.upperBound, range.upperBound), (br.lowerBound..<cut, blocks[cut].rows.lowerBound)]
        let keep = keepTerms
        let termCountCopy = termCount
        DispatchQueue.concurrentPerform(iterations: segments.count) { index in
          let segment = segments[index]
          let scratch = segmentWork[index]
          scratch.reset(p: p)
          // Column sums of the rows after the segment: the risk set it starts from.
          if segment.startRow < range.upperBound {
            x.withUnsafeBufferPointer { xp in
              riskRead.withUnsafeBufferPointer { r in
                for k in 0..<p {
                  let column = xp.baseAddress! + k * n
                  var a = 0.0
                  for i in segment.startRow..<range.upperBound { a += r[i] * column[i] }
                  scratch.running[k] = a
                }
              }
            }
          }
          sweepSegment(scratch: scratch, risk: riskRead, coefficients: coefficients, terms: termPointers,
                       x: x, n: n, p: p, blocks: blocksCopy, status: statusCopy,
                       start: sets.start, startOrder: sets.startOrder, stratumRows: range,
                       blockRange: segment.blocks, startRow: segment.startRow,
                       keepTerms: keep, termStart: termStart, termCount: termCountCopy,
                       efron: ties == .efron)
        }
        for index in 0..<segments.count {
          let scratch = segmentWork[index]
          for k in 0..<p { score[k] -= scratch.score[k] }
          for i in 0..<(p * p) { information.storage[i] -= scratch.information[i] }
        }
      }
      }
    }

    // H_j: cumulative hazard over the blocks row j is at risk for, within its
    // stratum, less its own block's Efron discount if it is an event.
    var cumulative = [Double](repeating: 0, count: nb + 1)
    for br in sets.blockRanges {
      var acc = 0.0
      for b in br {
        acc += blockHazard[b]
        cumulative[b + 1] = acc
      }
    }
    h.withUnsafeMutableBufferPointer { hp in
      let hs = SharedRows(hp.baseAddress!)
      let cumulativeRead = cumulative, discountRead = blockDiscount
      DispatchQueue.concurrentPerform(iterations: parts) { part in
        let from = part * n / parts, to = (part + 1) * n / parts
        for (s, range) in sets.strata.enumerated() {
          let first = sets.blockRanges[s].lowerBound
          for j in max(range.lowerBound, from)..<max(min(range.upperBound, to), max(range.lowerBound, from)) {
            let afterStop = Int(sets.firstBlockAfterStop[j]), afterStart = Int(sets.firstBlockAfterStart[j])
            var value = (afterStop > first ? cumulativeRead[afterStop] : 0)
              - (afterStart > first ? cumulativeRead[afterStart] : 0)
            if sets.status[j] == 1 { value -= discountRead[afterStop - 1] }
            hs.pointer[j] = max(value, 0)
          }
        }
      }
    }

    if p > 0 {
      // + Σ_j r_j H_j x_j x_jᵀ: rows split between two threads, each summing
      // √(r H) X over its row blocks with single-threaded BLAS; the partial
      // matrices are added in a fixed order, so results do not depend on
      // scheduling.
      let halves = n >= 4 * bufferRows ? 2 : 1
      let partial = PartialSums(count: halves, size: p * p)
      let riskRead = risk, hazardRead = h
      let x = x
      DispatchQueue.concurrentPerform(iterations: halves) { part in
        let from = part * n / halves, to = (part + 1) * n / halves
        var local = [Double](repeating: 0, count: p * p)
        var scratch = [Double](repeating: 0, count: bufferRows * p)
        var weight = [Double](repeating: 0, count: bufferRows)
        x.withUnsafeBufferPointer { xp in
          riskRead.withUnsafeBufferPointer { r in
          hazardRead.withUnsafeBufferPointer { hz in
            scratch.withUnsafeMutableBufferPointer { sb in
              local.withUnsafeMutableBufferPointer { lp in
                var first = from
                while first < to {
                  let rows = min(bufferRows, to - first)
                  for i in 0..<rows { weight[i] = (r[first + i] * hz[first + i]).squareRoot() }
                  for k in 0..<p {
                    let column = xp.baseAddress! + k * n + first
                    let target = sb.baseAddress! + k * bufferRows
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

  /// Per-thread buffers of the backward sweep.
  final class SegmentScratch: @unchecked Sendable {
    var buffer: [Double] = []
    var chunkS1: [Double] = []
    var running: [Double] = []
    var startSum: [Double] = []
    var deathSum: [Double] = []
    var score: [Double] = []
    var information: [Double] = []

    func release() {
      buffer = []; chunkS1 = []; running = []; startSum = []; deathSum = []; score = []; information = []
    }

    func reset(p: Int) {
      if buffer.count != Workspace.bufferRows * p {
        buffer = [Double](repeating: 0, count: Workspace.bufferRows * p)
        chunkS1 = [Double](repeating: 0, count: Workspace.chunkRows * p)
      }
      running = [Double](repeating: 0, count: p)
      startSum = [Double](repeating: 0, count: p)
      deathSum = [Double](repeating: 0, count: p)
      score = [Double](repeating: 0, count: p)
      information = [Double](repeating: 0, count: p * p)
    }
  }

  /// One backward sweep over `blockRange` of a stratum, starting at `startRow`
  /// with `scratch.running` holding the risk-set sums of the rows after it.
  /// Accumulates Σ (w α S1' + w β S1D) into `scratch.score` and
  /// Σ_t w_t a_t a_tᵀ into `scratch.information` (lower triangle).
  private static func sweepSegment(scratch: SegmentScratch, risk: [Double], coefficients c: BlockCoefficients,
                                   terms: TermPointers, x: [Double], n: Int, p: Int,
                                   blocks: [CoxRiskSets.Block], status: [Double], start: [Double]?,
                                   startOrder: [Int32]?, stratumRows range: Range<Int>, blockRange br: Range<Int>,
                                   startRow: Int, keepTerms: Bool, termStart: [Int], termCount: Int,
                                   efron: Bool) {
    let bufferRows = Workspace.bufferRows
    let chunkRows = Workspace.chunkRows
    var buffered = 0
    scratch.information.withUnsafeMutableBufferPointer { info in
    risk.withUnsafeBufferPointer { r in
    x.withUnsafeBufferPointer { xp in
    blocks.withUnsafeBufferPointer { blk in
    status.withUnsafeBufferPointer { status in
    scratch.buffer.withUnsafeMutableBufferPointer { buffer in
    scratch.score.withUnsafeMutableBufferPointer { sc in
    scratch.chunkS1.withUnsafeMutableBufferPointer { cs in
    scratch.running.withUnsafeMutableBufferPointer { acc in
    scratch.startSum.withUnsafeMutableBufferPointer { ss in
    scratch.deathSum.withUnsafeMutableBufferPointer { sd in
      func flush() {
        if buffered == 0 { return }
        // The buffer holds one row of p values after another: Aᵀ with lda = p.
        cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, Int32(p), Int32(buffered), 1,
                    buffer.baseAddress, Int32(p), 1, info.baseAddress, Int32(p))
        buffered = 0
      }
      let xb = xp.baseAddress!
      var row = startRow
      var q = range.lowerBound
      var high = br.upperBound
      while high > br.lowerBound {
        // Censored rows after the next event block: only added to the sums.
        let gapEnd = blk[high - 1].rows.upperBound
        if row - gapEnd > chunkRows / 2 {
          for k in 0..<p {
            let column = xb + k * n
            var a = acc[k]
            var i = row
            while i > gapEnd { i -= 1; a += r[i] * column[i] }
            acc[k] = a
          }
          row = gapEnd
        }
        // The chunk: blocks low..<high, rows bottom..<row, at most chunkRows
        // of them (or one block, however large).
        var low = high - 1
        while low > br.lowerBound && row - blk[low - 1].rows.lowerBound <= chunkRows { low -= 1 }
        let bottom = blk[low].rows.lowerBound
        let span = row - bottom
        if span <= chunkRows {
          // S1 at every row of the chunk, row-major (p values per row): the
          // running sums advance four covariates at a time (independent
          // chains), with no branch per block.
          var k0 = 0
          while k0 < p {
            let width = min(4, p - k0)
            if width == 4 {
              let c0 = xb + k0 * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n
              var a0 = acc[k0], a1 = acc[k0 + 1], a2 = acc[k0 + 2], a3 = acc[k0 + 3]
              var i = row
              while i > bottom {
                i -= 1
                let ri = r[i]
                a0 += ri * c0[i]; a1 += ri * c1[i]; a2 += ri * c2[i]; a3 += ri * c3[i]
                let at = (i - bottom) * p + k0
                cs[at] = a0; cs[at + 1] = a1; cs[at + 2] = a2; cs[at + 3] = a3
              }
              acc[k0] = a0; acc[k0 + 1] = a1; acc[k0 + 2] = a2; acc[k0 + 3] = a3
            } else {
              for k in k0..<(k0 + width) {
                let column = xb + k * n
                var a = acc[k]
                var i = row
                while i > bottom {
                  i -= 1
                  a += r[i] * column[i]
                  cs[(i - bottom) * p + k] = a
                }
                acc[k] = a
              }
            }
            k0 += width
          }
        } else {
          // One block larger than a chunk: its S1 alone.
          for k in 0..<p {
            let column = xb + k * n
            var a = acc[k]
            var i = row
            while i > bottom { i -= 1; a += r[i] * column[i] }
            cs[k] = a
            acc[k] = a
          }
        }
        row = bottom
        var b = high - 1
        while b >= low {
          if let start, let order = startOrder {
            let t = blk[b].time
            while q < range.upperBound && start[Int(order[q])] >= t {
              let j = Int(order[q])
              for k in 0..<p { ss[k] += r[j] * xb[j + k * n] }
              q += 1
            }
          }
          let base = span <= chunkRows ? (blk[b].rows.lowerBound - bottom) * p : 0
          let out = buffered * p
          if !efron || blk[b].deaths == 1 {
            // One term (Breslow, or a single event): α = β, a = S1/S0, and
            // the block's own sums S1D drop out.
            let sA = c.scoreA[b], l11 = c.l11[b]
            for k in 0..<p {
              let s1 = cs[base + k] - ss[k]
              sc[k] += sA * s1
              buffer[out + k] = l11 * s1
            }
            buffered += 1
            if keepTerms {
              let t = termStart[b]
              let den = terms.weight[t] / terms.hazard[t]
              for k in 0..<p { terms.means![t + k * termCount] = (cs[base + k] - ss[k]) / den }
            }
          } else {
            for k in 0..<p { sd[k] = 0 }
            for j in blk[b].rows where status[j] == 1 {
              let rj = r[j]
              for k in 0..<p { sd[k] += rj * xb[j + k * n] }
            }
            let sA = c.scoreA[b], sB = c.scoreB[b]
            let l11 = c.l11[b], l21 = c.l21[b], l22 = c.l22[b]
            for k in 0..<p {
              let rest = (cs[base + k] - ss[k]) - sd[k]  // S1' = S1 − S1D
              sc[k] += sA * rest + sB * sd[k]
              buffer[out + k] = l11 * rest + l21 * sd[k]
              buffer[out + p + k] = l22 * sd[k]
            }
            buffered += 2
            if keepTerms {
              for t in termStart[b]..<termStart[b + 1] {
                let fraction = terms.fraction[t]
                let den = terms.weight[t] / terms.hazard[t]
                for k in 0..<p {
                  let rest = (cs[base + k] - ss[k]) - sd[k]
                  terms.means![t + k * termCount] = (rest + fraction * sd[k]) / den
                }
              }
            }
          }
          if buffered >= bufferRows - 1 { flush() }
          b -= 1
        }
        high = low
      }
      flush()
    }}}}}}}}}}}
  }

  /// The diagnostics' view of the workspace after an evaluation (moves the
  /// arrays out and frees the rest; the workspace is not used afterwards).
  static func snapshot(_ work: Workspace, logLikelihood: Double, score: [Double], information: Matrix) -> Evaluation {
    let e = Evaluation(logLikelihood: logLikelihood, score: score, information: information,
                       termMeans: take(&work.termMeans), termWeight: take(&work.termWeight),
                       termFraction: take(&work.termFraction), termBlock: take(&work.termBlock),
                       termHazard: take(&work.termHazard), blockHazard: take(&work.blockHazard),
                       blockDeathDiscount: take(&work.blockDiscount), relativeRisk: take(&work.relative),
                       cumulativeHazard: take(&work.h), eta: take(&work.eta))
    work.release()
    return e
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

/// Where the per-block coefficients are written, by two threads on disjoint
/// blocks (pointers into arrays that outlive the writes).
struct BlockOutputs: @unchecked Sendable {
  let hazard: UnsafeMutablePointer<Double>, discount: UnsafeMutablePointer<Double>
  let scoreA: UnsafeMutablePointer<Double>, scoreB: UnsafeMutablePointer<Double>
  let l11: UnsafeMutablePointer<Double>, l21: UnsafeMutablePointer<Double>, l22: UnsafeMutablePointer<Double>
}

/// Per-block coefficients of the score and of the rank-two update, read by the sweep threads.
struct BlockCoefficients: @unchecked Sendable {
  let scoreA: [Double], scoreB: [Double], l11: [Double], l21: [Double], l22: [Double]
}

/// The terms' arrays when they are kept (then the sweep runs on one thread).
struct TermPointers: @unchecked Sendable {
  let means: UnsafeMutablePointer<Double>?
  let fraction: [Double], weight: [Double], hazard: [Double]
}

/// Rows of a buffer handed to worker threads that touch disjoint ranges.
struct SharedRows: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<Double>
  init(_ pointer: UnsafeMutablePointer<Double>) { self.pointer = pointer }
}

/// Moves an array out of its place (leaving an empty one), keeping it unique.
@inline(__always)
func take<T>(_ array: inout [T]) -> [T] {
  var out: [T] = []
  swap(&out, &array)
  return out
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
