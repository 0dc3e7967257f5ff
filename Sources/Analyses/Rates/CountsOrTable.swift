import Tabular

/// The options of the analyses that take counts or a table (`rate`,
/// `compare`): counts (`events`, `n`), or data with a formula whose
/// response is binary — one or the other, never both.
struct CountsOrTable {
  var data: DataSelection?
  var formula: String?

  enum CodingKeys: String, CodingKey { case formula }

  static func parameters(example: String) -> [Parameter] {
    DataSelection.parameters(adam: false, required: false) + [.formula(example, required: false)]
  }

  /// - Parameter counts: the analysis's count options, in order.
  static func decode(from decoder: Decoder, counts: [String]) throws -> CountsOrTable {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let data = try DataSelection.decode(from: decoder, adam: false, required: false)
    let formula = try c.text(.formula, expected: "a model formula")
    guard let data else {
      if formula != nil { throw InputError(option: "formula", "expected \(String.option("data")) with \(String.option("formula"))") }
      return CountsOrTable(data: nil, formula: nil)
    }
    let given = try decoder.container(keyedBy: AnyKey.self)
    if let first = counts.first(where: { given.contains(AnyKey($0)) }) {
      throw InputError(option: first, "expected either counts (" + counts.map { String.option($0) }.joined(separator: ", ")
                       + ") or a table (\(String.option("data")), \(String.option("formula"))), found both")
    }
    guard let formula else {
      throw InputError(option: "formula", "expected a formula with \(String.option("data")), as in \"failed ~ arm\"")
    }
    return CountsOrTable(data: data, formula: formula)
  }
}

/// Any key: which options were given, by name.
struct AnyKey: CodingKey {
  var stringValue: String
  var intValue: Int? { nil }
  init(_ s: String) { stringValue = s }
  init?(stringValue: String) { self.stringValue = stringValue }
  init?(intValue: Int) { nil }
}
