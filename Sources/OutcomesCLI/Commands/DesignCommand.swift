import ArgumentParser
import Foundation
import Rendering
import Reports
import StudyDesign
import Tabular

/// `outcomes design`: study design calculations.
struct DesignCommand: ParsableCommand, DocumentedCommand {
  static let configuration = CommandConfiguration(
    commandName: "design",
    abstract: "Study design: events and sample sizes.",
    subcommands: [SimonDesignCommand.self, SingleStageDesignCommand.self, TwoRatesDesignCommand.self, LogRankDesignCommand.self])

  static let example = """
      outcomes design simon --p0 0.65 --p1 0.85 --alpha 0.05 --power 0.8
    """
}

/// The options every design takes: alpha, power, output.
struct DesignOptions: ParsableArguments {
  @Option(help: "Significance level in (0, 1) (two-sided for comparisons, one-sided for Simon).")
  var alpha: String = "0.05"

  @Option(help: "Power in (0, 1).")
  var power: String = "0.8"

  @Option(help: "Output format: text, json, csv or md.")
  var format: OutputFormat = .text

  @Option(help: "Write the output to this file (atomically) instead of standard output.")
  var out: String?

  func alphaValue() throws -> Double {
    try parseNumber(alpha, option: "--alpha", where: { $0 > 0 && $0 < 1 }, expected: "a number in (0, 1)")
  }

  func powerValue() throws -> Double {
    try parseNumber(power, option: "--power", where: { $0 > 0 && $0 < 1 }, expected: "a number in (0, 1)")
  }
}

/// Parses a rate option in (0, 1).
func parseRate(_ text: String, option: String) throws -> Double {
  try parseNumber(text, option: option, where: { $0 > 0 && $0 < 1 }, expected: "a rate in (0, 1)")
}

/// `outcomes design simon`: Simon's optimal and minimax two-stage designs.
struct SimonDesignCommand: AnalysisCommand, DocumentedCommand {
  static let configuration = CommandConfiguration(
    commandName: "simon",
    abstract: "Simon's two-stage designs (optimal and minimax) for a single-arm phase II trial.",
    discussion: """
      H0: response rate <= p0 against p1. Stop after stage 1 if at most r1 of n1 respond; reject the \
      treatment if at most r of n respond. Exhaustive search with n <= --nmax; one-sided alpha. For a \
      failure rate, design on the success rate (1 - failure rate).
      """)

  static let example = """
      outcomes design simon --p0 0.65 --p1 0.85 --alpha 0.05 --power 0.8
    """

  @OptionGroup var rates: SingleArmRates

  @Option(help: "Largest total sample size searched.")
  var nmax: String = "100"

  @OptionGroup var design: DesignOptions

  var output: OutputOptions { OutputOptions(format: design.format, out: design.out) }

  func compute() throws -> AnalysisResult {
    let (p0, p1) = try rates.values()
    let nmax = try parseMaximumSize(self.nmax, from: 2, to: 1000)
    let options = SimonTwoStage.Options(p0: p0, p1: p1, alpha: try design.alphaValue(), power: try design.powerValue(),
                                        maximumSize: nmax)
    guard let designs = SimonTwoStage.design(options) else {
      throw InputError(InputLocation(source: "--nmax"),
                       "no two-stage design with n <= \(nmax) reaches alpha \(design.alpha) and power \(design.power), expected a larger --nmax")
    }
    return .simon(designs)
  }
}

/// The rates of a single-arm design: p0 (H0) and p1 above it.
struct SingleArmRates: ParsableArguments {
  @Option(help: "Uninteresting response rate (H0), in (0, 1).")
  var p0: String

  @Option(help: "Response rate worth pursuing (H1), in (p0, 1).")
  var p1: String

  func values() throws -> (Double, Double) {
    let low = try parseRate(p0, option: "--p0")
    let high = try parseRate(p1, option: "--p1")
    if !(high > low) {
      throw InputError(InputLocation(source: "--p1"), "expected a rate above p0 = \(RNumberText.format(low)), found \(p1.quotedForMessage)")
    }
    return (low, high)
  }
}

