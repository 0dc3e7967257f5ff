import Analyses
import ArgumentParser
import Rendering
import Tabular

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The output formats of every analysis command.
enum OutputFormat: String, CaseIterable, OptionChoice, ExpressibleByArgument {
  case text, json, csv, md, xlsx
}

/// How the command line runs an analysis: its arguments parsed against the
/// analysis's own options (`ArgumentList`), decoded into its typed options
/// (`OptionDecoder`), run, and the result written in the format asked for.
/// Every analysis in `AnalysisRegistry` is a command this way; none has a
/// command type of its own.
enum AnalysisCommandLine {
  /// The options the command line adds to every analysis.
  static let outputParameters: [Parameter] = [
    .choice("format", OutputFormat.self, help: "Output format (xlsx with --out).", default: .text),
    Parameter("out", help: "Write the output to this file (atomically) instead of standard output.", path: true),
  ]

  static func parameters(_ analysis: AnalysisKind) -> [Parameter] {
    analysis.parameters + analysis.fileOutputs + outputParameters
  }

  struct Output: Decodable {
    var format: OutputFormat
    var out: String?
    enum CodingKeys: String, CodingKey { case format, out }
    init(from decoder: Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      format = try c.choice(.format, default: .text)
      out = try c.text(.out, expected: "a file path")
      if format == .xlsx && out == nil {
        throw InputError(option: "format", "xlsx is a binary format, expected --out FILE.xlsx with it")
      }
    }
  }

  /// Runs `outcomes <words> <args>`.
  static func run(_ analysis: AnalysisKind, arguments: [String]) throws {
    let parsed = try ArgumentList.parse(arguments, parameters: parameters(analysis))
    if parsed.help {
      writeStandardOutput(help(analysis))
      return
    }
    let files = analysis.fileOutputs.map(\.name)
    let output = try OptionDecoder.decode(Output.self, from: parsed.input.keeping(["format", "out"]))
    var requested: [(name: String, path: String)] = []
    for name in files {
      if let value = parsed.input[name] { requested.append((name, value.text)) }
    }
    let progress = progressReporter()
    let context = AnalysisContext(data: DataContext(progress: progress), progress: progress, requestedFiles: Set(requested.map(\.name)))
    let result = try analysis.run(parsed.input.removing(Set(files + ["format", "out"])), in: context)
    for warning in result.output.warnings { writeStandardError("outcomes: warning: \(warning)\n") }
    // The side files (--residuals, --baseline) are written to temporary
    // names first and put in place only once the main output is written:
    // all of them, or none.
    var pending: [PendingFile] = []
    do {
      for (name, path) in requested {
        guard let table = try result.file(name) else { continue }
        let text = CSVRenderer().render(table)
        pending.append(try PendingFile.prepare(path) { sink in sink.write(text) })
      }
      try Emitter(format: output.format, out: output.out).emit(result)
    } catch {
      for file in pending { file.discard() }
      throw error
    }
    for (k, file) in pending.enumerated() {
      do { try file.commit() } catch {
        for rest in pending[(k + 1)...] { rest.discard() }
        throw error
      }
    }
  }

  /// Progress lines on standard error, on a terminal only.
  static func progressReporter() -> (@Sendable (String) -> Void)? {
    guard isatty(2) != 0 else { return nil }
    return { writeStandardError("outcomes: \($0)\n") }
  }

  // MARK: - Help

  static func help(_ analysis: AnalysisKind) -> String {
    let parameters = parameters(analysis)
    var out = "OVERVIEW: \(analysis.abstract)\n\n"
    out += wrap(analysis.discussion, indent: 0) + "\n\n"
    let required = parameters.filter(\.isRequired).map { "--\($0.name) \($0.valueName)" }
    out += "USAGE: outcomes \(analysis.name) " + (required + ["[<options>]"]).joined(separator: " ") + "\n\n"
    out += "OPTIONS:\n"
    for p in parameters {
      let left = "  --\(p.name)" + (p.kind == .flag ? "" : " \(p.valueName)")
      var text = p.help
      var notes: [String] = []
      if !p.choices.isEmpty { notes.append("values: " + p.choices.joined(separator: ", ")) }
      if let d = p.defaultValue { notes.append("default: \(d)") }
      if !notes.isEmpty { text += " (" + notes.joined(separator: "; ") + ")" }
      out += column(left, text)
    }
    out += column("  -h, --help", "Show help information.")
    out += "\nEXAMPLE:\n  \(analysis.example)\n"
    return out
  }

