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
  enum Walk { case automatic, byTime, byScore, byMerge }

  static func accumulate(range: Range<Int>, stop: [Double], start: [Double]?, status: [Double],
                         weight: [Double], score: [Double],
                         difference: inout [Double], total: inout [Double], walk: Walk = .automatic) -> [Double] {
    if range.isEmpty { return [0, 0, 0] }
    let lo0 = range.lowerBound
    let m = range.count
    // Right-censored data with many distinct times: a merge sort over the
    // timeline (sequential memory access; a Fenwick walk misses the cache on
    // every level once the trees outgrow it). Few distinct times: by score.
    if start == nil && walk != .byTime && walk != .byScore {
      var times = 0
      for i in range where i == lo0 || stop[i] != stop[i - 1] { times += 1 }
      if walk == .byMerge || times > 256 {
        return byMerge(range: range, stop: stop, status: status, weight: weight, score: score,
                       difference: &difference, total: &total)
      }
    }
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

  /// One row in the merge sort: its score and weight, whether it is an
  /// event, its place in the range, and its pairs so far.
  fileprivate struct MergeRecord {
    var score: Double
    var weight: Double
    var difference: Double
    var index: Int32
    /// 1 for an event, 0 for a censored row.
    var eventFlag: Int32
    var event: Bool { eventFlag != 0 }
  }

  /// Right-censored counts and influences by divide and conquer over the
  /// timeline. Rows are laid out by time, events before censored rows within
  /// a time; a range is split at the time boundary nearest its middle, each
  /// half sorted by score recursively, and the comparable pairs across the
  /// split (an event on the left, any row on the right, whose time is later)
  /// counted while the halves are merged by score. Within one time, events
  /// are paired with the censored rows (at risk for them), never with each
  /// other (tied on y). Small ranges count their pairs directly. The two top
  /// halves run on two threads; every pass reads and writes memory in order
  /// (the two buffers swap roles level by level, nothing is copied back).
  /// Only the differences need the scores: the totals (every pair a row takes
  /// part in) come from prefix sums over the timeline.
  private static func byMerge(range: Range<Int>, stop: [Double], status: [Double], weight: [Double],
                              score: [Double], difference: inout [Double], total: inout [Double]) -> [Double] {
    let lo0 = range.lowerBound
    let m = range.count
    var records: [MergeRecord] = []
    records.reserveCapacity(m)
    var groupStarts: [Int] = []
    // Prefix sums of the weights and of the events' weights, in layout order:
    // the totals of any range, whatever order its records are in by then.
    var weightBefore: [Double] = [0]
    var eventsBefore: [Double] = [0]
    weightBefore.reserveCapacity(m + 1)
    eventsBefore.reserveCapacity(m + 1)
    var i = lo0
    while i < range.upperBound {
      var j = i
      while j < range.upperBound && stop[j] == stop[i] { j += 1 }
      groupStarts.append(records.count)
      for pass in 0..<2 {
        for k in i..<j where (status[k] == 1) == (pass == 0) {
          let event = pass == 0
          records.append(MergeRecord(score: score[k], weight: weight[k], difference: 0,
                                     index: Int32(k - lo0), eventFlag: event ? 1 : 0))
          weightBefore.append(weightBefore[weightBefore.count - 1] + weight[k])
          eventsBefore.append(eventsBefore[eventsBefore.count - 1] + (event ? weight[k] : 0))
        }
      }
      i = j
    }
    groupStarts.append(m)
    var other = records
    var counts = [0.0, 0.0, 0.0]
    records.withUnsafeMutableBufferPointer { rec in
    other.withUnsafeMutableBufferPointer { oth in
    groupStarts.withUnsafeBufferPointer { starts in
    weightBefore.withUnsafeBufferPointer { wb in
    eventsBefore.withUnsafeBufferPointer { eb in
      let layout = MergeLayout(starts: starts.baseAddress!, weightBefore: wb.baseAddress!, eventsBefore: eb.baseAddress!)
      let target = SharedRecords(rec.baseAddress!), scratch = SharedRecords(oth.baseAddress!)
      let groups = starts.count - 1
      if groups >= 2 && m >= 1 << 12 {
        let middle = splitGroup(layout, 0, groups)
        let partial = CountsPair()
        DispatchQueue.concurrentPerform(iterations: 2) { side in
          var c = (0.0, 0.0, 0.0)
          if side == 0 {
            mergeSolve(from: target.pointer, into: scratch.pointer, layout, 0, middle, &c)
          } else {
            mergeSolve(from: target.pointer, into: scratch.pointer, layout, middle, groups, &c)
          }
          partial.store(side, c)
        }
        var c = (0.0, 0.0, 0.0)
        crossMerge(from: scratch.pointer, into: target.pointer, layout, starts[0], starts[middle], starts[groups], &c)
        counts = [partial.left.0 + partial.right.0 + c.0, partial.left.1 + partial.right.1 + c.1,
                  partial.left.2 + partial.right.2 + c.2]
      } else {
        var c = (0.0, 0.0, 0.0)
        mergeSolve(from: scratch.pointer, into: target.pointer, layout, 0, groups, &c)
        counts = [c.0, c.1, c.2]
      }
    }}}}}
    for record in records { difference[lo0 + Int(record.index)] += record.difference }
    // The totals do not depend on the scores: an event meets every row after
    // its time and the censored rows at it; a row at risk meets the events
    // before its time (and, censored, those at it).
    // In layout positions: a group's events come first, then its censored rows.
    let all = weightBefore[m]
    var position = 0
    i = lo0
    while i < range.upperBound {
      var j = i
      var events = 0
      while j < range.upperBound && stop[j] == stop[i] {
        if status[j] == 1 { events += 1 }
        j += 1
      }
      let firstCensored = position + events
      let eventSide = all - weightBefore[firstCensored]
      let eventsBeforeGroup = eventsBefore[position], eventsThrough = eventsBefore[firstCensored]
      for k in i..<j {
        total[k] += status[k] == 1 ? eventSide + eventsBeforeGroup : eventsThrough
      }
      position += j - i
      i = j
    }
    return counts
  }

  /// Group boundaries and prefix sums of the laid-out timeline.
  private struct MergeLayout: @unchecked Sendable {
    let starts: UnsafePointer<Int>
    let weightBefore: UnsafePointer<Double>
    let eventsBefore: UnsafePointer<Double>
  }

  /// The group index splitting groups g0..<g1 (two or more) nearest the middle row.
  private static func splitGroup(_ layout: MergeLayout, _ g0: Int, _ g1: Int) -> Int {
    let starts = layout.starts
    let middle = (starts[g0] + starts[g1]) / 2
    var lo = g0 + 1, hi = g1 - 1
    while lo < hi {
      let mid = (lo + hi) / 2
      if starts[mid] < middle { lo = mid + 1 } else { hi = mid }
    }
    if lo > g0 + 1 && middle - starts[lo - 1] < starts[lo] - middle { return lo - 1 }
    return lo
  }

  /// Groups g0..<g1, whose records are the same (in the same order) in both
  /// buffers, end up sorted by score in `into`, their pairs counted.
  private static func mergeSolve(from source: UnsafeMutablePointer<MergeRecord>,
                                 into target: UnsafeMutablePointer<MergeRecord>,
                                 _ layout: MergeLayout, _ g0: Int, _ g1: Int, _ c: inout (Double, Double, Double)) {
    let lo = layout.starts[g0], hi = layout.starts[g1]
    if hi - lo <= 8 {
      // Every pair directly: record i (an event) and a later record j are
      // comparable unless j is an event of the same time. (No branch on the
      // scores: adding a zero leaves every sum as it is.)
      var c0 = c.0, c1 = c.1, c2 = c.2
      for g in g0..<g1 {
        let groupEnd = layout.starts[g + 1]
        var firstCensored = layout.starts[g]
        while firstCensored < groupEnd && target[firstCensored].event { firstCensored += 1 }
        for i in layout.starts[g]..<firstCensored {
          let si = target[i].score, wi = target[i].weight
          var di = 0.0
          for k in firstCensored..<hi {
            let sk = target[k].score, wk = target[k].weight
            let greater: Double = sk > si ? 1 : 0
            let less: Double = sk < si ? 1 : 0
            let pair = wi * wk
            c0 += pair * greater
            c1 += pair * less
            c2 += pair * (1 - greater - less)
            di += wk * (greater - less)
            target[k].difference += wi * (greater - less)
          }
          target[i].difference += di
        }
      }
      c = (c0, c1, c2)
      insertionSort(target, lo, hi)
      return
    }
    if g1 - g0 == 1 {
      // One time: its events (sorted by score) against its censored rows.
      var split = lo
      while split < hi && target[split].event { split += 1 }
      sortByScore(from: source, into: target, lo, split)
      sortByScore(from: source, into: target, split, hi)
      if split > lo && split < hi {
        (source + lo).update(from: target + lo, count: hi - lo)
        crossMerge(from: source, into: target, layout, lo, split, hi, &c)
      }
      return
    }
    let middle = splitGroup(layout, g0, g1)
    mergeSolve(from: target, into: source, layout, g0, middle, &c)
    mergeSolve(from: target, into: source, layout, middle, g1, &c)
    crossMerge(from: source, into: target, layout, lo, layout.starts[middle], hi, &c)
  }

  /// Records lo..<hi sorted by score in place (short runs).
  private static func insertionSort(_ r: UnsafeMutablePointer<MergeRecord>, _ lo: Int, _ hi: Int) {
    if hi - lo < 2 { return }
    for a in (lo + 1)..<hi {
      let x = r[a]
      var b = a
      while b > lo && r[b - 1].score > x.score { r[b] = r[b - 1]; b -= 1 }
      r[b] = x
    }
  }

  /// Records lo..<hi, the same in both buffers, sorted by score into `target`.
  private static func sortByScore(from source: UnsafeMutablePointer<MergeRecord>,
                                  into target: UnsafeMutablePointer<MergeRecord>, _ lo: Int, _ hi: Int) {
    if hi - lo <= 32 {
      insertionSort(target, lo, hi)
      return
    }
    let mid = (lo + hi) / 2
    sortByScore(from: target, into: source, lo, mid)
    sortByScore(from: target, into: source, mid, hi)
    var a = lo, b = mid, o = lo
    while a < mid && b < hi {
      if source[b].score < source[a].score { target[o] = source[b]; b += 1 } else { target[o] = source[a]; a += 1 }
      o += 1
    }
    while a < mid { target[o] = source[a]; a += 1; o += 1 }
    while b < hi { target[o] = source[b]; b += 1; o += 1 }
  }

  /// Merges the score-sorted runs lo..<mid (earlier times) and mid..<hi
  /// (later times) of `source` into `target`, counting every pair of an event
  /// on the left with a row on the right. For each run of equal scores: a
  /// left event meets the right weight below it (less), the run's right
  /// weight (equal) and the rest (greater); a right row likewise meets the
  /// left events.
  private static func crossMerge(from source: UnsafeMutablePointer<MergeRecord>,
                                 into target: UnsafeMutablePointer<MergeRecord>, _ layout: MergeLayout,
                                 _ lo: Int, _ mid: Int, _ hi: Int, _ c: inout (Double, Double, Double)) {
    let rightTotal = layout.weightBefore[hi] - layout.weightBefore[mid]
    let leftEvents = layout.eventsBefore[mid] - layout.eventsBefore[lo]
    var a = lo, b = mid, o = lo
    var rightBelow = 0.0, eventsBelow = 0.0
    var c0 = c.0, c1 = c.1, c2 = c.2
    while a < mid && b < hi {
      let sa = source[a].score, sb = source[b].score
      if sa < sb {
        // A left record below every remaining right one.
        var x = source[a]
        if x.event {
          let greater = rightTotal - rightBelow
          x.difference += greater - rightBelow
          c0 += x.weight * greater
          c1 += x.weight * rightBelow
          eventsBelow += x.weight
        }
        target[o] = x
        o += 1; a += 1
      } else if sb < sa {
        // A right record below every remaining left one.
        var x = source[b]
        let greater = leftEvents - eventsBelow
        x.difference += eventsBelow - greater
        target[o] = x
        o += 1; b += 1
        rightBelow += x.weight
      } else {
        // A run of equal scores on both sides.
        let v = sa
        var aEnd = a, eventsEqual = 0.0
        while aEnd < mid && source[aEnd].score == v {
          if source[aEnd].event { eventsEqual += source[aEnd].weight }
          aEnd += 1
        }
        var bEnd = b, rightEqual = 0.0
        while bEnd < hi && source[bEnd].score == v { rightEqual += source[bEnd].weight; bEnd += 1 }
        let greater = rightTotal - rightBelow - rightEqual
        for k in a..<aEnd {
          var x = source[k]
          if x.event {
            x.difference += greater - rightBelow
            c0 += x.weight * greater
            c1 += x.weight * rightBelow
            c2 += x.weight * rightEqual
          }
          target[o] = x
          o += 1
        }
        let eventsGreater = leftEvents - eventsBelow - eventsEqual
        for k in b..<bEnd {
          var x = source[k]
          x.difference += eventsBelow - eventsGreater
          target[o] = x
          o += 1
        }
        rightBelow += rightEqual
        eventsBelow += eventsEqual
        a = aEnd
        b = bEnd
      }
    }
    // What is left on one side lies above everything left on the other.
    while a < mid {
      var x = source[a]
      if x.event {
        x.difference -= rightBelow
        c1 += x.weight * rightBelow
      }
      target[o] = x
      o += 1; a += 1
    }
    while b < hi {
      var x = source[b]
      x.difference += eventsBelow
      target[o] = x
      o += 1; b += 1
    }
    c = (c0, c1, c2)
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

/// The records handed to the two threads, which touch disjoint ranges.
private struct SharedRecords: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<ConcordanceKernel.MergeRecord>
  init(_ pointer: UnsafeMutablePointer<ConcordanceKernel.MergeRecord>) { self.pointer = pointer }
}

/// The two halves' counts, each written once by its own thread.
private final class CountsPair: @unchecked Sendable {
  var left = (0.0, 0.0, 0.0), right = (0.0, 0.0, 0.0)
  func store(_ side: Int, _ c: (Double, Double, Double)) {
    if side == 0 { left = c } else { right = c }
  }
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
