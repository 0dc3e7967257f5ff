extension CoxModel {
  /// `fit$concordance` of R's coxph: Harrell's C of the linear predictor
  /// (`concordancefit(y, lp, strata, weights, reverse = TRUE)`) and its
  /// standard error from the influence of each observation (collapsed by
  /// cluster when there is one). Per stratum, counts summed.
  static func concordance(sets: CoxRiskSets, eta: [Double], cluster: [Int32]?, clusterCount: Int) -> Concordance? {
    let n = sets.n
    var counts = [0.0, 0.0, 0.0]
    var difference = [Double](repeating: 0, count: n)
    var total = [Double](repeating: 0, count: n)
    for range in sets.strata {
      let c = ConcordanceKernel.accumulate(range: range, stop: sets.stop, start: sets.start, status: sets.status,
                                           weight: sets.weight, score: eta, difference: &difference, total: &total)
      for k in 0..<3 { counts[k] += c[k] }
    }
    let pairs = counts[0] + counts[1] + counts[2]
    if pairs == 0 { return nil }
    let somer = (counts[0] - counts[1]) / pairs
    func dfbeta(_ j: Int) -> Double {
      sets.weight[j] * (difference[j] / pairs - (somer / pairs) * total[j])
    }
    var variance = 0.0
    if let cluster {
      var sums = [Double](repeating: 0, count: clusterCount)
      for j in 0..<n { sums[Int(cluster[j])] += dfbeta(j) }
      for s in sums { variance += s * s }
    } else {
      for j in 0..<n {
        let d = dfbeta(j)
        variance += d * d
      }
    }
    // reverse = TRUE: a higher risk score predicts a shorter time.
    return Concordance(c: 1 - (somer + 1) / 2, standardError: (variance / 4).squareRoot(),
                       concordant: counts[1], discordant: counts[0], tiedRisk: counts[2])
  }
}
