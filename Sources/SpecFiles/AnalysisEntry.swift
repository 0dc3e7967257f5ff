import Analyses
import Tabular
import Yams

/// One analysis as a YAML file writes it — `km: {data: lung, formula: …}`,
/// `design: {type: simon, p0: 0.65, …}` — read into the analysis it names
/// and its options as an `OptionInput`, with where each key was written so
/// that any error can be reported at its line and key path.
public struct AnalysisEntry: Sendable {
  public var analysis: AnalysisKind
  /// `sections[1].analyses[0].km`.
  public var keyPath: String
  /// Where the analysis's name is written.
  public var location: InputLocation
  /// Every key written, in order (the design's `type` left out).
  public var input: OptionInput
  private var places: [String: InputLocation]

  /// The options of the analysis itself (not a front end's own keys).
  public var analysisInput: OptionInput {
    input.keeping(Set(analysis.parameters.map(\.name)))
  }

  /// The keys of a group (figure keys, report keys).
  public func input(for parameters: [Parameter]) -> OptionInput {
    input.keeping(Set(parameters.map(\.name)))
  }

  /// Where `key`'s value is written, or the entry's own place.
  public func location(of key: String) -> InputLocation { places[key] ?? location }

  /// An error from decoding or running the analysis, moved to the spec:
  /// `spec.yaml:7:35: sections[0].analyses[0].km.formula: column 22: unknown column …`.
  /// - Parameter dataPath: the path `data` resolved to (a file that cannot be
  ///   opened is reported at the `data` key).
  public func locate(_ error: InputError, dataPath: String? = nil) -> InputError {
    let message = error.renderedMessage { $0 }
    if let key = error.location.option {
      let detail = error.location.column.map { "column \($0): " } ?? ""
      return InputError(location(of: key), "\(keyPath).\(key): \(detail)\(message)")
    }
    if let dataPath, error.location.source == dataPath, error.location.line == nil {
      let stripped = message
      return InputError(location(of: "data"), "\(keyPath).data: \(stripped)")
    }
    return InputError(error.location, message)
  }

  /// Reads `kind: {…}`. `extraKeys` are the front end's own keys (a report's
  /// `title`, figure keys); any other key not among the analysis's options
  /// is an error listing the allowed ones.
  public static func read(kind: String, kindNode: Node, body: Node, keyPath: String, path: String,
                          extraKeys: (AnalysisKind) -> [Parameter]) throws -> AnalysisEntry {
    let itemPath = "\(keyPath).\(kind)"
    func at(_ node: Node) -> InputLocation { InputLocation(source: path, line: node.mark?.line, column: node.mark?.column) }
    func fail(_ node: Node, _ keyPath: String, _ message: String) -> InputError { InputError(at(node), "\(keyPath): \(message)") }
    let groups = AnalysisRegistry.groups
    let kinds = Set(AnalysisRegistry.all.map { $0.name.words[0] }).sorted()
    guard kinds.contains(kind) else {
      throw fail(kindNode, itemPath, "unknown analysis, expected one of: \(kinds.joined(separator: ", "))")
    }
    var pairs = try YAMLNodes.entries(body, keyPath: itemPath, path: path, expected: "a mapping of options")
    // The analysis: its name, or for a group (design) the `type` key.
    let analysis: AnalysisKind
    if let types = groups[kind] {
      guard let type = pairs.first(where: { $0.key == "type" }) else {
        throw fail(kindNode, "\(itemPath).type", "missing, expected one of: \(types.joined(separator: ", "))")
      }
      guard case .scalar(let t) = type.value, let found = AnalysisRegistry.named([kind, t.string]) else {
        throw fail(type.value, "\(itemPath).type", "expected one of \(types.joined(separator: ", ")), found \(describe(type.value))")
      }
      analysis = found
      pairs.removeAll { $0.key == "type" }
    } else {
      analysis = AnalysisRegistry.named([kind])!
    }
    let allowed = analysis.parameters + extraKeys(analysis)
    let names = Set(allowed.map(\.name))
    var input = OptionInput()
    var places: [String: InputLocation] = [:]
    for (key, keyNode, value) in pairs {
      let optionPath = "\(itemPath).\(key)"
      guard names.contains(key) else {
        let expected = (groups[kind] != nil ? ["type"] : []) + allowed.map(\.name)
        throw fail(keyNode, optionPath, "unknown key, expected one of: " + expected.joined(separator: ", "))
      }
      input[key] = try optionValue(value, optionPath, at)
      places[key] = at(value)
    }
    return AnalysisEntry(analysis: analysis, keyPath: itemPath, location: at(kindNode), input: input, places: places)
  }

  /// A YAML value as an option's value: a scalar (plain true/false/yes/no a
  /// flag), or a list of scalars.
  static func optionValue(_ node: Node, _ keyPath: String, _ at: (Node) -> InputLocation) throws -> OptionValue {
    switch node {
    case .scalar(let s):
      if isNull(s) { throw InputError(at(node), "\(keyPath): expected a value, found nothing") }
      if s.style == .plain, let b = yamlBool(s.string) { return .flag(b) }
      return .text(s.string)
    case .sequence(let items):
      return .list(try items.enumerated().map { k, item in
        guard case .scalar(let s) = item, !isNull(s) else {
          throw InputError(at(item), "\(keyPath)[\(k)]: expected a string, found \(describe(item))")
        }
        return s.string
      })
    case .mapping:
      throw InputError(at(node), "\(keyPath): expected a value or a list, found a mapping")
    }
  }

  static func describe(_ node: Node) -> String { YAMLNodes.describe(node) }
  static func isNull(_ s: Node.Scalar) -> Bool { YAMLNodes.isNull(s) }

  static func yamlBool(_ s: String) -> Bool? {
    switch s {
    case "true", "True", "TRUE", "yes", "Yes", "YES": return true
    case "false", "False", "FALSE", "no", "No", "NO": return false
    default: return nil
    }
  }
}

