import Distributions

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

    public init(hazardRatio: Double, alpha: Double = 0.05, power: Double = 0.8, allocation: Double = 0.5) {
      self.hazardRatio = hazardRatio
      self.alpha = alpha
      self.power = power
      self.allocation = allocation
    }
  }

  public static func events(_ options: Options) -> LogRankEvents {
    let z = Normal.standard.quantile(1 - options.alpha / 2) + Normal.standard.quantile(options.power)
    let p = options.allocation
    let hr = options.hazardRatio
    let logHR = log(hr)
    let schoenfeld = z * z / (p * (1 - p) * logHR * logHR)
    let k = p / (1 - p)
    let freedman = z * z * (1 + k * hr) * (1 + k * hr) / (k * (1 - hr) * (1 - hr))
    return LogRankEvents(hazardRatio: hr, alpha: options.alpha, power: options.power, allocation: p,
                         events: Int(schoenfeld.rounded(.up)), eventsUnrounded: schoenfeld,
                         freedmanEvents: Int(freedman.rounded(.up)), freedmanEventsUnrounded: freedman)
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
  public var freedmanEvents: Int
  public var freedmanEventsUnrounded: Double

  public var method: String {
    "Schoenfeld (1983): events = (z[1-alpha/2] + z[power])^2 / (p(1-p) log(HR)^2), two-sided, rounded up"
  }
}

extension LogRankEvents: Encodable {
  enum CodingKeys: String, CodingKey {
    case hazardRatio = "hr", alpha, power, allocation, events, eventsUnrounded = "events_unrounded", method
    case freedman
  }
  enum FreedmanKeys: String, CodingKey { case events, eventsUnrounded = "events_unrounded", method }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(hazardRatio, forKey: .hazardRatio)
    try c.encode(alpha, forKey: .alpha)
    try c.encode(power, forKey: .power)
    try c.encode(allocation, forKey: .allocation)
    try c.encode(events, forKey: .events)
    try c.encode(eventsUnrounded, forKey: .eventsUnrounded)
    try c.encode(method, forKey: .method)
    var f = c.nestedContainer(keyedBy: FreedmanKeys.self, forKey: .freedman)
    try f.encode(freedmanEvents, forKey: .events)
    try f.encode(freedmanEventsUnrounded, forKey: .eventsUnrounded)
    try f.encode("Freedman (1982): events = (z[1-alpha/2] + z[power])^2 (1 + k HR)^2 / (k (1 - HR)^2), k = p/(1-p)", forKey: .method)
  }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
