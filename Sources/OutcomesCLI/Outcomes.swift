import Analyses
import ArgumentParser
import LinearAlgebra
import Rendering
import Tabular

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `outcomes` command line: every analysis of `AnalysisRegistry` (run by
/// `AnalysisCommandLine`), `report` and `check`.
public struct Outcomes: ParsableCommand {
  public static let version = "0.1.0"

  public static var configuration: CommandConfiguration {
    var subcommands: [ParsableCommand.Type] = AnalysisRegistry.all.filter { $0.name.words.count == 1 }.map { subcommand(for: $0) }
    subcommands.append(AnalysisGroupCommand.self)
    subcommands += [ReportCommand.self, CheckCommand.self]
    return CommandConfiguration(
      commandName: "outcomes",
      abstract: "Survival and response-rate statistics whose numbers match R.",
      discussion: "Every analysis prints an aligned table by default; --format json prints the contract's JSON.",
      version: version,
      subcommands: subcommands)
  }

  public init() {}

  static let example = #"outcomes km --data Datasets/lung.csv --formula "Surv(time, status) ~ sex""#
}

/// A subcommand whose `--help` ends with a worked example on a bundled data set.
protocol DocumentedCommand {
  static var example: String { get }
}

public enum OutcomesCLI {
  /// Runs the command line and exits: 0 on success, 1 when a `check` claim
  /// fails, 2 for bad usage or bad input (one line on stderr naming the
  /// file, line, column or option at fault), as the contract requires.
  public static func main(_ arguments: [String]? = nil) -> Never {
    let args = arguments ?? Array(CommandLine.arguments.dropFirst())
    let words = args.prefix { !$0.hasPrefix("-") }
    do {
      if let (analysis, count) = AnalysisRegistry.match(Array(words)) {
        try AnalysisCommandLine.run(analysis, arguments: Array(args.dropFirst(count)))
        exit(0)
      }
      if words.first == "help", let (analysis, _) = AnalysisRegistry.match(Array(words.dropFirst())) {
        writeStandardOutput(AnalysisCommandLine.help(analysis))
        exit(0)
      }
      let commands = Outcomes.configuration.subcommands.compactMap { $0.configuration.commandName }
      if let first = args.first, !first.hasPrefix("-"), first != "help", !commands.contains(first) {
        fail("unknown command \(first.quotedForMessage), expected one of: \(commands.joined(separator: ", "))"
             + ArgumentList.suggestion(first, commands.map { Parameter($0, help: "") }).replacingOccurrences(of: "--", with: ""))
      }
      if words.count >= 2, let group = AnalysisRegistry.groups[words[0]], !group.contains(words[1]) {
        fail("unknown \(words[0]) \(words[1].quotedForMessage), expected one of: \(group.joined(separator: ", "))")
      }
      var command = try Outcomes.parseAsRoot(args)
      try command.run()
      exit(0)
    } catch let status as ExitStatus {
      exit(status.code)
    } catch let error as InputError {
      fail(error.description)
    } catch let error as OutputError {
      fail(error.description)
    } catch {
      let code = Outcomes.exitCode(for: error)
      if code == .success {
        var text = Outcomes.fullMessage(for: error)
        // Help ends with an example; --version and completion scripts print only themselves.
        if args.contains("--help") || args.contains("-h") || args.first == "help" {
          if let example = example(for: Array(words)) { text += "\n\nEXAMPLE:\n  " + example }
        }
        writeStandardOutput(text + "\n")
        exit(0)
      }
      let message = Outcomes.message(for: error)
        .split(whereSeparator: \.isNewline).first.map(String.init) ?? "invalid usage"
      fail(message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message)
    }
  }

  private static func fail(_ message: String) -> Never {
    let line = message.split(whereSeparator: \.isNewline).joined(separator: " ")
    writeStandardError("outcomes: \(printableErrorLine(line))\n")
    exit(2)
  }

  private static func example(for words: [String]) -> String? {
    let names = words.first == "help" ? Array(words.dropFirst()) : words
    switch names {
    case []: return Outcomes.example
    case ["report"]: return ReportCommand.example
    case ["check"]: return CheckCommand.example
    default:
      if let group = names.first, AnalysisRegistry.groups[group] != nil, names.count == 1,
         let first = AnalysisRegistry.all.first(where: { $0.name.words.first == group }) {
        return first.example
      }
      return nil
    }
  }
}

func writeStandardOutput(_ text: String) {
  writeAll(text, to: 1)
}

func writeStandardError(_ text: String) {
  writeAll(text, to: 2)
}

private func writeAll(_ text: String, to fd: Int32) {
  let bytes = Array(text.utf8)
  var written = 0
  while written < bytes.count {
    #if canImport(Glibc)
    let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
    #else
    let n = bytes.withUnsafeBytes { Darwin.write(fd, $0.baseAddress! + written, bytes.count - written) }
    #endif
    if n < 0 && errno == EINTR { continue }
    if n <= 0 { return }
    written += n
  }
}

/// An error line safe for a terminal: control characters (an escape
/// sequence echoed from a formula or a file) written as `\u{1b}`, and at
/// most 2,000 characters.
func printableErrorLine(_ line: String) -> String {
  var out = String.UnicodeScalarView()
  var count = 0
  for scalar in line.unicodeScalars {
    if count == 2_000 { out.append("…"); break }
    if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
      out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16))}".unicodeScalars)
    } else {
      out.append(scalar)
    }
    count += 1
  }
  return String(out)
}
