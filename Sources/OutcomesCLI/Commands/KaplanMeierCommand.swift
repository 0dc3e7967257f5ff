import ArgumentParser
import Reports
import Rendering
import Survival
import Tabular

/// `outcomes km`: Kaplan–Meier curves, as R's `survfit`.
struct KaplanMeierCommand: AnalysisCommand, DocumentedCommand {
  static let configuration = CommandConfiguration(
    commandName: "km",
    abstract: "Kaplan–Meier survival curves with Greenwood variance (R survfit).",
    discussion: """
      One curve per group of the right-hand side. Prints n, events, the median with its \
      confidence limits and the median follow-up; --times adds the curves at given times, \
      --tau the restricted mean survival time. Near-tied times are merged as R's timefix = TRUE.
      """)

  static let example = """
      outcomes km --data Datasets/lung.csv --formula "Surv(time, status) ~ sex" --times 180,365 --tau 730
    """

  @OptionGroup var common: CommonOptions

  @OptionGroup var adam: ADaMOptions

  @Option(name: .customLong("conf-type"), help: "Confidence interval scale: log, log-log, plain, logit or arcsin.")
  var confType: String = "log"

  @Option(help: "Report the curves at these comma-separated times (R summary(fit, times =)).")
  var times: String?

  @Option(help: "Restricted mean survival time up to this time (R print(fit, rmean =)).")
  var tau: String?

  @Option(help: "Column of case weights.")
  var weights: String?

  @Flag(help: "Also print every step of the curves (text, md and csv).")
  var steps = false

  var output: OutputOptions { OutputOptions(format: common.format, out: common.out) }

  func compute() throws -> AnalysisResult {
    guard let transform = ConfidenceTransform(rawValue: confType) else {
      throw InputError(InputLocation(source: "--conf-type"),
                       "expected one of log, log-log, plain, logit, arcsin, found \(confType.quotedForMessage)")
    }
    let options = KaplanMeier.Options(
      confidenceTransform: transform,
      confidenceLevel: try common.confidenceLevel(),
      times: try times.map { try parseNumberList($0, option: "--times") },
      tau: try tau.map { try parseNumber($0, option: "--tau", where: { $0.isFinite && $0 > 0 }, expected: "a positive number") })
    let frame = try common.modelFrame(weights: weights, adam: adam)
    return .km(try KaplanMeier.fit(frame, options: options), formula: (try? adam.formula(common.formula)).flatMap { $0 } ?? common.formula)
  }

  func extraTables(_ result: AnalysisResult) -> [ResultTable] {
    guard steps, case .km(let fit, _) = result else { return [] }
    return [fit.stepsTable()]
  }
}
