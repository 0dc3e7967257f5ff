import Rendering

/// A path into an analysis's JSON: `groups[label=sex=1].median`,
/// `terms[term=age].exp_coef`, `intervals.wilson.upper`, `steps[0].surv`.
/// A selector `[field=value]` picks the array element whose `field` equals
/// `value` (the first `=` separates them, so `label=sex=1` selects the label
/// `sex=1`; numbers compare as numbers, so `[time=365]` matches 365.0); `[k]`
/// picks element k (from 0).
public struct ValuePath: Sendable, Equatable, CustomStringConvertible {
  public enum Step: Sendable, Equatable {
    case key(String)
    case index(Int)
    case select(field: String, value: String)
  }

  public var steps: [Step]
  public var text: String

  public var description: String { text }

  public struct ParseError: Error, Equatable {
    public var message: String
  }

  public init(_ text: String) throws {
    self.text = text
    var steps: [Step] = []
    var i = text.startIndex
    var key = ""
    func flushKey() throws {
      if !key.isEmpty { steps.append(.key(key)); key = "" }
    }
    while i < text.endIndex {
      let c = text[i]
      if c == "." {
        try flushKey()
        i = text.index(after: i)
        continue
      }
      if c == "[" {
        try flushKey()
        // Up to the matching bracket (brackets may nest inside a value: factor(x)[1] is rare but allowed).
        var depth = 1
        var j = text.index(after: i)
        var inner = ""
        while j < text.endIndex {
          if text[j] == "[" { depth += 1 }
          if text[j] == "]" { depth -= 1; if depth == 0 { break } }
          inner.append(text[j])
          j = text.index(after: j)
        }
        guard j < text.endIndex else { throw ParseError(message: "unclosed '[' in \(text.quoted)") }
        if let k = Int(inner), k >= 0 {
          steps.append(.index(k))
        } else if let eq = inner.firstIndex(of: "=") {
          let field = String(inner[..<eq]).trimmed, value = String(inner[inner.index(after: eq)...]).trimmed
          guard !field.isEmpty else { throw ParseError(message: "empty field in [\(inner)] of \(text.quoted)") }
          steps.append(.select(field: field, value: value))
        } else {
          throw ParseError(message: "expected [index] or [field=value], found [\(inner)] in \(text.quoted)")
        }
        i = text.index(after: j)
        continue
      }
      key.append(c)
      i = text.index(after: i)
    }
    try flushKey()
    guard !steps.isEmpty else { throw ParseError(message: "empty value path") }
    self.steps = steps
  }

  /// The value at the path, or an error that says which step failed and
  /// what was there instead (the fields of that object, the choices of that list).
  public func resolve(in root: JSONValue) throws -> JSONValue {
    var current = root
    var walked = ""
    for step in steps {
      switch step {
      case .key(let k):
        guard case .object(let pairs) = current else {
          throw ParseError(message: "\(walked.isEmpty ? "the result" : walked) is not an object, cannot take .\(k)")
        }
        guard let v = pairs.first(where: { $0.0 == k })?.1 else {
          throw ParseError(message: "no field \(k.quoted)\(walked.isEmpty ? "" : " in \(walked)"), expected one of: \(pairs.map(\.0).joined(separator: ", "))")
        }
        current = v
        walked += walked.isEmpty ? k : ".\(k)"
      case .index(let n):
        guard case .array(let items) = current else { throw ParseError(message: "\(walked) is not a list, cannot take [\(n)]") }
        guard n < items.count else { throw ParseError(message: "\(walked)[\(n)]: the list has \(items.count) elements") }
        current = items[n]
        walked += "[\(n)]"
      case .select(let field, let value):
        guard case .array(let items) = current else {
          throw ParseError(message: "\(walked) is not a list, cannot select [\(field)=\(value)]")
        }
        let found = items.first { item in
          guard let v = item[field] else { return false }
          return ValuePath.matches(v, value)
        }
        guard let found else {
          let choices = items.compactMap { $0[field] }.map(ValuePath.display)
          throw ParseError(message: "no element of \(walked) with \(field) = \(value.quoted), expected one of: \(choices.prefix(12).joined(separator: ", "))\(choices.count > 12 ? ", …" : "")")
        }
        current = found
        walked += "[\(field)=\(value)]"
      }
    }
    return current
  }

  static func matches(_ v: JSONValue, _ text: String) -> Bool {
    switch v {
    case .string(let s): return s == text
    case .int(let i): return Double(text) == Double(i)
    case .double(let d): return Double(text) == d
    case .bool(let b): return text == (b ? "true" : "false")
    default: return false
    }
  }

  static func display(_ v: JSONValue) -> String {
    switch v {
    case .string(let s): return s
    case .int(let i): return String(i)
    case .double(let d): return JSONValue.format(d)
    case .bool(let b): return b ? "true" : "false"
    default: return v.serialized()
    }
  }

  /// The same path with its last key replaced (`tests.fisher_exact.p` → `tests.chisq.p`).
  public func replacing(step index: Int, with key: String) -> ValuePath {
    var copy = self
    copy.steps[index] = .key(key)
    copy.text = copy.steps.map { step -> String in
      switch step {
      case .key(let k): return "." + k
      case .index(let n): return "[\(n)]"
      case .select(let f, let v): return "[\(f)=\(v)]"
      }
    }.joined()
    if copy.text.hasPrefix(".") { copy.text.removeFirst() }
    return copy
  }
}

extension String {
  var quoted: String { "\"" + self + "\"" }
  var trimmed: String {
    var s = Substring(self)
    while s.first == " " { s = s.dropFirst() }
    while s.last == " " { s = s.dropLast() }
    return String(s)
  }
}
