import Distributions
import Tabular

/// The number of events a two-arm log-rank test needs, by Schoenfeld's
/// formula (the contract's `events`) and by Freedman's.
///
///     Schoenfeld:  d = (z₁₋α/₂ + z_power)² / (p (1 − p) log(HR)²)
///     Freedman:    d = (z₁₋α/₂ + z_power)² (1 + k·HR)² / (k (1 − HR)²),  k = p / (1 − p)
///
/// with p the proportion allocated to the experimental arm, whose hazard is HR
/// times the control arm's; two-sided alpha; events rounded up.
/// - Reference: Schoenfeld (1983), doi:10.2307/2531201; Freedman (1982),
///   doi:10.1002/sim.4780010204.
public enum LogRankDesign {
  public struct Options: Sendable {
    public var hazardRatio: Double
    public var alpha: Double
    public var power: Double
    /// Proportion of patients in the experimental arm.
    public var allocation: Double

    /// With accrual and follow-up, the patients the events need.
    public var recruitment: Recruitment?

    public init(hazardRatio: Double, alpha: Double = 0.05, power: Double = 0.8, allocation: Double = 0.5,
                recruitment: Recruitment? = nil) {
      self.hazardRatio = hazardRatio
      self.alpha = alpha
      self.power = power
      self.allocation = allocation
      self.recruitment = recruitment
    }
  }

  /// Uniform accrual over `accrual` time units, then `followUp` more; the
  /// control arm's survival exponential with hazard `controlHazard` (from a
  /// median m: log 2 / m), the experimental arm's hazard HR times that.
  public struct Recruitment: Sendable, Equatable {
    public var accrual: Double
    public var followUp: Double
    public var controlHazard: Double
    public init(accrual: Double, followUp: Double, controlHazard: Double) {
      self.accrual = accrual
      self.followUp = followUp
      self.controlHazard = controlHazard
    }
  }

  /// The probability that a patient recruited uniformly over [0, a] and
  /// followed until a + f has the event, survival exp(−λt):
  ///
  ///     P = 1 − (e^{−λf} − e^{−λ(a+f)}) / (λa)      (a > 0),   1 − e^{−λf}  (a = 0)
  ///
  /// - Reference: Collett (2015), *Modelling Survival Data in Medical
  ///   Research*, 3rd ed., §10.2; Schoenfeld (1983).
  public static func probabilityOfEvent(hazard lambda: Double, accrual a: Double, followUp f: Double) -> Double {
    if a == 0 { return -expm1(-lambda * f) }
    return 1 - (exp(-lambda * f) - exp(-lambda * (a + f))) / (lambda * a)
  }

  /// Events no design may exceed (a hazard ratio closer to 1 is an error).
  public static let maximumEvents = 1_000_000_000

  /// - Throws: `InputError` naming `hr` when more than `maximumEvents` events
  ///   (or patients) would be needed.
  public static func events(_ options: Options) throws -> LogRankEvents {
    let z = Normal.standard.quantile(1 - options.alpha / 2) + Normal.standard.quantile(options.power)
    let p = options.allocation
    let hr = options.hazardRatio
    let logHR = log(hr)
    let schoenfeld = z * z / (p * (1 - p) * logHR * logHR)
    let k = p / (1 - p)
    let freedman = z * z * (1 + k * hr) * (1 + k * hr) / (k * (1 - hr) * (1 - hr))
    let zAlpha = Normal.standard.quantile(1 - options.alpha / 2)
    let d = schoenfeld.rounded(.up), dF = freedman.rounded(.up)
    guard max(d, dF) <= Double(maximumEvents) else {
      throw InputError(option: "hr", "more than \(maximumEvents) events would be needed, expected a hazard ratio further from 1")
    }
    var result = LogRankEvents(
      hazardRatio: hr, alpha: options.alpha, power: options.power, allocation: p,
      events: Int(d), eventsUnrounded: schoenfeld,
      actualPower: Normal.standard.cdf((d * p * (1 - p)).squareRoot() * abs(logHR) - zAlpha),
      freedmanEvents: Int(dF), freedmanEventsUnrounded: freedman,
      freedmanActualPower: Normal.standard.cdf((dF * k).squareRoot() * abs(1 - hr) / (1 + k * hr) - zAlpha))
    if let r = options.recruitment {
      let control = probabilityOfEvent(hazard: r.controlHazard, accrual: r.accrual, followUp: r.followUp)
      let experimental = probabilityOfEvent(hazard: r.controlHazard * hr, accrual: r.accrual, followUp: r.followUp)
      let pooled = (1 - p) * control + p * experimental
      let total = d / pooled
      let nExperimental = (total * p).rounded(.up), nControl = (total * (1 - p)).rounded(.up)
      guard nExperimental + nControl <= Double(maximumEvents) * 10 else {
        throw InputError(option: "follow-up", "more than \(maximumEvents * 10) patients would be needed, expected a longer accrual or follow-up")
      }
      result.patients = LogRankPatients(
        recruitment: r, experimentalHazard: r.controlHazard * hr, probabilityControl: control, probabilityExperimental: experimental, probabilityPooled: pooled,
        totalUnrounded: total, control: Int(nControl), experimental: Int(nExperimental),
        expectedEvents: nControl * control + nExperimental * experimental)
    }
    return result
  }
}

