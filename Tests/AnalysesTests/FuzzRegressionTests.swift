@testable import Check
import Foundation
import ModelFrame
import Reports
import Tabular
import Testing
import TestSupport

/// Inputs the fuzzer flagged in the text front ends (Tests/Fuzz/Regressions,
/// `formula-`, `where-`, `spec-`, `claims-`, `manuscript-`), replayed through
/// the same code as the fuzz target: an error is fine, a crash is not.
@Suite("Fuzz regressions: text front ends")
struct FuzzRegressionTests {
  static let targets: Set<String> = ["formula", "where", "spec", "claims", "manuscript"]
  static let files: [String] = {
    let dir = repositoryPath("Tests/Fuzz/Regressions")
    return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
      .filter { targets.contains(String($0.prefix { $0 != "-" })) }.sorted()
  }()

  static let sample: Table = {
    let csv = "time,status,age,sex,arm,wt,start\n5,1,61,1,a,70.5,0\n8,0,44,2,b,NA,1\n3,1,70,1,b,80,0\n12,1,55,2,a,66,2\n"
    return try! CSVReader.read(bytes: Array(csv.utf8), source: "sample.csv")
  }()

  @Test("replayed without a crash", arguments: files)
  func replay(_ file: String) throws {
    let text = String(decoding: FileManager.default.contents(atPath: repositoryPath("Tests/Fuzz/Regressions/\(file)")) ?? Data(), as: UTF8.self)
    switch String(file.prefix { $0 != "-" }) {
    case "formula":
      if let formula = try? Formula.parse(text) {
        var options = ModelFrame.Options(requiresSurvivalResponse: false, strataInteractions: true, basisTerms: true)
        options.offsets = true
        _ = try? ModelFrame.build(formula: formula, table: Self.sample, options: options)
      }
    case "where":
      if let filter = try? RowFilter(text) { _ = try? filter.rows(in: Self.sample) }
    case "spec": _ = try? ReportSpec.parse(text, path: "fuzz.yaml")
    case "claims": _ = try? ClaimsFile.parse(text, path: "fuzz.yaml")
    default: _ = ManuscriptCheck.check(text)
    }
  }
}
