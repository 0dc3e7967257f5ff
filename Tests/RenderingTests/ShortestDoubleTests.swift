@testable import Rendering
import Testing

/// The shortest round-trip text against Swift's own `description`, which is
/// the contract's JSON for a double.
@Suite("Shortest double text")
struct ShortestDoubleTests {
  func text(_ d: Double) -> String {
    let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
    defer { p.deallocate() }
    let n = ShortestDouble.write(d, to: p)
    return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
  }

  @Test("equals Double.description for edge values")
  func edges() {
    let values: [Double] = [0.1, 0.5, 0.9999980001759845, 1.9998220158375913e-06, 2.5e-05, 9.99e-05, 0.0001, 0.00012345,
                            1.5, 344.138503, 123456.789, 12345678.9, 1000000000000000.5, 4503599627370495.5,
                            5e-324, 2.2250738585072014e-308, 2.2250738585072009e-308, 1e-300, 0.3, 2.0 / 3, 1e-7,
                            123.456e-10, 0.97826086956521741, 1.0000000000000002, 0.9999999999999999, 1e-5, 9.5367431640625e-07]
    for v in values {
      #expect(text(v) == v.description, "\(v)")
      #expect(text(-v) == (-v).description, "\(-v)")
    }
  }

  @Test("equals Double.description for a million random doubles across the exponent range")
  func random() {
    var generator = SystemRandomNumberGenerator()
    var failures = 0
    for k in 0..<1_000_000 {
      let v: Double
      switch k % 3 {
      case 0: v = Double.random(in: 0..<1, using: &generator)
      case 1: v = Double.random(in: 0..<1, using: &generator) * Double(sign: .plus, exponent: Int.random(in: -1074...51, using: &generator), significand: 1)
      default: v = Double(bitPattern: UInt64.random(in: 0...0x432F_FFFF_FFFF_FFFF, using: &generator))
      }
      guard v.isFinite, v != v.rounded(), v != 0 else { continue }
      if text(v) != v.description {
        failures += 1
        if failures < 5 { Issue.record("\(v.bitPattern): \(text(v)) against \(v.description)") }
      }
    }
    #expect(failures == 0)
  }
}
