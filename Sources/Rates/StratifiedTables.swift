import Distributions
import Foundation
import ModelFrame
import Tabular

/// A binary outcome compared between two groups within strata (`outcomes
/// cmh`): the Cochran–Mantel–Haenszel test with and without continuity
/// correction and the exact conditional test (R `mantelhaen.test`), the
/// Mantel–Haenszel common odds ratio with its Robins–Breslow–Greenland
/// interval, the conditional MLE with its exact interval, and the
/// Breslow–Day test of homogeneity with Tarone's correction.
///
/// Orientation: the odds ratio is group 1 against group 2 for the event, as
/// in `compare` (R's `mantelhaen.test(table(arm, factor(failed, levels =
/// c(1, 0)), site))`). Strata with one subject, or without both groups or
/// both outcomes, are listed but carry no information; R refuses strata of
/// fewer than two subjects.
public enum StratifiedTables {
  public struct Options: Sendable {
    public var confidenceLevel: Double
    public init(confidenceLevel: Double = 0.95) { self.confidenceLevel = confidenceLevel }
  }

  /// `failed ~ arm + strata(site)`: one two-level grouping variable, one or
  /// more `strata()` variables.
  public static func analyze(frame: ModelFrame, options: Options = Options()) throws -> StratifiedComparison {
    guard let outcome = frame.binaryResponse else {
      throw InputError(InputLocation(option: "formula"), "expected a binary response before '~', as in failed ~ arm + strata(site)")
    }
    guard frame.terms.variables.count == 1, frame.terms.terms.count == 1 else {
      throw InputError(InputLocation(option: "formula"),
                       "expected one grouping variable with two levels and strata(), as in failed ~ arm + strata(site), found \(frame.formula.predictors.deparsed.quotedForMessage)")
    }
    guard !frame.strataFactors.isEmpty else {
      throw InputError(InputLocation(option: "formula"),
                       "expected strata(...) after the grouping variable, as in failed ~ arm + strata(site)")
    }
    try checkConfidenceLevel(options.confidenceLevel)
    let groups = frame.grouping(of: [0])
    guard groups.levels.count == 2 else {
      throw InputError(InputLocation(option: "formula"),
                       "expected exactly two groups of \(frame.terms.variables[0].label), found \(groups.levels.count): \(groups.levels.joined(separator: ", "))")
    }
    let strata = Factor.interaction(frame.strataFactors, names: frame.terms.strata.map(\.label))
    var counts = [StratumCounts](repeating: StratumCounts(x1: 0, n1: 0, x2: 0, n2: 0), count: strata.levels.count)
    for i in 0..<frame.n {
      let k = Int(strata.codes[i])
      let event = outcome[i] == 1 ? 1 : 0
      if groups.codes[i] == 0 {
        counts[k].n1 += 1
        counts[k].x1 += event
      } else {
        counts[k].n2 += 1
        counts[k].x2 += event
      }
    }
    var result = analyzeValidated(counts, labels: strata.levels, confidenceLevel: options.confidenceLevel)
    result.n = frame.n
    result.nDropped = frame.nDropped
    result.response = frame.formula.response?.deparsed
    result.group1 = groups.levels[0]
    result.group2 = groups.levels[1]
    return result
  }

