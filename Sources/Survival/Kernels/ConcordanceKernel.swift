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
/// - Influence: the weighted number of pairs of each type in which row j
///   takes part (either side), the quantity R's variance is built from.
/// - Complexity: O(n log n) with two Fenwick trees over score ranks (R uses
///   balanced binary trees for the same sums).
enum ConcordanceKernel {
  /// Counts of one stratum, rows `range` of the arrays (sorted by stop time).
  /// Adds each row's influence to `difference` (pairs of type 0 − type 1)
  /// and `total` (types 0 + 1 + 2): all R's variance needs, in 2 numbers per
  /// row instead of 3.
  static func accumulate(range: Range<Int>, stop: [Double], start: [Double]?, status: [Double],
                         weight: [Double], score: [Double],
                         difference: inout [Double], total: inout [Double]) -> [Double] {
    var counts = [0.0, 0.0, 0.0]
    if range.isEmpty { return counts }
    let lo0 = range.lowerBound
    let m = range.count
    // Dense ranks of the scores (exact equality is a tie, as R's match/unique).
    let order = RadixSort.order(Array(score[range]))
    var rank = [Int32](repeating: 0, count: m)
    var size: Int32 = 0
    for (k, i) in order.enumerated() {
      if k > 0 && score[lo0 + Int(i)] != score[lo0 + Int(order[k - 1])] { size += 1 }
      rank[Int(i)] = size
    }
    var atRisk = Fenwick(size: Int(size) + 1)
    var deaths = Fenwick(size: Int(size) + 1)

    // Sums (greater, less, equal) of a tree's weights relative to rank r.
    @inline(__always)
    func sums(_ tree: Fenwick, _ r: Int32) -> (greater: Double, less: Double, equal: Double) {
      tree.split(Int(r))
    }
    // Deaths recorded while a row sits in the risk tree count against it:
    // subtract at entry, add at exit (R's trick), in the death's orientation
    // flipped (a death with a smaller score is a type-0 pair for this row).
    func leave(_ j: Int) {
      let s = sums(deaths, rank[j - lo0])
      difference[j] += s.less - s.greater
      total[j] += s.less + s.greater + s.equal
    }
    func enter(_ j: Int) {
      let s = sums(deaths, rank[j - lo0])
      difference[j] -= s.less - s.greater
      total[j] -= s.less + s.greater + s.equal
      atRisk.add(Int(rank[j - lo0]), weight[j])
    }

    // Counting process: rows leave the risk set once t ≤ start.
    var startOrder: [Int] = []
    if let start {
      startOrder = range.sorted { start[$0] > start[$1] || (start[$0] == start[$1] && $0 < $1) }
    }
    var nextStart = 0
    var i = range.upperBound - 1
    while i >= lo0 {
      let t = stop[i]
      var lo = i
      while lo > lo0 && stop[lo - 1] == t { lo -= 1 }
      // Censored rows at t enter first: they are at risk for the events at t.
      var hasDeaths = false
      for j in lo...i {
        if status[j] == 1 { hasDeaths = true } else { enter(j) }
      }
      if hasDeaths {
        if let start {
          while nextStart < m && start[startOrder[nextStart]] >= t {
            let j = startOrder[nextStart]
            leave(j)
            atRisk.add(Int(rank[j - lo0]), -weight[j])
            nextStart += 1
          }
        }
        for j in lo...i where status[j] == 1 {
          let s = sums(atRisk, rank[j - lo0])
          counts[0] += weight[j] * s.greater
          counts[1] += weight[j] * s.less
          counts[2] += weight[j] * s.equal
          difference[j] += s.greater - s.less
          total[j] += s.greater + s.less + s.equal
          deaths.add(Int(rank[j - lo0]), weight[j])
        }
        for j in lo...i where status[j] == 1 { enter(j) }
      }
      i = lo - 1
    }
    if start != nil {
      for k in nextStart..<m { leave(startOrder[k]) }
    } else {
      for j in range { leave(j) }
    }
    return counts
  }
}

/// A Fenwick (binary indexed) tree of weights over ranks 0..<size, with the
/// weight at each rank kept beside it, so that "less than, equal to, greater
/// than rank r" costs one walk instead of two.
struct Fenwick {
  private var tree: [Double]
  private var point: [Double]
  private(set) var total = 0.0

  init(size: Int) {
    tree = [Double](repeating: 0, count: size + 1)
    point = [Double](repeating: 0, count: size)
  }

  mutating func add(_ rank: Int, _ w: Double) {
    total += w
    point[rank] += w
    tree.withUnsafeMutableBufferPointer { t in
      var i = rank + 1
      while i < t.count {
        t[i] += w
        i += i & -i
      }
    }
  }

  /// Σ of weights at ranks < r.
  func prefix(_ r: Int) -> Double {
    tree.withUnsafeBufferPointer { t in
      var s = 0.0
      var i = r
      while i > 0 {
        s += t[i]
        i -= i & -i
      }
      return s
    }
  }

  /// Weights above, below and at rank r.
  @inline(__always)
  func split(_ r: Int) -> (greater: Double, less: Double, equal: Double) {
    let below = prefix(r)
    let equal = point[r]
    return (total - below - equal, below, equal)
  }
}
