import ModelFrame
import Rendering
import Survival
import Tabular

/// `logrank`: the log-rank family, as R's `survdiff`.
public enum LogRankAnalysis: Analysis {
  public static let name = AnalysisName("logrank")
  public static let abstract = "Log-rank and Fleming–Harrington G-rho tests (R survdiff)."
  public static let discussion = """
    Compares the groups of the right-hand side; strata(s) in the formula gives the stratified test. --rho 0 is the \
    log-rank test, --rho 1 the Peto–Peto test.
    """
  public static let example = #"outcomes logrank --data Datasets/lung.csv --formula "Surv(time, status) ~ sex + strata(ph.ecog)" --rho 1"#

  public struct Options: AnalysisOptions {
    public var data: DataSelection?
    public var formula: String
    public var rho: Double
    public var timeUnit: TimeUnit?

    public init(data: DataSelection, formula: String, rho: Double = 0, timeUnit: TimeUnit? = nil) {
      self.data = data
      self.formula = formula
      self.rho = rho
      self.timeUnit = timeUnit
    }

    enum CodingKeys: String, CodingKey { case formula, rho, timeUnit = "time-unit" }

    public static var parameters: [Parameter] {
      DataSelection.parameters(adam: true) + [
        .formula("Surv(time, status) ~ sex"),
        Parameter("rho", help: "Weight S(t-)^rho of the G-rho family; 0 is the log-rank test.", default: "0"),
        .timeUnit,
      ]
    }

    public init(from decoder: Decoder) throws {
      data = try DataSelection.decode(from: decoder, adam: true, required: true)
      let c = try decoder.container(keyedBy: CodingKeys.self)
      formula = try c.formula(.formula)
      rho = try c.number(.rho, expected: "a non-negative number", where: { $0 >= 0 }) ?? 0
      timeUnit = try c.decodeIfPresent(TimeUnit.self, forKey: .timeUnit)
    }
  }

  public static func run(_ options: Options, in context: AnalysisContext) throws -> LogRankOutput {
    let frame = try context.select(options.data!).frame(formula: options.formula, options: .init(timeUnit: options.timeUnit))
    let test = try LogRank.test(frame, options: .init(rho: options.rho))
    return LogRankOutput(test: test, formula: options.data!.formula(options.formula), stratified: frame.strata != nil)
  }
}

public struct LogRankOutput: AnalysisOutput {
  public var test: LogRankTest
  public var formula: String
  public var stratified: Bool

  public func encode(to encoder: Encoder) throws { try test.encode(to: encoder) }

  public func tables(title: String?) -> [ResultTable] {
    test.tables(title: title ?? "\(test.rho == 0 ? "Log-rank test" : "G-rho test"): \(formula)")
  }

  public var methods: String {
    let name = test.rho == 0 ? "the log-rank test" : "the Fleming–Harrington G-rho test with rho = \(RNumberText.format(test.rho))"
    return "Survival was compared between groups with \(stratified ? "the stratified form of " : "")\(name)."
  }

  public func sentences(style: JournalStyle, unit: String?) -> [String] {
    ["\(test.rho == 0 ? "Log-rank test" : "G-rho test"): χ²(\(test.degreesOfFreedom)) = \(style.number(test.chiSquare, decimals: 2)), \(style.pClause(test.p))."]
  }
}
