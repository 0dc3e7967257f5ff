import Foundation
import Distributions
import ModelFrame
@testable import Rates
import Rendering
import Tabular
import Testing
import TestSupport

/// Every field of every fixture of Tests/RatesTests/CompareReferences: R 4.2.2's
/// fisher.test and prop.test; fisher.test's equations and the score
/// intervals solved in R by other methods than outcomes uses (restricted MLEs
/// by numerical maximization, limits by uniroot at tol 1e-14); closed forms;
/// and scipy 1.17's Barnard and Boschloo tests. 1e-9 relative, except
/// Barnard and Boschloo at 1e-6: scipy maximizes over the nuisance rate from
/// 1,024 sampling points and stops near, not at, the supremum.
@Suite("Two rates: R, definition and scipy fixtures")
struct TwoRatesReferenceTests {
  static let fixtures = fixtureFiles("Tests/RatesTests/CompareReferences")

  @Test("fixture count")
  func count() { #expect(Self.fixtures.count == 16) }

  private func without(_ value: JSONValue, _ keys: Set<String>) -> JSONValue {
    guard case .object(let pairs) = value else { return value }
    return .object(pairs.filter { !keys.contains($0.0) }.map { ($0.0, without($0.1, keys)) })
  }

  @Test("every field matches", arguments: fixtures)
  func fixture(_ file: String) throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: repositoryPath("Tests/RatesTests/CompareReferences/\(file)")))
    let fixture = try JSONValue.parse(data)
    guard case .array(let argValues)? = fixture["args"], let expected = fixture["expect"] else {
      Issue.record("malformed fixture \(file)"); return
    }
    let args = argValues.compactMap { v -> String? in if case .string(let s) = v { return s } else { return nil } }
    var options: [String: String] = [:]
    for k in stride(from: 0, to: args.count - 1, by: 2) { options[args[k]] = args[k + 1] }
    let comparison = try TwoRates.compare(
      events1: Int(options["--events1"]!)!, trials1: Int(options["--n1"]!)!,
      events2: Int(options["--events2"]!)!, trials2: Int(options["--n2"]!)!,
      options: .init(confidenceLevel: Double(options["--conf-level"]!)!))
    let actual = try JSONValueEncoder().encode(comparison)
    for problem in jsonMismatches(expected: without(expected, ["barnard", "boschloo"]), actual: actual, relative: 1e-9) {
      Issue.record(Comment(rawValue: "\(file): \(problem)"))
    }
    for test in ["barnard", "boschloo"] {
      expectClose(actual["tests"]?[test]?["p"]?.number, expected["tests"]?[test]?["p"]?.number, relative: 1e-6,
                  "\(file): tests.\(test).p")
    }
    // Known difference: scipy's barnard_exact decides ties in floating point
    // and can leave a table with exactly the observed statistic out of the
    // tail; where it differs from the exact-tie reference, it is smaller.
    if let scipy = expected["tests"]?["barnard"]?["scipy_p"]?.number, let ours = actual["tests"]?["barnard"]?["p"]?.number,
       abs(scipy - ours) > 1e-6 * ours {
      #expect(scipy < ours, "\(file): scipy's Barnard p-value \(scipy) is larger than the exact-tie one \(ours)")
    }
  }
}

