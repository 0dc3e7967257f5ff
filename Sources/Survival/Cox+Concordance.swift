extension CoxModel {
  /// `fit$concordance` of R's coxph: Harrell's C of the linear predictor
  /// (`concordancefit(y, lp, strata, weights, reverse = TRUE)`) and its
  /// standard error from the influence of each observation (collapsed by
  /// cluster when there is one). Per stratum, counts summed.
  static func concordance(sets: CoxRiskSets, eta: [Double], cluster: [Int32]?, clusterCount: Int) -> Concordance? {
    let n = sets.n
    var counts = [0.0, 0.0, 0.0]
    var influence = [Double](repeating: 0, count: 3 * n)
    for range in sets.strata {
      let r = ConcordanceKernel.compute(stop: Array(sets.stop[range]), start: sets.start.map { Array($0[range]) },
                                        status: Array(sets.status[range]), weight: Array(sets.weight[range]),
                                        score: Array(eta[range]))
      for k in 0..<3 { counts[k] += r.counts[k] }
      for (i, j) in range.enumerated() {
        for k in 0..<3 { influence[3 * j + k] = r.influence[3 * i + k] }
      }
    }
    let pairs = counts[0] + counts[1] + counts[2]
    if pairs == 0 { return nil }
    let somer = (counts[0] - counts[1]) / pairs
    var dfbeta = [Double](repeating: 0, count: n)
    for j in 0..<n {
      let i0 = influence[3 * j], i1 = influence[3 * j + 1], i2 = influence[3 * j + 2]
      dfbeta[j] = sets.weight[j] * ((i0 - i1) / pairs - (somer / pairs) * (i0 + i1 + i2))
    }
    var variance = 0.0
    if let cluster {
      var sums = [Double](repeating: 0, count: clusterCount)
      for j in 0..<n { sums[Int(cluster[j])] += dfbeta[j] }
      for s in sums { variance += s * s }
    } else {
      for d in dfbeta { variance += d * d }
    }
    // reverse = TRUE: a higher risk score predicts a shorter time.
    return Concordance(c: 1 - (somer + 1) / 2, standardError: (variance / 4).squareRoot(),
                       concordant: counts[1], discordant: counts[0], tiedRisk: counts[2])
  }
}
