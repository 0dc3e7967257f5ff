import Analyses
import Foundation
import SpecFiles
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
  /// SHA-256 of the spec's text as read, for the provenance block.
  public var sha256 = ""
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
    public var items: [AnalysisEntry]
  }

  /// The folder of the spec, against which its relative paths are resolved.
  public var folder: String {
    (path as NSString).deletingLastPathComponent
  }

  static func resolve(_ path: String, against spec: String) -> String {
    if path.hasPrefix("/") { return path }
    let folder = (spec as NSString).deletingLastPathComponent
    return folder.isEmpty ? path : (folder as NSString).appendingPathComponent(path)
  }
}

extension ReportSpec {
  /// Keys every analysis takes in a report, besides its options and its figure keys.
  public static let reportParameters: [Parameter] = [
    Parameter("title", help: "The first table's title."),
    Parameter("name", help: "The file stem of its tables and figures (default km-1, cox-1, simon-1, …)."),
    Parameter("note", help: "A paragraph after it."),
    Parameter("inline", .flag, help: "One-sentence results in the report's journal style."),
    Parameter("unit", help: "The time unit of the sentences (days)."),
  ]

  /// Reads and checks a spec.
  public static func load(path: String) throws -> ReportSpec {
    return try parse(WholeFile.text(path: path, what: "the report spec"), path: path)
  }

  public static func parse(_ text: String, path: String) throws -> ReportSpec {
    let root = try YAMLDocument.compose(text, path: path)
    guard let root else { throw InputError(InputLocation(source: path), "the spec is empty, expected title: and sections:") }
    var spec = try SpecReader(path: path).read(root)
    spec.sha256 = SHA256.hex(Array(text.utf8))
    return spec
  }
}

/// Walks the YAML nodes, checking keys and types, with key paths for errors.
private struct SpecReader {
  let path: String

  func error(_ node: Node?, _ keyPath: String, _ message: String) -> InputError {
    InputError(InputLocation(source: path, line: node?.mark?.line, column: node?.mark?.column),
               keyPath.isEmpty ? message : "\(keyPath): \(message)")
  }

  func describe(_ node: Node) -> String { YAMLNodes.describe(node) }

  func mapping(_ node: Node, _ keyPath: String) throws -> [(key: String, keyNode: Node, value: Node)] {
    try YAMLNodes.entries(node, keyPath: keyPath, path: path)
  }

  func string(_ node: Node, _ keyPath: String) throws -> String {
    guard case .scalar(let s) = node, !isNull(s) else { throw error(node, keyPath, "expected a string, found \(describe(node))") }
    return s.string
  }

  func isNull(_ s: Node.Scalar) -> Bool { YAMLNodes.isNull(s) }

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

  func item(_ node: Node, _ keyPath: String) throws -> AnalysisEntry {
    let entries = try mapping(node, keyPath)
    let kinds = Set(AnalysisRegistry.all.map { $0.name.words[0] }).sorted()
    guard entries.count == 1, let (kind, kindNode, body) = entries.first else {
      throw error(node, keyPath, "expected one analysis (\(kinds.joined(separator: ", "))) per list item, found \(entries.count) keys")
    }
    return try AnalysisEntry.read(kind: kind, kindNode: kindNode, body: body, keyPath: keyPath, path: path,
                                  extraKeys: { ReportSpec.reportParameters + $0.figureParameters })
  }
}

