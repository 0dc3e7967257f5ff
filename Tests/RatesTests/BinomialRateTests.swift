import Foundation
import ModelFrame
@testable import Rates
import Rendering
import Tabular
import Testing
import TestSupport

private func estimate(_ args: [String]) throws -> RateEstimate {
  var options: [String: String] = [:]
  var k = 0
  while k + 1 < args.count {
    options[args[k]] = args[k + 1]
    k += 2
  }
  return try BinomialRate.estimate(
    events: Int(options["--events"]!)!, trials: Int(options["--n"]!)!,
    options: .init(confidenceLevel: Double(options["--conf-level"] ?? "0.95")!,
                   nullRate: options["--p0"].map { Double($0)! },
                   alternative: Alternative(rawValue: options["--alternative"] ?? "two-sided")!))
}

/// Every field of every fixture written by Tests/References/make-references.R:
/// R 4.2.2's binom.test and prop.test, and the published definitions of the
/// other intervals (Newcombe's closed form for wilson_cc, mid-p limits by
/// uniroot at tol 1e-15), at 1e-9 relative (absolute 1e-15 for limits at 0).
@Suite("One rate: R reference fixtures (binom.test, prop.test, definitions)")
struct BinomialRateReferenceTests {
  static let fixtures = fixtureFiles("Tests/RatesTests/References")

  @Test("fixture count")
  func count() { #expect(Self.fixtures.count == 72) }

  @Test("every field matches R and the definitions", arguments: fixtures)
  func fixture(_ file: String) throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: repositoryPath("Tests/RatesTests/References/\(file)")))
    let fixture = try JSONValue.parse(data)
    guard case .array(let argValues)? = fixture["args"], let expected = fixture["expect"] else {
      Issue.record("malformed fixture \(file)"); return
    }
    let args = argValues.compactMap { v -> String? in if case .string(let s) = v { return s } else { return nil } }
    let actual = try JSONValueEncoder().encode(try estimate(args))
    for problem in jsonMismatches(expected: expected, actual: actual, relative: 1e-9) {
      Issue.record(Comment(rawValue: "\(file): \(problem)"))
    }
  }
}

@Suite("One rate: closed forms, edges and large n")
struct BinomialRateHandTests {
  @Test("x = 0 and x = n: Clopper–Pearson limits (α/2)^(1/n) in closed form, one-sided limits exactly 0 and 1")
  func edges() throws {
    for n in [1, 2, 7, 20, 1000] {
      let none = try BinomialRate.estimate(events: 0, trials: n)
      let all = try BinomialRate.estimate(events: n, trials: n)
      let closed = pow(0.025, 1 / Double(n))
      expectClose(none.interval(.clopperPearson)!.upper, 1 - closed, relative: 1e-13, "x = 0, n = \(n): upper")
      expectClose(all.interval(.clopperPearson)!.lower, closed, relative: 1e-13, "x = n = \(n): lower")
      for method in [RateIntervalMethod.clopperPearson, .wilson, .wilsonCorrected, .jeffreys, .midP] {
        #expect(none.interval(method)!.lower == 0, "x = 0: \(method) lower")
        #expect(all.interval(method)!.upper == 1, "x = n: \(method) upper")
      }
      // Wald collapses to a point at the edges; nothing to clip.
      #expect(none.interval(.wald)! == RateInterval(method: .wald, lower: 0, upper: 0, clipped: false))
      // Mid-p upper limit at x = 0 solves (1 − p)^n / 2 = α/2.
      expectClose(none.interval(.midP)!.upper, 1 - pow(0.05, 1 / Double(n)), relative: 1e-12, "x = 0 mid-p upper, n = \(n)")
    }
  }

  @Test("Wald and Agresti–Coull are clipped to [0, 1] and say so")
  func clipping() throws {
    let r = try BinomialRate.estimate(events: 1, trials: 10)
    let wald = r.interval(.wald)!
    #expect(wald.lower == 0 && wald.clipped == true)
    let ac = try BinomialRate.estimate(events: 0, trials: 10).interval(.agrestiCoull)!
    #expect(ac.lower == 0 && ac.clipped == true)
    #expect(r.interval(.clopperPearson)!.clipped == nil)
  }

