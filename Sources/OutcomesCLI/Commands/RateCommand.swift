import ArgumentParser
import ModelFrame
import Rates
import Reports
import Rendering
import Tabular

/// `outcomes rate`: one response or failure rate, from counts or from a table.
struct RateCommand: AnalysisCommand, DocumentedCommand {
  static let configuration = CommandConfiguration(
    commandName: "rate",
    abstract: "One response or failure rate: every standard interval, and tests against p0.",
    discussion: """
      Counts (--events 7 --n 20) or a table (--data, --formula "failed ~ arm", one rate per \
      group; "failed ~ 1" for one). Intervals: Clopper–Pearson, Wilson, Wilson with continuity \
      correction, Agresti–Coull, Jeffreys, Wald, mid-p, two-sided at --conf-level. With --p0: \
      the exact binomial test (R binom.test), the mid-p test and the score test (R prop.test).
      """)

  static let example = """
      outcomes rate --data Datasets/lung.csv --formula "status == 2 ~ sex" --p0 0.7
    """

  @Option(help: "Number of events (failures or responses), from 0 to --n.")
  var events: String?

  @Option(help: "Number of trials (patients), at least 1.")
  var n: String?

  @Option(help: "Rate under the null hypothesis, in (0, 1); adds the tests.")
  var p0: String?

  @Option(help: "Alternative hypothesis: two-sided, less or greater.")
  var alternative: String = "two-sided"

  @OptionGroup var table: CountsOrTableOptions

  var output: OutputOptions { OutputOptions(format: table.format, out: table.out) }

  func compute() throws -> AnalysisResult {
    guard let alternative = Alternative(rawValue: alternative) else {
      throw InputError(InputLocation(source: "--alternative"),
                       "expected two-sided, less or greater, found \(alternative.quotedForMessage)")
    }
    let options = BinomialRate.Options(
      confidenceLevel: try table.confidenceLevel(),
      nullRate: try p0.map { try parseNumber($0, option: "--p0", where: { $0 > 0 && $0 < 1 }, expected: "a rate in (0, 1)") },
      alternative: alternative)
    if let frame = try table.binaryFrame(counts: [("--events", events), ("--n", n)]) {
      return .rates(try BinomialRate.estimate(frame: frame, options: options))
    }
    guard let events else { throw InputError(InputLocation(source: "--events"), "expected --events and --n, or --data and --formula") }
    guard let n else { throw InputError(InputLocation(source: "--n"), "expected --n with --events") }
    return .rate(try BinomialRate.estimate(
      events: try parseCount(events, option: "--events"), trials: try parseCount(n, option: "--n"), options: options))
  }
}

/// Parses a whole, non-negative count, naming the option on failure.
func parseCount(_ text: String, option: String) throws -> Int {
  guard let x = Int(text.trimmingCharacters(in: " ")), x >= 0 else {
    throw InputError(InputLocation(source: option), "expected a whole number of at least 0, found \(text.quotedForMessage)")
  }
  return x
}
