import Foundation
import Rendering
import Testing
import TestSupport

/// `--residuals` with `--residuals-weighted`, `--collapse` and the scaled
/// Schoenfeld columns against R's `residuals.coxph` (fixtures written by
/// Tests/References/make-references.R), through the command line.
@Suite("cox residual files: weighted, collapsed, scaled Schoenfeld")
struct ResidualOptionsTests {
  static let fixtures = fixtureFiles("Tests/OutcomesCLITests/Residuals")

  @Test("fixture count")
  func count() { #expect(Self.fixtures.count == 3) }

  @Test("every residual matches R at 1e-7", arguments: fixtures)
  func fixture(_ file: String) throws {
    let fixture = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: repositoryPath("Tests/OutcomesCLITests/Residuals/\(file)"))))
    guard case .array(let argValues)? = fixture["args"], let expected = fixture["expect"] else { Issue.record("malformed \(file)"); return }
    let dir = try makeTemporaryFolder("residuals")
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("r.csv").path
    let args = argValues.compactMap { v -> String? in if case .string(let s) = v { return s == "RESIDUALS" ? out : s } else { return nil } }
    let r = try runOutcomes(args)
    #expect(r.status == 0, "\(r.stderr)")
    let lines = try String(contentsOfFile: out, encoding: .utf8).split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    let header = lines[0]
    func column(_ name: String) -> Int { header.firstIndex(of: name) ?? -1 }
    func numbers(_ v: JSONValue?) -> [Double?] {
      if case .array(let items)? = v { return items.map(\.number) }
      return [v?.number]
    }
    let p = header.filter { $0.hasPrefix("score.") }.count
    if case .array(let groups)? = expected["collapsed"] {
      #expect(lines.count - 1 == groups.count, "\(file): one row per id")
      for (g, e) in groups.enumerated() where g + 1 < lines.count {
        let row = lines[g + 1]
        #expect(row[0] == e["id"].map { if case .string(let s) = $0 { return s } else { return "" } }, "\(file): id order")
        expectClose(Double(row[column("martingale")]), e["martingale"]?.number, relative: 1e-7, absolute: 1e-10, "\(file) martingale[\(g)]")
        expectClose(Double(row[column("deviance")]), e["deviance"]?.number, relative: 1e-7, absolute: 1e-10, "\(file) deviance[\(g)]")
        for (kind, values) in [("score", numbers(e["score"])), ("dfbeta", numbers(e["dfbeta"]))] {
          let names = header.filter { $0.hasPrefix(kind + ".") }
          for (k, v) in values.enumerated() where k < names.count {
            expectClose(Double(row[column(names[k])]), v, relative: 1e-7, absolute: 1e-10, "\(file) \(kind)[\(g)][\(k)]")
          }
        }
      }
      return
    }
    guard case .array(let rows)? = expected["rows"] else { Issue.record("rows"); return }
    #expect(lines.count - 1 == rows.count)
    for (i, e) in rows.enumerated() where i + 1 < lines.count {
      let row = lines[i + 1]
      #expect(Double(row[0]) == e["row"]?.number, "\(file): data row \(i)")
      expectClose(Double(row[column("martingale")]), e["martingale"]?.number, relative: 1e-7, absolute: 1e-10, "\(file) martingale[\(i)]")
      expectClose(Double(row[column("deviance")]), e["deviance"]?.number, relative: 1e-7, absolute: 1e-10, "\(file) deviance[\(i)]")
      for kind in ["score", "dfbeta", "scaledsch"] {
        let names = header.filter { $0.hasPrefix(kind + ".") }
        #expect(names.count == p)
        let values = numbers(e[kind])
        if kind == "scaledsch" && (e[kind] == nil || e[kind] == .null) {
          #expect(names.allSatisfy { row[column($0)] == "NA" }, "\(file): scaledsch of a censored row")
          continue
        }
        for (k, v) in values.enumerated() where k < names.count {
          expectClose(Double(row[column(names[k])]), v, relative: 1e-7, absolute: 1e-10, "\(file) \(kind)[\(i)][\(k)]")
        }
      }
    }
  }

  @Test("--collapse and --residuals-weighted without --residuals, or an unknown column, are errors")
  func refusals() throws {
    let base = ["cox", "--data", "Datasets/heart.csv", "--formula", "Surv(start, stop, event) ~ age"]
    let a = try runOutcomes(base + ["--collapse", "id"])
    #expect(a.status == 2 && a.stderr == "outcomes: --collapse: shapes the residuals file, expected --residuals FILE with it\n")
    let dir = try makeTemporaryFolder("residuals")
    defer { try? FileManager.default.removeItem(at: dir) }
    let b = try runOutcomes(base + ["--collapse", "patient", "--residuals", dir.appendingPathComponent("r.csv").path])
    #expect(b.status == 2 && b.stderr.hasPrefix("outcomes: --collapse: unknown column \"patient\""))
  }
}

@Suite("Side files are committed with the main output")
struct SideFileTests {
  @Test("--residuals is not written when the main output fails, and is when it succeeds")
  func together() throws {
    let dir = try makeTemporaryFolder("side-files")
    defer { try? FileManager.default.removeItem(at: dir) }
    let args = ["cox", "--data", repositoryPath("Datasets/lung.csv"), "--formula", "Surv(time, status) ~ age", "--residuals", "res.csv"]
    let failed = try runOutcomes(args + ["--out", dir.appendingPathComponent("missing/out.txt").path], in: dir)
    #expect(failed.status == 2 && failed.stdout.isEmpty)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty, "no residual file, no temporary file")
    let ok = try runOutcomes(args + ["--out", "out.txt"], in: dir)
    #expect(ok.status == 0)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["out.txt", "res.csv"])
  }
}
