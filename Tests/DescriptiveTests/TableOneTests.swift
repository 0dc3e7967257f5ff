import Foundation
@testable import Descriptive
import Rendering
import Tabular
import Testing
import TestSupport

/// Table 1 against R 4.2.2 (Tests/References/make-references.R): mean, sd,
/// quantile type 7, and the default tests of gtsummary (wilcox.test(exact =
/// FALSE), kruskal.test, chisq.test(correct = FALSE), fisher.test for small 2×2).
@Suite("Table 1: R fixtures")
struct TableOneReferenceTests {
  static let fixtures = fixtureFiles("Tests/DescriptiveTests/References", prefix: "table1-", suffix: "")


  @Test("a date column is refused rather than summarised as days since 1970")
  func dates() throws {
    let t = try CSVReader.read(bytes: Array("visit,arm\n2021-03-04,A\n2021-05-01,B\n".utf8), source: "d.csv")
    #expect(throws: InputError(InputLocation(option: "variables"), "\"visit\" holds dates (days since 1970-01-01), which Table 1 does not summarise yet, expected a number or a category (a follow-up time from two dates can be added as a column)")) {
      try TableOne.variables(["visit", "arm"], in: t)
    }
  }
  @Test("fixture count")
  func count() { #expect(Self.fixtures.count == 3) }

  @Test("every statistic and p-value", arguments: fixtures)
  func fixture(_ file: String) throws {
    let fixture = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: repositoryPath("Tests/DescriptiveTests/References/\(file)"))))
    guard case .array(let args)? = fixture["args"], case .string(let data) = args[1], case .string(let by) = args[3],
          let expect = fixture["expect"] else { Issue.record("malformed"); return }
    let table = try CSVReader.read(path: repositoryPath(data))
    let levels = TableOne.levelsOf(table.column(named: by)!)
    let groups = levels.names.count
    guard case .array(let continuous)? = expect["continuous"], case .array(let categorical)? = expect["categorical"] else { return }
    for v in continuous {
      guard case .string(let name)? = v["variable"], case .array(let per)? = v["groups"] else { continue }
      let (stats, test) = try #require(TableOne.continuousStats(table.column(named: name)!, groupOf: levels.codes, groups: groups, test: true))
      for (g, e) in per.enumerated() {
        #expect(Double(stats[g].n) == e["n"]?.number && Double(stats[g].missing) == e["missing"]?.number, "\(name) n")
        for (key, value) in [("mean", stats[g].mean), ("sd", stats[g].sd), ("q1", stats[g].q1), ("median", stats[g].median), ("q3", stats[g].q3)] {
          expectClose(value, e[key]?.number, relative: 1e-12, "\(file) \(name) group \(g) \(key)")
        }
      }
      expectClose(test?.p, v["p"]?.number, relative: 1e-10, "\(file) \(name) p")
    }
    for v in categorical {
      guard case .string(let name)? = v["variable"], case .array(let counts)? = v["counts"] else { continue }
      let s = TableOne.categoricalStats(table.column(named: name)!, groupOf: levels.codes, groups: groups, test: true)
      for (g, column) in counts.enumerated() {
        guard case .array(let values) = column else { continue }
        #expect(values.map(\.number) == s.counts.map { Double($0[g]) }, "\(file) \(name) counts group \(g)")
      }
      expectClose(s.test?.p, v["p"]?.number, relative: 1e-10, "\(file) \(name) p")
    }
  }
}