  /// R's rule summed over every outcome, for comparison with the O(log n) cut-off search.
  private func bruteForceTwoSided(x: Int, n: Int, p0: Double) -> Double {
    let d = exp(lgamma(Double(n + 1)) - lgamma(Double(x + 1)) - lgamma(Double(n - x + 1))
                + Double(x) * log(p0) + Double(n - x) * log1p(-p0))
    var total = 0.0
    for i in 0...n {
      let di = exp(lgamma(Double(n + 1)) - lgamma(Double(i + 1)) - lgamma(Double(n - i + 1))
                   + Double(i) * log(p0) + Double(n - i) * log1p(-p0))
      if di <= d * (1 + 1e-7) { total += di }
    }
    return min(1, total)
  }

  @Test("two-sided exact test: the bisection cut-off equals R's sum over all outcomes (n = 60, 333)")
  func twoSidedCutOff() {
    for (n, p0) in [(60, 0.35), (60, 0.5), (333, 0.1), (333, 0.77)] {
      for x in stride(from: 0, through: n, by: n > 100 ? 7 : 1) {
        let fast = BinomialTests.exact(x: Double(x), n: Double(n), p0: p0, side: .twoSided)
        expectClose(fast, bruteForceTwoSided(x: x, n: n, p0: p0), relative: 1e-10, absolute: 1e-300,
                    "n = \(n), p0 = \(p0), x = \(x)")
      }
    }
  }

  @Test("n = 10⁹: finite, ordered limits in microseconds; x = n·p0 gives p = 1")
  func huge() throws {
    let r = try BinomialRate.estimate(events: 350_000_000, trials: 1_000_000_000,
                                      options: .init(nullRate: 0.35))
    #expect(r.test!.exactP == 1)
    for i in r.intervals {
      #expect(i.lower < 0.35 && i.upper > 0.35 && i.upper - i.lower < 1e-4, "\(i.method)")
    }
    let small = try BinomialRate.estimate(events: 3, trials: 1_000_000_000, options: .init(nullRate: 1e-9))
    #expect(small.test!.exactP > 0 && small.test!.exactP < 0.2)
    #expect(small.interval(.midP)!.lower > 0 && small.interval(.midP)!.lower < 3e-9)
  }

  @Test("impossible counts and p0 outside (0, 1) are errors naming the option")
  func errors() {
    func source(_ body: () throws -> Void) -> String? {
      do { try body() } catch let e as InputError { return e.location.source } catch { return "other" }
      return nil
    }
    #expect(source { _ = try BinomialRate.estimate(events: 21, trials: 20) } == "--events")
    #expect(source { _ = try BinomialRate.estimate(events: -1, trials: 20) } == "--events")
    #expect(source { _ = try BinomialRate.estimate(events: 0, trials: 0) } == "--n")
    #expect(source { _ = try BinomialRate.estimate(events: 1, trials: 2, options: .init(nullRate: 0)) } == "--p0")
    #expect(source { _ = try BinomialRate.estimate(events: 1, trials: 2, options: .init(nullRate: 1)) } == "--p0")
  }
}

@Suite("One rate from a table")
struct BinomialRateDataTests {
  static let csv = "arm,failed,grade\nA,1,x\nB,0,y\nA,0,x\nB,1,y\nA,1,x\nB,NA,y\nA,TRUE,x\n"

  private func frame(_ csv: String, _ formula: String) throws -> ModelFrame {
    let table = try CSVReader.read(bytes: Array(csv.utf8), source: "d.csv")
    return try ModelFrame.build(formula: Formula.parse(formula), table: table, options: .init(binaryResponse: true))
  }

  @Test("counts per group from a 0/1 column, missing rows dropped and counted")
  func groups() throws {
    let csv = "arm,failed\nA,1\nB,0\nA,0\nB,1\nA,1\nB,NA\n"
    let analysis = try BinomialRate.estimate(frame: try frame(csv, "failed ~ arm"))
    #expect(analysis.n == 5 && analysis.nDropped == 1)
    #expect(analysis.groups.map(\.label) == ["arm=A", "arm=B"])
    #expect(analysis.groups.map(\.events) == [2, 1])
    #expect(analysis.groups.map(\.trials) == [3, 2])
    let one = try BinomialRate.estimate(frame: try frame(csv, "failed ~ 1"))
    #expect(!one.isGrouped && one.groups[0].events == 3 && one.groups[0].trials == 5)
    let json = try JSONValueEncoder().encode(one)
    #expect(json["n"] == .int(5) && json["events"] == .int(3) && json["n_dropped"] == .int(1) && json["groups"] == nil)
  }

