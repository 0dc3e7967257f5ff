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

  /// Two CSV tables equal cell by cell, numbers at 1e-12 relative: their
  /// unrounded values' last bits depend on the BLAS/LAPACK kernels the CPU
  /// selects (a zph chi-square moves by an ulp between machines).
  private func sameTable(_ a: Data?, _ b: Data?) -> Bool {
    guard let a, let b, let x = String(data: a, encoding: .utf8), let y = String(data: b, encoding: .utf8) else { return a == b }
    let xs = x.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
    let ys = y.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
    guard xs.count == ys.count else { return false }
    for (l, m) in zip(xs, ys) where l != m {
      let u = l.split(separator: ",", omittingEmptySubsequences: false), v = m.split(separator: ",", omittingEmptySubsequences: false)
      guard u.count == v.count else { return false }
      for (c, d) in zip(u, v) where c != d {
        guard let p = Double(c), let q = Double(d), abs(p - q) <= 1e-12 * max(abs(p), abs(q)) else { return false }
      }
    }
    return true
  }

  @Test("each example report is up to date: regenerating it changes no byte (CSV numbers: 1e-12)", arguments: examples)
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
      #expect(file.hasSuffix(".csv") ? sameTable(a, b) : a == b, "\(name)/\(file) is out of date; run Reports/make-reports.sh")
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
        #expect(sameTable(Data(report.utf8), Data(cli.stdout.utf8)), "\(name) \(entry.name): the report's tables differ from outcomes \(args.joined(separator: " "))")
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
    let dir = try makeTemporaryFolder("spec")
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

@Suite("Reports: figures from the same rows, honest non-estimable results")
struct ReportBehaviourTests {
  @Test("--out-dir . and .. write beside what is there (no trap); the root folder is refused")
  func outDirDot() throws {
    let dir = try makeTemporaryFolder("report")
    defer { try? FileManager.default.removeItem(at: dir) }
    let sub = dir.appendingPathComponent("sub")
    try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
    try "mine".write(to: dir.appendingPathComponent("keep.txt"), atomically: true, encoding: .utf8)
    let spec = dir.appendingPathComponent("spec.yaml").path
    try "title: T\ndata:\n  gehan: \(repositoryPath("Datasets/gehan.csv"))\nsections:\n  - title: A\n    analyses:\n      - km: {data: gehan, formula: \"Surv(time, cens) ~ treat\"}\n"
      .write(toFile: spec, atomically: true, encoding: .utf8)
    // A folder holding files no report wrote: refused, then written beside them with --force.
    let refused = try runOutcomes(["report", spec, "--out-dir", "."], in: dir)
    #expect(refused.status == 2 && refused.stdout.isEmpty && refused.stderr.contains("--force"), "\(refused.stderr)")
    let dot = try runOutcomes(["report", spec, "--out-dir", ".", "--force"], in: dir)
    #expect(dot.status == 0, "\(dot.stderr)")
    // Now a report's folder (its manifest): no --force needed.
    let up = try runOutcomes(["report", spec, "--out-dir", ".."], in: sub)
    #expect(up.status == 0, "\(up.stderr)")
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    #expect(names == [".outcomes-report", "figures", "keep.txt", "report.md", "spec.yaml", "sub", "tables"], "\(names)")
    let root = try runOutcomes(["report", spec, "--out-dir", "/"], in: dir)
    #expect(root.status == 2 && root.stdout.isEmpty && root.stderr.contains("root folder"))
  }