  private static func column(_ left: String, _ text: String) -> String {
    let width = 28
    let body = wrap(text, indent: width)
    if left.count + 2 <= width {
      let first = left + String(repeating: " ", count: width - left.count)
      return first + body.dropFirst(width) + "\n"
    }
    return left + "\n" + body + "\n"
  }

  /// Words wrapped at 80 columns, every line indented by `indent`.
  static func wrap(_ text: String, indent: Int) -> String {
    var lines: [String] = []
    var line = String(repeating: " ", count: indent)
    for word in text.split(separator: " ", omittingEmptySubsequences: true) {
      if line.count + word.count + 1 > 80 && line.count > indent {
        lines.append(line)
        line = String(repeating: " ", count: indent)
      }
      line += (line.count > indent ? " " : "") + word
    }
    lines.append(line)
    return lines.joined(separator: "\n")
  }

  // MARK: - Completion

  /// The candidates of shell completion for an analysis: its options not yet
  /// given, or the choices of the option being completed.
  static func completions(_ analysis: AnalysisKind, words: [String], index: Int, prefix: String) -> [String] {
    let parameters = parameters(analysis)
    if index > 0, index - 1 < words.count {
      let previous = words[index - 1]
      if previous.hasPrefix("--"), let p = parameters.first(where: { "--" + $0.name == previous }), p.kind != .flag {
        return p.choices.filter { $0.hasPrefix(prefix) }
      }
    }
    let given = Set(words)
    return parameters.map { "--" + $0.name }.filter { !given.contains($0) && $0.hasPrefix(prefix) }
  }
}

/// An analysis as a subcommand of `outcomes`, for `outcomes --help` and the
/// shell completion scripts. `OutcomesCLI.main` runs analyses itself through
/// `AnalysisCommandLine`; this type only describes them to ArgumentParser.
struct AnalysisSubcommand<A: Analysis>: ParsableCommand {
  static var configuration: CommandConfiguration {
    CommandConfiguration(commandName: A.name.words.last!, abstract: A.abstract)
  }

  @Argument(parsing: .captureForPassthrough, help: "The analysis's options (outcomes \(A.name) --help lists them).",
            completion: .custom { words, index, prefix in
              AnalysisCommandLine.completions(AnalysisKind(A.self), words: words, index: index, prefix: prefix)
            })
  var arguments: [String] = []

  init() {}

  func run() throws {
    try AnalysisCommandLine.run(AnalysisKind(A.self), arguments: arguments)
  }
}

/// A group of analyses under one word (`design`).
struct AnalysisGroupCommand: ParsableCommand {
  static var configuration: CommandConfiguration {
    CommandConfiguration(commandName: "design", abstract: "Study design: events and sample sizes.",
                         subcommands: AnalysisRegistry.all.filter { $0.name.words.first == "design" && $0.name.words.count == 2 }
                           .map { subcommand(for: $0) })
  }
  init() {}
}

/// The ArgumentParser subcommand of an analysis.
func subcommand(for analysis: AnalysisKind) -> ParsableCommand.Type {
  var maker: any AnalysisTypeReceiver = SubcommandMaker()
  analysis.open(&maker)
  return (maker as! SubcommandMaker).made!
}

private struct SubcommandMaker: AnalysisTypeReceiver {
  var made: ParsableCommand.Type?
  mutating func receive<A: Analysis>(_ type: A.Type) { made = AnalysisSubcommand<A>.self }
}
