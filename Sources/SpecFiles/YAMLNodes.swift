import Tabular
import Yams

/// What every YAML file of the project (report specs, claims files) checks
/// the same way: how a node is described in an error, what counts as null,
/// and a mapping's entries with a duplicate key refused.
public enum YAMLNodes {
  public static func location(_ node: Node?, path: String) -> InputLocation {
    InputLocation(source: path, line: node?.mark?.line, column: node?.mark?.column)
  }

  public static func describe(_ node: Node) -> String {
    switch node {
    case .scalar(let s): return s.string.quotedForMessage
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    }
  }

  public static func isNull(_ s: Node.Scalar) -> Bool {
    s.style == .plain && ["", "~", "null", "Null", "NULL"].contains(s.string)
  }

  /// The entries of a mapping, in order; `expected` says what the mapping is.
  /// A non-mapping, a key that is not a plain scalar, or a key given twice
  /// is an error at its line with the key path.
  public static func entries(_ node: Node, keyPath: String, path: String, expected: String = "a mapping (key: value)") throws
    -> [(key: String, keyNode: Node, value: Node)] {
    func fail(_ n: Node, _ k: String, _ message: String) -> InputError {
      InputError(location(n, path: path), k.isEmpty ? message : "\(k): \(message)")
    }
    guard case .mapping(let m) = node else { throw fail(node, keyPath, "expected \(expected), found \(describe(node))") }
    var seen = Set<String>()
    var out: [(key: String, keyNode: Node, value: Node)] = []
    for (k, v) in m {
      guard case .scalar(let ks) = k else { throw fail(k, keyPath, "expected a plain key, found \(describe(k))") }
      if !seen.insert(ks.string).inserted {
        throw fail(k, keyPath.isEmpty ? ks.string : "\(keyPath).\(ks.string)", "key given twice")
      }
      out.append((ks.string, k, v))
    }
    return out
  }
}
