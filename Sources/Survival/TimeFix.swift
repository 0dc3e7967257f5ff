/// Near-tied times merged as R's `aeqSurv` does (`survfit(timefix = TRUE)`,
/// the default in survival ≥ 2.39): two distinct times are treated as tied
/// when they differ by at most `tolerance`, absolutely or relative to the mean
/// absolute time.
///
/// Why: times computed in floating point (`(date2 - date1) / 365.25`) that
/// should be equal may differ in the last bits; without this, R and
/// `outcomes` would both report spurious extra steps, and R since 2017 does
/// not. Algorithm (R's): take the sorted distinct finite times y (start and
/// stop times together), mark y[i+1] as tied to y[i] when
/// `y[i+1] − y[i] ≤ tol` or `(y[i+1] − y[i]) / mean(|y|) ≤ tol`, keep the
/// untied values as cut points, and replace each time by the largest cut point
/// not above it. A chain of near-ties collapses onto its first value.
public enum TimeFix {
  /// `sqrt(.Machine$double.eps)`, R's `aeqSurv` default.
  public static let tolerance = Double.ulpOfOne.squareRoot()

  /// Replaces values of `sortedSequences` (each sorted ascending) by their cut
  /// points. Returns `false` when nothing was tied (arrays untouched).
  /// The map is monotone, so each sequence stays sorted.
  @discardableResult
  static func apply(to sortedSequences: inout [[Double]]) -> Bool {
    // Distinct finite values of all sequences, merged.
    var distinct: [Double] = []
    for seq in sortedSequences {
      var merged: [Double] = []
      merged.reserveCapacity(distinct.count + 1024)
      var a = 0
      var b = 0
      seq.withUnsafeBufferPointer { s in
        while a < distinct.count || b < s.count {
          let next: Double
          if b == s.count || (a < distinct.count && distinct[a] <= s[b]) {
            next = distinct[a]; a += 1
          } else {
            next = s[b]; b += 1
          }
          if next.isFinite && (merged.isEmpty || merged[merged.count - 1] != next) { merged.append(next) }
        }
      }
      distinct = merged
    }
    if distinct.count < 2 { return false }
    var sumAbs = 0.0
    for v in distinct { sumAbs += abs(v) }
    let meanAbs = sumAbs / Double(distinct.count)
    var cuts: [Double] = [distinct[0]]
    var anyTied = false
    for i in 1..<distinct.count {
      let dy = distinct[i] - distinct[i - 1]
      if dy <= tolerance || dy / meanAbs <= tolerance {
        anyTied = true
      } else {
        cuts.append(distinct[i])
      }
    }
    if !anyTied { return false }
    for s in sortedSequences.indices {
      var c = 0
      sortedSequences[s].withUnsafeMutableBufferPointer { seq in
        for i in seq.indices {
          let v = seq[i]
          if !v.isFinite { continue }
          while c + 1 < cuts.count && cuts[c + 1] <= v { c += 1 }
          seq[i] = cuts[c]
        }
      }
    }
    return true
  }
}
