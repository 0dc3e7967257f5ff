/// The risk-set structure of Cox data: rows sorted by stratum and then by
/// stop time, with the tied blocks of event times located once, so that every
/// Newton iteration only sweeps arrays.
///
/// Contract:
/// - `stop`, `status` (0/1), `weight` (> 0) and optionally `start` are in the
///   sorted row order; `strata` are contiguous row ranges.
/// - A block is the set of rows of one stratum sharing one stop time at
///   which at least one event occurs. Its risk set is every row of the
///   stratum with stop ≥ t (minus, for counting-process data, those with
///   start ≥ t).
/// - `firstBlockAfterStop[j]` is the index of the first block of row j's
///   stratum with time > stop_j (so the blocks j is at risk for end there);
///   `firstBlockAfterStart[j]` the same for start_j (blocks with time ≤ start_j
///   do not count). For right-censored data it is the stratum's first block.
struct CoxRiskSets {
  struct Block {
    var stratum: Int
    var time: Double
    /// Rows with stop == time.
    var rows: Range<Int>
    /// Number of events among them.
    var deaths: Int
  }

  let n: Int
  let stop: [Double]
  let start: [Double]?
  let status: [Double]
  let weight: [Double]
  let strata: [Range<Int>]
  let blocks: [Block]
  /// Block indices of each stratum.
  let blockRanges: [Range<Int>]
  /// Per stratum, rows ordered by decreasing start (counting-process data).
  let startOrder: [Int32]?
  let firstBlockAfterStop: [Int32]
  let firstBlockAfterStart: [Int32]

  /// Each row's `offset()`, added to its linear predictor.
  let offset: [Double]?

  init(stop: [Double], start: [Double]?, status: [Double], weight: [Double], strata: [Range<Int>], offset: [Double]? = nil) {
    n = stop.count
    self.offset = offset
    self.stop = stop
    self.start = start
    self.status = status
    self.weight = weight
    self.strata = strata
    var blocks: [Block] = []
    var blockRanges: [Range<Int>] = []
    var afterStop = [Int32](repeating: 0, count: stop.count)
    for (s, range) in strata.enumerated() {
      let first = blocks.count
      var i = range.lowerBound
      while i < range.upperBound {
        var j = i
        var deaths = 0
        while j < range.upperBound && stop[j] == stop[i] {
          if status[j] == 1 { deaths += 1 }
          j += 1
        }
        if deaths > 0 { blocks.append(Block(stratum: s, time: stop[i], rows: i..<j, deaths: deaths)) }
        for k in i..<j { afterStop[k] = Int32(blocks.count) }
        i = j
      }
      blockRanges.append(first..<blocks.count)
    }
    self.blocks = blocks
    self.blockRanges = blockRanges
    firstBlockAfterStop = afterStop
    if let start {
      var order = [Int32](repeating: 0, count: stop.count)
      var afterStart = [Int32](repeating: 0, count: stop.count)
      for (s, range) in strata.enumerated() {
        let rows = Array(range)
        let sorted = rows.sorted { start[$0] > start[$1] || (start[$0] == start[$1] && $0 < $1) }
        for (k, r) in sorted.enumerated() { order[range.lowerBound + k] = Int32(r) }
        // Blocks with time ≤ start_j: binary search in the stratum's blocks.
        let br = blockRanges[s]
        for r in rows {
          var lo = br.lowerBound, hi = br.upperBound
          while lo < hi {
            let mid = (lo + hi) / 2
            if blocks[mid].time <= start[r] { lo = mid + 1 } else { hi = mid }
          }
          afterStart[r] = Int32(lo)
        }
      }
      startOrder = order
      firstBlockAfterStart = afterStart
    } else {
      startOrder = nil
      var afterStart = [Int32](repeating: 0, count: stop.count)
      for (s, range) in strata.enumerated() {
        for r in range { afterStart[r] = Int32(blockRanges[s].lowerBound) }
      }
      firstBlockAfterStart = afterStart
    }
  }

  var isCountingProcess: Bool { start != nil }
}
