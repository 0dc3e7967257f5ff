/// The shortest decimal text that reads back to the same double — the same
/// digits and layout as Swift's `Double.description` (`0.97826086956521741`
/// becomes `0.9782608695652174`, `2.5e-05`, `1e+16`) — written into a caller's
/// buffer without allocating, for output of 10⁷ numbers.
///
/// The digits are Ryū's (Adams 2018, doi:10.1145/3192366.3192369): the
/// interval of decimals that round to the double is scaled by a 125-bit
/// approximation of 5^±q and the shortest member (closest to the double,
/// ties to even) is kept. The tables of powers of 5 are computed exactly
/// once, with a small big-integer routine, instead of being pasted in.
/// `Double.description` is the test oracle (every field, millions of values).
///
/// Why not `description`: it allocates a `String` for every number longer
/// than 15 bytes, which made `--format json` of a million-step curve three
/// times slower than the fit.
enum ShortestDouble {
  static let pow5InverseBits: Int32 = 125
  static let pow5Bits: Int32 = 125

  struct Tables: @unchecked Sendable {
    /// ⌊2^(bitlength(5^i) − 1 + 125) / 5^i⌋ + 1, i < 342, as (low, high) 64-bit halves.
    let inverse: UnsafeMutablePointer<(UInt64, UInt64)>
    /// The top 125 bits of 5^i, i < 326.
    let power: UnsafeMutablePointer<(UInt64, UInt64)>
  }

  /// Computed once and kept for the process (raw memory: no reference
  /// counting on the path of every number).
  static let tables: Tables = makeTables()

  /// Writes a finite, non-integral `value` (|value| < 2⁵², where Swift's
  /// layout is fixed or, below 10⁻⁴, exponential) and returns the number of
  /// bytes; at most 32.
  static func write(_ value: Double, to out: UnsafeMutablePointer<UInt8>) -> Int {
    let bits = value.bitPattern
    let sign = (bits >> 63) != 0
    let ieeeMantissa = bits & ((1 << 52) - 1)
    let ieeeExponent = UInt32((bits >> 52) & 0x7FF)
    var n = 0
    if sign { out[0] = UInt8(ascii: "-"); n = 1 }
    if ieeeExponent == 0 && ieeeMantissa == 0 {
      // ±0 (callers print 0 as an integer; -0 lands here only through them too).
      out[n] = UInt8(ascii: "0"); out[n + 1] = UInt8(ascii: "."); out[n + 2] = UInt8(ascii: "0")
      return n + 3
    }
    let (digits, exponent) = decimal(mantissa: ieeeMantissa, exponent: ieeeExponent)
    return n + layout(digits: digits, exponent: exponent, into: out + n)
  }

