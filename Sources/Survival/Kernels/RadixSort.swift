/// Stable least-significant-digit radix sort of 64-bit keys carrying a 64-bit
/// payload: O(n), against O(n log n) comparisons, which matters at 10⁷ rows.
/// Keys and payloads move together, so every pass reads and writes memory
/// sequentially (an index-only sort that looks keys up through the index
/// misses the cache on every element). 11-bit digits (6 passes for 64 bits);
/// a pass whose digit is the same for every key is skipped.
enum RadixSort {
  private static let digitBits: UInt64 = 11
  private static let buckets = 1 << 11

  /// Sorts `keys` ascending, stably, permuting `payload` the same way.
  static func sort(keys: inout [UInt64], payload: inout [UInt64]) {
    sort(keys: &keys, payload: &payload, ranges: [0..<keys.count])
  }

  /// Sorts each range of `keys` (and `payload` alongside) on its own, in
  /// place, with one pair of scratch buffers as long as the longest range:
  /// no memory is freshly touched per range.
  static func sort(keys: inout [UInt64], payload: inout [UInt64], ranges: [Range<Int>]) {
    precondition(payload.count == keys.count)
    let longest = ranges.map(\.count).max() ?? 0
    if longest < 2 { return }
    var keyScratch = [UInt64](unsafeUninitializedCapacity: longest) { _, count in count = longest }
    var payloadScratch = [UInt64](unsafeUninitializedCapacity: longest) { _, count in count = longest }
    keys.withUnsafeMutableBufferPointer { k in
      payload.withUnsafeMutableBufferPointer { p in
        keyScratch.withUnsafeMutableBufferPointer { ks in
          payloadScratch.withUnsafeMutableBufferPointer { ps in
            for range in ranges {
              sort(keys: UnsafeMutableBufferPointer(rebasing: k[range]), payload: UnsafeMutableBufferPointer(rebasing: p[range]),
                   keyScratch: ks, payloadScratch: ps)
            }
          }
        }
      }
    }
  }

  /// Sorts `keys` (and `payload` alongside) in place, using the scratch
  /// buffers (at least as long) for the passes.
  ///
  /// One read of the keys counts every digit's histogram at once; then each
  /// pass whose digit varies scatters keys and payloads (a digit that is the
  /// same for every key, as the high digits of whole-day times, costs
  /// nothing beyond that first read).
  private static func sort(keys: UnsafeMutableBufferPointer<UInt64>, payload: UnsafeMutableBufferPointer<UInt64>,
                   keyScratch: UnsafeMutableBufferPointer<UInt64>, payloadScratch: UnsafeMutableBufferPointer<UInt64>) {
    let n = keys.count
    precondition(payload.count == n && keyScratch.count >= n && payloadScratch.count >= n)
    if n < 2 { return }
    let passes = Int((64 + digitBits - 1) / digitBits)
    let mask = UInt64(buckets - 1)
    var counts = [Int](repeating: 0, count: buckets * passes)
    counts.withUnsafeMutableBufferPointer { c in
      for i in 0..<n {
        var key = keys[i]
        for p in 0..<passes {
          c[p * buckets + Int(key & mask)] += 1
          key >>= digitBits
        }
      }
    }
    var source = (keys: keys.baseAddress!, payload: payload.baseAddress!)
    var target = (keys: keyScratch.baseAddress!, payload: payloadScratch.baseAddress!)
    for p in 0..<passes {
      let base = p * buckets
      let first = Int((source.keys[0] >> (UInt64(p) * digitBits)) & mask)
      if counts[base + first] == n { continue }  // one value of this digit
      var total = 0
      for k in base..<(base + buckets) {
        let c = counts[k]
        counts[k] = total
        total += c
      }
      let shift = UInt64(p) * digitBits
      counts.withUnsafeMutableBufferPointer { c in
        let offsets = c.baseAddress! + base
        for i in 0..<n {
          let key = source.keys[i]
          let d = Int((key >> shift) & mask)
          let at = offsets[d]
          target.keys[at] = key
          target.payload[at] = source.payload[i]
          offsets[d] = at + 1
        }
      }
      swap(&source, &target)
    }
    if source.keys != keys.baseAddress! {
      keys.baseAddress!.update(from: source.keys, count: n)
      payload.baseAddress!.update(from: source.payload, count: n)
    }
  }

  /// Indices `order` with `values[order[0]] ≤ values[order[1]] ≤ …`, ties in index order.
  static func order(_ values: [Double]) -> [Int32] {
    var keys = values.map(sortable)
    var payload = (0..<UInt64(values.count)).map { $0 }
    sort(keys: &keys, payload: &payload)
    return payload.map { Int32(truncatingIfNeeded: $0) }
  }

  /// Maps a double to an unsigned integer with the same order (NaN excluded;
  /// `-0.0` maps as `0.0`).
  @inline(__always)
  static func sortable(_ x: Double) -> UInt64 {
    let b = (x + 0.0).bitPattern
    return b & (1 << 63) != 0 ? ~b : b | (1 << 63)
  }

  /// The inverse of `sortable`.
  @inline(__always)
  static func double(fromSortable k: UInt64) -> Double {
    Double(bitPattern: k & (1 << 63) != 0 ? k & ~(1 << 63) : ~k)
  }
}