/// `--nmax`: a whole number in the searchable range.
func parseMaximumSize(_ text: String, from low: Int, to high: Int) throws -> Int {
  let n = try parseCount(text, option: "--nmax")
  if n < low || n > high {
    throw InputError(InputLocation(source: "--nmax"), "expected a whole number from \(low) to \(high), found \(text.quotedForMessage)")
  }
  return n
}

/// `outcomes design single-stage`: the exact single-stage design.
struct SingleStageDesignCommand: AnalysisCommand, DocumentedCommand {
  static let configuration = CommandConfiguration(
    commandName: "single-stage",
    abstract: "The exact single-stage design of a single-arm trial (A'Hern 2001): smallest n and cut-off.",
    discussion: """
      H0: response rate <= p0 against p1. Reject the treatment if at most r of n respond; exact binomial \
      probabilities, one-sided alpha. For a failure rate, design on the success rate (1 - failure rate).
      """)

  static let example = """
      outcomes design single-stage --p0 0.65 --p1 0.85 --alpha 0.05 --power 0.8
    """

  @OptionGroup var rates: SingleArmRates

  @Option(help: "Largest sample size searched.")
  var nmax: String = "1000"

  @OptionGroup var design: DesignOptions

  var output: OutputOptions { OutputOptions(format: design.format, out: design.out) }

  func compute() throws -> AnalysisResult {
    let (p0, p1) = try rates.values()
    let nmax = try parseMaximumSize(self.nmax, from: 1, to: 100_000)
    guard let result = SingleStageDesign.design(.init(p0: p0, p1: p1, alpha: try design.alphaValue(),
                                                      power: try design.powerValue(), maximumSize: nmax)) else {
      throw InputError(InputLocation(source: "--nmax"),
                       "no single-stage design with n <= \(nmax) reaches alpha \(design.alpha) and power \(design.power), expected a larger --nmax")
    }
    return .singleStage(result)
  }
}

/// `outcomes design two-rates`: patients per group to compare two rates.
struct TwoRatesDesignCommand: AnalysisCommand, DocumentedCommand {
  static let configuration = CommandConfiguration(
    commandName: "two-rates",
    abstract: "Patients per group to compare two rates (R power.prop.test; continuity-corrected; exact Fisher).",
    discussion: "Two-sided alpha. The normal-approximation size is R's power.prop.test rounded up.")

  static let example = """
      outcomes design two-rates --p1 0.65 --p2 0.85 --alpha 0.05 --power 0.8
    """

  @Option(help: "Rate in group 1, in (0, 1).")
  var p1: String

  @Option(help: "Rate in group 2, in (0, 1), not p1.")
  var p2: String

  @OptionGroup var design: DesignOptions

  var output: OutputOptions { OutputOptions(format: design.format, out: design.out) }

  func compute() throws -> AnalysisResult {
    let p1 = try parseRate(self.p1, option: "--p1")
    let p2 = try parseRate(self.p2, option: "--p2")
    if p1 == p2 {
      throw InputError(InputLocation(source: "--p2"), "expected a rate other than p1 = \(RNumberText.format(p1)), found \(self.p2.quotedForMessage)")
    }
    let size = TwoRateDesign.sampleSize(.init(p1: p1, p2: p2, alpha: try design.alphaValue(), power: try design.powerValue()))
    return .twoRates(size)
  }
}

/// `outcomes design logrank`: events for a two-arm log-rank test.
struct LogRankDesignCommand: AnalysisCommand, DocumentedCommand {
  static let configuration = CommandConfiguration(
    commandName: "logrank",
    abstract: "Events a two-arm log-rank test needs (Schoenfeld; Freedman alongside).",
    discussion: """
      Two-sided alpha. --allocation is the proportion in the experimental arm, whose hazard is HR times \
      the control arm's. With --accrual, --follow-up and --median-control (or --hazard-control), also \
      the patients: uniform accrual, follow-up after accrual ends, exponential survival; times in any \
      one unit.
      """)

