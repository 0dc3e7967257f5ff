import Tabular

/// Checked reads of option values, for options types' `init(from:)`. They
/// work with any `Decoder` (a library user's `JSONDecoder` too); through
/// `OptionDecoder` a failure names the option and quotes the value as written:
/// `--conf-level: expected a number in (0, 1), found "95"`.
extension KeyedDecodingContainer {
  /// The error of a value that is out of range.
  public func problem(_ key: Key, _ expected: String) -> DecodingError {
    DecodingError.dataCorrupted(DecodingError.Context(codingPath: codingPath + [key], debugDescription: "expected \(expected)"))
  }

  /// A number, checked; `nil` when the option is not given.
  public func number(_ key: Key, expected: String, where accepts: (Double) -> Bool = { $0.isFinite }) throws -> Double? {
    guard contains(key) else { return nil }
    let x: Double
    do { x = try decode(Double.self, forKey: key) } catch { throw problem(key, expected) }
    guard x.isFinite, accepts(x) else { throw problem(key, expected) }
    return x
  }

  /// A whole number, checked; `nil` when the option is not given.
  public func wholeNumber(_ key: Key, expected: String, where accepts: (Int) -> Bool = { _ in true }) throws -> Int? {
    guard contains(key) else { return nil }
    let x: Int
    do { x = try decode(Int.self, forKey: key) } catch { throw problem(key, expected) }
    guard accepts(x) else { throw problem(key, expected) }
    return x
  }

  /// A number of events or patients: a whole number of at least 0.
  public func count(_ key: Key) throws -> Int? {
    try wholeNumber(key, expected: "a whole number of at least 0", where: { $0 >= 0 })
  }

  /// A rate or probability in (0, 1).
  public func rate(_ key: Key, expected: String = "a rate in (0, 1)") throws -> Double? {
    try number(key, expected: expected, where: { $0 > 0 && $0 < 1 })
  }

  /// The confidence level, in (0, 1); 0.95 when not given.
  public func confidenceLevel(_ key: Key) throws -> Double {
    try number(key, expected: "a number in (0, 1)", where: { $0 > 0 && $0 < 1 }) ?? 0.95
  }

  /// A flag; false when not given.
  public func flag(_ key: Key) throws -> Bool {
    try decodeIfPresent(Bool.self, forKey: key) ?? false
  }

  /// Text; `nil` when not given. An empty value is an error.
  public func text(_ key: Key, expected: String = "a value") throws -> String? {
    guard let s = try decodeIfPresent(String.self, forKey: key) else { return nil }
    if s.isEmpty { throw problem(key, expected) }
    return s
  }

  /// One of an enum's spellings; `value` when not given.
  public func choice<E: OptionChoice>(_ key: Key, default value: E) throws -> E {
    try decodeIfPresent(E.self, forKey: key) ?? value
  }

  /// Numbers from a list or comma-separated text; `nil` when not given.
  public func numbers(_ key: Key) throws -> [Double]? {
    try decodeIfPresent([Double].self, forKey: key)
  }

  /// Whole text values of a repeatable option: a list, or one value (commas
  /// kept); `nil` when not given.
  public func repeatedTexts(_ key: Key) throws -> [String]? {
    try decodeIfPresent(WholeTexts.self, forKey: key)?.items
  }

  /// Text values from a list or comma-separated text; `nil` when not given.
  public func texts(_ key: Key) throws -> [String]? {
    try decodeIfPresent([String].self, forKey: key)
  }
}

/// The names of options as front ends print them inside messages.
extension String {
  /// `--name` on the command line, `name` in a spec (see `InputError.mention`).
  static func option(_ name: String) -> String { InputError.mention(name) }
}

/// One text value, or a list of them, never split at commas.
struct WholeTexts: Decodable {
  var items: [String]
  init(from decoder: Decoder) throws {
    if let single = try? decoder.singleValueContainer().decode(String.self) {
      items = [single]
      return
    }
    var list = try decoder.unkeyedContainer()
    var out: [String] = []
    while !list.isAtEnd { out.append(try list.decode(String.self)) }
    items = out
  }
}