@Suite("Two rates: properties and edges")
struct TwoRatesHandTests {
  @Test("swapping the groups negates the difference and inverts the ratios; the tests do not change")
  func symmetry() throws {
    let a = try TwoRates.compare(events1: 7, trials1: 20, events2: 3, trials2: 21)
    let b = try TwoRates.compare(events1: 3, trials1: 21, events2: 7, trials2: 20)
    expectClose(a.riskDifference.estimate, -b.riskDifference.estimate!, relative: 1e-15, "difference")
    for method in ["newcombe", "miettinen_nurminen", "wald", "agresti_caffo"] {
      expectClose(a.riskDifference.interval(method)!.lower, -b.riskDifference.interval(method)!.upper!,
                  relative: 1e-10, "\(method) lower")
    }
    for method in ["katz", "koopman", "miettinen_nurminen"] {
      expectClose(a.riskRatio.interval(method)!.lower, 1 / b.riskRatio.interval(method)!.upper!, relative: 1e-10, "\(method)")
    }
    for method in ["woolf", "exact", "miettinen_nurminen"] {
      expectClose(a.oddsRatio.interval(method)!.lower, 1 / b.oddsRatio.interval(method)!.upper!, relative: 1e-10, "\(method)")
    }
    expectClose(a.oddsRatio.conditionalMLE, 1 / b.oddsRatio.conditionalMLE!, relative: 1e-10, "conditional MLE")
    expectClose(a.tests.fisherExactP, b.tests.fisherExactP, relative: 1e-12, "fisher")
    expectClose(a.tests.barnardP, b.tests.barnardP, relative: 1e-9, "barnard")
    expectClose(a.tests.boschlooP, b.tests.boschlooP, relative: 1e-9, "boschloo")
  }

  @Test("Barnard: the mirror table of 40/55 against 12/60 ties with the observed statistic and counts (scipy drops it)")
  func barnardTie() {
    // T(15, 48) = −T(40, 12) exactly: (15·60 − 48·55)² = (40·60 − 12·55)², same margins.
    let withTie = UnconditionalExactTests.barnard(x1: 40, n1: 55, x2: 12, n2: 60)!
    let region = UnconditionalExactTests.supremum(n1: 55, n2: 60) { i, j in
      let t = { (a: Int, b: Int) -> Double in
        let p = Double(a + b) / 115
        return abs((Double(a) / 55 - Double(b) / 60) / (p * (1 - p) * (1 / 55.0 + 1 / 60.0)).squareRoot())
      }
      return (i, j) != (15, 48) && t(i, j) >= t(40, 12) * (1 - 1e-13)
    }!
    expectClose(withTie, 1.0035635632232182e-08, relative: 1e-8, "exact ties")
    expectClose(region, 9.682385743829342e-09, relative: 1e-8, "without the mirror table: scipy's value")
  }

