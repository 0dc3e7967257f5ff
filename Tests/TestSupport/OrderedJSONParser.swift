import Rendering

/// A small JSON parser that keeps object keys in order (fixtures and CLI
/// output are compared field by field). Numbers without a fraction or
/// exponent become `.int`.
struct OrderedJSONParser {
  struct ParseError: Error, CustomStringConvertible {
    var offset: Int
    var description: String { "invalid JSON at byte \(offset)" }
  }

  let bytes: [UInt8]
  var i = 0

  init(bytes: [UInt8]) { self.bytes = bytes }

  mutating func parse() throws -> JSONValue {
    let v = try value()
    skip()
    if i != bytes.count { throw ParseError(offset: i) }
    return v
  }

  private mutating func skip() {
    while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 }
  }

  private mutating func value() throws -> JSONValue {
    skip()
    guard i < bytes.count else { throw ParseError(offset: i) }
    switch bytes[i] {
    case UInt8(ascii: "{"):
      i += 1
      var pairs: [(String, JSONValue)] = []
      skip()
      if bytes[i] == UInt8(ascii: "}") { i += 1; return .object([]) }
      while true {
        skip()
        let key = try string()
        skip()
        guard bytes[i] == UInt8(ascii: ":") else { throw ParseError(offset: i) }
        i += 1
        pairs.append((key, try value()))
        skip()
        if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
        if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(pairs) }
        throw ParseError(offset: i)
      }
    case UInt8(ascii: "["):
      i += 1
      var items: [JSONValue] = []
      skip()
      if bytes[i] == UInt8(ascii: "]") { i += 1; return .array([]) }
      while true {
        items.append(try value())
        skip()
        if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
        if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
        throw ParseError(offset: i)
      }
    case UInt8(ascii: "\""):
      return .string(try string())
    case UInt8(ascii: "t"):
      i += 4; return .bool(true)
    case UInt8(ascii: "f"):
      i += 5; return .bool(false)
    case UInt8(ascii: "n"):
      i += 4; return .null
    default:
      let start = i
      var integral = true
      while i < bytes.count, let c = Optional(bytes[i]),
            (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+")
              || c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
        if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") { integral = false }
        i += 1
      }
      let text = String(decoding: bytes[start..<i], as: UTF8.self)
      if integral, let n = Int(text) { return .int(n) }
      guard let d = Double(text) else { throw ParseError(offset: start) }
      return .double(d)
    }
  }

  private mutating func string() throws -> String {
    guard bytes[i] == UInt8(ascii: "\"") else { throw ParseError(offset: i) }
    i += 1
    var out: [UInt8] = []
    while i < bytes.count && bytes[i] != UInt8(ascii: "\"") {
      if bytes[i] == UInt8(ascii: "\\") {
        i += 1
        switch bytes[i] {
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "u"):
          let hex = String(decoding: bytes[(i + 1)...(i + 4)], as: UTF8.self)
          let scalar = Unicode.Scalar(UInt32(hex, radix: 16) ?? 0x3F) ?? "?"
          out.append(contentsOf: Array(String(scalar).utf8))
          i += 4
        default: out.append(bytes[i])
        }
        i += 1
      } else {
        out.append(bytes[i])
        i += 1
      }
    }
    i += 1
    return String(decoding: out, as: UTF8.self)
  }
}
