import Foundation
import Tabular
import Yams

/// A report spec (YAML): a title, authors, named data sets, and ordered
/// sections of text and analyses. Analyses take the CLI's option names.
///
///     title: Freireich 6-MP trial
///     authors: [A. Statistician]
///     data:
///       gehan: ../../Datasets/gehan.csv     # relative to the spec
///     sections:
///       - title: Remission
///         text: Free Markdown.
///         analyses:
///           - km: {data: gehan, formula: "Surv(time, cens) ~ treat", times: [10, 20]}
///
/// Every error names the spec's file, line and column and the key path
/// (`sections[2].analyses[0].km.formula: expected a string`).
public struct ReportSpec: Sendable {
  public var path: String
  public var title: String
  public var authors: [String]
  public var style: String
  /// Named data sets, their paths as written and resolved against the spec's folder.
  public var data: [DataSet]
  public var sections: [Section]

  public struct DataSet: Sendable, Equatable {
    public var name: String
    public var written: String
    public var path: String
  }

  public struct Section: Sendable {
    public var title: String
    public var text: String?
    public var items: [Item]
  }

  /// One analysis: its kind (`km`, `design`, `table1`, …), where it is, and
  /// its options in the order written.
  public struct Item: Sendable {
    public var kind: String
    public var keyPath: String
    public var location: InputLocation
    public var options: [Option]

    public func option(_ key: String) -> Option? { options.first { $0.key == key } }
  }

  public struct Option: Sendable {
    public var key: String
    public var value: Value
    public var keyPath: String
    public var location: InputLocation
  }

  public enum Value: Sendable, Equatable {
    /// A scalar as written (numbers stay text, so `0.10` is passed on as typed).
    case scalar(String)
    case bool(Bool)
    case list([String])

    /// The text an option takes: lists comma-joined.
    public var argument: String {
      switch self {
      case .scalar(let s): return s
      case .bool(let b): return b ? "true" : "false"
      case .list(let l): return l.joined(separator: ",")
      }
    }
  }

  /// The path a `data:` value stands for: a named data set, or a path
  /// relative to the spec's folder.
  public func dataPath(_ value: String) -> String {
    if let d = data.first(where: { $0.name == value }) { return d.path }
    return ReportSpec.resolve(value, against: path)
  }

  static func resolve(_ path: String, against spec: String) -> String {
    if path.hasPrefix("/") { return path }
    let folder = (spec as NSString).deletingLastPathComponent
    return folder.isEmpty ? path : (folder as NSString).appendingPathComponent(path)
  }
}

extension ReportSpec {
  /// The analyses a spec may name and the keys each takes: the CLI's options
  /// (without the leading `--`) and the report's own.
  public static let analysisKeys: [String: [String]] = [
    "km": ["data", "where", "table", "query", "adam", "param", "formula", "conf-level", "conf-type", "times", "tau", "weights"],
    "logrank": ["data", "where", "table", "query", "adam", "param", "formula", "rho"],
    "cox": ["data", "where", "table", "query", "adam", "param", "formula", "conf-level", "ties", "zph", "zph-transform", "iter-max", "weights"],
    "rate": ["events", "n", "data", "where", "table", "query", "formula", "conf-level", "p0", "alternative"],
    "compare": ["events1", "n1", "events2", "n2", "data", "where", "table", "query", "formula", "conf-level"],
    "cmh": ["data", "where", "table", "query", "formula", "conf-level"],
    "logistic": ["data", "where", "table", "query", "formula", "conf-level", "firth", "no-profile", "iter-max"],
    "design": ["type", "p0", "p1", "p2", "alpha", "power", "nmax", "hr", "allocation", "accrual", "follow-up",
               "median-control", "hazard-control"],
    "table1": ["data", "where", "table", "query", "by", "variables", "tests"],
  ]

  /// Keys every analysis takes in a report (not CLI options).
  public static let reportKeys = ["title", "name", "note", "inline", "unit"]

