/// A JSON document with object keys in insertion order, so output follows the
/// contract's field order and is byte-stable.
public indirect enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  case int(Int)
  case double(Double)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  public static func == (a: JSONValue, b: JSONValue) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case (.bool(let x), .bool(let y)): return x == y
    case (.int(let x), .int(let y)): return x == y
    case (.double(let x), .double(let y)): return x == y || (x.isNaN && y.isNaN)
    case (.string(let x), .string(let y)): return x == y
    case (.array(let x), .array(let y)): return x == y
    case (.object(let x), .object(let y)):
      return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    default: return false
    }
  }

  /// The value under `key` of an object.
  public subscript(key: String) -> JSONValue? {
    if case .object(let pairs) = self { return pairs.first { $0.0 == key }?.1 }
    return nil
  }

  /// Adds or replaces `key` at the front of an object.
  public func prepending(_ key: String, _ value: JSONValue) -> JSONValue {
    guard case .object(let pairs) = self else { return self }
    return .object([(key, value)] + pairs.filter { $0.0 != key })
  }

  /// Compact JSON text. Doubles use the shortest text that reads back to the
  /// same value (integral values without a fraction); NaN and ±∞ are `null`.
  public func serialized(pretty: Bool = false) -> String {
    var out = ""
    write(to: &out, indent: pretty ? 0 : nil)
    return out
  }

  private func write(to out: inout String, indent: Int?) {
    switch self {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .int(let i): out += String(i)
    case .double(let d): out += JSONValue.format(d)
    case .string(let s): JSONValue.writeString(s, to: &out)
    case .array(let items):
      if items.isEmpty { out += "[]"; return }
      out += "["
      for (k, item) in items.enumerated() {
        if k > 0 { out += "," }
        if let indent { out += "\n" + String(repeating: " ", count: indent + 1) }
        item.write(to: &out, indent: indent.map { $0 + 1 })
      }
      if let indent { out += "\n" + String(repeating: " ", count: indent) }
      out += "]"
    case .object(let pairs):
      if pairs.isEmpty { out += "{}"; return }
      out += "{"
      for (k, pair) in pairs.enumerated() {
        if k > 0 { out += "," }
        if let indent { out += "\n" + String(repeating: " ", count: indent + 1) }
        JSONValue.writeString(pair.0, to: &out)
        out += indent == nil ? ":" : ": "
        pair.1.write(to: &out, indent: indent.map { $0 + 1 })
      }
      if let indent { out += "\n" + String(repeating: " ", count: indent) }
      out += "}"
    }
  }

  /// Shortest round-trip text of a double (Swift's `description`), written
  /// without `.0` when the value is an integer below 2⁵³ in magnitude.
  public static func format(_ d: Double) -> String {
    if !d.isFinite { return "null" }
    if d == d.rounded(), abs(d) < 9_007_199_254_740_992 {
      return d == 0 ? "0" : String(Int64(d))
    }
    return d.description
  }

  static func writeString(_ s: String, to out: inout String, quoted: Bool = true) {
    if quoted { out += "\"" }
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if scalar.value < 0x20 {
          let hex = String(scalar.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    if quoted { out += "\"" }
  }
}