  @Test("a cox entry with at: draws the predicted survival curves and tabulates them at times:")
  func predictedCurves() throws {
    let dir = try makeTemporaryFolder("report")
    defer { try? FileManager.default.removeItem(at: dir) }
    let spec = dir.appendingPathComponent("spec.yaml").path
    try """
      title: Predicted
      data:
        lung: \(repositoryPath("Datasets/lung.csv"))
      sections:
        - title: Cox
          analyses:
            - cox: {data: lung, formula: "Surv(time, status) ~ age + sex", at: ["age=60, sex=1", "age=60, sex=2"], times: [180, 365]}
      """.write(toFile: spec, atomically: true, encoding: .utf8)
    let out = dir.appendingPathComponent("out").path
    let r = try runOutcomes(["report", spec, "--out-dir", out])
    #expect(r.status == 0, "\(r.stderr)")
    let svg = try String(contentsOfFile: out + "/figures/cox-1-predicted.svg", encoding: .utf8)
    #expect(svg.contains("age=60, sex=1") && svg.contains("age=60, sex=2") && svg.contains("Predicted survival"))
    let md = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
    #expect(md.contains("| age=60, sex=2 | 365 | 65 | 0.538 |"), "R: summary(survfit(fit, newdata), times = 365) gives 0.538")
  }

  @Test("where: and logrank-p: the figure's test is R's survdiff on the filtered rows (colon, etype == 2: chisq 11.68, p = 0.003)")
  func figureUsesSelection() throws {
    let dir = try makeTemporaryFolder("report")
    defer { try? FileManager.default.removeItem(at: dir) }
    let spec = dir.appendingPathComponent("spec.yaml").path
    try """
      title: Colon
      data:
        colon: \(repositoryPath("Datasets/colon.csv"))
      sections:
        - title: Recurrence
          analyses:
            - km: {data: colon, where: "etype == 2", formula: "Surv(time, status) ~ rx", logrank-p: true}
            - logrank: {data: colon, where: "etype == 2", formula: "Surv(time, status) ~ rx"}
      """.write(toFile: spec, atomically: true, encoding: .utf8)
    let r = try runOutcomes(["report", spec])
    #expect(r.status == 0, "\(r.stderr)")
    let svg = try String(contentsOfFile: dir.appendingPathComponent("figures/km-1.svg").path, encoding: .utf8)
    // R 4.2.2: survdiff(Surv(time, status) ~ rx, colon[colon$etype == 2, ]): chisq 11.683092710639155, p 0.0029043479975861138.
    #expect(svg.contains(">Log-rank χ²(2) = 11.68, p = 0.003</text>"), "\(svg.split(separator: "\n").filter { $0.contains("Log-rank") })")
    let table = try String(contentsOfFile: dir.appendingPathComponent("tables/logrank-1-2.csv").path, encoding: .utf8)
    // The unrounded values, at 1e-12 (the last bits depend on the LAPACK build).
    let row = try #require(table.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n").first { $0.hasPrefix("log-rank,") }).split(separator: ",")
    #expect(row.count == 4 && row[2] == "2")
    if row.count == 4 {
      expectClose(Double(row[1]), 11.683092710639155, relative: 1e-12, "chisq")
      expectClose(Double(row[3]), 0.0029043479975861138, relative: 1e-12, "p")
    }
    // The figure's rows are the table's: 929 of the 1858.
    let km = try String(contentsOfFile: dir.appendingPathComponent("tables/km-1.csv").path, encoding: .utf8)
    #expect(km.contains("rx=Lev,310,161,"))
  }

