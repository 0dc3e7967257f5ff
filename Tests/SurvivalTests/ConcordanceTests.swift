@testable import Survival
import Testing
import TestSupport

@Suite("Concordance kernel")
struct ConcordanceTests {
  /// Sorted random survival data with ties in time and in score, and weights.
  private func data(seed: UInt64, n: Int, weighted: Bool) -> (stop: [Double], status: [Double], weight: [Double], score: [Double]) {
    var rng = LinearCongruential(state: seed)
    var rows: [(Double, Double, Double, Double)] = []
    for _ in 0..<n {
      rows.append((Double(1 + rng.integer(30)), rng.next() < 0.6 ? 1 : 0,
                   weighted ? Double(1 + rng.integer(3)) / 2 : 1, Double(rng.integer(12)) / 4))
    }
    rows.sort { $0.0 < $1.0 }
    return (rows.map(\.0), rows.map(\.1), rows.map(\.2), rows.map(\.3))
  }

  @Test("walking by time and by score give the same counts and influences", arguments: [1, 2, 3])
  func walksAgree(seed: Int) {
    for weighted in [false, true] {
      let d = data(seed: UInt64(seed), n: 400, weighted: weighted)
      var d1 = [Double](repeating: 0, count: 400), t1 = d1, d2 = d1, t2 = d1
      let c1 = ConcordanceKernel.accumulate(range: 0..<400, stop: d.stop, start: nil, status: d.status, weight: d.weight,
                                            score: d.score, difference: &d1, total: &t1, walk: .byTime)
      let c2 = ConcordanceKernel.accumulate(range: 0..<400, stop: d.stop, start: nil, status: d.status, weight: d.weight,
                                            score: d.score, difference: &d2, total: &t2, walk: .byScore)
      for k in 0..<3 { expectClose(c2[k], c1[k], relative: 1e-12, "counts[\(k)]") }
      for i in 0..<400 {
        expectClose(d2[i], d1[i], relative: 1e-12, absolute: 1e-9, "difference[\(i)]")
        expectClose(t2[i], t1[i], relative: 1e-12, absolute: 1e-9, "total[\(i)]")
      }
    }
  }

  @Test("brute force over all pairs: counts of a small data set")
  func bruteForce() {
    let d = data(seed: 9, n: 60, weighted: true)
    var expected = [0.0, 0.0, 0.0]
    for i in 0..<60 where d.status[i] == 1 {
      for j in 0..<60 where d.stop[j] > d.stop[i] || (d.stop[j] == d.stop[i] && d.status[j] == 0) {
        let w = d.weight[i] * d.weight[j]
        if d.score[j] > d.score[i] { expected[0] += w } else if d.score[j] < d.score[i] { expected[1] += w } else { expected[2] += w }
      }
    }
    var dd = [Double](repeating: 0, count: 60), tt = dd
    let c = ConcordanceKernel.accumulate(range: 0..<60, stop: d.stop, start: nil, status: d.status, weight: d.weight,
                                         score: d.score, difference: &dd, total: &tt)
    for k in 0..<3 { expectClose(c[k], expected[k], relative: 1e-12, "counts[\(k)]") }
  }
}