  /// digits × 10^exponent, the shortest decimal in the rounding interval.
  static func decimal(mantissa ieeeMantissa: UInt64, exponent ieeeExponent: UInt32) -> (UInt64, Int32) {
    let e2: Int32
    let m2: UInt64
    if ieeeExponent == 0 {
      e2 = 1 - 1023 - 52 - 2
      m2 = ieeeMantissa
    } else {
      e2 = Int32(ieeeExponent) - 1023 - 52 - 2
      m2 = (1 << 52) | ieeeMantissa
    }
    let acceptBounds = (m2 & 1) == 0
    let mv = 4 * m2
    let mmShift: UInt64 = (ieeeMantissa != 0 || ieeeExponent <= 1) ? 1 : 0
    var vr: UInt64, vp: UInt64, vm: UInt64
    let e10: Int32
    var vmIsTrailingZeros = false, vrIsTrailingZeros = false
    if e2 >= 0 {
      let q = Int32(log10Pow2(e2)) - (e2 > 3 ? 1 : 0)
      e10 = q
      let k = pow5InverseBits + pow5bits(q) - 1
      let i = -e2 + q + k
      let mul = tables.inverse[Int(q)]
      vr = mulShift(4 * m2, mul, i)
      vp = mulShift(4 * m2 + 2, mul, i)
      vm = mulShift(4 * m2 - 1 - mmShift, mul, i)
      if q <= 21 {
        if mv % 5 == 0 {
          vrIsTrailingZeros = multipleOfPowerOf5(mv, q)
        } else if acceptBounds {
          vmIsTrailingZeros = multipleOfPowerOf5(mv - 1 - mmShift, q)
        } else if multipleOfPowerOf5(mv + 2, q) {
          vp -= 1
        }
      }
    } else {
      let q = Int32(log10Pow5(-e2)) - (-e2 > 1 ? 1 : 0)
      e10 = q + e2
      let i = -e2 - q
      let k = pow5bits(i) - pow5Bits
      let j = q - k
      let mul = tables.power[Int(i)]
      vr = mulShift(4 * m2, mul, j)
      vp = mulShift(4 * m2 + 2, mul, j)
      vm = mulShift(4 * m2 - 1 - mmShift, mul, j)
      if q <= 1 {
        vrIsTrailingZeros = true
        if acceptBounds { vmIsTrailingZeros = mmShift == 1 } else { vp -= 1 }
      } else if q < 63 {
        vrIsTrailingZeros = (mv & ((1 << UInt64(q)) - 1)) == 0
      }
    }
    var removed: Int32 = 0
    var lastRemovedDigit: UInt64 = 0
    let output: UInt64
    if vmIsTrailingZeros || vrIsTrailingZeros {
      while vp / 10 > vm / 10 {
        vmIsTrailingZeros = vmIsTrailingZeros && vm % 10 == 0
        vrIsTrailingZeros = vrIsTrailingZeros && lastRemovedDigit == 0
        lastRemovedDigit = vr % 10
        vr /= 10; vp /= 10; vm /= 10
        removed += 1
      }
      if vmIsTrailingZeros {
        while vm % 10 == 0 {
          vrIsTrailingZeros = vrIsTrailingZeros && lastRemovedDigit == 0
          lastRemovedDigit = vr % 10
          vr /= 10; vp /= 10; vm /= 10
          removed += 1
        }
      }
      if vrIsTrailingZeros && lastRemovedDigit == 5 && vr % 2 == 0 { lastRemovedDigit = 4 }
      output = vr + (((vr == vm && (!acceptBounds || !vmIsTrailingZeros)) || lastRemovedDigit >= 5) ? 1 : 0)
    } else {
      var roundUp = false
      if vp / 100 > vm / 100 {
        roundUp = vr % 100 >= 50
        vr /= 100; vp /= 100; vm /= 100
        removed += 2
      }
      while vp / 10 > vm / 10 {
        roundUp = vr % 10 >= 5
        vr /= 10; vp /= 10; vm /= 10
        removed += 1
      }
      output = vr + ((vr == vm || roundUp) ? 1 : 0)
    }
    return (output, e10 + removed)
  }

  /// Swift's layout: fixed notation from 10⁻⁴ up, else `d.ddde±XX`.
  static func layout(digits: UInt64, exponent: Int32, into out: UnsafeMutablePointer<UInt8>) -> Int {
    let count = decimalLength(digits)
    let scientific = Int(exponent) + count - 1
    if scientific >= -4 && scientific < 16 {
      if scientific < 0 {
        out[0] = UInt8(ascii: "0"); out[1] = UInt8(ascii: ".")
        var n = 2
        for _ in 0..<(-scientific - 1) { out[n] = UInt8(ascii: "0"); n += 1 }
        writeDigits(digits, count: count, to: out + n)
        return n + count
      }
      if scientific + 1 < count {
        // ddd.ddd: the digits, then the integer part moved left over the point.
        writeDigits(digits, count: count, to: out + 1)
        let whole = scientific + 1
        for k in 0..<whole { out[k] = out[k + 1] }
        out[whole] = UInt8(ascii: ".")
        return count + 1
      }
      // Whole digits then zeros (not reached for non-integers; kept for completeness).
      writeDigits(digits, count: count, to: out)
      var n = count
      for _ in 0..<(scientific + 1 - count) { out[n] = UInt8(ascii: "0"); n += 1 }
      out[n] = UInt8(ascii: "."); out[n + 1] = UInt8(ascii: "0")
      return n + 2
    }
    // d.ddde±XX
    writeDigits(digits, count: count, to: out + 1)
    out[0] = out[1]
    var n: Int
    if count > 1 { out[1] = UInt8(ascii: "."); n = count + 1 } else { n = 1 }
    out[n] = UInt8(ascii: "e"); n += 1
    out[n] = scientific < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"); n += 1
    let e = abs(scientific)
    if e >= 100 { out[n] = UInt8(truncatingIfNeeded: 48 + e / 100); n += 1 }
    out[n] = UInt8(truncatingIfNeeded: 48 + (e / 10) % 10); n += 1
    out[n] = UInt8(truncatingIfNeeded: 48 + e % 10); n += 1
    return n
  }

