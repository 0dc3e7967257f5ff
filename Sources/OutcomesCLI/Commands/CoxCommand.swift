import ArgumentParser
import Reports
import Rendering
import Survival
import Tabular

/// `outcomes cox`: Cox proportional-hazards regression, as R's `coxph`.
struct CoxCommand: AnalysisCommand, DocumentedCommand {
  static let configuration = CommandConfiguration(
    commandName: "cox",
    abstract: "Cox proportional-hazards regression (R coxph).",
    discussion: """
      Efron ties by default; strata() for separate baseline hazards, cluster(id) for the \
      robust variance, Surv(start, stop, status) for time-varying covariates. --zph tests \
      proportional hazards as R's cox.zph; --residuals and --baseline write CSV files.
      """)

  static let example = """
      outcomes cox --data Datasets/lung.csv --formula "Surv(time, status) ~ age + sex + factor(ph.ecog)" --zph
    """

  @OptionGroup var common: CommonOptions

  @OptionGroup var adam: ADaMOptions

  @Option(help: "Ties: efron or breslow.")
  var ties: String = "efron"

  @Flag(help: "Test proportional hazards (R cox.zph).")
  var zph = false

  @Option(name: .customLong("zph-transform"), help: "Time scale of --zph: km, identity, log or rank.")
  var zphTransform: String = "km"

  @Option(name: .customLong("iter-max"), help: "Maximum Newton–Raphson iterations.")
  var iterMax: String = "20"

  @Option(help: "Column of case weights (positive).")
  var weights: String?

  @Option(help: "Write residuals (martingale, deviance, score, Schoenfeld, dfbeta) to this CSV file.")
  var residuals: String?

  @Option(help: "Write the baseline cumulative hazard (R basehaz(centered = FALSE)) to this CSV file.")
  var baseline: String?

  var output: OutputOptions { OutputOptions(format: common.format, out: common.out) }

  func compute() throws -> AnalysisResult {
    .cox(try model().model.fit, formula: (try? adam.formula(common.formula)).flatMap { $0 } ?? common.formula)
  }

  func run() throws {
    let (model, dataRows) = try model()
    let result = AnalysisResult.cox(model.fit, formula: (try? adam.formula(common.formula)).flatMap { $0 } ?? common.formula)
    for warning in result.warnings { writeStandardError("outcomes: warning: \(warning)\n") }
    if let path = residuals {
      try AtomicFile.write(CSVRenderer().render(model.residualTable(frame: dataRows)), to: path)
    }
    if let path = baseline {
      try AtomicFile.write(CSVRenderer().render(model.baselineTable()), to: path)
    }
    try emit(result)
  }

  private func model() throws -> (model: CoxModel, rows: DataRows) {
    guard let ties = CoxTies(rawValue: ties) else {
      throw InputError(InputLocation(source: "--ties"), "expected efron or breslow, found \(ties.quotedForMessage)")
    }
    guard let transform = ZPHTransform(rawValue: zphTransform) else {
      throw InputError(InputLocation(source: "--zph-transform"),
                       "expected one of km, identity, log, rank, found \(zphTransform.quotedForMessage)")
    }
    let iterations = try parseNumber(iterMax, option: "--iter-max", where: { $0 >= 0 && $0 == $0.rounded() && $0 < 100_000 },
                                     expected: "a whole number of iterations")
    let options = Cox.Options(ties: ties, confidenceLevel: try common.confidenceLevel(),
                              maxIterations: Int(iterations), proportionalHazards: zph ? transform : nil)
    let frame = try common.modelFrame(weights: weights, adam: adam)
    let dataRows = DataRows(rows: frame.rows)
    // The frame is handed over: on large data the model releases its
    // covariate columns once the design matrix is built.
    return (try CoxModel(frame: consume frame, options: options), dataRows)
  }
}
