import Dispatch

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
  ///
  /// The two trees never read each other: the risk-set tree gives the counts
  /// and each event's own pairs; the event tree gives the pairs a row takes
  /// part in while at risk. So the two sweeps of the timeline run on two
  /// threads, each into its own pair of arrays, added afterwards.
  enum Walk { case automatic, byTime, byScore }

  static func accumulate(range: Range<Int>, stop: [Double], start: [Double]?, status: [Double],
                         weight: [Double], score: [Double],
                         difference: inout [Double], total: inout [Double], walk: Walk = .automatic) -> [Double] {
    if range.isEmpty { return [0, 0, 0] }
    let lo0 = range.lowerBound
    let m = range.count
    // Dense ranks of the scores (exact equality is a tie, as R's match/unique).
    let order = RadixSort.order(Array(score[range]))
    var ranks = [Int32](repeating: 0, count: m)
    var top: Int32 = 0
    for (k, i) in order.enumerated() {
      if k > 0 && score[lo0 + Int(i)] != score[lo0 + Int(order[k - 1])] { top += 1 }
      ranks[Int(i)] = top
    }
    let rank = ranks
    let size = Int(top) + 1
    // Few distinct times (heavily tied data): walk the scores instead, with
    // trees over the times, which then fit in cache.
    if start == nil {
      var times = 0
      for i in range where i == lo0 || stop[i] != stop[i - 1] { times += 1 }
      if walk == .byScore || (walk == .automatic && 2 * times + 1 < size) {
        return byScore(range: range, stop: stop, status: status, weight: weight, order: order,
                       rank: rank, difference: &difference, total: &total)
      }
    }
    // Counting process: rows leave the risk set once t ≤ start.
    let startOrder: [Int] = start.map { s in
      range.sorted { s[$0] > s[$1] || (s[$0] == s[$1] && $0 < $1) }
    } ?? []

    var riskDifference = [Double](repeating: 0, count: m)
    var riskTotal = [Double](repeating: 0, count: m)
    var deathDifference = [Double](repeating: 0, count: m)
    var deathTotal = [Double](repeating: 0, count: m)
    let counts = CountsBox()
    riskDifference.withUnsafeMutableBufferPointer { rd in
    riskTotal.withUnsafeMutableBufferPointer { rt in
    deathDifference.withUnsafeMutableBufferPointer { dd in
    deathTotal.withUnsafeMutableBufferPointer { dt in
      let outputs = [SharedPointer(rd.baseAddress!), SharedPointer(rt.baseAddress!),
                     SharedPointer(dd.baseAddress!), SharedPointer(dt.baseAddress!)]
      DispatchQueue.concurrentPerform(iterations: 2) { side in
        if side == 0 {
          counts.values = riskSide(range: range, stop: stop, start: start, status: status, weight: weight,
                                   rank: rank, size: size, startOrder: startOrder,
                                   difference: outputs[0].pointer, total: outputs[1].pointer)
        } else {
          deathSide(range: range, stop: stop, start: start, status: status, weight: weight,
                    rank: rank, size: size, startOrder: startOrder,
                    difference: outputs[2].pointer, total: outputs[3].pointer)
        }
      }
    }}}}
    for i in 0..<m {
      difference[lo0 + i] += riskDifference[i] + deathDifference[i]
      total[lo0 + i] += riskTotal[i] + deathTotal[i]
    }
    return counts.values
  }

  /// The same counts and influences for right-censored data, walking the rows
  /// by increasing score with Fenwick trees indexed by time. Each row has a
  /// key: 2τ for an event at the τ-th distinct time, 2τ + 1 for a censoring,
  /// so that row j is at risk for an event d exactly when key_j > 2τ_d
  /// (censored at the same time: at risk; another event then: tied on y).
  /// Equal scores are handled by querying before and after adding the whole
  /// group of equal scores. Two trees (rows, events), on two threads.
  private static func byScore(range: Range<Int>, stop: [Double], status: [Double], weight: [Double],
                              order: [Int32], rank: [Int32],
                              difference: inout [Double], total: inout [Double]) -> [Double] {
    let lo0 = range.lowerBound
    let m = range.count
    var key = [Int32](repeating: 0, count: m)
    var tau: Int32 = -1
    for i in range {
      if i == lo0 || stop[i] != stop[i - 1] { tau += 1 }
      key[i - lo0] = status[i] == 1 ? 2 * tau : 2 * tau + 1
    }
    let keys = key
    let size = Int(2 * tau + 2)
    // Σ w over rows with key > k, and over events with key < k.
    var rowsAbove = [Double](repeating: 0, count: size + 1)
    var eventsBelow = [Double](repeating: 0, count: size + 1)
    for i in 0..<m { rowsAbove[Int(keys[i])] += weight[lo0 + i] }
    var acc = 0.0
    for k in stride(from: size - 1, through: 0, by: -1) {
      let here = rowsAbove[k]
      rowsAbove[k] = acc  // strictly above k
      acc += here
    }
    for i in 0..<m where status[lo0 + i] == 1 { eventsBelow[Int(keys[i]) + 1] += weight[lo0 + i] }
    for k in 1...size { eventsBelow[k] += eventsBelow[k - 1] }  // eventsBelow[k] = Σ over event keys < k
    let above = rowsAbove, below = eventsBelow

    // Everything the walk reads, gathered once in score order, so that the
    // two threads stream through memory; results are scattered back at the end.
    var sortedKey = [Int32](repeating: 0, count: m)
    var sortedWeight = [Double](repeating: 0, count: m)
    var sortedEvent = [Bool](repeating: false, count: m)
    var groupStarts: [Int] = [0]
    for k in 0..<m {
      let i = Int(order[k])
      sortedKey[k] = keys[i]
      sortedWeight[k] = weight[lo0 + i]
      sortedEvent[k] = status[lo0 + i] == 1
      if k > 0 && rank[i] != rank[Int(order[k - 1])] { groupStarts.append(k) }
    }
    groupStarts.append(m)
    let starts = groupStarts, sKey = sortedKey, sWeight = sortedWeight, sEvent = sortedEvent

    var riskDifference = [Double](repeating: 0, count: m)
    var riskTotal = [Double](repeating: 0, count: m)
    var eventDifference = [Double](repeating: 0, count: m)
    var eventTotal = [Double](repeating: 0, count: m)
    let counts = CountsBox()
    riskDifference.withUnsafeMutableBufferPointer { rd in
    riskTotal.withUnsafeMutableBufferPointer { rt in
    eventDifference.withUnsafeMutableBufferPointer { ed in
    eventTotal.withUnsafeMutableBufferPointer { et in
      let outputs = [SharedPointer(rd.baseAddress!), SharedPointer(rt.baseAddress!),
                     SharedPointer(ed.baseAddress!), SharedPointer(et.baseAddress!)]
      DispatchQueue.concurrentPerform(iterations: 2) { side in
        if side == 0 {
          // Events: their pairs with the rows at risk (rows of smaller score are in the tree).
          let difference = outputs[0].pointer, total = outputs[1].pointer
          var tree = Fenwick(size: size)
          var c0 = 0.0, c1 = 0.0, c2 = 0.0
          for g in 0..<(starts.count - 1) {
            let members = starts[g]..<starts[g + 1]
            for k in members where sEvent[k] { difference[k] = tree.suffix(Int(sKey[k]) + 1) }  // "less", kept for now
            for k in members { tree.add(Int(sKey[k]), sWeight[k]) }
            for k in members where sEvent[k] {
              let lessOrEqual = tree.suffix(Int(sKey[k]) + 1)
              let l = difference[k]
              let e = lessOrEqual - l
              let gr = above[Int(sKey[k])] - lessOrEqual
              let w = sWeight[k]
              c0 += w * gr
              c1 += w * l
              c2 += w * e
              difference[k] = gr - l
              total[k] = gr + l + e
            }
          }
          counts.values = [c0, c1, c2]
        } else {
          // Every row: its pairs as the one at risk, with the events before it.
          let difference = outputs[2].pointer, total = outputs[3].pointer
          var tree = Fenwick(size: size)
          for g in 0..<(starts.count - 1) {
            let members = starts[g]..<starts[g + 1]
            for k in members { difference[k] = tree.prefix(Int(sKey[k])) }  // "less", kept for now
            for k in members where sEvent[k] { tree.add(Int(sKey[k]), sWeight[k]) }
            for k in members {
              let lessOrEqual = tree.prefix(Int(sKey[k]))
              let l = difference[k]
              let e = lessOrEqual - l
              let gr = below[Int(sKey[k])] - lessOrEqual
              // From the event's side the row at risk has the larger score when the event's is smaller.
              difference[k] = l - gr
              total[k] = l + gr + e
            }
          }
        }
      }
    }}}}
    for k in 0..<m {
      let i = lo0 + Int(order[k])
      difference[i] += riskDifference[k] + eventDifference[k]
      total[i] += riskTotal[k] + eventTotal[k]
    }
    return counts.values
  }

  /// The timeline is walked as groups of rows with equal stop time, latest
  /// first; within a group the censored rows enter the risk set before its
  /// events are compared (they are at risk for them). (Plain loops, not
  /// closures, so that no captured variable needs run-time exclusivity checks.)

  /// The risk-set tree: counts, and each event's pairs with the rows at risk.
  private static func riskSide(range: Range<Int>, stop: [Double], start: [Double]?, status: [Double],
                               weight: [Double], rank: [Int32], size: Int, startOrder: [Int],
                               difference: UnsafeMutablePointer<Double>,
                               total: UnsafeMutablePointer<Double>) -> [Double] {
    let lo0 = range.lowerBound
    var c0 = 0.0, c1 = 0.0, c2 = 0.0
    var atRisk = Fenwick(size: size)
    var nextStart = 0
    var i = range.upperBound - 1
    while i >= lo0 {
      var lo = i
      while lo > lo0 && stop[lo - 1] == stop[i] { lo -= 1 }
      var hasDeaths = false
      for j in lo...i {
        if status[j] == 1 { hasDeaths = true } else { atRisk.add(Int(rank[j - lo0]), weight[j]) }
      }
      if hasDeaths {
        if let start {
          let t = stop[lo]
          while nextStart < startOrder.count && start[startOrder[nextStart]] >= t {
            let j = startOrder[nextStart]
            atRisk.add(Int(rank[j - lo0]), -weight[j])
            nextStart += 1
          }
        }
        for j in lo...i where status[j] == 1 {
          let s = atRisk.split(Int(rank[j - lo0]))
          c0 += weight[j] * s.greater
          c1 += weight[j] * s.less
          c2 += weight[j] * s.equal
          difference[j - lo0] += s.greater - s.less
          total[j - lo0] += s.greater + s.less + s.equal
        }
        for j in lo...i where status[j] == 1 { atRisk.add(Int(rank[j - lo0]), weight[j]) }
      }
      i = lo - 1
    }
    return [c0, c1, c2]
  }

  /// The event tree: the pairs a row takes part in as the one at risk. Events
  /// recorded while a row sits in the risk set count for it: subtract the
  /// event tree's sums when it enters, add them when it leaves (R's trick), in
  /// the event's orientation flipped (an event with a smaller score is a
  /// type-0 pair for the row at risk).
  private static func deathSide(range: Range<Int>, stop: [Double], start: [Double]?, status: [Double],
                                weight: [Double], rank: [Int32], size: Int, startOrder: [Int],
                                difference: UnsafeMutablePointer<Double>,
                                total: UnsafeMutablePointer<Double>) {
    let lo0 = range.lowerBound
    var deaths = Fenwick(size: size)
    var nextStart = 0
    var i = range.upperBound - 1
    while i >= lo0 {
      var lo = i
      while lo > lo0 && stop[lo - 1] == stop[i] { lo -= 1 }
      var hasDeaths = false
      for j in lo...i {
        if status[j] == 1 {
          hasDeaths = true
        } else {
          let s = deaths.split(Int(rank[j - lo0]))  // enters
          difference[j - lo0] -= s.less - s.greater
          total[j - lo0] -= s.less + s.greater + s.equal
        }
      }
      if hasDeaths {
        if let start {
          let t = stop[lo]
          while nextStart < startOrder.count && start[startOrder[nextStart]] >= t {
            let j = startOrder[nextStart]
            let s = deaths.split(Int(rank[j - lo0]))  // leaves
            difference[j - lo0] += s.less - s.greater
            total[j - lo0] += s.less + s.greater + s.equal
            nextStart += 1
          }
        }
        for j in lo...i where status[j] == 1 { deaths.add(Int(rank[j - lo0]), weight[j]) }
        for j in lo...i where status[j] == 1 {
          let s = deaths.split(Int(rank[j - lo0]))  // enters
          difference[j - lo0] -= s.less - s.greater
          total[j - lo0] -= s.less + s.greater + s.equal
        }
      }
      i = lo - 1
    }
    let leaving: [Int] = start != nil ? Array(startOrder[nextStart...]) : Array(range)
    for j in leaving {
      let s = deaths.split(Int(rank[j - lo0]))
      difference[j - lo0] += s.less - s.greater
      total[j - lo0] += s.less + s.greater + s.equal
    }
  }
}

/// The counts of the risk-set side, handed back from its thread.
private final class CountsBox: @unchecked Sendable {
  var values = [0.0, 0.0, 0.0]
}

/// A pointer handed to a worker thread that alone writes through it.
private struct SharedPointer: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<Double>
  init(_ pointer: UnsafeMutablePointer<Double>) { self.pointer = pointer }
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

  /// Σ of weights at ranks ≥ r.
  @inline(__always)
  func suffix(_ r: Int) -> Double { total - prefix(r) }

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
