import ModelFrame
import Rendering
import Tabular

extension Parameter {
  /// `formula`, required, with an example of its form.
  public static func formula(_ example: String, required: Bool = true) -> Parameter {
    Parameter("formula", help: "Model formula in R syntax, e.g. \"\(example)\".", required: required)
  }

  /// `conf-level`, default 0.95.
  public static let confidenceLevel = Parameter("conf-level", help: "Confidence level in (0, 1).", default: "0.95")

  /// `alpha` and `power` of a design.
  public static func alpha(_ sided: String) -> Parameter {
    Parameter("alpha", help: "Significance level in (0, 1), \(sided).", default: "0.05")
  }
  public static let power = Parameter("power", help: "Power in (0, 1).", default: "0.8")

  /// `reference VAR=LEVEL` (repeatable): a factor's reference level.
  public static let reference = Parameter(
    "reference", .repeated,
    help: "Reference level of a factor, as VAR=LEVEL (repeatable), e.g. sex=2; default the first level (R), SAS's is the last.")

  /// `time-unit` of a follow-up computed from dates (`Surv(end - start, status)`).
  public static let timeUnit = Parameter.choice(
    "time-unit", TimeUnit.self,
    help: "Unit of a follow-up computed from two dates, Surv(end - start, status): days (default), weeks, months (30.4375 days) or years (365.25 days).")
}

extension KeyedDecodingContainer {
  /// `--reference sex=2 --reference ph.ecog=1` as (column, level) pairs.
  public func references(_ key: Key) throws -> [(column: String, level: String)] {
    try (repeatedTexts(key) ?? []).map { text in
      let parts = text.split(separator: "=", maxSplits: 1).map { String($0).trimmingSpaces }
      guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
        throw InputError(option: key.stringValue, "expected VAR=LEVEL, as sex=2, found \(text.quotedForMessage)")
      }
      return (parts[0], parts[1])
    }
  }

  /// The required formula.
  public func formula(_ key: Key) throws -> String {
    guard let f = try text(key, expected: "a model formula") else {
      throw InputError(option: key.stringValue, "missing, expected a model formula")
    }
    return f
  }

  /// A design's significance level (default 0.05) and power (default 0.8).
  public func alpha(_ key: Key) throws -> Double { try rate(key, expected: "a number in (0, 1)") ?? 0.05 }
  public func power(_ key: Key) throws -> Double { try rate(key, expected: "a number in (0, 1)") ?? 0.8 }
}

/// `0.95` → `95%`.
func percent(_ level: Double) -> String {
  RNumberText.format(level * 100) + "%"
}

extension JournalStyle {
  /// A time in a sentence: whole numbers as such, else three significant digits (at most two decimals).
  func time(_ x: Double?) -> String {
    guard let x else { return "not reached" }
    let decimals = x == x.rounded() ? 0 : NumberFormat.decimalsNeeded(x, significant: 3)
    return number(x, decimals: min(decimals, 2))
  }

  /// A ratio in a sentence: two decimals, three below 0.1.
  func ratio(_ x: Double?) -> String {
    guard let x, x.isFinite else { return x == .infinity ? "∞" : "NA" }
    return number(x, decimals: x < 0.1 ? 3 : 2)
  }
}

extension NumberFormat {
  /// A count in a sentence: whole, or two decimals when weighted.
  static func count(_ x: Double) -> String {
    x == x.rounded() ? fixed(x, decimals: 0) : fixed(x, decimals: 2)
  }
}
