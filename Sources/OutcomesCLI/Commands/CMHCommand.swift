import ArgumentParser
import Rates
import Reports
import Rendering
import Tabular

/// `outcomes cmh`: a binary outcome in two groups across strata.
struct CMHCommand: AnalysisCommand, DocumentedCommand {
  static let configuration = CommandConfiguration(
    commandName: "cmh",
    abstract: "Stratified 2×2 tables: Cochran–Mantel–Haenszel test, common odds ratio, Breslow–Day homogeneity.",
    discussion: """
      The formula names a binary outcome, one two-level grouping variable and strata(): \
      "failed ~ arm + strata(site)". The odds ratio is the first group against the second, for the \
      event. Tests: CMH with and without continuity correction and the exact conditional test \
      (R mantelhaen.test); Breslow–Day with Tarone's correction.
      """)

  static let example = """
      outcomes cmh --data Datasets/ucb-admissions.csv --formula "admitted == 'Admitted' ~ gender + strata(dept)"
    """

  @OptionGroup var common: CommonOptions

  var output: OutputOptions { OutputOptions(format: common.format, out: common.out) }

  func compute() throws -> AnalysisResult {
    let options = StratifiedTables.Options(confidenceLevel: try common.confidenceLevel())
    let frame = try common.modelFrame(binaryResponse: true)
    return .cmh(try StratifiedTables.analyze(frame: frame, options: options), formula: common.formula)
  }
}