  @Test("a Cox model that does not converge renders, saying not estimable (monotone likelihood)")
  func nonConverging() throws {
    let dir = try makeTemporaryFolder("report")
    defer { try? FileManager.default.removeItem(at: dir) }
    // Invented children: every failure is in stage III, so the partial likelihood is monotone.
    var rows = ["id,age,stage,months,failure"]
    let ages = [11, 13, 9, 15, 12, 10, 14, 8, 12, 16, 11, 13, 10, 9, 15, 14, 12, 11, 10, 13]
    for (i, age) in ages.enumerated() {
      let stage = i % 4 == 0 ? "III" : "II"
      let failure = stage == "III" && i % 8 == 0 ? 1 : 0
      rows.append("\(i + 1),\(age),\(stage),\(6 + (i * 7) % 40).5,\(failure)")
    }
    try rows.joined(separator: "\n").write(toFile: dir.appendingPathComponent("hips.csv").path, atomically: true, encoding: .utf8)
    let spec = dir.appendingPathComponent("spec.yaml").path
    try """
      title: Hips
      sections:
        - title: Failure
          analyses:
            - cox: {data: hips.csv, formula: "Surv(months, failure) ~ stage + age", inline: true}
      """.write(toFile: spec, atomically: true, encoding: .utf8)
    let r = try runOutcomes(["report", spec])
    #expect(r.status == 0, "\(r.stderr)")
    let md = try String(contentsOfFile: dir.appendingPathComponent("report.md").path, encoding: .utf8)
    #expect(md.contains("stageIII: HR not estimable (monotone likelihood)."), "\(md)")
    #expect(md.contains("NE: not estimable"))
    #expect(!md.contains("e+"), "no huge numbers")
    let svg = try String(contentsOfFile: dir.appendingPathComponent("figures/cox-1-forest.svg").path, encoding: .utf8)
    #expect(svg.contains("not estimable (monotone likelihood)"))
    #expect(XMLParser(data: Data(svg.utf8)).parse())
    let text = try runOutcomes(["cox", "--data", dir.appendingPathComponent("hips.csv").path, "--formula", "Surv(months, failure) ~ stage + age"])
    #expect(text.status == 0 && text.stdout.contains("stageIII") && text.stdout.contains("NE"))
  }

  @Test("every data option works in a spec as on the command line: rate from an SQLite table (it used to fail with \"Unknown option '--table'\")")
  func rateFromTable() throws {
    let dir = try makeTemporaryFolder("report")
    defer { try? FileManager.default.removeItem(at: dir) }
    let spec = dir.appendingPathComponent("spec.yaml").path
    let database = repositoryPath("Tests/DataFilesTests/Files/study.sqlite")
    try """
      title: Veterans
      sections:
        - title: Deaths
          analyses:
            - rate: {data: \(database), table: veteran, formula: "status ~ trt", name: deaths}
      """.write(toFile: spec, atomically: true, encoding: .utf8)
    let r = try runOutcomes(["report", spec])
    #expect(r.status == 0, "\(r.stderr)")
    let csv = try String(contentsOfFile: dir.appendingPathComponent("tables/deaths-1.csv").path, encoding: .utf8)
    let cli = try runOutcomes(["rate", "--data", database, "--table", "veteran", "--formula", "status ~ trt", "--format", "csv"])
    #expect(cli.stdout.hasPrefix(csv), "\(csv)")
    #expect(csv.contains("trt=1,64,69,"))
  }

  @Test("--version prints only the version; completion scripts hold no example")
  func versionAndCompletion() throws {
    let v = try runOutcomes(["--version"])
    #expect(v.status == 0 && v.stdout == "0.1.0\n")
    for shell in ["bash", "zsh", "fish"] {
      let c = try runOutcomes(["--generate-completion-script", shell])
      #expect(c.status == 0 && !c.stdout.contains("EXAMPLE") && !c.stdout.contains("outcomes km --data"), "\(shell)")
      #expect(c.stdout.contains("design"))
    }
    // Completion of an analysis's options comes from the analysis itself.
    // (As the bash script asks: the argument, the word index, the cursor, then the words.)
    let k = try runOutcomes(["---completion", "km", "--", "positional@0", "2", "6", "outcomes", "km", "--conf-t"])
    #expect(k.stdout == "--conf-level\n--conf-type\n--conf-lower\n", "\(k.stdout) \(k.stderr)")
    let choices = try runOutcomes(["---completion", "km", "--", "positional@0", "3", "0", "outcomes", "km", "--conf-type", ""])
    #expect(choices.stdout == "log\nlog-log\nplain\nlogit\narcsin\n")
  }
}
