import ArgumentParser
import ModelFrame
import Rates
import Reports
import Rendering
import Tabular

/// `outcomes compare`: two rates, from counts or from a table.
struct CompareCommand: AnalysisCommand, DocumentedCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare",
    abstract: "Two rates: risk difference, risk ratio and odds ratio with their intervals; exact and chi-square tests.",
    discussion: """
      Counts (--events1 2 --n1 53 --events2 10 --n2 44) or a table (--data, --formula "failed ~ arm" \
      with a two-level arm; group 1 is the first level). Differences and ratios are group 1 against \
      group 2. Tests: Fisher's exact (R fisher.test), chi-square with and without Yates' correction \
      (R prop.test), likelihood-ratio G, Barnard's and Boschloo's exact unconditional tests.
      """)

  static let example = """
      outcomes compare --data Datasets/lung.csv --formula "status == 2 ~ sex"
    """

  @Option(help: "Events in group 1.")
  var events1: String?

  @Option(help: "Trials in group 1.")
  var n1: String?

  @Option(help: "Events in group 2.")
  var events2: String?

  @Option(help: "Trials in group 2.")
  var n2: String?

  @OptionGroup var table: CountsOrTableOptions

  var output: OutputOptions { OutputOptions(format: table.format, out: table.out) }

  func compute() throws -> AnalysisResult {
    let options = TwoRates.Options(confidenceLevel: try table.confidenceLevel())
    let counts = [("--events1", events1), ("--n1", n1), ("--events2", events2), ("--n2", n2)]
    let comparison: RateComparison
    if let frame = try table.binaryFrame(counts: counts) {
      comparison = try TwoRates.compare(frame: frame, options: options)
    } else {
      var values: [Int] = []
      for (option, text) in counts {
        guard let text else {
          throw InputError(InputLocation(source: option), "expected --events1, --n1, --events2 and --n2, or --data and --formula")
        }
        values.append(try parseCount(text, option: option))
      }
      comparison = try TwoRates.compare(events1: values[0], trials1: values[1], events2: values[2], trials2: values[3],
                                        options: options)
    }
    return .compare(comparison)
  }
}
