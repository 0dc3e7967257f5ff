import ArgumentParser
import Rendering
import Reports
import StudyDesign
import Tabular

/// `outcomes design`: study design calculations.
struct DesignCommand: ParsableCommand, DocumentedCommand {
  static let configuration = CommandConfiguration(
    commandName: "design",
    abstract: "Study design: events and sample sizes.",
    subcommands: [LogRankDesignCommand.self])

  static let example = """
      outcomes design logrank --hr 0.5 --alpha 0.05 --power 0.8
    """
}

/// `outcomes design logrank`: events for a two-arm log-rank test.
struct LogRankDesignCommand: ParsableCommand, DocumentedCommand {
  static let configuration = CommandConfiguration(
    commandName: "logrank",
    abstract: "Events a two-arm log-rank test needs (Schoenfeld; Freedman alongside).",
    discussion: "Two-sided alpha. --allocation is the proportion in the experimental arm, whose hazard is HR times the control arm's.")

  static let example = """
      outcomes design logrank --hr 0.65 --alpha 0.05 --power 0.9 --allocation 0.5
    """

  @Option(help: "Hazard ratio, experimental against control (> 0, not 1).")
  var hr: String

  @Option(help: "Two-sided significance level in (0, 1).")
  var alpha: String = "0.05"

  @Option(help: "Power in (0, 1).")
  var power: String = "0.8"

  @Option(help: "Proportion of patients in the experimental arm, in (0, 1).")
  var allocation: String = "0.5"

  @Option(help: "Output format: text, json, csv or md.")
  var format: OutputFormat = .text

  @Option(help: "Write the output to this file (atomically) instead of standard output.")
  var out: String?

  func run() throws {
    let inUnit: (Double) -> Bool = { $0 > 0 && $0 < 1 }
    let options = LogRankDesign.Options(
      hazardRatio: try parseNumber(hr, option: "--hr", where: { $0 > 0 && $0 != 1 && $0.isFinite },
                                   expected: "a positive hazard ratio other than 1"),
      alpha: try parseNumber(alpha, option: "--alpha", where: inUnit, expected: "a number in (0, 1)"),
      power: try parseNumber(power, option: "--power", where: inUnit, expected: "a number in (0, 1)"),
      allocation: try parseNumber(allocation, option: "--allocation", where: inUnit, expected: "a number in (0, 1)"))
    let design = LogRankDesign.events(options)
    try Emitter(format: format, out: out).emit(
      json: try JSONValueEncoder().encode(design).prepending("command", .string("design-logrank")),
      tables: { [design.table()] })
  }
}
