import Foundation
import ModelFrame
@testable import Rates
import Rendering
import Tabular
import Testing
import TestSupport

private func frame(_ path: String, _ formula: String) throws -> ModelFrame {
  let table = try CSVReader.read(path: path)
  return try ModelFrame.build(formula: Formula.parse(formula), table: table, options: .init(binaryResponse: true))
}

/// Every field of every fixture of Tests/RatesTests/CMHReferences: R 4.2.2's
/// mantelhaen.test (statistics, p-values, Mantel–Haenszel estimate and
/// interval, exact p-value); the exact conditional estimate and limits from
/// mantelhaen.test's own equations solved at tol 1e-14; Breslow–Day from its
/// definition with polyroot. 1e-9 relative.
@Suite("Stratified 2×2 tables: R fixtures")
struct StratifiedTablesReferenceTests {
  static let fixtures = fixtureFiles("Tests/RatesTests/CMHReferences")

  @Test("fixture count")
  func count() { #expect(Self.fixtures.count == 7) }

  @Test("every field matches", arguments: fixtures)
  func fixture(_ file: String) throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: repositoryPath("Tests/RatesTests/CMHReferences/\(file)")))
    let fixture = try JSONValue.parse(data)
    guard case .array(let argValues)? = fixture["args"], let expected = fixture["expect"] else {
      Issue.record("malformed fixture \(file)"); return
    }
    let args = argValues.compactMap { v -> String? in if case .string(let s) = v { return s } else { return nil } }
    var options: [String: String] = [:]
    for k in stride(from: 1, to: args.count - 1, by: 2) { options[args[k]] = args[k + 1] }
    let result = try StratifiedTables.analyze(
      frame: frame(repositoryPath(options["--data"]!), options["--formula"]!),
      options: .init(confidenceLevel: Double(options["--conf-level"]!)!))
    let actual = try JSONValueEncoder().encode(result)
    for problem in jsonMismatches(expected: expected, actual: actual, relative: 1e-9) {
      Issue.record(Comment(rawValue: "\(file): \(problem)"))
    }
  }
}

@Suite("Stratified 2×2 tables: properties and edges")
struct StratifiedTablesHandTests {
  static let rabbits = [StratumCounts(x1: 0, n1: 5, x2: 0, n2: 6), StratumCounts(x1: 0, n1: 6, x2: 3, n2: 6),
                        StratumCounts(x1: 2, n1: 6, x2: 6, n2: 6), StratumCounts(x1: 6, n1: 6, x2: 5, n2: 6),
                        StratumCounts(x1: 5, n1: 5, x2: 2, n2: 2)]

  @Test("swapping the groups inverts the odds ratios and leaves the tests unchanged")
  func symmetry() {
    let labels = (1...5).map { "s=\($0)" }
    let a = StratifiedTables.analyzeValidated(Self.rabbits, labels: labels, confidenceLevel: 0.95)
    let swapped = Self.rabbits.map { StratumCounts(x1: $0.x2, n1: $0.n2, x2: $0.x1, n2: $0.n1) }
    let b = StratifiedTables.analyzeValidated(swapped, labels: labels, confidenceLevel: 0.95)
    expectClose(a.oddsRatio.estimate, 1 / b.oddsRatio.estimate!, relative: 1e-14, "MH")
    expectClose(a.oddsRatio.conditionalMLE, 1 / b.oddsRatio.conditionalMLE!, relative: 1e-10, "CMLE")
    for method in ["robins_breslow_greenland", "exact"] {
      expectClose(a.oddsRatio.interval(method)!.lower, 1 / b.oddsRatio.interval(method)!.upper!, relative: 1e-10, method)
    }
    expectClose(a.tests.cmh.statistic, b.tests.cmh.statistic, relative: 1e-14, "cmh")
    expectClose(a.tests.exactP, b.tests.exactP, relative: 1e-12, "exact")
    expectClose(a.tests.breslowDay?.statistic, b.tests.breslowDay?.statistic, relative: 1e-10, "BD")
  }

  @Test("one stratum reduces to the 2×2 table: exact test and limits equal fisher.test's")
  func oneStratum() throws {
    let s = StratumCounts(x1: 2, n1: 53, x2: 10, n2: 44)
    let one = StratifiedTables.analyzeValidated([s], labels: ["s=1"], confidenceLevel: 0.95)
    let two = try TwoRates.compare(events1: 2, trials1: 53, events2: 10, trials2: 44)
    expectClose(one.tests.exactP, two.tests.fisherExactP, relative: 1e-12, "p")
    expectClose(one.oddsRatio.conditionalMLE, two.oddsRatio.conditionalMLE, relative: 1e-10, "CMLE")
    expectClose(one.oddsRatio.interval("exact")!.upper, two.oddsRatio.interval("exact")!.upper, relative: 1e-10, "upper")
    expectClose(one.oddsRatio.estimate, two.oddsRatio.estimate, relative: 1e-14, "MH = sample OR")
    #expect(one.tests.breslowDay == nil, "homogeneity needs two strata")
  }

  @Test("a stratum of one subject, or without one group, carries no information and changes nothing")
  func uninformative() {
    let base = Array(Self.rabbits[1...3])
    let a = StratifiedTables.analyzeValidated(base, labels: ["a", "b", "c"], confidenceLevel: 0.95)
    let extra = base + [StratumCounts(x1: 1, n1: 1, x2: 0, n2: 0), StratumCounts(x1: 0, n1: 0, x2: 3, n2: 4)]
    let b = StratifiedTables.analyzeValidated(extra, labels: ["a", "b", "c", "d", "e"], confidenceLevel: 0.95)
    #expect(a.tests.cmh == b.tests.cmh)
    #expect(a.oddsRatio.estimate == b.oddsRatio.estimate)
    expectClose(a.tests.exactP, b.tests.exactP, relative: 1e-13, "exact")
    #expect(a.tests.breslowDay == b.tests.breslowDay && b.informativeStrata == 3)
  }

  @Test("no informative stratum: statistics undefined, not a crash")
  func degenerate() {
    let r = StratifiedTables.analyzeValidated([StratumCounts(x1: 0, n1: 3, x2: 0, n2: 4)], labels: ["a"], confidenceLevel: 0.95)
    #expect(r.tests.cmh.statistic.isNaN && r.oddsRatio.estimate == nil && r.tests.exactP == 1)
  }

  @Test("bad formulas: three groups, no strata, a non-binary outcome")
  func errors() throws {
    let csv = "arm,site,failed,score\nA,1,1,3\nB,1,0,2\nC,2,1,1\nA,2,0,4\n"
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("cmh-errors-\(getpid()).csv").path
    try csv.write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(throws: InputError.self) { try StratifiedTables.analyze(frame: frame(path, "failed ~ arm + strata(site)")) }
    #expect(throws: InputError.self) { try StratifiedTables.analyze(frame: frame(path, "failed ~ site")) }
    #expect(throws: InputError.self) { try frame(path, "score ~ arm + strata(site)") }
  }
}
