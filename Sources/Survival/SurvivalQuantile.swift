/// Quantiles of a survival curve exactly as R's `quantile.survfit` (its
/// internal `findq`, survival 3.5), which `print.survfit` also uses for the
/// median and its confidence limits.
///
/// With x = (0, t₁, …, t_k) and y = (0, 1 − S(t₁), …, 1 − S(t_k)):
/// - duplicate y values are dropped (keeping the first time each value is
///   reached), as are undefined ones;
/// - the p-th quantile is the midpoint of the first time with y ≥ p − tol and
///   the first with y ≥ p + tol, tol = √ε. So when the curve sits exactly on
///   1 − p over an interval, the quantile is the middle of that flat segment;
///   if the curve ends on the segment, the midpoint of its start and the last
///   time.
/// - `nil` when the curve never reaches p.
///
/// The other rules (`SurvivalQuantileRule`) differ only where the curve sits
/// on 1 − p: SAS PROC LIFETEST takes the same midpoint but calls the quantile
/// not estimable when the curve ends on the flat segment; lifelines takes the
/// first time the curve is at or below 1 − p.
enum SurvivalQuantile {
  static let tolerance = Double.ulpOfOne.squareRoot()

  /// - Parameters:
  ///   - times: t₁ < … < t_k, the curve's step times (events and censorings).
  ///   - curve: S (or a confidence limit) at those times; NaN = undefined.
  static func quantile(_ p: Double, times: [Double], curve: [Double], start: Double = 0,
                       rule: SurvivalQuantileRule = .midpoint) -> Double? {
    var x: [Double] = [start]
    var y: [Double] = [0]
    x.append(contentsOf: times)
    for s in curve { y.append(1 - s) }
    let tol = tolerance
    let finiteMax = y.lazy.filter { !$0.isNaN }.max() ?? -.infinity
    if finiteMax < p { return nil }
    let xmax = x[x.count - 1]
    // duplicated(): keep first occurrences (NaN counts as one value). 1 − S
    // never decreases, so a repeated value follows its first occurrence and
    // comparing with the last kept value finds it; only a curve whose
    // values go back down (a confidence limit can) takes the hash set.
    var keptX: [Double] = []
    var keptY: [Double] = []
    keptX.reserveCapacity(x.count)
    keptY.reserveCapacity(x.count)
    var seenNaN = false
    var monotone = true
    var last = -Double.infinity
    for yi in y where !yi.isNaN {
      if yi < last { monotone = false; break }
      last = yi
    }
    if monotone {
      var previous: Double? = nil
      for (xi, yi) in zip(x, y) {
        if yi.isNaN {
          if seenNaN { continue }
          seenNaN = true
        } else {
          if let previous, (previous + 0.0).bitPattern == (yi + 0.0).bitPattern { continue }
          previous = yi
        }
        keptX.append(xi)
        keptY.append(yi)
      }
    } else {
      var seen = Set<UInt64>()
      for (xi, yi) in zip(x, y) {
        if yi.isNaN {
          if seenNaN { continue }
          seenNaN = true
        } else {
          let key = (yi + 0.0).bitPattern
          if seen.contains(key) { continue }
          seen.insert(key)
        }
        keptX.append(xi)
        keptY.append(yi)
      }
    }
    let n = keptY.count
    // approx(y ± tol, 1:n, p, method = "constant", f = 1): the index of the
    // first knot (in increasing knot order) at or above p; NA outside the range.
    var knots: [(value: Double, index: Int)] = []
    for k in 0..<n where !keptY[k].isNaN { knots.append((keptY[k], k)) }
    if !zip(knots, knots.dropFirst()).allSatisfy({ $0.value <= $1.value }) {
      knots.sort { $0.value < $1.value }
    }
    func firstAtOrAbove(_ v: Double, shift: Double) -> Int? {
      guard let first = knots.first, let last = knots.last else { return nil }
      if v < first.value + shift || v > last.value + shift { return nil }
      var lo = 0, hi = knots.count - 1
      while lo < hi {
        let mid = (lo + hi) / 2
        if knots[mid].value + shift >= v { hi = mid } else { lo = mid + 1 }
      }
      return knots[lo].index
    }
    if p == 0 { return keptX[0] }
    let i1 = firstAtOrAbove(p, shift: tol)
    let i2 = firstAtOrAbove(p, shift: -tol)
    if rule == .first {
      return i1.map { keptX[$0] }
    }
    if !keptY[n - 1].isNaN && abs(p - keptY[n - 1]) < tol {
      guard let i1, rule == .midpoint else { return nil }
      return (keptX[i1] + xmax) / 2
    }
    guard let i1, let i2 else { return nil }
    return (keptX[i1] + keptX[i2]) / 2
  }
}

/// Which time a survival quantile is where the curve sits exactly on 1 − p
/// over an interval [t_j, t_j+1) (docs/CONVENTIONS.md).
public enum SurvivalQuantileRule: String, Sendable, CaseIterable, Codable {
  /// R's `quantile.survfit`: the interval's midpoint; when the curve ends on
  /// it, the midpoint of t_j and the last time.
  case midpoint
  /// SAS PROC LIFETEST: the midpoint (t_j + t_j+1) / 2; not estimable when
  /// the curve ends on the segment (no time with S(t) < 1 − p).
  case sas
  /// lifelines (`qth_survival_time`): the first time with S(t) ≤ 1 − p, t_j.
  case first
}
