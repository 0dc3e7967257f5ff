import Distributions
import LinearAlgebra
import ModelFrame
import Tabular

/// The log-rank test and the Fleming–Harrington G-rho family; matches R
/// `survdiff(Surv(time, status) ~ g + strata(s), rho = rho)`, survival 3.5.
///
///     χ² = (O − E)ᵀ V⁻ (O − E)   on (groups with E > 0) − 1 df
///
/// with O, E and V summed over strata, the first group with E > 0 left out of
/// the quadratic form (R's `solve(vv[-1, -1], (O − E)[-1])`).
/// - rho = 0 is the log-rank test, rho = 1 the Peto–Peto modification of the
///   Gehan–Wilcoxon test; the weight is the pooled Kaplan–Meier S(t−)^rho
///   within each stratum, so O and E are weighted sums when rho ≠ 0.
/// - The other weights of SAS PROC LIFETEST (`LogRankWeight`: Gehan,
///   Tarone–Ware, Peto's S̃, modified Peto, G(rho, gamma)) enter the same
///   sums, matching its STRATA statement's TEST= rank tests.
/// - Right-censored data only; near-tied times merged as R's `aeqSurv`.
/// - Reference: Harrington & Fleming (1982), doi:10.1093/biomet/69.3.553.
public enum LogRank {
  public struct Options: Sendable {
    /// The weight of each event time (the log-rank test's 1 by default).
    public var weight: LogRankWeight
    public var timeFix: Bool
    public init(rho: Double = 0, timeFix: Bool = true) {
      self.weight = .flemingHarrington(rho: rho, gamma: 0)
      self.timeFix = timeFix
    }
    public init(weight: LogRankWeight, timeFix: Bool = true) {
      self.weight = weight
      self.timeFix = timeFix
    }
  }

  /// - Throws: `InputError` when the formula has no groups, one group,
  ///   interactions, counting-process data, or case weights.
  public static func test(_ frame: ModelFrame, options: Options = Options()) throws -> LogRankTest {
    let formulaLocation = InputLocation(option: "formula")
    guard let response = frame.response else {
      throw InputError(formulaLocation, "expected a survival response Surv(time, status)")
    }
    if response.isCountingProcess {
      throw InputError(formulaLocation, "the log-rank test takes right-censored data Surv(time, status), found Surv(start, stop, status)")
    }
    if let interaction = frame.terms.terms.first(where: { $0.order > 1 }) {
      throw InputError(formulaLocation, "interaction \(interaction.label.quotedForMessage) is not valid for the log-rank test, expected groups joined by '+'")
    }
    if frame.terms.cluster != nil {
      throw InputError(formulaLocation, "cluster() is not supported by the log-rank test")
    }
    if frame.weights != nil {
      throw InputError(InputLocation(option: "weights"), "the log-rank test (R's survdiff) takes no case weights")
    }
    if frame.terms.variables.isEmpty {
      throw InputError(formulaLocation, "no groups to test, expected a grouping variable after '~'")
    }
    let groups = SurvivalGroups(frame: frame, includeStrata: false).factor
    let k = groups.levels.count
    if k < 2 {
      throw InputError(formulaLocation, "there is only 1 group (\(groups.levels[0])), expected at least 2 to compare")
    }
    if options.weight == .likelihoodRatio {
      return try likelihoodRatio(frame, response: response, groups: groups)
    }
    let strata = frame.strata ?? Factor(levels: ["all"], codes: [Int32](repeating: 0, count: frame.n))
    // Each row carries its status and group through the sort: status | group << 1.
    var tags = [UInt32](repeating: 0, count: frame.n)
    for i in 0..<frame.n {
      tags[i] = (response.status[i] == 1 ? 1 : 0) | UInt32(groups.codes[i]) << 1
    }
    let data = try SortedSurvivalData(response: response, weights: nil, partCodes: strata.codes,
                                  partCount: strata.levels.count, tags: tags, timeFix: options.timeFix,
                                      source: frame.source)
    var observed = [Double](repeating: 0, count: k)
    var expected = [Double](repeating: 0, count: k)
    var variance = [Double](repeating: 0, count: k * k)
    for part in data.parts where part.count > 0 {
      SurvDiffKernel.accumulate(time: part.stop, status: part.status,
                                group: part.tag!.map { Int32($0 >> 1) },
                                groups: k, weight: options.weight,
                                observed: &observed, expected: &expected, variance: &variance)
    }
    let kept = (0..<k).filter { expected[$0] > 0 }
    var chiSquare = 0.0
    if kept.count >= 2 {
      let used = Array(kept.dropFirst())
      let difference = used.map { observed[$0] - expected[$0] }
      var v = Matrix(rows: used.count, columns: used.count)
      for (a, ga) in used.enumerated() {
        for (b, gb) in used.enumerated() { v[a, b] = variance[ga * k + gb] }
      }
      let solution: [Double]
      do {
        solution = try LinearSolve.solve(v, difference)
      } catch {
        throw InputError(InputLocation(source: frame.source),
                         "the log-rank variance matrix is singular (\(error)); a group may have no subject at risk at any event time")
      }
      for (a, d) in difference.enumerated() { chiSquare += solution[a] * d }
    }
    let df = kept.count - 1
    let p = ChiSquared(degreesOfFreedom: Double(df)).cdf(chiSquare, tail: .upper)
    var counts = [Int](repeating: 0, count: k)
    for c in groups.codes { counts[Int(c)] += 1 }
    let rows = (0..<k).map {
      LogRankGroup(label: groups.levels[$0], n: counts[$0], observed: observed[$0], expected: expected[$0],
                   variance: variance[$0 * k + $0])
    }
    return LogRankTest(n: frame.n, nDropped: frame.nDropped, weight: options.weight, chiSquare: chiSquare,
                       degreesOfFreedom: df, p: p, groups: rows, strata: frame.strata?.levels.count ?? 1)
  }
}

