import Distributions
import ModelFrame
import Tabular

/// Two rates compared, group 1 against group 2: risk difference, risk ratio
/// and odds ratio with their intervals, and the tests of equal rates.
///
/// - Risk difference p1 − p2: Newcombe's hybrid score (method 10),
///   Miettinen–Nurminen score, Wald, Agresti–Caffo; Wald and Agresti–Caffo
///   clipped to [−1, 1] (`clipped`).
/// - Risk ratio p1/p2: Katz's log interval, Koopman's score interval,
///   Miettinen–Nurminen's.
/// - Odds ratio: the sample odds ratio and the conditional MLE (R
///   `fisher.test`), Woolf's logit interval, the exact conditional interval
///   (R `fisher.test`, solved to machine precision), Miettinen–Nurminen's.
/// - Tests: Fisher's exact (R's two-sided rule), Pearson's chi-square without
///   and with Yates' correction (R `prop.test`), the likelihood-ratio G test,
///   Barnard's and Boschloo's exact unconditional tests (scipy).
/// - Zero cells: nothing divides by zero. A limit that exists is given (0,
///   or ∞, which JSON writes as `null`); a method whose formula needs the
///   log of a zero count (Katz, Woolf) gives `null` limits; an estimate 0/0
///   is `null`.
public enum TwoRates {
  public struct Options: Sendable {
    public var confidenceLevel: Double
    /// Whether Barnard's and Boschloo's tests are computed.
    public var unconditional: UnconditionalTests
    public init(confidenceLevel: Double = 0.95, unconditional: UnconditionalTests = .auto) {
      self.confidenceLevel = confidenceLevel
      self.unconditional = unconditional
    }
  }

  /// When to compute the exact unconditional tests; raw values are the option's spellings.
  public enum UnconditionalTests: String, Sendable, CaseIterable, Codable {
    /// Up to `UnconditionalExactTests.automaticLimit` patients in all (a
    /// second or two); above it they are skipped with the reason.
    case auto
    case always
    case never
  }

  /// - Throws: `InputError` naming `--events1`, `--n1`, `--events2` or `--n2`.
  public static func compare(events1: Int, trials1: Int, events2: Int, trials2: Int,
                             options: Options = Options()) throws -> RateComparison {
    for (events, trials, suffix) in [(events1, trials1, "1"), (events2, trials2, "2")] {
      if trials < 1 {
        throw InputError(InputLocation(option: "n\(suffix)"), "expected a number of trials of at least 1, found \(trials)")
      }
      if events < 0 || events > trials {
        throw InputError(InputLocation(option: "events\(suffix)"),
                         "expected a number of events from 0 to n\(suffix) = \(trials), found \(events)")
      }
    }
    try checkConfidenceLevel(options.confidenceLevel)
    return compareValidated(events1: events1, trials1: trials1, events2: events2, trials2: trials2,
                            labels: (nil, nil), options: options)
  }

  /// The two groups of a table: the response is the binary outcome, the
  /// right-hand side one variable with exactly two levels (group 1 is the
  /// first level in sort order, group 2 the second).
  public static func compare(frame: ModelFrame, options: Options = Options()) throws -> RateComparison {
    guard let outcome = frame.binaryResponse else {
      throw InputError(InputLocation(option: "formula"), "expected a binary response before '~', as in failed ~ arm")
    }
    guard frame.terms.variables.count == 1, frame.terms.terms.count == 1 else {
      throw InputError(InputLocation(option: "formula"),
                       "expected one grouping variable with two levels after '~', as in failed ~ arm, found \(frame.formula.predictors.deparsed.quotedForMessage)")
    }
    let groups = frame.grouping(of: [0])
    var events = [Int](repeating: 0, count: groups.levels.count)
    var trials = [Int](repeating: 0, count: groups.levels.count)
    for (i, g) in groups.codes.enumerated() {
      trials[Int(g)] += 1
      if outcome[i] == 1 { events[Int(g)] += 1 }
    }
    let present = groups.levels.indices.filter { trials[$0] > 0 }
    guard present.count == 2 else {
      throw InputError(InputLocation(option: "formula"),
                       "expected exactly two groups of \(frame.terms.variables[0].label), found \(present.count): \(present.map { groups.levels[$0] }.joined(separator: ", "))")
    }
    try checkConfidenceLevel(options.confidenceLevel)
    let (a, b) = (present[0], present[1])
    var result = compareValidated(events1: events[a], trials1: trials[a], events2: events[b], trials2: trials[b],
                                  labels: (groups.levels[a], groups.levels[b]), options: options)
    result.n = frame.n
    result.nDropped = frame.nDropped
    result.response = frame.formula.response?.deparsed
    return result
  }