  static let example = """
      outcomes design logrank --hr 0.65 --alpha 0.05 --power 0.9 --accrual 24 --follow-up 12 --median-control 18
    """

  @Option(help: "Hazard ratio, experimental against control (> 0, not 1).")
  var hr: String

  @Option(help: "Two-sided significance level in (0, 1).")
  var alpha: String = "0.05"

  @Option(help: "Power in (0, 1).")
  var power: String = "0.8"

  @Option(help: "Proportion of patients in the experimental arm, in (0, 1).")
  var allocation: String = "0.5"

  @Option(help: "Accrual period (patients enter uniformly over it), >= 0.")
  var accrual: String?

  @Option(name: .customLong("follow-up"), help: "Follow-up after accrual ends, >= 0.")
  var followUp: String?

  @Option(name: .customLong("median-control"), help: "Median survival in the control arm (exponential), > 0.")
  var medianControl: String?

  @Option(name: .customLong("hazard-control"), help: "Hazard (event rate per time unit) in the control arm, > 0.")
  var hazardControl: String?

  @Option(help: "Output format: text, json, csv or md.")
  var format: OutputFormat = .text

  @Option(help: "Write the output to this file (atomically) instead of standard output.")
  var out: String?

  var output: OutputOptions { OutputOptions(format: format, out: out) }

  func compute() throws -> AnalysisResult {
    let inUnit: (Double) -> Bool = { $0 > 0 && $0 < 1 }
    let options = LogRankDesign.Options(
      hazardRatio: try parseNumber(hr, option: "--hr", where: { $0 > 0 && $0 != 1 && $0.isFinite },
                                   expected: "a positive hazard ratio other than 1"),
      alpha: try parseNumber(alpha, option: "--alpha", where: inUnit, expected: "a number in (0, 1)"),
      power: try parseNumber(power, option: "--power", where: inUnit, expected: "a number in (0, 1)"),
      allocation: try parseNumber(allocation, option: "--allocation", where: inUnit, expected: "a number in (0, 1)"),
      recruitment: try recruitment())
    return .logrankDesign(LogRankDesign.events(options))
  }

  /// --accrual, --follow-up and one of --median-control, --hazard-control: all or none.
  func recruitment() throws -> LogRankDesign.Recruitment? {
    let given: [(String, String?)] = [("--accrual", accrual), ("--follow-up", followUp),
                                      ("--median-control", medianControl), ("--hazard-control", hazardControl)]
    guard given.contains(where: { $0.1 != nil }) else { return nil }
    if medianControl != nil && hazardControl != nil {
      throw InputError(InputLocation(source: "--hazard-control"), "expected --median-control or --hazard-control, found both")
    }
    guard let accrual else {
      throw InputError(InputLocation(source: "--accrual"), "expected --accrual with --follow-up and --median-control or --hazard-control")
    }
    guard let followUp else {
      throw InputError(InputLocation(source: "--follow-up"), "expected --follow-up with --accrual and --median-control or --hazard-control")
    }
    let a = try parseNumber(accrual, option: "--accrual", where: { $0 >= 0 && $0.isFinite }, expected: "a time of at least 0")
    let f = try parseNumber(followUp, option: "--follow-up", where: { $0 >= 0 && $0.isFinite }, expected: "a time of at least 0")
    if a + f == 0 {
      throw InputError(InputLocation(source: "--follow-up"), "expected accrual + follow-up above 0, found 0")
    }
    let hazard: Double
    if let medianControl {
      hazard = log(2) / (try parseNumber(medianControl, option: "--median-control", where: { $0 > 0 && $0.isFinite },
                                         expected: "a positive median"))
    } else if let hazardControl {
      hazard = try parseNumber(hazardControl, option: "--hazard-control", where: { $0 > 0 && $0.isFinite },
                               expected: "a positive hazard")
    } else {
      throw InputError(InputLocation(source: "--median-control"), "expected --median-control or --hazard-control with --accrual and --follow-up")
    }
    return LogRankDesign.Recruitment(accrual: a, followUp: f, controlHazard: hazard)
  }
}