/// The result of `LogRankDesign.events`.
public struct LogRankEvents: Sendable, Equatable {
  public var hazardRatio: Double
  public var alpha: Double
  public var power: Double
  public var allocation: Double
  /// Schoenfeld's events, rounded up.
  public var events: Int
  public var eventsUnrounded: Double
  /// Schoenfeld's power with the rounded-up events (two-sided alpha as given).
  public var actualPower: Double
  public var freedmanEvents: Int
  public var freedmanEventsUnrounded: Double
  public var freedmanActualPower: Double
  /// With accrual and follow-up: the patients.
  public var patients: LogRankPatients?

  public var method: String {
    "Schoenfeld (1983): events = (z[1-alpha/2] + z[power])^2 / (p(1-p) log(HR)^2), two-sided, rounded up"
  }
}

/// The patients a log-rank design needs under uniform accrual, fixed
/// follow-up and exponential survival.
public struct LogRankPatients: Sendable, Equatable {
  public var recruitment: LogRankDesign.Recruitment
  /// HR × the control hazard.
  public var experimentalHazard: Double
  public var probabilityControl: Double
  public var probabilityExperimental: Double
  /// Allocation-weighted probability of an event.
  public var probabilityPooled: Double
  /// Schoenfeld's (rounded) events / the pooled probability.
  public var totalUnrounded: Double
  /// Each arm rounded up; the total is their sum.
  public var control: Int
  public var experimental: Int
  public var total: Int { control + experimental }
  public var expectedEvents: Double

  public var method: String {
    "events / P(event), P = 1 - (exp(-h f) - exp(-h (a + f))) / (h a) per arm: uniform accrual over a, follow-up f after accrual ends, exponential survival (Collett 2015, section 10.2); each arm rounded up"
  }
}

extension LogRankPatients: Encodable {
  enum CodingKeys: String, CodingKey {
    case total, control, experimental, totalUnrounded = "total_unrounded", accrual, followUp = "follow_up"
    case hazardControl = "hazard_control", hazardExperimental = "hazard_experimental"
    case medianControl = "median_control", medianExperimental = "median_experimental"
    case probability = "probability_of_event", expectedEvents = "expected_events", method
  }
  enum ProbabilityKeys: String, CodingKey { case control, experimental, pooled }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(total, forKey: .total)
    try c.encode(control, forKey: .control)
    try c.encode(experimental, forKey: .experimental)
    try c.encode(totalUnrounded, forKey: .totalUnrounded)
    try c.encode(recruitment.accrual, forKey: .accrual)
    try c.encode(recruitment.followUp, forKey: .followUp)
    try c.encode(recruitment.controlHazard, forKey: .hazardControl)
    try c.encode(experimentalHazard, forKey: .hazardExperimental)
    try c.encode(log(2) / recruitment.controlHazard, forKey: .medianControl)
    try c.encode(log(2) / experimentalHazard, forKey: .medianExperimental)
    var p = c.nestedContainer(keyedBy: ProbabilityKeys.self, forKey: .probability)
    try p.encode(probabilityControl, forKey: .control)
    try p.encode(probabilityExperimental, forKey: .experimental)
    try p.encode(probabilityPooled, forKey: .pooled)
    try c.encode(expectedEvents, forKey: .expectedEvents)
    try c.encode(method, forKey: .method)
  }
}

extension LogRankEvents: Encodable {
  enum CodingKeys: String, CodingKey {
    case hazardRatio = "hr", alpha, power, allocation, events, eventsUnrounded = "events_unrounded", method
    case actualAlpha = "actual_alpha", actualPower = "actual_power", freedman, patients
  }
  enum FreedmanKeys: String, CodingKey { case events, eventsUnrounded = "events_unrounded", actualPower = "actual_power", method }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(hazardRatio, forKey: .hazardRatio)
    try c.encode(alpha, forKey: .alpha)
    try c.encode(power, forKey: .power)
    try c.encode(allocation, forKey: .allocation)
    try c.encode(events, forKey: .events)
    try c.encode(eventsUnrounded, forKey: .eventsUnrounded)
    try c.encode(alpha, forKey: .actualAlpha)
    try c.encode(actualPower, forKey: .actualPower)
    try c.encode(method, forKey: .method)
    var f = c.nestedContainer(keyedBy: FreedmanKeys.self, forKey: .freedman)
    try f.encode(freedmanEvents, forKey: .events)
    try f.encode(freedmanEventsUnrounded, forKey: .eventsUnrounded)
    try f.encode(freedmanActualPower, forKey: .actualPower)
    try f.encode("Freedman (1982): events = (z[1-alpha/2] + z[power])^2 (1 + k HR)^2 / (k (1 - HR)^2), k = p/(1-p)", forKey: .method)
    try c.encodeIfPresent(patients, forKey: .patients)
  }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
