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
    let n = keys.count
    precondition(payload.count == n)
    if n < 2 { return }
    // Every element is written by the first pass that runs, so no zero fill.
    var keyScratch = [UInt64](unsafeUninitializedCapacity: n) { _, count in count = n }
    var payloadScratch = [UInt64](unsafeUninitializedCapacity: n) { _, count in count = n }
    var counts = [Int](repeating: 0, count: buckets)
    var shift: UInt64 = 0
    while shift < 64 {
      let mask = UInt64(buckets - 1)
      for k in 0..<buckets { counts[k] = 0 }
      let first = Int((keys[0] >> shift) & mask)
      var constant = true
      keys.withUnsafeBufferPointer { kb in
        counts.withUnsafeMutableBufferPointer { c in
          for i in 0..<n {
            let d = Int((kb[i] >> shift) & mask)
            c[d] += 1
            if d != first { constant = false }
          }
        }
      }
      if !constant {
        var total = 0
        for k in 0..<buckets {
          let c = counts[k]
          counts[k] = total
          total += c
        }
        keys.withUnsafeBufferPointer { kb in
          payload.withUnsafeBufferPointer { pb in
            keyScratch.withUnsafeMutableBufferPointer { ks in
              payloadScratch.withUnsafeMutableBufferPointer { ps in
                counts.withUnsafeMutableBufferPointer { c in
                  for i in 0..<n {
                    let key = kb[i]
                    let d = Int((key >> shift) & mask)
                    let at = c[d]
                    ks[at] = key
                    ps[at] = pb[i]
                    c[d] = at + 1
                  }
                }
              }
            }
          }
        }
        swap(&keys, &keyScratch)
        swap(&payload, &payloadScratch)
      }
      shift += digitBits
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
