@testable import Survival
import Testing
import TestSupport

@Suite("Concordance kernel")
struct ConcordanceTests {
  /// Sorted random survival data with ties in time and in score, and weights.
  private func data(seed: UInt64, n: Int, weighted: Bool, distinctTimes: Int = 30)
    -> (stop: [Double], status: [Double], weight: [Double], score: [Double]) {
    var rng = LinearCongruential(state: seed)
    var rows: [(Double, Double, Double, Double)] = []
    for _ in 0..<n {
      rows.append((Double(1 + rng.integer(distinctTimes)), rng.next() < 0.6 ? 1 : 0,
                   weighted ? Double(1 + rng.integer(3)) / 2 : 1, Double(rng.integer(12)) / 4))
    }
    rows.sort { $0.0 < $1.0 }
    return (rows.map(\.0), rows.map(\.1), rows.map(\.2), rows.map(\.3))
  }

  @Test("walking by time, by score and by merging give the same counts and influences", arguments: [1, 2, 3])
  func walksAgree(seed: Int) {
    for weighted in [false, true] {
      // Small groups of tied times, many times (two threads), few large groups.
      for (n, times) in [(400, 30), (5000, 3000), (600, 4)] {
        let d = data(seed: UInt64(seed), n: n, weighted: weighted, distinctTimes: times)
        var d1 = [Double](repeating: 0, count: n), t1 = d1
        let c1 = ConcordanceKernel.accumulate(range: 0..<n, stop: d.stop, start: nil, status: d.status, weight: d.weight,
                                              score: d.score, difference: &d1, total: &t1, walk: .byTime)
        for walk in [ConcordanceKernel.Walk.byScore, .byMerge] {
          var d2 = [Double](repeating: 0, count: n), t2 = d2
          let c2 = ConcordanceKernel.accumulate(range: 0..<n, stop: d.stop, start: nil, status: d.status, weight: d.weight,
                                                score: d.score, difference: &d2, total: &t2, walk: walk)
          for k in 0..<3 { expectClose(c2[k], c1[k], relative: 1e-12, "\(walk) counts[\(k)]") }
          for i in 0..<n {
            expectClose(d2[i], d1[i], relative: 1e-12, absolute: 1e-9, "\(walk) difference[\(i)]")
            expectClose(t2[i], t1[i], relative: 1e-12, absolute: 1e-9, "\(walk) total[\(i)]")
          }
        }
      }
    }
  }

  @Test("brute force over all pairs: counts and influences of a small data set, every walk")
  func bruteForce() {
    let n = 60
    let d = data(seed: 9, n: n, weighted: true)
    var expected = [0.0, 0.0, 0.0]
    var difference = [Double](repeating: 0, count: n), total = difference
    for i in 0..<n where d.status[i] == 1 {
      for j in 0..<n where d.stop[j] > d.stop[i] || (d.stop[j] == d.stop[i] && d.status[j] == 0) {
        let w = d.weight[i] * d.weight[j]
        // Type 0: the row at risk (j) has the larger score.
        let type = d.score[j] > d.score[i] ? 0 : d.score[j] < d.score[i] ? 1 : 2
        expected[type] += w
        let sign = type == 0 ? 1.0 : type == 1 ? -1.0 : 0
        difference[i] += sign * d.weight[j]
        difference[j] += sign * d.weight[i]
        total[i] += d.weight[j]
        total[j] += d.weight[i]
      }
    }
    for walk in [ConcordanceKernel.Walk.byTime, .byScore, .byMerge] {
      var dd = [Double](repeating: 0, count: n), tt = dd
      let c = ConcordanceKernel.accumulate(range: 0..<n, stop: d.stop, start: nil, status: d.status, weight: d.weight,
                                           score: d.score, difference: &dd, total: &tt, walk: walk)
      for k in 0..<3 { expectClose(c[k], expected[k], relative: 1e-12, "\(walk) counts[\(k)]") }
      for i in 0..<n {
        expectClose(dd[i], difference[i], relative: 1e-12, absolute: 1e-12, "\(walk) difference[\(i)]")
        expectClose(tt[i], total[i], relative: 1e-12, absolute: 1e-12, "\(walk) total[\(i)]")
      }
    }
  }
}
