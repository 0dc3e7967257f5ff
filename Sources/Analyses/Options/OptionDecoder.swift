import Tabular

/// Builds an analysis's typed options (`Decodable`) from an `OptionInput`:
/// the one path from what a user wrote to what an analysis runs with, for
/// the command line, report specs and claims files alike.
///
/// - Scalars are text until a type asks: `0.95` decodes as a `Double` for
///   `conf-level` and as a `String` for `where`.
/// - A list decodes from a YAML list or from comma-separated text.
/// - Every error is an `InputError` at the option (`InputLocation(option:)`),
///   quoting the value as written: `expected a number in (0, 1), found "95"`.
/// - Every key given must be read by the options type; one that is not is an
///   error, never ignored.
public enum OptionDecoder {
  public static func decode<T: Decodable>(_ type: T.Type, from input: OptionInput) throws -> T {
    let state = DecodingState(input)
    let value: T
    do {
      value = try T(from: OptionValueDecoder(state: state, codingPath: [], value: nil))
    } catch let error as DecodingError {
      throw state.inputError(error)
    }
    for entry in input.entries where !state.consumed.contains(entry.key) {
      throw InputError(option: entry.key, "not used with the other options given")
    }
    return value
  }
}

/// Shared by every container of one decode: the input and which keys were read.
final class DecodingState {
  let input: OptionInput
  var consumed = Set<String>()
  init(_ input: OptionInput) { self.input = input }

  /// A `DecodingError` from an options type's own checks as an `InputError`
  /// at its option, with the value as written.
  func inputError(_ error: DecodingError) -> InputError {
    switch error {
    case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
      guard let key = context.codingPath.first?.stringValue else {
        return InputError(InputLocation(source: "options"), context.debugDescription)
      }
      let found = input[key].map { " found " + OptionValueDecoder.quoted($0) } ?? ""
      return InputError(option: key, context.debugDescription + (found.isEmpty ? "" : "," + found))
    case .keyNotFound(let key, _):
      return InputError(option: key.stringValue, "missing")
    @unknown default:
      return InputError(InputLocation(source: "options"), "invalid options")
    }
  }
}

/// One value (or the whole input at the top level).
struct OptionValueDecoder: Decoder {
  let state: DecodingState
  var codingPath: [CodingKey]
  /// `nil` at the top level, where the input is a keyed container.
  let value: OptionValue?
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  var key: String { codingPath.first?.stringValue ?? "options" }

  static func quoted(_ value: OptionValue) -> String {
    switch value {
    case .list(let items): return "[" + items.joined(separator: ", ") + "]"
    default: return value.text.quotedForMessage
    }
  }

  func error(_ expected: String) -> InputError {
    InputError(option: key, "expected \(expected), found \(value.map(OptionValueDecoder.quoted) ?? "nothing")")
  }

  func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
    guard value == nil else { throw error("a value") }
    return KeyedDecodingContainer(OptionKeyedContainer<Key>(state: state, codingPath: codingPath))
  }

  func unkeyedContainer() throws -> UnkeyedDecodingContainer {
    guard let value else { throw InputError(InputLocation(source: "options"), "expected options, found a list") }
    switch value {
    case .list(let items): return OptionListContainer(decoder: self, items: items, commaSeparated: false)
    case .text(let text):
      let items = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
      return OptionListContainer(decoder: self, items: items, commaSeparated: true)
    case .flag: throw error("a list of values")
    }
  }

  func singleValueContainer() throws -> SingleValueDecodingContainer {
    guard value != nil else { throw InputError(InputLocation(source: "options"), "expected options, found a value") }
    return OptionSingleValue(decoder: self)
  }

  // Scalars from the value as written.

  func text() throws -> String {
    switch value {
    case .text(let s)?: return s
    case .flag?: throw error("a value")
    case .list?: throw error("one value, not a list")
    case nil: throw error("a value")
    }
  }

  func bool() throws -> Bool {
    switch value {
    case .flag(let b)?: return b
    case .text("true")?: return true
    case .text("false")?: return false
    default: throw error("true or false")
    }
  }

  func double() throws -> Double {
    guard case .text(let s)? = value, let x = Double(s.trimmingSpaces), x.isFinite else { throw error("a number") }
    return x
  }

  func int() throws -> Int {
    guard case .text(let s)? = value, let x = Int(s.trimmingSpaces) else { throw error("a whole number") }
    return x
  }

  /// A Decodable value: enums by their spellings, everything else by its own `init(from:)`.
  func decode<T: Decodable>(_ type: T.Type) throws -> T {
    if let choice = T.self as? any OptionChoice.Type {
      let s = try text()
      let (found, expectation) = pick(choice, s)
      guard let found = found as? T else { throw error(expectation) }
      return found
    }
    do {
      return try T(from: self)
    } catch let problem as OptionProblem {
      throw error(problem.expected)
    }
  }
}

