import Distributions
import LinearAlgebra

extension CoxModel {
  /// R's `cox.zph(fit, transform, terms = TRUE)` (survival 3.5): the score
  /// test, at the fitted β, for adding g(t)·x_k to the model, per term and
  /// global. g is the transformed time centred at its mean over the events:
  /// `km` is 1 − S(t−) of the pooled Kaplan–Meier, `rank` the rank of t among
  /// all times, `log` and `identity` as named.
  ///
  ///     u = Σ_events g_i (x_i − a_i),   I = [[I₀, I_g], [I_g, I_gg]]
  ///     test = (0, u)ᵀ I⁻¹ (0, u)
  ///
  /// with I_g and I_gg the information with each term weighted by g and g²
  /// (R's `zph1.c`), here through the same BLAS kernel as the fit.
  static func proportionalHazardsTest(sets: CoxRiskSets, x: [Double], p: Int,
                                      evaluation e: CoxPartialLikelihoodKernel.Evaluation, ties: CoxTies,
                                      transform: ZPHTransform, kept: [Int], assign: [Int],
                                      termLabels: [String]) throws -> ProportionalHazardsTest {
    let n = sets.n
    // Transformed times per row, then centred at the mean over events.
    var transformed = [Double](repeating: 0, count: n)
    switch transform {
    case .identity:
      transformed = sets.stop
    case .log:
      transformed = sets.stop.map { log($0) }
    case .rank:
      transformed = averageRanks(sets.stop)
    case .km:
      // Pooled Kaplan–Meier over all rows (no strata, no weights), left-continuous.
      let order = RadixSort.order(sets.stop)
      let stop = order.map { sets.stop[Int($0)] }
      let status = order.map { sets.status[Int($0)] }
      let steps = KaplanMeierKernel.estimate(stop: stop, status: status,
                                             weight: [Double](repeating: 1, count: n),
                                             start: sets.start.map { s in order.map { s[Int($0)] } },
                                             startOrder: sets.start.map { s in
                                               RadixSort.order(order.map { s[Int($0)] }) },
                                             jackknife: false)
      for j in 0..<n {
        let before = steps.time.partitionPoint { $0 < sets.stop[j] }
        transformed[j] = 1 - (before == 0 ? 1 : steps.survival[before - 1])
      }
    }
    var eventSum = 0.0
    var eventCount = 0.0
    for j in 0..<n where sets.status[j] == 1 {
      eventSum += transformed[j]
      eventCount += 1
    }
    let center = eventSum / eventCount
    let blockG = sets.blocks.map { transformed[$0.rows.lowerBound] - center }

    // u (second half) and the three information blocks.
    let m = e.termWeight.count
    var u = [Double](repeating: 0, count: p)
    for (b, block) in sets.blocks.enumerated() {
      for j in block.rows where sets.status[j] == 1 {
        for k in 0..<p { u[k] += blockG[b] * sets.weight[j] * x[j + k * n] }
      }
    }
    for t in 0..<m {
      let g = blockG[Int(e.termBlock[t])]
      for k in 0..<p { u[k] -= g * e.termWeight[t] * e.termMeans[t + k * m] }
    }
    let i1 = weightedInformation(sets: sets, x: x, p: p, evaluation: e, power: 1, blockG: blockG)
    let i2 = weightedInformation(sets: sets, x: x, p: p, evaluation: e, power: 2, blockG: blockG)
    let i0 = e.information

    // Restrict to the kept (non-aliased) columns.
    let q = kept.count
    var full = Matrix(rows: 2 * q, columns: 2 * q)
    for (a, i) in kept.enumerated() {
      for (b, j) in kept.enumerated() {
        full[a, b] = i0[i, j]
        full[a, b + q] = i1[i, j]
        full[a + q, b] = i1[j, i]
        full[a + q, b + q] = i2[i, j]
      }
    }
    let uk = kept.map { u[$0] }
    func test(_ columns: [Int]) throws -> Double {
      let idx = Array(0..<q) + columns.map { $0 + q }
      var sub = Matrix(rows: idx.count, columns: idx.count)
      for (a, i) in idx.enumerated() { for (b, j) in idx.enumerated() { sub[a, b] = full[i, j] } }
      var rhs = [Double](repeating: 0, count: idx.count)
      for (c, col) in columns.enumerated() { rhs[q + c] = uk[col] }
      let solved = try LinearSolve.solve(sub, rhs)
      var s = 0.0
      for a in 0..<idx.count { s += solved[a] * rhs[a] }
      return s
    }
    var terms: [ZPHTerm] = []
    for (termIndex, label) in termLabels.enumerated() {
      let columns = kept.indices.filter { assign[kept[$0]] == termIndex }
      if columns.isEmpty { continue }
      let chi = try test(columns)
      terms.append(ZPHTerm(term: label, chiSquare: chi, degreesOfFreedom: columns.count,
                           p: ChiSquared(degreesOfFreedom: Double(columns.count)).cdf(chi, tail: .upper)))
    }
    let globalChi = try test(Array(0..<q))
    let global = ZPHTerm(term: "GLOBAL", chiSquare: globalChi, degreesOfFreedom: q,
                         p: ChiSquared(degreesOfFreedom: Double(q)).cdf(globalChi, tail: .upper))
    return ProportionalHazardsTest(transform: transform, terms: terms, global: global)
  }

