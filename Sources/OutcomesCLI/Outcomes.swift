import ArgumentParser
import LinearAlgebra
import Tabular

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `outcomes` command line.
public struct Outcomes: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "outcomes",
    abstract: "Survival and response-rate statistics whose numbers match R.",
    discussion: "Every analysis prints an aligned table by default; --format json prints the contract's JSON.",
    version: "0.1.0",
    subcommands: [KaplanMeierCommand.self, LogRankCommand.self, CoxCommand.self, RateCommand.self, CompareCommand.self, CMHCommand.self, LogisticCommand.self, DesignCommand.self, ReportCommand.self, CheckCommand.self])

  public init() {}
}

/// A subcommand whose `--help` ends with a worked example on a bundled data set.
protocol DocumentedCommand {
  static var example: String { get }
}

public enum OutcomesCLI {
  /// Runs the command line and exits: 0 on success, 2 for bad usage or bad
  /// input (one line on stderr naming the file, line, column or option at
  /// fault), as the contract requires. ArgumentParser's own usage errors are
  /// mapped to 2 as well (its default is 64).
  public static func main(_ arguments: [String]? = nil) -> Never {
    let args = arguments ?? Array(CommandLine.arguments.dropFirst())
    BLAS.useSingleThreadedKernels()
    let commands = Outcomes.configuration.subcommands.compactMap { $0.configuration.commandName }
    if let first = args.first, !first.hasPrefix("-"), first != "help", !commands.contains(first) {
      fail("unknown command \(first.quotedForMessage), expected one of: \(commands.joined(separator: ", "))")
    }
    do {
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
        if let example = example(for: args) { text += "\n\nEXAMPLE:\n" + example }
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
    writeStandardError("outcomes: \(line)\n")
    exit(2)
  }

  private static func example(for args: [String]) -> String? {
    let names = args.prefix { !$0.hasPrefix("-") }
    switch Array(names) {
    case []: return "  outcomes km --data Datasets/lung.csv --formula \"Surv(time, status) ~ sex\""
    case ["km"]: return KaplanMeierCommand.example
    case ["logrank"]: return LogRankCommand.example
    case ["cox"]: return CoxCommand.example
    case ["rate"]: return RateCommand.example
    case ["compare"]: return CompareCommand.example
    case ["cmh"]: return CMHCommand.example
    case ["logistic"]: return LogisticCommand.example
    case ["report"]: return ReportCommand.example
    case ["check"]: return CheckCommand.example
    case ["design"]: return DesignCommand.example
    case ["design", "logrank"]: return LogRankDesignCommand.example
    case ["design", "simon"]: return SimonDesignCommand.example
    case ["design", "single-stage"]: return SingleStageDesignCommand.example
    case ["design", "two-rates"]: return TwoRatesDesignCommand.example
    default: return nil
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
    let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
    if n < 0 && errno == EINTR { continue }
    if n <= 0 { return }
    written += n
  }
}
