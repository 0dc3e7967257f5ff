import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Rendering
import Testing
import TestSupport

@Suite("outcomes check")
struct CheckCommandTests {
  private func claimsFile(_ claims: String) throws -> String {
    let dir = try makeTemporaryFolder("check")
    let path = dir.appendingPathComponent("claims.yaml").path
    try "data:\n  gehan: \(repositoryPath("Datasets/gehan.csv"))\nclaims:\n\(claims)".write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  static let cox = "[cox, --data, gehan, --formula, \"Surv(time, cens) ~ treat\"]"

  @Test("the repository's own claims files hold", arguments: ["6mp", "lung", "rossi"])
  func dogfood(_ name: String) throws {
    let r = try runOutcomes(["check", "Reports/claims/\(name).yaml", "--format", "json"])
    #expect(r.status == 0, "\(r.stdout)")
    let json = try JSONValue.parse(Data(r.stdout.utf8))
    #expect(json["command"] == .string("check") && json["failed"] == .int(0) && json["errors"] == .int(0))
  }

  @Test("a changed digit fails (exit 1), names the claim, and says which method reproduces it; JUnit XML")
  func failure() throws {
    let path = try claimsFile("""
        - id: hr-efron
          source: a paper that used Breslow ties
          args: \(Self.cox)
          value: terms[term=treatcontrol].exp_coef
          published: "4.523"
        - id: median
          args: [km, --data, gehan, --formula, "Surv(time, cens) ~ treat"]
          value: groups[label=treat=6-MP].median
          published: "23"
      """)
    let junit = (path as NSString).deletingLastPathComponent + "/junit.xml"
    let r = try runOutcomes(["check", path, "--format", "json", "--junit", junit])
    #expect(r.status == 1)
    let json = try JSONValue.parse(Data(r.stdout.utf8))
    #expect(json["passed"] == .int(1) && json["failed"] == .int(1) && json["errors"] == .int(0))
    guard case .array(let claims)? = json["claims"] else { Issue.record("claims"); return }
    #expect(claims[0]["id"] == .string("hr-efron") && claims[0]["verdict"] == .string("fail"))
    expectClose(claims[0]["computed"]?.number, 4.8169, relative: 1e-4, "computed")
    guard case .string(let why)? = claims[0]["explanation"] else { Issue.record("explanation"); return }
    #expect(why.contains("reproduces with Breslow's method for ties (4.52307)"), "\(why)")
    let xml = try Data(contentsOf: URL(fileURLWithPath: junit))
    #expect(XMLParser(data: xml).parse())
    #expect(String(decoding: xml, as: UTF8.self).contains("<testsuite name=\"\(path)\" tests=\"2\" failures=\"1\" errors=\"0\">"))
  }

  @Test("invalid claims are ERROR rows with the reason; the others still run; exit 2")
  func errors() throws {
    let path = try claimsFile("""
        - id: unknown-analysis
          args: [kaplan, --data, gehan]
          value: median
          published: "23"
        - id: unknown-path
          args: \(Self.cox)
          value: terms[term=treatcontrol].hr
          published: "4.8"
        - id: unparsable
          args: \(Self.cox)
          value: terms[term=treatcontrol].exp_coef
          published: "about 5"
        - id: missing-data
          args: [km, --data, gehn, --formula, "Surv(time, cens) ~ treat"]
          value: groups[0].median
          published: "23"
        - id: good
          args: \(Self.cox)
          value: terms[term=treatcontrol].exp_coef
          published: "4.82"
      """)
    let r = try runOutcomes(["check", path])
    #expect(r.status == 2)
    #expect(r.stdout.contains("kaplan: unknown analysis, expected one of: km, logrank, cox"))
    #expect(r.stdout.contains("no field \"hr\" in terms[term=treatcontrol], expected one of: term, coef, exp_coef"))
    #expect(r.stdout.contains("published: cannot read a number in \"about 5\""))
    #expect(r.stdout.contains("unknown data set \"gehn\", expected a path or one of the names under data: gehan"))
    #expect(r.stdout.contains("1 passed, 0 failed, 4 errors"))
  }

  @Test("check prints text, json or md only")
  func formats() throws {
    for format in ["csv", "xlsx"] {
      let r = try runOutcomes(["check", "Reports/claims/6mp.yaml", "--format", format])
      #expect(r.status == 2 && r.stdout.isEmpty && r.stderr == "outcomes: --format: expected text, json or md, found \"\(format)\"\n")
    }
  }

  @Test("a malformed claims file: exit 2 with one line")
  func malformed() throws {
    let path = try claimsFile("  - id: [unclosed\n")
    let r = try runOutcomes(["check", path])
    #expect(r.status == 2 && r.stdout.isEmpty && r.stderr.hasPrefix("outcomes: \(path):"))
  }

  @Test("--manuscript: statements with line numbers, decision errors, exit 1")
  func manuscript() throws {
    let r = try runOutcomes(["check", "--manuscript", "Tests/CheckTests/manuscript.md", "--format", "json"])
    #expect(r.status == 1)
    let json = try JSONValue.parse(Data(r.stdout.utf8))
    #expect(json["manuscript"]?["decision_errors"] == .int(3))
    guard case .array(let statements)? = json["manuscript"]?["statements"] else { Issue.record("statements"); return }
    #expect(statements.count == 16)
    #expect(statements[0]["line"] == .int(3) && statements[0]["verdict"] == .string("consistent"))
    // The same manuscript through a pipe, as `-` and as /dev/stdin.
    let text = try String(contentsOfFile: repositoryPath("Tests/CheckTests/manuscript.md"), encoding: .utf8)
    for path in ["-", "/dev/stdin"] {
      let piped = try runOutcomes(["check", "--manuscript", path, "--format", "json"], stdin: text)
      #expect(piped.status == 1 && piped.stdout == r.stdout.replacingOccurrences(of: "Tests/CheckTests/manuscript.md", with: path), "\(path): \(piped.stderr)")
    }
  }
}
