import ModelFrame
import Tabular

/// A survival response split into parts (curves, or strata), each sorted by
/// stop time, with near-ties merged across all parts (R's `aeqSurv` looks at
/// every time of the data set).
///
/// Order of work, chosen for memory locality at 10⁷ rows: a stable counting
/// partition by part (sequential), then per part a radix sort of the stop
/// times carrying (row, tag) — the tag holds the status and, for the
/// log-rank test, the group — so the kernels receive contiguous arrays without
/// a random-access gather; only case weights and entry times are gathered
/// through the row index, and only when present.
struct SortedSurvivalData {
  var parts: [CurveData]

  /// - Parameters:
  ///   - partCodes: part of each row, 0..<partCount.
  ///   - tags: a small non-negative integer per row carried through the sort
  ///     (status, or status | group << 1); `nil` means the status alone.
  /// - Throws: `InputError` when merging near-tied times leaves an interval
  ///   (start, stop] of length zero (R: "aeqSurv exception").
  init(response: SurvivalResponse, weights: [Double]?, partCodes: [Int32], partCount: Int,
       tags: [UInt32]? = nil, timeFix: Bool, source: String) throws {
    let n = response.count
    var counts = [Int](repeating: 0, count: partCount)
    for c in partCodes { counts[Int(c)] += 1 }
    // Where each part's rows go in one array of keys and one of payloads.
    var offsets = [Int](repeating: 0, count: partCount + 1)
    for k in 0..<partCount { offsets[k + 1] = offsets[k] + counts[k] }
    var allKeys = [UInt64](unsafeUninitializedCapacity: n) { _, c in c = n }
    var allPayload = [UInt64](unsafeUninitializedCapacity: n) { _, c in c = n }
    var next = Array(offsets.dropLast())
    response.stop.withUnsafeBufferPointer { stop in
      response.status.withUnsafeBufferPointer { status in
        for i in 0..<n {
          let part = Int(partCodes[i])
          let at = next[part]
          next[part] = at + 1
          allKeys[at] = RadixSort.sortable(stop[i])
          let tag = tags?[i] ?? (status[i] == 1 ? 1 : 0)
          allPayload[at] = UInt64(UInt32(i)) | UInt64(tag) << 32
        }
      }
    }

    // Each part is sorted in place in the shared arrays (one pair of
    // scratch buffers for all parts, no per-part copies).
    RadixSort.sort(keys: &allKeys, payload: &allPayload, ranges: (0..<partCount).map { offsets[$0]..<offsets[$0 + 1] })

    var parts: [CurveData] = []
    parts.reserveCapacity(partCount)
    for part in 0..<partCount {
      let keys = allKeys[offsets[part]..<offsets[part + 1]]
      let payload = allPayload[offsets[part]..<offsets[part + 1]]
      var data = CurveData(stop: keys.map(RadixSort.double(fromSortable:)),
                           status: payload.map { Double(($0 >> 32) & 1) },
                           weight: [], start: nil, startOrder: nil,
                           tag: tags == nil ? nil : payload.map { UInt32(truncatingIfNeeded: $0 >> 32) },
                           rows: payload.map { Int32(truncatingIfNeeded: $0) })
      if let weights {
        data.weight = data.rows.map { weights[Int($0)] }
      }
      if let start = response.start {
        let s = data.rows.map { start[Int($0)] }
        data.start = s
        data.startOrder = RadixSort.order(s)
      }
      parts.append(data)
    }
    if timeFix {
      var sequences = parts.map(\.stop)
      var startSequences: [[Double]] = []
      if response.start != nil {
        startSequences = parts.map { p in p.startOrder!.map { p.start![Int($0)] } }
        sequences.append(contentsOf: startSequences)
      }
      if TimeFix.apply(to: &sequences) {
        for k in parts.indices {
          parts[k].stop = sequences[k]
          if response.start != nil {
            let sorted = sequences[parts.count + k]
            for (j, i) in parts[k].startOrder!.enumerated() { parts[k].start![Int(i)] = sorted[j] }
            for (i, start) in parts[k].start!.enumerated() where !(start < parts[k].stop[i]) {
              let row = Int(parts[k].rows[i])
              throw InputError(InputLocation(source: source),
                               "the interval (\(RNumberText.format(response.start![row])), \(RNumberText.format(response.stop[row]))] has length 0 once near-tied times are merged (R's aeqSurv), expected start and stop further apart than 1.5e-8")
            }
          }
        }
      }
    }
    self.parts = parts
  }
}

/// Contiguous arrays of one curve or stratum, sorted by stop time, as the
/// kernels take them.
struct CurveData {
  var stop: [Double]
  var status: [Double]
  /// Case weights; empty means every weight is 1.
  var weight: [Double]
  var start: [Double]?
  /// Sorts `start` ascending.
  var startOrder: [Int32]?
  /// The tags given to `SortedSurvivalData`, in this order.
  var tag: [UInt32]?
  /// Row of the model frame of each element.
  var rows: [Int32]

  var count: Int { stop.count }
  var weights: [Double] { weight.isEmpty ? [Double](repeating: 1, count: stop.count) : weight }
}
