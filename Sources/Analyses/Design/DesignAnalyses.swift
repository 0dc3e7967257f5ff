import Foundation
import Rendering
import StudyDesign
import Tabular

/// The range of sample sizes a single-arm design searches.
public protocol SampleSizeSearch: Sendable {
  static var range: ClosedRange<Int> { get }
  static var defaultMaximum: Int { get }
  static var help: String { get }
}

/// The options of a single-arm design: p0, p1 above it, one-sided alpha,
/// power, and the largest sample size searched (`nmax`, in `Search.range`).
public struct SingleArmDesignOptions<Search: SampleSizeSearch>: AnalysisOptions {
  public var p0: Double, p1: Double, alpha: Double, power: Double, maximumSize: Int

  enum CodingKeys: String, CodingKey { case p0, p1, alpha, power, nmax }

  public static var parameters: [Parameter] {
    [Parameter("p0", help: "Uninteresting response rate (H0), in (0, 1).", required: true),
     Parameter("p1", help: "Response rate worth pursuing (H1), in (p0, 1).", required: true),
     .alpha("one-sided"), .power,
     Parameter("nmax", help: "\(Search.help) (\(Search.range.lowerBound) to \(Search.range.upperBound)).",
               default: String(Search.defaultMaximum))]
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    guard let low = try c.rate(.p0) else { throw InputError(option: "p0", "missing, expected a rate in (0, 1)") }
    guard let high = try c.rate(.p1) else { throw InputError(option: "p1", "missing, expected a rate in (0, 1)") }
    if !(high > low) { throw c.problem(.p1, "a rate above p0 = \(RNumberText.format(low))") }
    (p0, p1) = (low, high)
    alpha = try c.alpha(.alpha)
    power = try c.power(.power)
    let range = Search.range
    maximumSize = try c.wholeNumber(.nmax, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)",
                                    where: { range.contains($0) }) ?? Search.defaultMaximum
  }

  /// The error when no design of at most `nmax` patients exists.
  func none(_ kind: String) -> InputError {
    InputError(option: "nmax", "no \(kind) design with n <= \(maximumSize) reaches alpha \(RNumberText.format(alpha)) and power \(RNumberText.format(power)), expected a larger \(String.option("nmax"))")
  }
}

public enum SimonSearch: SampleSizeSearch {
  public static let range = 2...1000
  public static let defaultMaximum = 100
  public static let help = "Largest total sample size searched"
}

public enum SingleStageSearch: SampleSizeSearch {
  public static let range = 1...100_000
  public static let defaultMaximum = 1000
  public static let help = "Largest sample size searched"
}

/// `design simon`: Simon's optimal and minimax two-stage designs.
public enum SimonDesignAnalysis: Analysis {
  public static let name = AnalysisName("design", "simon")
  public static let abstract = "Simon's two-stage designs (optimal and minimax) for a single-arm phase II trial."
  public static let discussion = """
    H0: response rate <= p0 against p1. Stop after stage 1 if at most r1 of n1 respond; reject the treatment if at \
    most r of n respond. Exhaustive search with n <= --nmax; one-sided alpha. For a failure rate, design on the \
    success rate (1 - failure rate).
    """
  public static let example = "outcomes design simon --p0 0.65 --p1 0.85 --alpha 0.05 --power 0.8"

  public typealias Options = SingleArmDesignOptions<SimonSearch>

  public static func run(_ o: Options, in context: AnalysisContext) throws -> DesignOutput<SimonDesigns> {
    guard let designs = SimonTwoStage.design(.init(p0: o.p0, p1: o.p1, alpha: o.alpha, power: o.power, maximumSize: o.maximumSize)) else {
      throw o.none("two-stage")
    }
    return DesignOutput(design: designs)
  }
}

/// `design single-stage`: the exact single-stage design.
public enum SingleStageDesignAnalysis: Analysis {
  public static let name = AnalysisName("design", "single-stage")
  public static let abstract = "The exact single-stage design of a single-arm trial (A'Hern 2001): smallest n and cut-off."
  public static let discussion = """
    H0: response rate <= p0 against p1. Reject the treatment if at most r of n respond; exact binomial \
    probabilities, one-sided alpha. For a failure rate, design on the success rate (1 - failure rate).
    """
  public static let example = "outcomes design single-stage --p0 0.65 --p1 0.85 --alpha 0.05 --power 0.8"

  public typealias Options = SingleArmDesignOptions<SingleStageSearch>

  public static func run(_ o: Options, in context: AnalysisContext) throws -> DesignOutput<SingleStage> {
    guard let design = SingleStageDesign.design(.init(p0: o.p0, p1: o.p1, alpha: o.alpha, power: o.power, maximumSize: o.maximumSize)) else {
      throw o.none("single-stage")
    }
    return DesignOutput(design: design)
  }
}

