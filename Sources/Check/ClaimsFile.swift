import Analyses
import Foundation
import SpecFiles
import Tabular
import Yams

/// A claims file: named data sets and the claims.
///
///     data:
///       lung: ../../Datasets/lung.csv
///     claims:
///       - id: lung-median-male
///         source: "Loprinzi et al. 1994, Table 2"
///         args: [km, --data, lung, --formula, "Surv(time, status) ~ sex"]
///         value: groups[label=sex=1].median
///         published: "270"
///         tolerance: 0.5            # or rounding: half-up | half-even | truncate
///
/// A malformed file (invalid YAML, no `claims` list) is an error of the whole
/// file; a malformed claim is kept with its problem, so the others still run.
public struct ClaimsFile: Sendable {
  public var path: String
  /// Data-set names and their paths as written (relative to the file).
  public var data: [(name: String, path: String)]
  public var claims: [Claim]

  /// Where the claims' data names and relative paths point.
  public func dataContext() -> DataContext {
    let folder = (path as NSString).deletingLastPathComponent
    return DataContext(baseDirectory: folder.isEmpty ? nil : folder, names: data, caching: true)
  }

  public struct Claim: Sendable {
    public var index: Int
    public var id: String
    public var source: String?
    public var line: Int?
    /// The analysis and its options, from `args`.
    public var analysis: AnalysisKind?
    public var input: OptionInput
    public var value: ValuePath?
    public var published: String
    public var parsed: PublishedValue?
    public var tolerance: Double?
    public var rounding: Rounding?
    /// Why the claim cannot be checked, when it cannot.
    public var problem: String?
  }

  public static func load(path: String) throws -> ClaimsFile {
    return try parse(WholeFile.text(path: path, what: "the claims file"), path: path)
  }

  public static func parse(_ text: String, path: String) throws -> ClaimsFile {
    let root = try YAMLDocument.compose(text, path: path)
    guard let root, case .mapping(let top) = root else {
      throw InputError(InputLocation(source: path), "expected a mapping with claims:")
    }
    var file = ClaimsFile(path: path, data: [], claims: [])
    var claimsNode: Node? = nil
    for (k, v) in top {
      let key = k.string ?? ""
      let at = InputLocation(source: path, line: k.mark?.line, column: k.mark?.column)
      switch key {
      case "data":
        guard case .mapping(let m) = v else { throw InputError(at, "data: expected a mapping of names to paths") }
        for (dk, dv) in m {
          guard let name = dk.string, let p = dv.string else {
            throw InputError(InputLocation(source: path, line: dk.mark?.line, column: dk.mark?.column), "data: expected name: path")
          }
          file.data.append((name, p))
        }
      case "claims": claimsNode = v
      default: throw InputError(at, "\(key): unknown key, expected data or claims")
      }
    }
    guard let claimsNode, case .sequence(let seq) = claimsNode else {
      throw InputError(InputLocation(source: path, line: root.mark?.line, column: root.mark?.column), "claims: missing, expected a list of claims")
    }
    for (i, node) in seq.enumerated() { file.claims.append(claim(node, index: i, file: file)) }
    return file
  }

  static func claim(_ node: Node, index: Int, file: ClaimsFile) -> Claim {
    var c = Claim(index: index, id: "claims[\(index)]", source: nil, line: node.mark?.line, analysis: nil, input: OptionInput(), value: nil,
                  published: "", parsed: nil, tolerance: nil, rounding: nil, problem: nil)
    guard case .mapping(let m) = node else { c.problem = "expected a mapping with id, args, value and published"; return c }
    let allowed = ["id", "source", "args", "value", "published", "tolerance", "rounding"]
    var problems: [String] = []
    var seen = Set<String>()
    for (k, v) in m {
      let key = k.string ?? ""
      seen.insert(key)
      switch key {
      case "id": if let s = v.string { c.id = s } else { problems.append("id: expected a string") }
      case "source": c.source = v.string
      case "args":
        guard case .sequence(let items) = v, !items.isEmpty else { problems.append("args: expected a list like [km, --data, lung, --formula, ...]"); continue }
        let args = items.map { $0.string ?? "" }
        do {
          (c.analysis, c.input) = try ClaimsFile.analysis(args)
        } catch let e as InputError {
          problems.append("args: \(e.description)")
        } catch {}
      case "value":
        guard let s = v.string else { problems.append("value: expected a path like groups[label=sex=1].median"); continue }
        do { c.value = try ValuePath(s) } catch let e as ValuePath.ParseError { problems.append("value: \(e.message)") } catch {}
      case "published":
        guard let s = v.string else { problems.append("published: expected the value as printed"); continue }
        c.published = s
        do { c.parsed = try PublishedValue(parsing: s) } catch let e as PublishedValue.ParseError { problems.append("published: \(e.message)") } catch {}
      case "tolerance":
        guard let s = v.string, let t = Double(s), t >= 0 else { problems.append("tolerance: expected a non-negative number"); continue }
        c.tolerance = t
      case "rounding":
        guard let s = v.string, let r = Rounding(rawValue: s) else {
          problems.append("rounding: expected one of \(Rounding.allCases.map(\.rawValue).joined(separator: ", "))"); continue
        }
        c.rounding = r
      default:
        problems.append("\(key): unknown key, expected one of: \(allowed.joined(separator: ", "))")
      }
    }
    for required in ["id", "args", "value", "published"] where !seen.contains(required) {
      problems.append("\(required): missing")
    }
    if c.tolerance != nil && c.rounding != nil { problems.append("tolerance and rounding: give one, not both") }
    if !problems.isEmpty { c.problem = problems.joined(separator: "; ") }
    return c
  }
}

extension ClaimsFile {
  /// `[km, --data, lung, --formula, …]`: the analysis its first words name,
  /// and its options parsed as the command line parses them.
  public static func analysis(_ args: [String]) throws -> (AnalysisKind, OptionInput) {
    guard let match = AnalysisRegistry.match(args) else {
      let names = AnalysisRegistry.all.map { $0.name.description }
      throw InputError(InputLocation(source: (args.first ?? "").isEmpty ? "\"\"" : args[0]),
                       "unknown analysis, expected one of: \(names.joined(separator: ", "))")
    }
    let parameters: [Parameter] = match.analysis.parameters
    let parsed = try ArgumentList.parse(Array(args.dropFirst(match.words)), parameters: parameters)
    if parsed.help { throw InputError(InputLocation(source: "--help"), "not an option of a claim") }
    return (match.analysis, parsed.input)
  }
}

private extension Node {
  var string: String? {
    if case .scalar(let s) = self { return s.string }
    return nil
  }
}
