import Tabular
import Yams

/// YAML text to nodes (Yams), with a syntax error as an `InputError` at its
/// line and column. Documents nested deeper than `maximumDepth` are refused
/// before Yams sees them, so that no input can exhaust the stack.
public enum YAMLDocument {
  /// Flow or block nesting deeper than this is an error (a spec is 5 deep).
  public static let maximumDepth = 64

  public static func compose(_ text: String, path: String) throws -> Node? {
    try checkDepth(text, path: path)
    do {
      return try Yams.compose(yaml: text)
    } catch let error as YamlError {
      switch error {
      case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
        throw InputError(InputLocation(source: path, line: mark.line, column: mark.column), "invalid YAML: \(problem)")
      default:
        throw InputError(InputLocation(source: path), "invalid YAML: \(error)")
      }
    }
  }

  /// Rejects deep nesting: flow brackets (`[[[…`, counted inside quoted
  /// strings too, which only errs on the side of refusing) and block
  /// indentation levels.
  static func checkDepth(_ text: String, path: String) throws {
    var depth = 0, line = 1, column = 0
    var indentations: [Int] = []
    var atLineStart = true, indent = 0
    func tooDeep() -> InputError {
      InputError(InputLocation(source: path, line: line, column: column),
                 "nested more than \(maximumDepth) levels deep, expected a report spec or claims file")
    }
    for ch in text {
      column += 1
      if ch == "\n" {
        line += 1; column = 0; atLineStart = true; indent = 0
        continue
      }
      if atLineStart {
        if ch == " " || ch == "-" { indent += 1; continue }
        atLineStart = false
        if ch != "#" && ch != "\r" {
          while let last = indentations.last, last >= indent { indentations.removeLast() }
          indentations.append(indent)
          if indentations.count > maximumDepth { throw tooDeep() }
        }
      }
      switch ch {
      case "[", "{":
        depth += 1
        if depth > maximumDepth { throw tooDeep() }
      case "]", "}": depth = max(0, depth - 1)
      default: break
      }
    }
  }
}