  /// Report keys of particular analyses.
  public static let figureKeys: [String: [String]] = [
    "km": ["figure", "risk-table", "kmunicate", "bands", "cumulative-incidence", "logrank-p", "xlab", "ylab", "breaks"],
    "cox": ["forest"],
    "logistic": ["forest"],
  ]

  /// The design types, with the CLI's subcommand names.
  public static let designTypes = ["simon", "single-stage", "two-rates", "logrank"]

  public static func allowedKeys(_ kind: String) -> [String] {
    (analysisKeys[kind] ?? []) + reportKeys + (figureKeys[kind] ?? [])
  }

  /// Reads and checks a spec.
  public static func load(path: String) throws -> ReportSpec {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw InputError(InputLocation(source: path), "cannot open the report spec")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw InputError(InputLocation(source: path), "expected UTF-8 text")
    }
    return try parse(text, path: path)
  }

  public static func parse(_ text: String, path: String) throws -> ReportSpec {
    let root = try YAMLDocument.compose(text, path: path)
    guard let root else { throw InputError(InputLocation(source: path), "the spec is empty, expected title: and sections:") }
    return try SpecReader(path: path).read(root)
  }
}

/// Walks the YAML nodes, checking keys and types, with key paths for errors.
private struct SpecReader {
  let path: String

  func error(_ node: Node?, _ keyPath: String, _ message: String) -> InputError {
    InputError(InputLocation(source: path, line: node?.mark?.line, column: node?.mark?.column),
               keyPath.isEmpty ? message : "\(keyPath): \(message)")
  }

  func describe(_ node: Node) -> String {
    switch node {
    case .scalar(let s): return "\(s.string.quotedForMessage)"
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    }
  }

  func mapping(_ node: Node, _ keyPath: String) throws -> [(key: String, keyNode: Node, value: Node)] {
    guard case .mapping(let m) = node else { throw error(node, keyPath, "expected a mapping (key: value), found \(describe(node))") }
    var seen = Set<String>()
    var out: [(String, Node, Node)] = []
    for (k, v) in m {
      guard case .scalar(let ks) = k else { throw error(k, keyPath, "expected a plain key, found \(describe(k))") }
      if !seen.insert(ks.string).inserted {
        throw error(k, keyPath.isEmpty ? ks.string : "\(keyPath).\(ks.string)", "key given twice")
      }
      out.append((ks.string, k, v))
    }
    return out
  }

  func string(_ node: Node, _ keyPath: String) throws -> String {
    guard case .scalar(let s) = node, !isNull(s) else { throw error(node, keyPath, "expected a string, found \(describe(node))") }
    return s.string
  }

  func isNull(_ s: Node.Scalar) -> Bool {
    s.style == .plain && ["", "~", "null", "Null", "NULL"].contains(s.string)
  }

  func strings(_ node: Node, _ keyPath: String) throws -> [String] {
    switch node {
    case .sequence(let seq): return try seq.enumerated().map { try string($0.element, "\(keyPath)[\($0.offset)]") }
    case .scalar: return [try string(node, keyPath)]
    case .mapping: throw error(node, keyPath, "expected a list of strings, found a mapping")
    }
  }

  func read(_ root: Node) throws -> ReportSpec {
    let top = try mapping(root, "")
    let allowed = ["title", "authors", "style", "data", "sections"]
    var spec = ReportSpec(path: path, title: "", authors: [], style: "default", data: [], sections: [])
    var sawTitle = false, sawSections = false
    for (key, keyNode, value) in top {
      switch key {
      case "title": spec.title = try string(value, "title"); sawTitle = true
      case "authors": spec.authors = try strings(value, "authors")
      case "style":
        spec.style = try string(value, "style")
        let styles = ["default", "nejm", "jama", "lancet", "apa"]
        if !styles.contains(spec.style) {
          throw error(value, "style", "expected one of \(styles.joined(separator: ", ")), found \(spec.style.quotedForMessage)")
        }
      case "data":
        for (name, _, v) in try mapping(value, "data") {
          let written = try string(v, "data.\(name)")
          spec.data.append(.init(name: name, written: written, path: ReportSpec.resolve(written, against: path)))
        }
      case "sections":
        guard case .sequence(let seq) = value else {
          throw error(value, "sections", "expected a list of sections, found \(describe(value))")
        }
        spec.sections = try seq.enumerated().map { try section($0.element, "sections[\($0.offset)]") }
        sawSections = true
      default:
        throw error(keyNode, key, "unknown key, expected one of: \(allowed.joined(separator: ", "))")
      }
    }
    if !sawTitle { throw error(root, "title", "missing, expected the report's title") }
    if !sawSections { throw error(root, "sections", "missing, expected a list of sections") }
    return spec
  }

