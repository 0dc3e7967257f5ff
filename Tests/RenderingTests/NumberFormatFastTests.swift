@testable import Rendering
import Testing

/// The fast `fixed` and `decimalsNeeded` against `printf`, which they replace.
@Suite("NumberFormat: fast paths equal printf")
struct NumberFormatFastTests {
  @Test("fixed and decimalsNeeded equal printf for random values, decimals and digits")
  func random() {
    var generator = SystemRandomNumberGenerator()
    var failures = 0
    for k in 0..<300_000 {
      var x: Double
      switch k % 4 {
      case 0: x = Double.random(in: 0..<1, using: &generator)
      case 1: x = Double.random(in: -1000..<1000, using: &generator)
      case 2: x = (Double.random(in: 0..<10_000, using: &generator) * 1000).rounded() / 1000  // three decimals, as times are
      default: x = Double.random(in: 0..<1, using: &generator) * Double(sign: .plus, exponent: Int.random(in: -30...40, using: &generator), significand: 1)
      }
      let decimals = Int.random(in: 0...8, using: &generator)
      let significant = Int.random(in: 1...7, using: &generator)
      if NumberFormat.fixed(x, decimals: decimals) != NumberFormat.fixedExactly(x, decimals: decimals) {
        failures += 1
        if failures < 5 { Issue.record("fixed(\(x), \(decimals)): \(NumberFormat.fixed(x, decimals: decimals)) against \(NumberFormat.fixedExactly(x, decimals: decimals))") }
      }
      if NumberFormat.decimalsNeeded(x, significant: significant) != NumberFormat.decimalsNeededExactly(x, significant: significant) {
        failures += 1
        if failures < 5 { Issue.record("decimalsNeeded(\(x), \(significant))") }
      }
    }
    #expect(failures == 0)
  }

  @Test("half-way values, zeros and signs")
  func edges() {
    for (x, d) in [(0.125, 2), (2.5, 0), (0.5, 0), (1.5, 0), (-0.001, 2), (-0.0, 1), (0.045, 2), (1e-20, 3), (123456789012.5, 0),
                   (0.9999, 3), (9.9995, 3), (1e15 + 0.5, 1), (1e20, 2), (-2.675, 2)] as [(Double, Int)] {
      #expect(NumberFormat.fixed(x, decimals: d) == NumberFormat.fixedExactly(x, decimals: d), "\(x) \(d)")
    }
  }
}