/// `design two-rates`: patients per group to compare two rates.
public enum TwoRatesDesignAnalysis: Analysis {
  public static let name = AnalysisName("design", "two-rates")
  public static let abstract = "Patients per group to compare two rates (R power.prop.test; continuity-corrected; exact Fisher)."
  public static let discussion = "Two-sided alpha. The normal-approximation size is R's power.prop.test rounded up."
  public static let example = "outcomes design two-rates --p1 0.65 --p2 0.85 --alpha 0.05 --power 0.8"

  public struct Options: AnalysisOptions {
    public var p1: Double, p2: Double, alpha: Double, power: Double
    enum CodingKeys: String, CodingKey { case p1, p2, alpha, power }

    public static var parameters: [Parameter] {
      [Parameter("p1", help: "Rate in group 1, in (0, 1).", required: true),
       Parameter("p2", help: "Rate in group 2, in (0, 1), not p1.", required: true),
       .alpha("two-sided"), .power]
    }

    public init(from decoder: Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      guard let p1 = try c.rate(.p1) else { throw InputError(option: "p1", "missing, expected a rate in (0, 1)") }
      guard let p2 = try c.rate(.p2) else { throw InputError(option: "p2", "missing, expected a rate in (0, 1)") }
      if p1 == p2 { throw c.problem(.p2, "a rate other than p1 = \(RNumberText.format(p1))") }
      (self.p1, self.p2) = (p1, p2)
      alpha = try c.alpha(.alpha)
      power = try c.power(.power)
    }
  }

  public static func run(_ o: Options, in context: AnalysisContext) throws -> DesignOutput<TwoRateSampleSize> {
    DesignOutput(design: try TwoRateDesign.sampleSize(.init(p1: o.p1, p2: o.p2, alpha: o.alpha, power: o.power),
                                                       progress: context.progress))
  }
}

/// `design logrank`: events for a two-arm log-rank test.
public enum LogRankDesignAnalysis: Analysis {
  public static let name = AnalysisName("design", "logrank")
  public static let abstract = "Events a two-arm log-rank test needs (Schoenfeld; Freedman alongside)."
  public static let discussion = """
    Two-sided alpha. --allocation is the proportion in the experimental arm, whose hazard is HR times the control \
    arm's. With --accrual, --follow-up and --median-control (or --hazard-control), also the patients: uniform \
    accrual, follow-up after accrual ends, exponential survival; times in any one unit.
    """
  public static let example = "outcomes design logrank --hr 0.65 --alpha 0.05 --power 0.9 --accrual 24 --follow-up 12 --median-control 18"

  public struct Options: AnalysisOptions {
    public var design: LogRankDesign.Options
    enum CodingKeys: String, CodingKey {
      case hr, alpha, power, allocation, accrual, followUp = "follow-up", medianControl = "median-control", hazardControl = "hazard-control"
    }

    public static var parameters: [Parameter] {
      [Parameter("hr", help: "Hazard ratio, experimental against control (> 0, not 1).", required: true),
       .alpha("two-sided"), .power,
       Parameter("allocation", help: "Proportion of patients in the experimental arm, in (0, 1).", default: "0.5"),
       Parameter("accrual", help: "Accrual period (patients enter uniformly over it), >= 0."),
       Parameter("follow-up", help: "Follow-up after accrual ends, >= 0."),
       Parameter("median-control", help: "Median survival in the control arm (exponential), > 0."),
       Parameter("hazard-control", help: "Hazard (event rate per time unit) in the control arm, > 0.")]
    }

    public init(from decoder: Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      guard let hr = try c.number(.hr, expected: "a positive hazard ratio other than 1", where: { $0 > 0 && $0 != 1 }) else {
        throw InputError(option: "hr", "missing, expected a hazard ratio")
      }
      let alpha = try c.alpha(.alpha), power = try c.power(.power)
      let allocation = try c.rate(.allocation, expected: "a number in (0, 1)") ?? 0.5
      design = LogRankDesign.Options(hazardRatio: hr, alpha: alpha, power: power, allocation: allocation,
                                     recruitment: try Options.recruitment(c))
    }

