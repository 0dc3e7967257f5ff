import Foundation
import Rendering
import Testing

/// Relative closeness with the field path in the failure message:
/// `groups[sex=1].steps[17].std_err: expected 0.0123456789012345, got 0.012345678901 (rel 3.5e-11)`.
/// `nil` (NA, undefined) must match `nil` exactly.
public func expectClose(_ actual: Double?, _ expected: Double?, relative: Double = 1e-8,
                        absolute: Double = 1e-13, _ path: String,
                        sourceLocation: SourceLocation = #_sourceLocation) {
  if let message = closenessFailure(actual, expected, relative: relative, absolute: absolute, path) {
    Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
  }
}

/// The failure message of `expectClose`, or `nil` when the values agree.
public func closenessFailure(_ actual: Double?, _ expected: Double?, relative: Double = 1e-8,
                             absolute: Double = 1e-13, _ path: String) -> String? {
  let a = actual.flatMap { $0.isFinite ? $0 : nil }
  let e = expected.flatMap { $0.isFinite ? $0 : nil }
  switch (a, e) {
  case (nil, nil): return nil
  case (nil, let e?): return "\(path): expected \(e), got null"
  case (let a?, nil): return "\(path): expected null, got \(a)"
  case (let a?, let e?):
    let diff = abs(a - e)
    if diff <= max(absolute, relative * abs(e)) { return nil }
    let rel = e == 0 ? Double.infinity : diff / abs(e)
    return "\(path): expected \(e), got \(a) (rel \(String(format: "%.2g", rel)))"
  }
}

/// Compares every field of `expected` with `actual` (extra fields of `actual`
/// are ignored). Arrays of objects are matched by `label`, `term` or `time`
/// when every element has that key, otherwise by position. Returns the
/// mismatches with their paths.
public func jsonMismatches(expected: JSONValue, actual: JSONValue, relative: Double = 1e-8,
                           path: String = "") -> [String] {
  switch expected {
  case .object(let pairs):
    guard case .object = actual else { return ["\(path): expected an object"] }
    var out: [String] = []
    for (key, value) in pairs {
      let p = path.isEmpty ? key : "\(path).\(key)"
      guard let a = actual[key] else { out.append("\(p): missing"); continue }
      out += jsonMismatches(expected: value, actual: a, relative: relative, path: p)
    }
    return out
  case .array(let items):
    guard case .array(let actualItems) = actual else { return ["\(path): expected an array"] }
    if actualItems.count != items.count {
      return ["\(path): expected \(items.count) items, got \(actualItems.count)"]
    }
    var out: [String] = []
    for key in ["label", "term"] where items.allSatisfy({ $0[key] != nil }) {
      for item in items {
        let k = item[key]!
        guard let match = actualItems.first(where: { $0[key] == k }) else {
          out.append("\(path)[\(k)]: missing"); continue
        }
        if case .string(let s) = k {
          out += jsonMismatches(expected: item, actual: match, relative: relative, path: "\(path)[\(s)]")
        }
      }
      return out
    }
    for (i, (e, a)) in zip(items, actualItems).enumerated() {
      out += jsonMismatches(expected: e, actual: a, relative: relative, path: "\(path)[\(i)]")
    }
    return out
  case .null:
    if case .null = actual { return [] }
    if case .double(let d) = actual, !d.isFinite { return [] }
    return ["\(path): expected null, got \(actual.serialized())"]
  case .int, .double:
    guard let a = actual.number else { return ["\(path): expected a number, got \(actual.serialized())"] }
    return closenessFailure(a, expected.number, relative: relative, path).map { [$0] } ?? []
  case .string, .bool:
    return expected == actual ? [] : ["\(path): expected \(expected.serialized()), got \(actual.serialized())"]
  }
}

extension JSONValue {
  /// The numeric value of `.int` or `.double`.
  public var number: Double? {
    switch self {
    case .int(let i): return Double(i)
    case .double(let d): return d
    default: return nil
    }
  }

  /// Parses JSON text (through Foundation's parser), keeping key order.
  public static func parse(_ data: Data) throws -> JSONValue {
    var parser = OrderedJSONParser(bytes: Array(data))
    return try parser.parse()
  }
}
