/// Harrell's concordance with its influence per observation, as R's
/// `concordancefit` (`concordance3.c`, `concordance4.c`, survival 3.5) with
/// the default time weight (every event time counts once).
///
/// Contract:
/// - Rows sorted by ascending stop time (one stratum); `score` is the
///   predictor (the Cox linear predictor), `weight` the case weights.
/// - A comparable pair is an event at t and a subject still at risk after t:
///   stop > t, or stop = t and censored (for counting-process data also
///   start < t). Pairs of events at the same time are tied on y and left out.
/// - Counts (in R's orientation, before `reverse = TRUE`): `[0]` the subject
///   at risk has the larger score, `[1]` the smaller, `[2]` equal scores.
/// - `influence[j*3 + k]`: the weighted number of pairs of type k in which
///   row j takes part (either side), the quantity R's variance is built from.
/// - Complexity: O(n log n) with two Fenwick trees over score ranks (R uses
///   balanced binary trees for the same sums).
enum ConcordanceKernel {
  struct Result {
    var counts: [Double]
    var influence: [Double]
  }

  static func compute(stop: [Double], start: [Double]?, status: [Double], weight: [Double],
                      score: [Double]) -> Result {
    let n = stop.count
    var counts = [0.0, 0.0, 0.0]
    var influence = [Double](repeating: 0, count: 3 * n)
    if n == 0 { return Result(counts: counts, influence: influence) }
    // Dense ranks of the scores (exact equality is a tie, as R's match/unique).
    let sortedScores = Array(Set(score)).sorted()
    var rankOf: [Double: Int] = [:]
    for (k, v) in sortedScores.enumerated() { rankOf[v] = k }
    let rank = score.map { rankOf[$0]! }
    let size = sortedScores.count
    var atRisk = Fenwick(size: size)
    var deaths = Fenwick(size: size)

    // Sums (greater, less, equal) of a tree's weights relative to rank r.
    func sums(_ tree: Fenwick, _ r: Int) -> (greater: Double, less: Double, equal: Double) {
      let below = tree.prefix(r)            // ranks < r
      let upTo = tree.prefix(r + 1)         // ranks ≤ r
      return (tree.total - upTo, below, upTo - below)
    }
    // Deaths already recorded count against a row while it sits in the tree:
    // subtract at entry, add at exit (R's trick), flipping the orientation.
    func leave(_ j: Int) {
      let s = sums(deaths, rank[j])
      influence[3 * j] += s.less
      influence[3 * j + 1] += s.greater
      influence[3 * j + 2] += s.equal
    }
    func enter(_ j: Int) {
      let s = sums(deaths, rank[j])
      influence[3 * j] -= s.less
      influence[3 * j + 1] -= s.greater
      influence[3 * j + 2] -= s.equal
      atRisk.add(rank[j], weight[j])
    }

    // Counting process: rows leave the risk set once t ≤ start.
    var startOrder: [Int] = []
    if let start {
      startOrder = (0..<n).sorted { start[$0] > start[$1] || (start[$0] == start[$1] && $0 < $1) }
    }
    var nextStart = 0
    var i = n - 1
    while i >= 0 {
      let t = stop[i]
      var lo = i
      while lo > 0 && stop[lo - 1] == t { lo -= 1 }
      // Censored rows at t enter first: they are at risk for the events at t.
      for j in lo...i where status[j] != 1 { enter(j) }
      let hasDeaths = (lo...i).contains { status[$0] == 1 }
      if hasDeaths {
        if let start {
          while nextStart < n && start[startOrder[nextStart]] >= t {
            let j = startOrder[nextStart]
            leave(j)
            atRisk.add(rank[j], -weight[j])
            nextStart += 1
          }
        }
        for j in lo...i where status[j] == 1 {
          let s = sums(atRisk, rank[j])
          counts[0] += weight[j] * s.greater
          counts[1] += weight[j] * s.less
          counts[2] += weight[j] * s.equal
          influence[3 * j] += s.greater
          influence[3 * j + 1] += s.less
          influence[3 * j + 2] += s.equal
          deaths.add(rank[j], weight[j])
        }
        for j in lo...i where status[j] == 1 { enter(j) }
      }
      i = lo - 1
    }
    if start != nil {
      for k in nextStart..<n { leave(startOrder[k]) }
    } else {
      for j in 0..<n { leave(j) }
    }
    return Result(counts: counts, influence: influence)
  }
}

/// A Fenwick (binary indexed) tree of weights over ranks 0..<size.
struct Fenwick {
  private var tree: [Double]
  private(set) var total = 0.0

  init(size: Int) { tree = [Double](repeating: 0, count: size + 1) }

  mutating func add(_ rank: Int, _ w: Double) {
    total += w
    var i = rank + 1
    while i < tree.count {
      tree[i] += w
      i += i & -i
    }
  }

  /// Σ of weights at ranks < r.
  func prefix(_ r: Int) -> Double {
    var s = 0.0
    var i = r
    while i > 0 {
      s += tree[i]
      i -= i & -i
    }
    return s
  }
}