  private static func compareValidated(events1: Int, trials1: Int, events2: Int, trials2: Int,
                                       labels: (String?, String?), options: Options) -> RateComparison {
    let x1 = Double(events1), n1 = Double(trials1), x2 = Double(events2), n2 = Double(trials2)
    let level = options.confidenceLevel
    let data = ScoreIntervals.Data(x1: x1, n1: n1, x2: x2, n2: n2)
    func interval(_ name: String, _ l: Double?, _ u: Double?, clipped: Bool? = nil) -> ComparisonInterval {
      ComparisonInterval(method: name, lower: l, upper: u, clipped: clipped)
    }
    // Risk difference.
    let newcombe = TwoRateIntervals.newcombe(x1: x1, n1: n1, x2: x2, n2: n2, level: level)
    let mnDifference = ScoreIntervals.difference(data, level: level)
    let wald = TwoRateIntervals.wald(x1: x1, n1: n1, x2: x2, n2: n2, level: level, added: 0)
    let caffo = TwoRateIntervals.wald(x1: x1, n1: n1, x2: x2, n2: n2, level: level, added: 1)
    let difference = ComparisonMeasure(
      estimate: x1 / n1 - x2 / n2,
      intervals: [interval("newcombe", newcombe.lower, newcombe.upper),
                  interval("miettinen_nurminen", mnDifference.lower, mnDifference.upper),
                  interval("wald", wald.lower, wald.upper, clipped: wald.clipped),
                  interval("agresti_caffo", caffo.lower, caffo.upper, clipped: caffo.clipped)])
    // Risk ratio.
    let katz = TwoRateIntervals.katz(x1: x1, n1: n1, x2: x2, n2: n2, level: level)
    let koopman = ScoreIntervals.ratio(data, level: level, corrected: false)
    let mnRatio = ScoreIntervals.ratio(data, level: level, corrected: true)
    let ratio = ComparisonMeasure(
      estimate: x1 == 0 && x2 == 0 ? nil : (x1 / n1) / (x2 / n2),
      intervals: [interval("katz", katz?.lower, katz?.upper),
                  interval("koopman", koopman.lower, koopman.upper),
                  interval("miettinen_nurminen", mnRatio.lower, mnRatio.upper)])
    // Odds ratio.
    let conditional = NoncentralHypergeometric(x1: events1, n1: trials1, x2: events2, n2: trials2)
    let exact = conditional.confidenceLimits(level: level)
    let woolf = TwoRateIntervals.woolf(x1: x1, n1: n1, x2: x2, n2: n2, level: level)
    let mnOdds = ScoreIntervals.odds(data, level: level)
    let oddsNumerator = x1 * (n2 - x2), oddsDenominator = x2 * (n1 - x1)
    var odds = ComparisonMeasure(
      estimate: oddsNumerator == 0 && oddsDenominator == 0 ? nil : oddsNumerator / oddsDenominator,
      intervals: [interval("woolf", woolf?.lower, woolf?.upper),
                  interval("exact", exact.lower, exact.upper),
                  interval("miettinen_nurminen", mnOdds.lower, mnOdds.upper)])
    odds.conditionalMLE = conditional.conditionalMLE()
    // Tests.
    let chisq = TwoByTwoTests.pearson(x1: x1, n1: n1, x2: x2, n2: n2, yates: false)
    let yates = TwoByTwoTests.pearson(x1: x1, n1: n1, x2: x2, n2: n2, yates: true)
    let g = TwoByTwoTests.likelihoodRatio(x1: x1, n1: n1, x2: x2, n2: n2)
    let oneDF = ChiSquared(degreesOfFreedom: 1)
    func chi(_ statistic: Double) -> ChiSquareResult {
      ChiSquareResult(statistic: statistic, degreesOfFreedom: 1,
                      p: statistic.isNaN ? .nan : oneDF.cdf(statistic, tail: .upper))
    }
    var unconditionalSkipped: String? = nil
    var barnard: Double? = nil, boschloo: Double? = nil
    switch options.unconditional {
    case .never:
      unconditionalSkipped = "not computed (exact-unconditional never)"
    case .auto where trials1 + trials2 > UnconditionalExactTests.automaticLimit:
      unconditionalSkipped = "not computed for \(trials1 + trials2) patients (above \(UnconditionalExactTests.automaticLimit)); exact-unconditional always computes them"
    case .auto, .always:
      barnard = UnconditionalExactTests.barnard(x1: events1, n1: trials1, x2: events2, n2: trials2)
      boschloo = UnconditionalExactTests.boschloo(x1: events1, n1: trials1, x2: events2, n2: trials2)
    }
    var tests = ComparisonTests(
      fisherExactP: conditional.twoSidedP(), chiSquare: chi(chisq), chiSquareYates: chi(yates), gTest: chi(g),
      barnardP: barnard, boschlooP: boschloo)
    tests.unconditionalSkipped = unconditionalSkipped
    let total = n1 + n2
    tests.mantelHaenszel = chi(chisq.isNaN || total < 2 ? .nan : chisq * (total - 1) / total)
    tests.fisherLessP = min(1, conditional.tail(logOdds: 0, upper: false))
    tests.fisherGreaterP = min(1, conditional.tail(logOdds: 0, upper: true))
    return RateComparison(
      group1: ComparedGroup(label: labels.0, events: events1, trials: trials1, estimate: x1 / n1),
      group2: ComparedGroup(label: labels.1, events: events2, trials: trials2, estimate: x2 / n2),
      confidenceLevel: level, riskDifference: difference, riskRatio: ratio, oddsRatio: odds, tests: tests)
  }
}
