import ArgumentParser
import Check
import Foundation
import Rendering
import Tabular

/// `outcomes check CLAIMS.yaml`: recomputes published numbers and fails
/// when one no longer holds at its printed precision.
struct CheckCommand: ParsableCommand, DocumentedCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Check published numbers against their analyses (CI for papers); --manuscript checks a paper's statistics.",
    discussion: """
      Exit 0 when every claim holds, 1 when one fails, 2 when the claims file or an analysis is \
      invalid (that claim is an ERROR row; the others still run). A failed claim names the \
      neighbouring methods that would reproduce the printed number.
      """)

  static let example = """
      outcomes check Reports/claims/6mp.yaml --junit check.xml
    """

  @Argument(help: "The claims file (YAML).")
  var claims: String?

  @Option(help: "Check the reported statistics of a manuscript (Markdown or text) for consistency.")
  var manuscript: String?

  @Option(help: "Also write JUnit XML to this file.")
  var junit: String?

  @Option(help: "Output format: text, json or md.")
  var format: OutputFormat = .text

  @Option(help: "Write the output to this file (atomically) instead of standard output.")
  var out: String?

  func validate() throws {
    if claims == nil && manuscript == nil {
      throw InputError(InputLocation(source: "check"), "expected a claims file or --manuscript FILE")
    }
    if format == .csv || format == .xlsx {
      throw InputError(InputLocation(source: "--format"), "expected text, json or md, found \"\(format.rawValue)\"")
    }
  }

  func run() throws {
    var exitCode: Int32 = 0
    var tables: [ResultTable] = []
    var json: JSONValue = .object([("command", .string("check"))])
    if let claims {
      let file = try ClaimsFile.load(path: claims)
      var checker = Checker(file: file)
      let run = checker.check(file)
      if let junit { try AtomicFile.write(junit) { $0.write(run.junit(name: claims)) } }
      json = run.json()
      tables.append(run.table(title: "Claims: \(claims)"))
      exitCode = run.errors > 0 ? 2 : (run.failed > 0 ? 1 : 0)
    }
    if let manuscript {
      let findings = ManuscriptCheck.check(try ManuscriptFile.read(path: manuscript))
      if case .object(let pairs) = json { json = .object(pairs + [("manuscript", ManuscriptCheck.json(findings, path: manuscript))]) }
      tables.append(ManuscriptCheck.table(findings, path: manuscript))
      if findings.contains(where: { $0.verdict != .consistent }) && exitCode == 0 { exitCode = 1 }
    }
    let text: String
    switch format {
    case .json: text = json.serialized() + "\n"
    case .md: text = MarkdownRenderer().render(tables)
    default: text = TextRenderer().render(tables)
    }
    if let out { try AtomicFile.write(out) { $0.write(text) } } else { writeStandardOutput(text) }
    if exitCode != 0 { throw ExitStatus(code: exitCode) }
  }
}

/// Ends the process with a status after the output was written (`check`'s 1 and 2).
struct ExitStatus: Error {
  var code: Int32
}