  @Test("zero cells: no NaN where a limit exists; Katz and Woolf undefined; exact limits 0 and ∞")
  func zeroCells() throws {
    let c = try TwoRates.compare(events1: 0, trials1: 20, events2: 5, trials2: 20)
    #expect(c.riskRatio.estimate == 0)
    #expect(c.riskRatio.interval("katz")!.lower == nil)
    #expect(c.riskRatio.interval("koopman")!.lower == 0)
    #expect(c.oddsRatio.interval("exact")!.lower == 0)
    #expect(c.oddsRatio.conditionalMLE == 0)
    #expect(c.oddsRatio.interval("woolf")!.upper == nil)
    for i in c.riskDifference.intervals { #expect(i.lower!.isFinite && i.upper!.isFinite, "\(i.method)") }
    let none = try TwoRates.compare(events1: 0, trials1: 10, events2: 0, trials2: 12)
    #expect(none.riskRatio.estimate == nil && none.oddsRatio.estimate == nil)
    #expect(none.riskRatio.interval("miettinen_nurminen")! == ComparisonInterval(method: "miettinen_nurminen", lower: 0, upper: .infinity))
    #expect(none.tests.fisherExactP == 1)
  }

  @Test("counts are checked, naming the option")
  func errors() {
    #expect(throws: InputError.self) { try TwoRates.compare(events1: 5, trials1: 4, events2: 1, trials2: 3) }
    #expect(throws: InputError.self) { try TwoRates.compare(events1: 0, trials1: 0, events2: 1, trials2: 3) }
  }

  @Test("from a table: two groups in level order, other group counts an error")
  func table() throws {
    let csv = "arm,failed\nB,1\nA,0\nA,1\nB,1\nA,0\nB,0\n"
    let t = try CSVReader.read(bytes: Array(csv.utf8), source: "d.csv")
    let frame = try ModelFrame.build(formula: Formula.parse("failed ~ arm"), table: t, options: .init(binaryResponse: true))
    let c = try TwoRates.compare(frame: frame)
    #expect(c.group1.label == "arm=A" && c.group1.events == 1 && c.group1.trials == 3)
    #expect(c.group2.label == "arm=B" && c.group2.events == 2 && c.group2.trials == 3)
    let three = try CSVReader.read(bytes: Array((csv + "C,1\n").utf8), source: "d.csv")
    let f3 = try ModelFrame.build(formula: Formula.parse("failed ~ arm"), table: three, options: .init(binaryResponse: true))
    #expect(throws: InputError.self) { try TwoRates.compare(frame: f3) }
  }
}

@Suite("Exact unconditional tests: margins against enumeration")
struct UnconditionalMarginTests {
  /// The enumeration of every table (the former computation) as the reference.
  static func enumerated(x1: Int, n1: Int, x2: Int, n2: Int) -> (barnard: Double, boschloo: Double) {
    let c1 = Double(n1), c2 = Double(n2), total = Double(n1 + n2)
    func t(_ i: Int, _ j: Int) -> Double {
      let p1 = Double(i) / c1, p2 = Double(j) / c2
      if p1 == p2 { return 0 }
      let p = Double(i + j) / (c1 + c2)
      return (p1 - p2) / (p * (1 - p) * (1 / c1 + 1 / c2)).squareRoot()
    }
    let threshold = abs(t(x1, x2)) * (1 - 1e-13)
    let barnard = UnconditionalExactTests.supremum(n1: n1, n2: n2) { abs(t($0, $1)) >= threshold }!
    func less(_ i: Int, _ j: Int) -> Double {
      Hypergeometric(white: Double(i + j), black: total - Double(i + j), drawn: c1).cdf(Double(i), tail: .lower)
    }
    func greater(_ i: Int, _ j: Int) -> Double {
      Hypergeometric(white: Double(i + j), black: total - Double(i + j), drawn: c2).cdf(Double(j), tail: .lower)
    }
    let l = less(x1, x2) * (1 + 1e-13), g = greater(x1, x2) * (1 + 1e-13)
    let pl = UnconditionalExactTests.supremum(n1: n1, n2: n2) { less($0, $1) <= l }!
    let pg = UnconditionalExactTests.supremum(n1: n1, n2: n2) { greater($0, $1) <= g }!
    return (barnard, min(1, 2 * min(pl, pg)))
  }

  @Test("Barnard and Boschloo by margins equal the enumeration of every table (1e-10)",
        arguments: [(7, 20, 3, 21), (0, 10, 0, 12), (40, 55, 12, 60), (6, 6, 6, 6), (1, 1, 0, 1), (30, 100, 45, 100),
                    (3, 150, 9, 140), (0, 37, 5, 41), (50, 50, 0, 50), (13, 31, 17, 29)])
  func margins(_ t: (Int, Int, Int, Int)) {
    let reference = Self.enumerated(x1: t.0, n1: t.1, x2: t.2, n2: t.3)
    expectClose(UnconditionalExactTests.barnard(x1: t.0, n1: t.1, x2: t.2, n2: t.3), reference.barnard, relative: 1e-10, "barnard \(t)")
    expectClose(UnconditionalExactTests.boschloo(x1: t.0, n1: t.1, x2: t.2, n2: t.3), reference.boschloo, relative: 1e-10, "boschloo \(t)")
  }

  @Test("above the automatic limit the tests are skipped with the reason; always computes them")
  func limit() throws {
    let n = UnconditionalExactTests.automaticLimit / 2 + 1
    let skipped = try TwoRates.compare(events1: 10, trials1: n, events2: 20, trials2: n)
    #expect(skipped.tests.barnardP == nil && skipped.tests.unconditionalSkipped?.contains("exact-unconditional always") == true)
    let never = try TwoRates.compare(events1: 2, trials1: 20, events2: 5, trials2: 20, options: .init(unconditional: .never))
    #expect(never.tests.boschlooP == nil && never.tests.unconditionalSkipped != nil)
  }
}
