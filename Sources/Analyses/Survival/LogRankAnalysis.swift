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

  /// The weights `--test` names.
  public enum TestChoice: String, Sendable, CaseIterable, Codable, OptionChoice {
    case logrank, gehan, peto, modifiedPeto = "modified-peto", taroneWare = "tarone-ware", fh, lr
  }

  public struct Options: AnalysisOptions {
    public var data: DataSelection?
    public var formula: String
    public var weight: LogRankWeight
    public var timeUnit: TimeUnit?
    /// Whose defaults the options not given take (no test differs today; recorded in `conventions`).
    public var profile: ConventionProfile = .r

    public init(data: DataSelection, formula: String, rho: Double = 0, timeUnit: TimeUnit? = nil) {
      self.data = data
      self.formula = formula
      self.weight = .flemingHarrington(rho: rho, gamma: 0)
      self.timeUnit = timeUnit
    }

    /// R's `rho`.
    public var rho: Double {
      if case .flemingHarrington(let rho, _) = weight { return rho }
      return 0
    }

    enum CodingKeys: String, CodingKey { case formula, test, rho, gamma, timeUnit = "time-unit", profile }

    public static var parameters: [Parameter] {
      DataSelection.parameters(adam: true) + [
        .formula("Surv(time, status) ~ sex"),
        .choice("test", TestChoice.self,
                help: "The weight of each event time: logrank (1), gehan (n at risk; SAS's Wilcoxon), tarone-ware (√n), peto (Peto's S̃(t), SAS), modified-peto (S̃(t)·n/(n+1)) or fh (S(t−)^rho·(1 − S(t−))^gamma), or lr (SAS's −2Log(LR): equal exponential rates); default logrank, fh when --rho or --gamma is given.",
                default: .logrank),
        Parameter("rho", help: "Weight S(t-)^rho of the G-rho family (R survdiff); 0 is the log-rank test, 1 R's Peto–Peto.", default: "0"),
        Parameter("gamma", help: "With --rho, the Fleming–Harrington weight's (1 − S(t−))^gamma.", default: "0"),
        .timeUnit,
        .profile,
      ]
    }

    public init(from decoder: Decoder) throws {
      data = try DataSelection.decode(from: decoder, adam: true, required: true)
      let c = try decoder.container(keyedBy: CodingKeys.self)
      profile = try c.profile(.profile)
      formula = try c.formula(.formula)
      let rho = try c.number(.rho, expected: "a non-negative number", where: { $0 >= 0 && $0 <= 1000 })
      let gamma = try c.number(.gamma, expected: "a non-negative number", where: { $0 >= 0 && $0 <= 1000 })
      let test = try c.choice(.test, default: rho != nil || gamma != nil ? TestChoice.fh : .logrank)
      if test != .fh, rho != nil || gamma != nil {
        throw c.problem(rho != nil ? .rho : .gamma, "no \(String.option(rho != nil ? "rho" : "gamma")) with --test \(test.rawValue) (the weights of --test fh)")
      }
      switch test {
      case .logrank: weight = .flemingHarrington(rho: 0, gamma: 0)
      case .fh: weight = .flemingHarrington(rho: rho ?? 0, gamma: gamma ?? 0)
      case .gehan: weight = .gehan
      case .peto: weight = .peto
      case .modifiedPeto: weight = .modifiedPeto
      case .taroneWare: weight = .taroneWare
      case .lr: weight = .likelihoodRatio
      }
      timeUnit = try c.decodeIfPresent(TimeUnit.self, forKey: .timeUnit)
    }
  }

  public static func conventions(_ options: Options, output: LogRankOutput) -> Conventions? {
    var c = Conventions(profile: options.profile)
    c.add("test", options.weight.name,
          text: options.weight.title + (options.weight == .likelihoodRatio ? "" : ", hypergeometric variance"))
    return c
  }

  public static func run(_ options: Options, in context: AnalysisContext) throws -> LogRankOutput {
    let frame = try context.select(options.data!, formula: options.formula).frame(formula: options.formula, options: .init(timeUnit: options.timeUnit))
    let test = try LogRank.test(frame, options: .init(weight: options.weight))
    return LogRankOutput(test: test, formula: options.data!.formula(options.formula), stratified: frame.strata != nil)
  }
}

public struct LogRankOutput: AnalysisOutput {
  public var test: LogRankTest
  public var formula: String
  public var stratified: Bool

  public func encode(to encoder: Encoder) throws { try test.encode(to: encoder) }

  public func tables(title: String?) -> [ResultTable] {
    test.tables(title: title ?? "\(test.weight.title): \(formula)")
  }

  public var methods: String {
    let name: String
    switch test.weight {
    case .flemingHarrington(0, 0): name = "the log-rank test"
    case .flemingHarrington(let rho, 0): name = "the Fleming–Harrington G-rho test with rho = \(RNumberText.format(rho))"
    case .flemingHarrington(let rho, let gamma):
      name = "the Fleming–Harrington G(rho, gamma) test with rho = \(RNumberText.format(rho)) and gamma = \(RNumberText.format(gamma))"
    case .gehan: name = "Gehan's generalized Wilcoxon test"
    case .taroneWare: name = "the Tarone–Ware test"
    case .peto: name = "the Peto–Peto test (Peto's survival estimate as weight)"
    case .modifiedPeto: name = "the modified Peto–Peto test (Andersen et al.)"
    case .likelihoodRatio: name = "the likelihood-ratio test of equal exponential rates (Lawless)"
    }
    return "Survival was compared between groups with \(stratified ? "the stratified form of " : "")\(name)."
  }

  public func sentences(style: JournalStyle, unit: String?) -> [String] {
    ["\(test.weight.title): χ²(\(test.degreesOfFreedom)) = \(style.number(test.chiSquare, decimals: 2)), \(style.pClause(test.p))."]
  }
}