/// The case of `C` spelled `s`, and what `C` expects.
private func pick<C: OptionChoice>(_ type: C.Type, _ s: String) -> (Any?, String) {
  (C.allCases.first { $0.rawValue == s }, C.expectation)
}

private struct OptionKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
  let state: DecodingState
  var codingPath: [CodingKey]

  var allKeys: [Key] { state.input.keys.compactMap { Key(stringValue: $0) } }

  func contains(_ key: Key) -> Bool {
    guard state.input[key.stringValue] != nil else { return false }
    state.consumed.insert(key.stringValue)
    return true
  }

  private func value(_ key: Key) throws -> OptionValueDecoder {
    guard let v = state.input[key.stringValue] else {
      throw DecodingError.keyNotFound(key, DecodingError.Context(codingPath: codingPath + [key], debugDescription: "missing"))
    }
    state.consumed.insert(key.stringValue)
    return OptionValueDecoder(state: state, codingPath: codingPath + [key], value: v)
  }

  func decodeNil(forKey key: Key) throws -> Bool { !contains(key) }
  func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try value(key).bool() }
  func decode(_ type: String.Type, forKey key: Key) throws -> String { try value(key).text() }
  func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try value(key).double() }
  func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try value(key).int() }
  func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try value(key).decode(type) }

  func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
    throw try value(key).error("a value")
  }
  func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer { try value(key).unkeyedContainer() }
  /// The same input: options types share keys with `DataSelection` this way.
  func superDecoder() throws -> Decoder { OptionValueDecoder(state: state, codingPath: codingPath, value: nil) }
  func superDecoder(forKey key: Key) throws -> Decoder { try value(key) }
}

private struct OptionSingleValue: SingleValueDecodingContainer {
  let decoder: OptionValueDecoder
  var codingPath: [CodingKey] { decoder.codingPath }
  func decodeNil() -> Bool { false }
  func decode(_ type: Bool.Type) throws -> Bool { try decoder.bool() }
  func decode(_ type: String.Type) throws -> String { try decoder.text() }
  func decode(_ type: Double.Type) throws -> Double { try decoder.double() }
  func decode(_ type: Int.Type) throws -> Int { try decoder.int() }
  func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decode(type) }
}

/// The items of a list option, from a YAML list or comma-separated text.
private struct OptionListContainer: UnkeyedDecodingContainer {
  let decoder: OptionValueDecoder
  let items: [String]
  let commaSeparated: Bool
  var currentIndex = 0
  var codingPath: [CodingKey] { decoder.codingPath }
  var count: Int? { items.count }
  var isAtEnd: Bool { currentIndex >= items.count }

  init(decoder: OptionValueDecoder, items: [String], commaSeparated: Bool) {
    self.decoder = decoder
    self.items = items
    self.commaSeparated = commaSeparated
  }

  private mutating func next<T>(_ expected: String, _ parse: (String) -> T?) throws -> T {
    guard !isAtEnd else { throw decoder.error("more values") }
    let item = items[currentIndex]
    guard let x = parse(item) else {
      let whole = commaSeparated ? decoder.value?.text ?? "" : "[" + items.joined(separator: ", ") + "]"
      throw InputError(option: decoder.key,
                       "expected \(commaSeparated ? "comma-separated \(expected)" : expected), found \(item.quotedForMessage) in \(commaSeparated ? whole.quotedForMessage : whole)")
    }
    currentIndex += 1
    return x
  }

  mutating func decodeNil() throws -> Bool { false }
  mutating func decode(_ type: String.Type) throws -> String { try next("values") { $0.isEmpty ? nil : $0 } }
  mutating func decode(_ type: Double.Type) throws -> Double {
    try next("numbers") { s in Double(s).flatMap { $0.isFinite ? $0 : nil } }
  }
  mutating func decode(_ type: Int.Type) throws -> Int { try next("whole numbers") { Int($0) } }
  mutating func decode(_ type: Bool.Type) throws -> Bool { try next("true or false") { Bool($0) } }
  mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
    if T.self == Double.self { return try decode(Double.self) as! T }
    if T.self == Int.self { return try decode(Int.self) as! T }
    if T.self == String.self { return try decode(String.self) as! T }
    let item = try next("values") { Optional($0) }
    return try OptionValueDecoder(state: decoder.state, codingPath: codingPath, value: .text(item)).decode(type)
  }
  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
    throw decoder.error("a list of values")
  }
  mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer { throw decoder.error("a list of values") }
  mutating func superDecoder() throws -> Decoder { throw decoder.error("a list of values") }
}

extension String {
  var trimmingSpaces: String {
    var s = Substring(self)
    while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
    while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
    return String(s)
  }
}
