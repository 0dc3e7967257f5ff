import ModelFrame
import Tabular

/// Whose defaults an analysis follows where statistical systems choose
/// differently (docs/CONVENTIONS.md): `--profile r|sas|stata|lifelines`
/// switches every such default at once; each convention also has its own
/// option, which wins over the profile.
public enum ConventionProfile: String, Sendable, CaseIterable, Codable, OptionChoice {
  case r, sas, stata, lifelines

  /// `R`, `SAS`, `Stata`, `lifelines`: as a sentence names the system.
  public var displayName: String {
    switch self {
    case .r: return "R"
    case .sas: return "SAS"
    case .stata: return "Stata"
    case .lifelines: return "lifelines"
    }
  }
}

/// The conventions behind a result's numbers, in order: the JSON's
/// `"conventions"` object (`"profile": "sas", "median_rule": "sas", …`) and
/// the one-line fingerprint under its tables (`Conventions (SAS): KM
/// product-limit, Greenwood variance, CI log-log, median SAS rule`).
public struct Conventions: Encodable, Sendable, Equatable {
  public struct Entry: Sendable, Equatable {
    /// The JSON key, as `median_rule`.
    public var key: String
    /// The JSON value, as the option spells it (`sas`, `log-log`).
    public var value: String
    /// The fingerprint's words (`median SAS rule`); `nil` leaves it out of the line.
    public var text: String?
  }

  public var profile: ConventionProfile
  public var entries: [Entry]

  public init(profile: ConventionProfile, entries: [Entry] = []) {
    self.profile = profile
    self.entries = entries
  }

  /// Appends a convention.
  public mutating func add(_ key: String, _ value: String, text: String? = nil) {
    entries.append(Entry(key: key, value: value, text: text))
  }

  /// `Conventions (R profile): KM product-limit, Greenwood variance, CI log, median midpoint rule.`
  public var fingerprint: String {
    let words = entries.compactMap(\.text)
    return "Conventions (\(profile.displayName) profile)" + (words.isEmpty ? "." : ": " + words.joined(separator: ", ") + ".")
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: AnyKey.self)
    try c.encode(profile.rawValue, forKey: AnyKey("profile"))
    for e in entries { try c.encode(e.value, forKey: AnyKey(e.key)) }
  }
}

extension Parameter {
  /// `profile`: every convention's default at once.
  public static let profile = Parameter.choice(
    "profile", ConventionProfile.self,
    help: "Defaults of another system where systems differ: r (default), sas, stata or lifelines (docs/CONVENTIONS.md); an option given explicitly wins.",
    default: .r)
}

extension Parameter {
  /// `reference-default first|last`: a factor's reference level when `--reference` names none.
  public static let referenceDefault = Parameter.choice(
    "reference-default", ReferenceLevel.self,
    help: "A factor's reference level when --reference names none: first (R, Stata, lifelines) or last (SAS's CLASS default).",
    default: .first)
}

extension ReferenceLevel: OptionChoice {
  /// The reference level a profile takes: the last under SAS, else the first.
  public static func defaultFor(_ profile: ConventionProfile) -> ReferenceLevel {
    profile == .sas ? .last : .first
  }
}

extension Conventions {
  /// The reference-level convention of a model with factors.
  mutating func addReference(_ level: ReferenceLevel) {
    add("reference_level", level.rawValue, text: "reference level \(level.rawValue)")
  }
}

extension KeyedDecodingContainer {
  /// The convention profile; R's when not given.
  public func profile(_ key: Key) throws -> ConventionProfile {
    try choice(key, default: .r)
  }
}