  /// Decimal digits of v (1 for 0).
  @inline(__always) static func decimalLength(_ v: UInt64) -> Int {
    var n = 1, p: UInt64 = 10
    while n < 20 && v >= p { n += 1; if n == 20 { break }; p &*= 10 }
    return n
  }

  /// "00" … "99".
  nonisolated(unsafe) static let pairs: UnsafeMutablePointer<UInt8> = {
    let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 200)
    for i in 0..<100 {
      p[2 * i] = UInt8(48 + i / 10)
      p[2 * i + 1] = UInt8(48 + i % 10)
    }
    return p
  }()

  /// The `count` digits of v into out[0..<count], two at a time from the right.
  @inline(__always) static func writeDigits(_ value: UInt64, count: Int, to out: UnsafeMutablePointer<UInt8>) {
    var v = value
    var k = count
    let table = pairs
    while v >= 100 {
      let r = Int(v % 100)
      v /= 100
      k -= 2
      out[k] = table[2 * r]
      out[k + 1] = table[2 * r + 1]
    }
    if v >= 10 {
      k -= 2
      out[k] = table[2 * Int(v)]
      out[k + 1] = table[2 * Int(v) + 1]
    } else {
      out[k - 1] = UInt8(truncatingIfNeeded: 48 + v)
    }
  }

  // MARK: - Ryū's helpers

  @inline(__always) static func pow5bits(_ e: Int32) -> Int32 { Int32((UInt32(e) &* 1_217_359) >> 19) + 1 }
  @inline(__always) static func log10Pow2(_ e: Int32) -> UInt32 { (UInt32(e) &* 78_913) >> 18 }
  @inline(__always) static func log10Pow5(_ e: Int32) -> UInt32 { (UInt32(e) &* 732_923) >> 20 }

  @inline(__always) static func multipleOfPowerOf5(_ value: UInt64, _ p: Int32) -> Bool {
    var v = value, count: Int32 = 0
    while v > 0 && v % 5 == 0 { v /= 5; count += 1 }
    return count >= p
  }

  /// (m × mul) >> j for a 128-bit `mul` = (low, high) and 64 ≤ j < 128.
  @inline(__always) static func mulShift(_ m: UInt64, _ mul: (UInt64, UInt64), _ j: Int32) -> UInt64 {
    let (high0, _) = m.multipliedFullWidth(by: mul.0)
    let (high1, low1) = m.multipliedFullWidth(by: mul.1)
    let (sum, overflow) = high0.addingReportingOverflow(low1)
    let high = high1 &+ (overflow ? 1 : 0)
    let dist = UInt64(j - 64)
    if dist == 0 { return sum }
    return (high << (64 - dist)) | (sum >> dist)
  }

  // MARK: - Tables, computed exactly

  static func makeTables() -> Tables {
    var inverse: [(UInt64, UInt64)] = []
    var power: [(UInt64, UInt64)] = []
    var five = BigNumber(1)
    for i in 0..<342 {
      let length = five.bitLength
      if i < 326 {
        power.append(five.top128(bits: Int(pow5Bits), length: length))
      }
      // ⌊2^j / 5^i⌋ + 1 with j = length − 1 + 125: a quotient below 2¹²⁷.
      let j = length - 1 + Int(pow5InverseBits)
      inverse.append(BigNumber.powerOfTwoQuotient(j, five, plusOne: true))
      five.multiply(by: 5)
    }
    let i = UnsafeMutablePointer<(UInt64, UInt64)>.allocate(capacity: inverse.count)
    i.initialize(from: inverse, count: inverse.count)
    let p = UnsafeMutablePointer<(UInt64, UInt64)>.allocate(capacity: power.count)
    p.initialize(from: power, count: power.count)
    return Tables(inverse: i, power: p)
  }
}

