import ArgumentParser
import Check
import Foundation
import Reports
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
      var checker = Checker(runner: { args in try CheckCommand.runAnalysis(args, file: file) })
      let run = checker.check(file)
      if let junit { try AtomicFile.write(run.junit(name: claims), to: junit) }
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
    if let out { try AtomicFile.write(text, to: out) } else { writeStandardOutput(text) }
    if exitCode != 0 { throw ExitStatus(code: exitCode) }
  }

  /// Runs one analysis from its CLI arguments, as the command line would.
  static func runAnalysis(_ args: [String], file: ClaimsFile) throws -> JSONValue {
    let analyses = Outcomes.configuration.subcommands.compactMap { $0.configuration.commandName }
      .filter { !["report", "check"].contains($0) }
    guard let first = args.first, analyses.contains(first) else {
      throw Checker.AnalysisFailure("unknown analysis \((args.first ?? "").quotedForMessage), expected one of: \(analyses.joined(separator: ", "))")
    }
    if let d = args.firstIndex(of: "--data"), d + 1 < args.count {
      let path = args[d + 1]
      if path != "-" && !FileManager.default.fileExists(atPath: path) {
        let names = file.data.map(\.name)
        let looksLikeName = !path.contains("/") && !path.contains(".")
        throw Checker.AnalysisFailure(looksLikeName
          ? "unknown data set \(path.quotedForMessage), expected one of the names under data: \(names.isEmpty ? "(none)" : names.joined(separator: ", "))"
          : "\(path): cannot open: No such file or directory")
      }
    }
    do {
      guard let command = try Outcomes.parseAsRoot(args) as? AnalysisCommand else {
        throw Checker.AnalysisFailure("\(first) is not an analysis")
      }
      return try command.compute().json()
    } catch let f as Checker.AnalysisFailure {
      throw f
    } catch let e as InputError {
      throw Checker.AnalysisFailure(e.description)
    } catch {
      let message = Outcomes.message(for: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? "invalid arguments"
      throw Checker.AnalysisFailure(message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message)
    }
  }
}

/// Ends the process with a status after the output was written (`check`'s 1 and 2).
struct ExitStatus: Error {
  var code: Int32
}