  static func analyzeValidated(_ counts: [StratumCounts], labels: [String], confidenceLevel level: Double)
    -> StratifiedComparison {
    let strata = zip(labels, counts).map { label, s -> ComparedStratum in
      let num = Double(s.x1 * (s.n2 - s.x2)), den = Double(s.x2 * (s.n1 - s.x1))
      func group(_ x: Int, _ n: Int) -> ComparedGroup {
        ComparedGroup(label: nil, events: x, trials: n, estimate: n > 0 ? Double(x) / Double(n) : .nan)
      }
      return ComparedStratum(label: label, group1: group(s.x1, s.n1), group2: group(s.x2, s.n2),
                             oddsRatio: num == 0 && den == 0 ? nil : num / den)
    }
    func chi(_ statistic: Double, df: Int = 1) -> ChiSquareResult {
      let p = statistic.isNaN ? Double.nan : ChiSquared(degreesOfFreedom: Double(df)).cdf(max(statistic, 0), tail: .upper)
      return ChiSquareResult(statistic: statistic, degreesOfFreedom: df, p: p)
    }
    let mh = MantelHaenszel.commonOddsRatio(counts)
    let z = Normal.twoSidedCriticalValue(confidenceLevel: level)
    var rbg = ComparisonInterval(method: "robins_breslow_greenland", lower: nil, upper: nil)
    if let se = mh.seLog {
      rbg.lower = exp(log(mh.estimate) - z * se)
      rbg.upper = exp(log(mh.estimate) + z * se)
    }
    let tables = counts.map { (x1: $0.x1, n1: $0.n1, x2: $0.x2, n2: $0.n2) }
    // The p-value at ψ = 1 as R computes it; the estimate and limits from the
    // distribution convolved near the Mantel–Haenszel estimate, where large
    // strata keep the terms that decide them (see NoncentralHypergeometric).
    let atOne = NoncentralHypergeometric(strata: tables)
    let tilt = mh.estimate.isFinite && mh.estimate > 0 ? log(mh.estimate) : 0
    let exactDistribution = tilt == 0 ? atOne : NoncentralHypergeometric(strata: tables, tilt: tilt)
    let informative = counts.filter(\.isInformative).count
    var exact = ComparisonInterval(method: "exact", lower: nil, upper: nil)
    var conditionalMLE: Double? = nil
    var exactP = 1.0
    if exactDistribution.hi > exactDistribution.lo {
      let limits = exactDistribution.confidenceLimits(level: level)
      exact.lower = limits.lower
      exact.upper = limits.upper
      conditionalMLE = exactDistribution.conditionalMLE()
      exactP = atOne.twoSidedP()
    } else {
      exact.lower = 0
      exact.upper = .infinity
    }
    let homogeneity = mh.estimate.isNaN ? nil : MantelHaenszel.breslowDay(counts, oddsRatio: mh.estimate)
    let tests = StratifiedTests(
      cmh: chi(MantelHaenszel.statistic(counts, corrected: false)),
      cmhCorrected: chi(MantelHaenszel.statistic(counts, corrected: true)),
      exactP: exactP,
      breslowDay: homogeneity.map { chi($0.statistic, df: $0.degreesOfFreedom) },
      tarone: homogeneity.map { chi($0.tarone, df: $0.degreesOfFreedom) })
    var odds = ComparisonMeasure(estimate: mh.estimate.isNaN ? nil : mh.estimate, intervals: [rbg, exact])
    odds.standardErrorOfLog = mh.seLog ?? .nan
    odds.conditionalMLE = conditionalMLE ?? .nan
    var result = StratifiedComparison(
      n: counts.reduce(0) { $0 + $1.total }, nDropped: 0, response: nil, group1: "group 1", group2: "group 2",
      strata: strata, informativeStrata: informative, confidenceLevel: level, oddsRatio: odds, tests: tests)
    let common = MantelHaenszel.commonRisks(counts)
    var rr = ComparisonInterval(method: "mantel_haenszel", lower: nil, upper: nil)
    // A variance of 0 (no stratum with information) gives no interval, not a point.
    if let estimate = common.ratio, let se = common.ratioSELog, estimate > 0, estimate.isFinite, se.isFinite, se > 0 {
      rr.lower = exp(log(estimate) - z * se)
      rr.upper = exp(log(estimate) + z * se)
    }
    var rd = ComparisonInterval(method: "mantel_haenszel", lower: nil, upper: nil)
    if let estimate = common.difference, let se = common.differenceSE, se.isFinite, se > 0 {
      rd.lower = estimate - z * se
      rd.upper = estimate + z * se
    }
    result.riskRatio = ComparisonMeasure(estimate: common.ratio, intervals: [rr])
    result.riskDifference = ComparisonMeasure(estimate: common.difference, intervals: [rd])
    return result
  }
}
