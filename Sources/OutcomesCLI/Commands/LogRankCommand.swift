import ArgumentParser
import Reports
import Rendering
import Survival
import Tabular

/// `outcomes logrank`: the log-rank family, as R's `survdiff`.
struct LogRankCommand: AnalysisCommand, DocumentedCommand {
  static let configuration = CommandConfiguration(
    commandName: "logrank",
    abstract: "Log-rank and Fleming–Harrington G-rho tests (R survdiff).",
    discussion: """
      Compares the groups of the right-hand side; strata(s) in the formula gives the \
      stratified test. --rho 0 is the log-rank test, --rho 1 the Peto–Peto test.
      """)

  static let example = """
      outcomes logrank --data Datasets/lung.csv --formula "Surv(time, status) ~ sex + strata(ph.ecog)" --rho 1
    """

  @OptionGroup var common: CommonOptions

  @OptionGroup var adam: ADaMOptions

  @Option(help: "Weight S(t-)^rho of the G-rho family; 0 is the log-rank test.")
  var rho: String = "0"

  var output: OutputOptions { OutputOptions(format: common.format, out: common.out) }

  func compute() throws -> AnalysisResult {
    let rho = try parseNumber(rho, option: "--rho", where: { $0.isFinite && $0 >= 0 }, expected: "a non-negative number")
    _ = try common.confidenceLevel()
    let frame = try common.modelFrame(adam: adam)
    let test = try LogRank.test(frame, options: .init(rho: rho))
    return .logrank(test, formula: (try? adam.formula(common.formula)).flatMap { $0 } ?? common.formula, stratified: frame.strata != nil)
  }
}
