import ArgumentParser
import Rates
import Reports
import Rendering
import Tabular

/// `outcomes logistic`: logistic regression, as R's `glm(family = binomial)`
/// or, with `--firth`, as `logistf`.
struct LogisticCommand: AnalysisCommand, DocumentedCommand {
  static let configuration = CommandConfiguration(
    commandName: "logistic",
    abstract: "Logistic regression (R glm binomial; --firth as logistf).",
    discussion: """
      A binary outcome (0/1, TRUE/FALSE or col == value) on covariates, factors and interactions. \
      Odds ratios with Wald and profile-likelihood intervals, Wald and likelihood-ratio tests, \
      deviance, AIC. Separated data are detected and reported; --firth fits Firth's penalized \
      likelihood, finite under separation.
      """)

  static let example = """
      outcomes logistic --data Datasets/lung.csv --formula "status == 2 ~ age + sex + ph.ecog"
    """

  @OptionGroup var common: CommonOptions

  @Flag(help: "Firth's penalized likelihood (R logistf).")
  var firth = false

  @Flag(name: .customLong("no-profile"), help: "Skip the profile-likelihood intervals.")
  var noProfile = false

  @Option(name: .customLong("iter-max"), help: "Maximum IRLS iterations (R glm.control maxit).")
  var iterMax: String = "25"

  var output: OutputOptions { OutputOptions(format: common.format, out: common.out) }

  func compute() throws -> AnalysisResult {
    let iterations = try parseNumber(iterMax, option: "--iter-max", where: { $0 >= 1 && $0 == $0.rounded() && $0 < 100_000 },
                                     expected: "a whole number of iterations of at least 1")
    let options = LogisticRegression.Options(confidenceLevel: try common.confidenceLevel(), firth: firth,
                                             profile: !noProfile, maxIterations: Int(iterations))
    let frame = try common.modelFrame(binaryResponse: true)
    return .logistic(try LogisticRegression.fit(frame: frame, options: options), formula: common.formula)
  }
}