  @Test("col == value, col != value, 1 - col and TRUE/FALSE as the outcome")
  func codings() throws {
    let csv = "arm,grade,ok\nA,x,TRUE\nA,y,FALSE\nB,x,TRUE\nB,x,FALSE\n"
    let equal = try BinomialRate.estimate(frame: try frame(csv, "grade == \"x\" ~ 1")).groups[0]
    #expect(equal.events == 3)
    let notEqual = try BinomialRate.estimate(frame: try frame(csv, "grade != \"x\" ~ 1")).groups[0]
    #expect(notEqual.events == 1)
    let logical = try BinomialRate.estimate(frame: try frame(csv, "ok ~ arm"))
    #expect(logical.groups.map(\.events) == [1, 1])
    let flipped = try BinomialRate.estimate(frame: try frame(csv, "1 - ok ~ 1")).groups[0]
    #expect(flipped.events == 2)
  }

  @Test("a non-binary outcome is an error at its cell, suggesting col == value")
  func nonBinary() throws {
    #expect {
      _ = try frame("arm,y\nA,1\nA,2\n", "y ~ arm")
    } throws: { error in
      let e = error as? InputError
      return e?.location.line == 3 && e?.location.column == 2 && (e?.message.contains("y == 2") ?? false)
    }
    #expect(throws: InputError.self) { _ = try frame("arm,y\nA,yes\nA,no\n", "y ~ arm") }
    #expect(throws: InputError.self) { _ = try frame("t,s,arm\n1,1,A\n", "Surv(t, s) ~ arm") }
  }
}

/// The two-sided rules of the exact binomial test (docs/CONVENTIONS.md),
/// each against its definition enumerated over every outcome 0…n.
@Suite("One rate: two-sided rules of the exact test")
struct TwoSidedRuleTests {
  /// dbinom(k, n, p) from log-gamma, for the enumeration.
  private func mass(_ k: Int, _ n: Int, _ p: Double) -> Double {
    exp(lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
        + Double(k) * log(p) + Double(n - k) * log1p(-p))
  }

  private func tails(_ x: Int, _ n: Int, _ p: Double) -> (lower: Double, upper: Double) {
    ((0...x).reduce(0) { $0 + mass($1, n, p) }, (x...n).reduce(0) { $0 + mass($1, n, p) })
  }

  static let cases: [(Int, Int, Double)] = [
    (63, 228, 0.19), (0, 10, 0.3), (10, 10, 0.3), (3, 10, 0.3), (7, 20, 0.5), (10, 20, 0.5),
    (26, 33, 0.65), (1, 50, 0.01), (40, 50, 0.9), (5, 12, 0.35), (2, 7, 0.2),
  ]

  @Test("central: twice the smaller tail, at most 1 (SAS PROC FREQ BINOMIAL EXACT)", arguments: 0..<cases.count)
  func central(_ i: Int) throws {
    let (x, n, p) = Self.cases[i]
    let t = tails(x, n, p)
    let r = try BinomialRate.estimate(events: x, trials: n, options: .init(nullRate: p, twoSided: .central))
    expectClose(r.test?.exactP, min(1, 2 * min(t.lower, t.upper)), relative: 1e-10, "central \(x)/\(n) p0 \(p)")
  }

  @Test("blaker: every outcome whose smaller tail is no larger than the observed one's (Blaker 2000)", arguments: 0..<cases.count)
  func blaker(_ i: Int) throws {
    let (x, n, p) = Self.cases[i]
    func gamma(_ k: Int) -> Double { let t = tails(k, n, p); return min(t.lower, t.upper) }
    let bound = gamma(x) * (1 + 1e-7)
    let expected = min(1, (0...n).filter { gamma($0) <= bound }.reduce(0) { $0 + mass($1, n, p) })
    let r = try BinomialRate.estimate(events: x, trials: n, options: .init(nullRate: p, twoSided: .blaker))
    expectClose(r.test?.exactP, expected, relative: 1e-10, "blaker \(x)/\(n) p0 \(p)")
  }

  @Test("minlike stays R's binom.test: 63/228 against 0.19 is 0.0016828878642599571 (R 4.2.2)")
  func minlike() throws {
    let r = try BinomialRate.estimate(events: 63, trials: 228, options: .init(nullRate: 0.19))
    expectClose(r.test?.exactP, 0.0016828878642599571, relative: 1e-12, "binom.test")
  }
}