extension LogRank {
  /// SAS PROC LIFETEST's −2Log(LR) test (Lawless 1982): the likelihood-ratio
  /// test that exponential distributions share one rate,
  ///
  ///     χ² = 2N·log(T/N) − 2 Σ_k N_k·log(T_k/N_k)   on K − 1 df,
  ///
  /// N_k the events and T_k the total time on test of group k (a group
  /// without events adds 0). `expected` is the events a common rate N/T
  /// gives the group, λ·T_k; there is no variance matrix.
  static func likelihoodRatio(_ frame: ModelFrame, response: SurvivalResponse, groups: Factor) throws -> LogRankTest {
    if frame.strata != nil {
      throw InputError(InputLocation(option: "test"),
                       "lr: the exponential likelihood-ratio test has no stratified form (SAS computes it over the strata themselves), expected no strata() with it")
    }
    let k = groups.levels.count
    var events = [Double](repeating: 0, count: k), timeOnTest = [Double](repeating: 0, count: k)
    var counts = [Int](repeating: 0, count: k)
    for i in 0..<frame.n {
      let g = Int(groups.codes[i])
      events[g] += response.status[i]
      timeOnTest[g] += response.stop[i]
      counts[g] += 1
    }
    let n = events.reduce(0, +), t = timeOnTest.reduce(0, +)
    func term(_ d: Double, _ time: Double) -> Double { d == 0 ? 0 : d * log(time / d) }
    var chiSquare = 2 * term(n, t)
    for g in 0..<k { chiSquare -= 2 * term(events[g], timeOnTest[g]) }
    chiSquare = max(0, chiSquare)
    let df = counts.filter { $0 > 0 }.count - 1
    let p = n == 0 ? 1 : ChiSquared(degreesOfFreedom: Double(df)).cdf(chiSquare, tail: .upper)
    let rows = (0..<k).map {
      LogRankGroup(label: groups.levels[$0], n: counts[$0], observed: events[$0],
                   expected: t > 0 ? n / t * timeOnTest[$0] : 0, variance: .nan)
    }
    return LogRankTest(n: frame.n, nDropped: frame.nDropped, weight: .likelihoodRatio, chiSquare: chiSquare,
                       degreesOfFreedom: df, p: p, groups: rows, strata: 1)
  }
}

/// The result of `LogRank.test`.
public struct LogRankTest: Sendable {
  public var n: Int
  public var nDropped: Int
  public var weight: LogRankWeight
  public var chiSquare: Double
  public var degreesOfFreedom: Int
  public var p: Double
  public var groups: [LogRankGroup]
  /// Number of strata (1 without `strata()`).
  public var strata: Int
}

/// One group of a log-rank test, summed over strata.
public struct LogRankGroup: Sendable, Equatable {
  public var label: String
  public var n: Int
  /// Σ w·d (the event count when rho = 0).
  public var observed: Double
  public var expected: Double
  /// Diagonal of the variance matrix, for (O − E)²/V.
  public var variance: Double
}

extension LogRankTest: Encodable {
  enum CodingKeys: String, CodingKey {
    case n, nDropped = "n_dropped", rho, gamma, test, chiSquare = "chisq", degreesOfFreedom = "df", p, strata, groups
  }

  /// rho of the G-rho family; 0 for the other weights.
  public var rho: Double {
    if case .flemingHarrington(let rho, _) = weight { return rho }
    return 0
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(n, forKey: .n)
    try c.encode(nDropped, forKey: .nDropped)
    try c.encode(rho, forKey: .rho)
    if case .flemingHarrington(_, let gamma) = weight, gamma != 0 { try c.encode(gamma, forKey: .gamma) }
    try c.encode(weight.name, forKey: .test)
    try c.encode(chiSquare, forKey: .chiSquare)
    try c.encode(degreesOfFreedom, forKey: .degreesOfFreedom)
    try c.encode(p, forKey: .p)
    try c.encode(strata, forKey: .strata)
    try c.encode(groups, forKey: .groups)
  }
}

extension LogRankWeight {
  /// The option's spelling: `logrank`, `gehan`, `tarone-ware`, `peto`, `modified-peto`, `fh`.
  public var name: String {
    switch self {
    case .flemingHarrington(0, 0): return "logrank"
    case .flemingHarrington: return "fh"
    case .gehan: return "gehan"
    case .taroneWare: return "tarone-ware"
    case .peto: return "peto"
    case .modifiedPeto: return "modified-peto"
    case .likelihoodRatio: return "lr"
    }
  }

  /// `Log-rank test`, `Gehan–Wilcoxon test`, `G-rho test (rho = 1)`.
  public var title: String {
    switch self {
    case .flemingHarrington(0, 0): return "Log-rank test"
    case .flemingHarrington(_, 0): return "G-rho test"
    case .flemingHarrington(let rho, let gamma):
      return "Fleming–Harrington test (rho = \(RNumberText.format(rho)), gamma = \(RNumberText.format(gamma)))"
    case .gehan: return "Gehan–Wilcoxon test"
    case .taroneWare: return "Tarone–Ware test"
    case .peto: return "Peto–Peto test"
    case .modifiedPeto: return "modified Peto–Peto test"
    case .likelihoodRatio: return "Exponential likelihood-ratio test"
    }
  }
}

extension LogRankGroup: Encodable {
  enum CodingKeys: String, CodingKey { case label, n, observed, expected, variance }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