  /// Σ_terms g^power w_t [S2/den − a aᵀ], the information with time weights.
  private static func weightedInformation(sets: CoxRiskSets, x: [Double], p: Int,
                                          evaluation e: CoxPartialLikelihoodKernel.Evaluation,
                                          power: Int, blockG: [Double]) -> Matrix {
    let n = sets.n
    let m = e.termWeight.count
    let nb = sets.blocks.count
    // H_j with each block's hazard weighted by g^power.
    var weightedHazard = [Double](repeating: 0, count: nb)
    var weightedDiscount = [Double](repeating: 0, count: nb)
    for b in 0..<nb {
      let g = power == 1 ? blockG[b] : blockG[b] * blockG[b]
      weightedHazard[b] = g * e.blockHazard[b]
      weightedDiscount[b] = g * e.blockDeathDiscount[b]
    }
    var cumulative = [Double](repeating: 0, count: nb + 1)
    for br in sets.blockRanges {
      var acc = 0.0
      for b in br {
        acc += weightedHazard[b]
        cumulative[b + 1] = acc
      }
    }
    var info = Matrix(rows: p, columns: p)
    for (s, range) in sets.strata.enumerated() {
      let first = sets.blockRanges[s].lowerBound
      for j in range {
        let afterStop = Int(sets.firstBlockAfterStop[j])
        let afterStart = Int(sets.firstBlockAfterStart[j])
        var h = (afterStop > first ? cumulative[afterStop] : 0) - (afterStart > first ? cumulative[afterStart] : 0)
        if sets.status[j] == 1 { h -= weightedDiscount[afterStop - 1] }
        let c = e.relativeRisk[j] * sets.weight[j] * h
        if c == 0 { continue }
        for a in 0..<p {
          let xa = x[j + a * n] * c
          for b in 0...a { info[a, b] += xa * x[j + b * n] }
        }
      }
    }
    for t in 0..<m {
      let g = blockG[Int(e.termBlock[t])]
      let w = (power == 1 ? g : g * g) * e.termWeight[t]
      for a in 0..<p {
        let aa = e.termMeans[t + a * m] * w
        for b in 0...a { info[a, b] -= aa * e.termMeans[t + b * m] }
      }
    }
    for a in 0..<p { for b in 0..<a { info[b, a] = info[a, b] } }
    return info
  }

  /// R's `rank()` with ties averaged.
  static func averageRanks(_ values: [Double]) -> [Double] {
    let order = values.indices.sorted { values[$0] < values[$1] }
    var ranks = [Double](repeating: 0, count: values.count)
    var i = 0
    while i < order.count {
      var j = i
      while j + 1 < order.count && values[order[j + 1]] == values[order[i]] { j += 1 }
      let average = Double(i + j + 2) / 2
      for k in i...j { ranks[order[k]] = average }
      i = j + 1
    }
    return ranks
  }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
