import ModelFrame

/// A survival response sorted once by stop time, near-ties merged, and
/// partitioned by group with the time order kept inside each group
/// (a stable counting sort): O(n) for any number of groups.
struct SortedSurvivalData {
  var stop: [Double]
  var start: [Double]?
  var status: [Double]
  var weight: [Double]
  /// Row indices sorted by stop time.
  var order: [Int32]

  init(response: SurvivalResponse, weights: [Double], timeFix: Bool) {
    var stop = response.stop
    var start = response.start
    let order = RadixSort.order(stop)
    if timeFix {
      var sequences = [order.map { stop[Int($0)] }]
      var startOrder: [Int32] = []
      if let s = start {
        startOrder = RadixSort.order(s)
        sequences.append(startOrder.map { s[Int($0)] })
      }
      if TimeFix.apply(to: &sequences) {
        for (k, i) in order.enumerated() { stop[Int(i)] = sequences[0][k] }
        if var s = start {
          for (k, i) in startOrder.enumerated() { s[Int(i)] = sequences[1][k] }
          start = s
        }
      }
    }
    self.stop = stop
    self.start = start
    self.status = response.status
    self.weight = weights
    self.order = order
  }

  /// The rows of each group, each in stop-time order.
  func partition(codes: [Int32], groups: Int) -> [[Int32]] {
    var counts = [Int](repeating: 0, count: groups)
    for c in codes { counts[Int(c)] += 1 }
    var parts = counts.map { n -> [Int32] in
      var a: [Int32] = []
      a.reserveCapacity(n)
      return a
    }
    for i in order { parts[Int(codes[Int(i)])].append(i) }
    return parts
  }

  /// One group's data, gathered in stop-time order (so `stopOrder` is the identity).
  func curve(rows: [Int32]) -> CurveData {
    let m = rows.count
    var data = CurveData(stop: [], status: [], weight: [], start: nil,
                         stopOrder: (0..<Int32(m)).map { $0 }, startOrder: nil)
    data.stop = rows.map { stop[Int($0)] }
    data.status = rows.map { status[Int($0)] }
    data.weight = rows.map { weight[Int($0)] }
    if let start {
      let s = rows.map { start[Int($0)] }
      data.start = s
      data.startOrder = RadixSort.order(s)
    }
    return data
  }
}

/// Contiguous arrays of one curve, as the kernels take them.
struct CurveData {
  var stop: [Double]
  var status: [Double]
  var weight: [Double]
  var start: [Double]?
  var stopOrder: [Int32]
  var startOrder: [Int32]?
}