    /// accrual, follow-up and one of median-control, hazard-control: all or none.
    static func recruitment(_ c: KeyedDecodingContainer<CodingKeys>) throws -> LogRankDesign.Recruitment? {
      let keys: [CodingKeys] = [.accrual, .followUp, .medianControl, .hazardControl]
      guard keys.contains(where: { c.contains($0) }) else { return nil }
      let median = String.option("median-control"), hazard = String.option("hazard-control")
      if c.contains(.medianControl) && c.contains(.hazardControl) {
        throw InputError(option: "hazard-control", "expected \(median) or \(hazard), found both")
      }
      guard let a = try c.number(.accrual, expected: "a time of at least 0", where: { $0 >= 0 }) else {
        throw InputError(option: "accrual", "expected \(String.option("accrual")) with \(String.option("follow-up")) and \(median) or \(hazard)")
      }
      guard let f = try c.number(.followUp, expected: "a time of at least 0", where: { $0 >= 0 }) else {
        throw InputError(option: "follow-up", "expected \(String.option("follow-up")) with \(String.option("accrual")) and \(median) or \(hazard)")
      }
      if a + f == 0 { throw InputError(option: "follow-up", "expected accrual + follow-up above 0, found 0") }
      let rate: Double
      if let m = try c.number(.medianControl, expected: "a positive median", where: { $0 > 0 }) {
        rate = log(2) / m
      } else if let h = try c.number(.hazardControl, expected: "a positive hazard", where: { $0 > 0 }) {
        rate = h
      } else {
        throw InputError(option: "median-control", "expected \(median) or \(hazard) with \(String.option("accrual")) and \(String.option("follow-up"))")
      }
      return LogRankDesign.Recruitment(accrual: a, followUp: f, controlHazard: rate)
    }
  }

  public static func run(_ o: Options, in context: AnalysisContext) throws -> DesignOutput<LogRankEvents> {
    DesignOutput(design: try LogRankDesign.events(o.design))
  }
}

/// A design's table, methods sentence and inline sentence.
public protocol DesignResult: Encodable, Sendable {
  func table() -> ResultTable
  var methodsSentence: String { get }
  func sentence(style: JournalStyle) -> String
}

/// The result of a design analysis.
public struct DesignOutput<D: DesignResult>: AnalysisOutput {
  public var design: D

  public func encode(to encoder: Encoder) throws { try design.encode(to: encoder) }

  public func tables(title: String?) -> [ResultTable] {
    var t = design.table()
    if let title { t.title = title }
    return [t]
  }

  public var methods: String { design.methodsSentence }
  public func sentences(style: JournalStyle, unit: String?) -> [String] { [design.sentence(style: style)] }
}

extension SimonDesigns: DesignResult {
  public var methodsSentence: String {
    "The trial follows Simon's two-stage design (Simon 1989) for H0: p ≤ \(RNumberText.format(p0)) against p ≥ \(RNumberText.format(p1)) with one-sided alpha \(RNumberText.format(alpha)) and power \(RNumberText.format(power)), found by exhaustive search of exact binomial probabilities."
  }
  public func sentence(style: JournalStyle) -> String {
    "Optimal design: stop after \(optimal.n1) patients if \(optimal.r1) or fewer respond; otherwise treat \(optimal.n) in all and reject the treatment if \(optimal.r) or fewer respond (alpha \(style.number(optimal.alpha, decimals: 3)), power \(style.number(optimal.power, decimals: 3)))."
  }
}

extension SingleStage: DesignResult {
  public var methodsSentence: String {
    "The exact single-stage design (A'Hern 2001) for H0: p ≤ \(RNumberText.format(p0)) against p ≥ \(RNumberText.format(p1)) uses exact binomial probabilities with one-sided alpha \(RNumberText.format(alpha)) and power \(RNumberText.format(power))."
  }
  public func sentence(style: JournalStyle) -> String {
    "Treat \(n) patients; the treatment is worth pursuing with \(minimumResponses) or more responses (alpha \(style.number(actualAlpha, decimals: 3)), power \(style.number(actualPower, decimals: 3)))."
  }
}

extension TwoRateSampleSize: DesignResult {
  public var methodsSentence: String {
    "Patients per group for rates \(RNumberText.format(p1)) and \(RNumberText.format(p2)) were computed by the normal approximation (R power.prop.test), with Fleiss' continuity correction and the exact power of Fisher's test alongside; two-sided alpha \(RNumberText.format(alpha)), power \(RNumberText.format(power))."
  }
  public func sentence(style: JournalStyle) -> String {
    "\(perGroup) patients per group (normal approximation; \(perGroupCorrected) with continuity correction)."
  }
}

extension LogRankEvents: DesignResult {
  public var methodsSentence: String {
    "The number of events for a two-sided log-rank test of a hazard ratio of \(RNumberText.format(hazardRatio)) (alpha \(RNumberText.format(alpha)), power \(RNumberText.format(power))) follows Schoenfeld (1983)\(patients == nil ? "" : ", and the number of patients assumes uniform accrual and exponential survival")."
  }
  public func sentence(style: JournalStyle) -> String {
    "\(events) events (Schoenfeld)" + (patients.map { ", \($0.total) patients" } ?? "") + "."
  }
}
