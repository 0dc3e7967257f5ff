import Tabular

/// One option's value as a front end gives it: the command line's
/// `--times 10,20`, a spec's `times: [10, 20]`, a claim's `args`.
public enum OptionValue: Sendable, Hashable {
  /// A scalar as written (`0.95`, `"Surv(time, status) ~ sex"`); numbers stay text.
  case text(String)
  /// A flag (`--zph`, `zph: true`).
  case flag(Bool)
  /// A YAML list; the command line writes lists comma-separated instead.
  case list([String])

  /// The value as text: lists comma-joined, flags `true`/`false`.
  public var text: String {
    switch self {
    case .text(let s): return s
    case .flag(let b): return b ? "true" : "false"
    case .list(let items): return items.joined(separator: ",")
    }
  }
}

/// The options of one analysis, as written, in order: what every front end
/// turns its own syntax into before one decoder (`OptionDecoder`) builds the
/// analysis's typed options from it.
public struct OptionInput: Sendable, Hashable {
  public private(set) var entries: [Entry]

  public struct Entry: Sendable, Hashable {
    public var key: String
    public var value: OptionValue
    public init(key: String, value: OptionValue) {
      self.key = key
      self.value = value
    }
  }

  public init(_ entries: [Entry] = []) { self.entries = entries }

  public init(_ pairs: KeyValuePairs<String, OptionValue>) {
    self.entries = pairs.map { Entry(key: $0.key, value: $0.value) }
  }

  public subscript(key: String) -> OptionValue? {
    get { entries.first { $0.key == key }?.value }
    set {
      if let i = entries.firstIndex(where: { $0.key == key }) {
        if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
      } else if let newValue {
        entries.append(Entry(key: key, value: newValue))
      }
    }
  }

  public var keys: [String] { entries.map(\.key) }

  /// The input without `keys` (a front end's own keys: `format`, `title`).
  public func removing(_ keys: Set<String>) -> OptionInput {
    OptionInput(entries.filter { !keys.contains($0.key) })
  }

  /// Only the entries whose keys are in `keys`.
  public func keeping(_ keys: Set<String>) -> OptionInput {
    OptionInput(entries.filter { keys.contains($0.key) })
  }
}

/// A value that is out of range for its option. Thrown by option value types
/// (`ConfidenceLevel`, `Rate`); `OptionDecoder` turns it into an
/// `InputError` naming the option and quoting the value as written.
public struct OptionProblem: Error, Sendable, CustomStringConvertible {
  /// What was expected, as in `a number in (0, 1)`.
  public var expected: String
  public init(expected: String) { self.expected = expected }
  public var description: String { "expected \(expected)" }
}
