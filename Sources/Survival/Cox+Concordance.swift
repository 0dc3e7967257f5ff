import LinearAlgebra

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

extension CoxModel {
  /// The linear predictor R's coxph stores in `fit$linear.predictors` and
  /// gives to the concordance, computed as R computes it: the raw design in
  /// data order times the coefficients through the BLAS's `dgemv` (R's
  /// `x %*% coef`), plus the offset, minus R's `sum(coef * means)`. The
  /// concordance counts a pair as tied only when the two predictors are
  /// equal to the last bit, so the rounding has to be R's: a fixed-order sum
  /// per row makes rows with equal covariates tie, while R's BLAS computes
  /// the last n mod 4 rows in a scalar tail and may split such a pair by an
  /// ulp, counting it as concordant or discordant (R survival 3.5 with
  /// OpenBLAS does so on lung, `~ age + sex + ph.karno`). Using the same
  /// product reproduces R's counts on the same BLAS.
  ///
  /// `centre` holds R's means: `coxfit$means` for right-censored data (the
  /// weighted means, 0 for a column of −1/0/1), `ifelse(zero.one, 0,
  /// colMeans(x))` for (start, stop] data.
  static func rLinearPredictor(design: Matrix, coefficients: [Double], offset: [Double]?,
                               centre: [Double]) throws -> [Double] {
    var lp = try BLAS.matrixVector(design, coefficients)
    let shift = RLongDouble.sum(count: coefficients.count) { coefficients[$0] * centre[$0] }
    if let offset {
      for i in lp.indices { lp[i] = (lp[i] + offset[i]) - shift }
    } else {
      for i in lp.indices { lp[i] = (lp[i] + 0) - shift }
    }
    return lp
  }

  /// R's `coxexact.fit` linear predictor (`ties = "exact"`, right-censored):
  /// rows sorted by stratum and decreasing time (`order(strata, -time)`,
  /// stable), the design centred and scaled as `scale()` (a column of
  /// −1/0/1 left alone), times the coefficients on that scale through
  /// `dgemv`, plus the offset. Returns the sorted data-order rows and the
  /// predictor for each.
  static func rExactLinearPredictor(design: Matrix, coefficients: [Double], offset: [Double]?,
                                    stratum: [Int32]?, time: [Double]) throws -> (order: [Int], lp: [Double]) {
    let n = design.rows, p = design.columns
    let order = (0..<n).sorted { a, b in
      let sa = stratum?[a] ?? 0, sb = stratum?[b] ?? 0
      if sa != sb { return sa < sb }
      if time[a] != time[b] { return time[a] > time[b] }
      return a < b
    }
    let means = rColumnMeans(design)
    var scaled = Matrix(rows: n, columns: p)
    var coefficientsScaled = coefficients
    for k in 0..<p {
      let column = (0..<n).map { design.storage[k * n + order[$0]] }
      if column.allSatisfy({ $0 == 0 || $0 == 1 || $0 == -1 }) {
        for i in 0..<n { scaled.storage[k * n + i] = column[i] }
        continue
      }
      let centred = column.map { $0 - means[k] }
      let squares = RLongDouble.sum(count: n) { centred[$0] * centred[$0] }
      let sd = (squares / Double(max(1, n - 1))).squareRoot()
      for i in 0..<n { scaled.storage[k * n + i] = centred[i] / sd }
      coefficientsScaled[k] = coefficients[k] * sd
    }
    var lp = try BLAS.matrixVector(scaled, coefficientsScaled)
    if let offset { for i in 0..<n { lp[i] = lp[i] + offset[order[i]] } }
    return (order, lp)
  }

  /// R's `colMeans` of a column-major matrix: each column summed in long
  /// double, divided by n in long double, rounded once.
  static func rColumnMeans(_ design: Matrix) -> [Double] {
    let n = design.rows
    return (0..<design.columns).map { k in
      design.storage.withUnsafeBufferPointer { s in
        RLongDouble.mean(count: n) { s[k * n + $0] }
      }
    }
  }
}

/// R accumulates `sum()` and `colMeans()` in `long double`: 80-bit extended
/// precision on x86-64, where this does the same; elsewhere in double (R on
/// arm64 Linux uses a 128-bit long double that Swift does not have; macOS on
/// arm64 has none).
enum RLongDouble {
  static func sum(count: Int, _ term: (Int) -> Double) -> Double {
    #if arch(x86_64) && !os(Windows)
    var s: Float80 = 0
    for i in 0..<count { s += Float80(term(i)) }
    return Double(s)
    #else
    var s = 0.0
    for i in 0..<count { s += term(i) }
    return s
    #endif
  }

  /// R's `mean()` of a double vector: the long-double mean, refined by
  /// the mean of the residuals from it (R's `real_mean`).
  static func rMean(_ x: [Double]) -> Double {
    let n = x.count
    #if arch(x86_64) && !os(Windows)
    var s: Float80 = 0
    for v in x { s += Float80(v) }
    if !Double(s).isFinite { return Double(s) }
    s /= Float80(n)
    if Double(s).isFinite {
      var t: Float80 = 0
      for v in x { t += Float80(v) - s }
      s += t / Float80(n)
    }
    return Double(s)
    #else
    var s = 0.0
    for v in x { s += v }
    if !s.isFinite { return s }
    s /= Double(n)
    if s.isFinite {
      var t = 0.0
      for v in x { t += v - s }
      s += t / Double(n)
    }
    return s
    #endif
  }

  static func mean(count: Int, _ term: (Int) -> Double) -> Double {
    #if arch(x86_64) && !os(Windows)
    var s: Float80 = 0
    for i in 0..<count { s += Float80(term(i)) }
    return Double(s / Float80(count))
    #else
    var s = 0.0
    for i in 0..<count { s += term(i) }
    return s / Double(count)
    #endif
  }
}
