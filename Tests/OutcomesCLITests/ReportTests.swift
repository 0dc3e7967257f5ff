import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Analyses
@testable import OutcomesCLI
import Reports
import SpecFiles
import Rendering
import Testing
import TestSupport

/// The worked examples in Reports/ and the `report` command from outside.
@Suite("outcomes report")
struct ReportTests {
  static let examples = ["6mp", "lung", "osteonecrosis"]

  private func files(under folder: String) -> [String] {
    let fm = FileManager.default
    guard let e = fm.enumerator(atPath: folder) else { return [] }
    return e.compactMap { $0 as? String }.filter { path in
      var isDirectory: ObjCBool = false
      return fm.fileExists(atPath: folder + "/" + path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }.sorted()
  }

  @Test("each example report is up to date: regenerating it changes no byte", arguments: examples)
  func upToDate(_ name: String) throws {
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("outcomes-report-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: out) }
    let r = try runOutcomes(["report", "Reports/\(name)/spec.yaml", "--out-dir", out])
    #expect(r.status == 0, "\(r.stderr)")
    let committed = repositoryPath("Reports/\(name)")
    let expected = files(under: committed).filter { $0 != "spec.yaml" }
    #expect(files(under: out) == expected, "\(name): files differ; run Reports/make-reports.sh")
    for file in expected {
      let a = FileManager.default.contents(atPath: committed + "/" + file)
      let b = FileManager.default.contents(atPath: out + "/" + file)
      #expect(a == b, "\(name)/\(file) is out of date; run Reports/make-reports.sh")
    }
  }

  @Test("every SVG in the examples is well-formed XML", arguments: examples)
  func wellFormed(_ name: String) throws {
    let folder = repositoryPath("Reports/\(name)/figures")
    let svgs = files(under: folder).filter { $0.hasSuffix(".svg") }
    #expect(!svgs.isEmpty || name == "osteonecrosis")
    for svg in svgs {
      let parser = XMLParser(data: try Data(contentsOf: URL(fileURLWithPath: folder + "/" + svg)))
      #expect(parser.parse(), "\(name)/figures/\(svg): \(parser.parserError.map { "\($0)" } ?? "")")
    }
  }

  @Test("every number in the example reports is the CLI's: each table's CSV equals --format csv, each result's JSON --format json", arguments: examples)
  func sameAsCLI(_ name: String) throws {
    let spec = try ReportSpec.load(path: repositoryPath("Reports/\(name)/spec.yaml"))
    let runner = ReportRunner(spec: spec)
    let content = try runner.run(version: "test", date: nil)
    for section in content.sections {
      for entry in section {
        let args = commandLine(entry.entry, context: runner.context.data)
        let cli = try runOutcomes(args + ["--format", "csv"])
        #expect(cli.status == 0, "\(args): \(cli.stderr)")
        let count = entry.result.output.tables(title: nil).count
        let paths = count == 1 ? ["tables/\(entry.name).csv"] : (1...count).map { "tables/\(entry.name)-\($0).csv" }
        let report = try paths.map { try String(contentsOfFile: repositoryPath("Reports/\(name)/\($0)"), encoding: .utf8) }
          .joined(separator: "\r\n")
        #expect(report == cli.stdout, "\(name) \(entry.name): the report's tables differ from outcomes \(args.joined(separator: " "))")
        // The result the report rendered is the one the CLI prints as JSON.
        let json = try runOutcomes(args + ["--format", "json"])
        #expect(try entry.result.json().serialized() + "\n" == json.stdout, "\(name) \(entry.name): JSON differs")
      }
    }
  }

  /// The command line an entry's options stand for (a test's view: the
  /// report itself never builds one).
  private func commandLine(_ entry: AnalysisEntry, context: DataContext) -> [String] {
    var args = entry.analysis.name.words
    for e in entry.analysisInput.entries {
      switch e.value {
      case .flag(let b): if b { args.append("--\(e.key)") }
      case .text(let t): args += ["--\(e.key)", e.key == "data" ? context.path(for: t).path : t]
      case .list(let l): args += ["--\(e.key)", l.joined(separator: ",")]
      }
    }
    return args
  }

  @Test("a bad spec or a failing analysis: exit 2, one line naming the key path, nothing written")
  func errors() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("outcomes-spec-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let spec = dir.appendingPathComponent("bad.yaml").path
    let out = dir.appendingPathComponent("out").path
    try """
      title: T
      data:
        lung: \(repositoryPath("Datasets/lung.csv"))
      sections:
        - title: A
          analyses:
            - km: {data: lung, formula: "Surv(time, status) ~ sexx"}
      """.write(toFile: spec, atomically: true, encoding: .utf8)
    let r = try runOutcomes(["report", spec, "--out-dir", out])
    #expect(r.status == 2 && r.stdout.isEmpty)
    #expect(r.stderr.hasPrefix("outcomes: \(spec):7:35: sections[0].analyses[0].km.formula: column 22: unknown column \"sexx\""), "\(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: out), "nothing written")
    try "title: T\nsections:\n  - title: A\n    analyses:\n      - km: {data: lung, formula: \"Surv(t, s) ~ 1\"}\n".write(toFile: spec, atomically: true, encoding: .utf8)
    let c = try runOutcomes(["report", spec, "--out-dir", out])
    #expect(c.status == 2)
    #expect(c.stderr.hasPrefix("outcomes: \(spec):5:20: sections[0].analyses[0].km.data: cannot open"), "\(c.stderr)")
    try "title: T\nsections:\n  - title: A\n    analyses:\n      - design: {type: simon, p0: 0.65, p1: 0.85, power: 1.2}\n"
      .write(toFile: spec, atomically: true, encoding: .utf8)
    let d = try runOutcomes(["report", spec, "--out-dir", out])
    #expect(d.stderr == "outcomes: \(spec):5:58: sections[0].analyses[0].design.power: expected a number in (0, 1), found \"1.2\"\n", "\(d.stderr)")
  }
}