/// Just enough unsigned big-integer arithmetic for the tables: ×5, bit
/// length, shifts, and 2^j divided by a big number.
struct BigNumber {
  /// Little-endian 32-bit limbs.
  var limbs: [UInt32]

  init(_ v: UInt32) { limbs = [v] }
  init(limbs: [UInt32]) { self.limbs = limbs; trim() }

  mutating func trim() { while limbs.count > 1 && limbs.last == 0 { limbs.removeLast() } }

  mutating func multiply(by k: UInt32) {
    var carry: UInt64 = 0
    for i in limbs.indices {
      let v = UInt64(limbs[i]) * UInt64(k) + carry
      limbs[i] = UInt32(truncatingIfNeeded: v)
      carry = v >> 32
    }
    if carry > 0 { limbs.append(UInt32(carry)) }
  }

  var bitLength: Int {
    let top = limbs.last!
    return (limbs.count - 1) * 32 + (32 - top.leadingZeroBitCount)
  }

  func bit(_ k: Int) -> Bool {
    let limb = k / 32
    return limb < limbs.count && (limbs[limb] >> UInt32(k % 32)) & 1 == 1
  }

  /// The top `bits` bits of a number `length` bits long, as (low, high) 64-bit halves.
  func top128(bits: Int, length: Int) -> (UInt64, UInt64) {
    var low: UInt64 = 0, high: UInt64 = 0
    for k in 0..<bits {
      let source = length - bits + k
      if source >= 0 && bit(source) {
        if k < 64 { low |= 1 << UInt64(k) } else { high |= 1 << UInt64(k - 64) }
      }
    }
    return (low, high)
  }

  static func compare(_ a: [UInt32], _ b: [UInt32]) -> Int {
    if a.count != b.count { return a.count < b.count ? -1 : 1 }
    for i in stride(from: a.count - 1, through: 0, by: -1) where a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
    return 0
  }

  /// ⌊2^j / d⌋ (+ 1), a quotient known to be below 2¹²⁸, as (low, high).
  static func powerOfTwoQuotient(_ j: Int, _ d: BigNumber, plusOne: Bool) -> (UInt64, UInt64) {
    // Binary long division over the quotient's 128 bits: the remainder
    // starts at ⌊2^j / 2^128⌋ = 2^(j − 128) when j ≥ 128.
    var remainder = BigNumber(0)
    var start = 127
    if j >= 128 {
      var r = [UInt32](repeating: 0, count: (j - 128) / 32 + 1)
      r[(j - 128) / 32] = 1 << UInt32((j - 128) % 32)
      remainder = BigNumber(limbs: r)
    } else {
      start = j
    }
    var low: UInt64 = 0, high: UInt64 = 0
    for k in stride(from: start, through: 0, by: -1) {
      // remainder = 2 × remainder + (bit k of 2^j, which is 1 only when k = j < 128).
      remainder.multiply(by: 2)
      if j < 128 && k == j { remainder.limbs[0] |= 1 }
      remainder.trim()
      if compare(remainder.limbs, d.limbs) >= 0 {
        remainder.subtract(d)
        if k < 64 { low |= 1 << UInt64(k) } else { high |= 1 << UInt64(k - 64) }
      }
    }
    if plusOne {
      let (l, o) = low.addingReportingOverflow(1)
      low = l
      if o { high &+= 1 }
    }
    return (low, high)
  }

  mutating func subtract(_ b: BigNumber) {
    var borrow: Int64 = 0
    for i in limbs.indices {
      var v = Int64(limbs[i]) - borrow - (i < b.limbs.count ? Int64(b.limbs[i]) : 0)
      if v < 0 { v += 1 << 32; borrow = 1 } else { borrow = 0 }
      limbs[i] = UInt32(v)
    }
    trim()
  }
}
