import ModelFrame
import Rates
import Survival

/// What an option of an analysis is: its name (the command line's `--name`,
/// a spec's and a claim's `name:`), whether it takes a value, and its help.
/// Every front end reads the same list: the command line for parsing, help
/// and completion, a spec for its allowed keys.
public struct Parameter: Sendable, Equatable {
  public enum Kind: Sendable, Equatable {
    /// `--name VALUE`.
    case value
    /// `--name` alone: true when given.
    case flag
    /// `--name a,b,c`; a YAML list in a spec.
    case list
    /// `--name A --name B` (each value whole, commas and all); a YAML list
    /// or a single value in a spec.
    case repeated
  }

  public var name: String
  public var kind: Kind
  public var help: String
  /// The closed set of values (an enum's spellings), for help and completion.
  public var choices: [String]
  /// The default as the command line would write it, for help.
  public var defaultValue: String?
  public var isRequired: Bool
  /// A file path (shell completion completes file names).
  public var isPath: Bool

  public init(_ name: String, _ kind: Kind = .value, help: String, choices: [String] = [], default defaultValue: String? = nil,
              required: Bool = false, path: Bool = false) {
    self.name = name
    self.kind = kind
    self.help = help
    self.choices = choices
    self.defaultValue = defaultValue
    self.isRequired = required
    self.isPath = path
  }

  /// An option whose value is one of an enum's spellings.
  public static func choice<E: OptionChoice>(_ name: String, _ type: E.Type, help: String, default value: E? = nil) -> Parameter {
    Parameter(name, .value, help: help, choices: E.allCases.map(\.rawValue), default: value?.rawValue)
  }

  /// `<name>` as the usage line writes the value.
  public var valueName: String {
    switch kind {
    case .flag: return ""
    case .value: return isPath ? "<path>" : "<\(name)>"
    case .list: return "<\(name),...>"
    case .repeated: return "<\(name)> ..."
    }
  }
}

/// An option whose value is one of a closed set of spellings: an enum whose
/// raw value is its spelling (`ConfidenceTransform.logLog = "log-log"`).
/// Matching is exact: no prefixes, no case folding.
public protocol OptionChoice: CaseIterable, RawRepresentable, Decodable, Sendable where RawValue == String {}

extension OptionChoice {
  /// `a or b`, `a, b or c`, `one of a, b, c, d`: what an error expects.
  public static var expectation: String {
    let names = allCases.map(\.rawValue)
    if names.count <= 3, let last = names.last {
      return names.count == 1 ? last : names.dropLast().joined(separator: ", ") + " or " + last
    }
    return "one of " + names.joined(separator: ", ")
  }
}

// The analyses' closed choices, spelled as their raw values.
extension ConfidenceTransform: OptionChoice {}
extension SurvivalQuantileRule: OptionChoice {}
extension TimeUnit: OptionChoice {}
extension SurvivalEstimator: OptionChoice {}
extension HazardEstimator: OptionChoice {}
extension CoxTies: OptionChoice {}
extension Cox.ConcordanceTies: OptionChoice {}
extension ZPHTransform: OptionChoice {}
extension Alternative: OptionChoice {}
extension TwoRates.UnconditionalTests: OptionChoice {}
extension TwoSidedRule: OptionChoice {}