  func section(_ node: Node, _ keyPath: String) throws -> ReportSpec.Section {
    var s = ReportSpec.Section(title: "", text: nil, items: [])
    var sawTitle = false
    for (key, keyNode, value) in try mapping(node, keyPath) {
      switch key {
      case "title": s.title = try string(value, "\(keyPath).title"); sawTitle = true
      case "text": s.text = try string(value, "\(keyPath).text")
      case "analyses":
        guard case .sequence(let seq) = value else {
          throw error(value, "\(keyPath).analyses", "expected a list of analyses, found \(describe(value))")
        }
        s.items = try seq.enumerated().map { try item($0.element, "\(keyPath).analyses[\($0.offset)]") }
      default:
        throw error(keyNode, "\(keyPath).\(key)", "unknown key, expected one of: title, text, analyses")
      }
    }
    if !sawTitle { throw error(node, "\(keyPath).title", "missing, expected the section's title") }
    return s
  }

  func item(_ node: Node, _ keyPath: String) throws -> ReportSpec.Item {
    let entries = try mapping(node, keyPath)
    let kinds = ReportSpec.analysisKeys.keys.sorted()
    guard entries.count == 1, let (kind, kindNode, body) = entries.first else {
      throw error(node, keyPath, "expected one analysis (\(kinds.joined(separator: ", "))) per list item, found \(entries.count) keys")
    }
    let itemPath = "\(keyPath).\(kind)"
    guard ReportSpec.analysisKeys[kind] != nil else {
      throw error(kindNode, itemPath, "unknown analysis, expected one of: \(kinds.joined(separator: ", "))")
    }
    let allowed = ReportSpec.allowedKeys(kind)
    var options: [ReportSpec.Option] = []
    for (key, keyNode, value) in try mapping(body, itemPath) {
      let optionPath = "\(itemPath).\(key)"
      guard allowed.contains(key) else {
        throw error(keyNode, optionPath, "unknown key, expected one of: \(allowed.joined(separator: ", "))")
      }
      let v: ReportSpec.Value
      switch value {
      case .scalar(let s):
        if isNull(s) { throw error(value, optionPath, "expected a value, found nothing") }
        if s.style == .plain, let b = Bool(yamlBool: s.string) { v = .bool(b) } else { v = .scalar(s.string) }
      case .sequence(let seq):
        v = .list(try seq.enumerated().map { try string($0.element, "\(optionPath)[\($0.offset)]") })
      case .mapping:
        throw error(value, optionPath, "expected a value or a list, found a mapping")
      }
      options.append(.init(key: key, value: v, keyPath: optionPath,
                           location: InputLocation(source: path, line: value.mark?.line, column: value.mark?.column)))
    }
    return ReportSpec.Item(kind: kind, keyPath: itemPath,
                           location: InputLocation(source: path, line: kindNode.mark?.line, column: kindNode.mark?.column),
                           options: options)
  }
}

private extension Bool {
  init?(yamlBool s: String) {
    switch s {
    case "true", "True", "TRUE", "yes", "Yes", "YES": self = true
    case "false", "False", "FALSE", "no", "No", "NO": self = false
    default: return nil
    }
  }
}

/// YAML text to nodes (Yams), with a syntax error as an `InputError` at its line and column.
public enum YAMLDocument {
  public static func compose(_ text: String, path: String) throws -> Node? {
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
}
