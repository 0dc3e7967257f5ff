import Analyses
import Rendering
import Tabular

/// An input file as the provenance block lists it.
public struct ReportInput: Sendable, Equatable {
  /// As written in the spec (relative to it).
  public var path: String
  public var rows: Int
  public var sha256: String
  public init(path: String, rows: Int, sha256: String) {
    self.path = path
    self.rows = rows
    self.sha256 = sha256
  }
}

/// Everything a report is rendered from.
public struct ReportContent: Sendable {
  public var spec: ReportSpec
  public var specSHA256: String
  public var version: String
  /// `SOURCE_DATE_EPOCH` as a date, if set; no wall-clock time otherwise.
  public var date: String?
  /// One list of entries per section of the spec.
  public var sections: [[ReportEntry]]
  public var inputs: [ReportInput]

  public init(spec: ReportSpec, specSHA256: String, version: String, date: String?, sections: [[ReportEntry]],
              inputs: [ReportInput]) {
    self.spec = spec
    self.specSHA256 = specSHA256
    self.version = version
    self.date = date
    self.sections = sections
    self.inputs = inputs
  }
}

/// Renders a report: `report.md`, `tables/*.csv` and `figures/*.svg`, as
/// (relative path, contents) in a fixed order. Pure: the same content gives
/// the same bytes.
public enum ReportWriter {
  public static func render(_ content: ReportContent) -> [(path: String, contents: String)] {
    var files: [(String, String)] = []
    var md: [String] = ["# \(content.spec.title)", ""]
    if !content.spec.authors.isEmpty { md += [content.spec.authors.joined(separator: ", "), ""] }
    let style = JournalStyle.named(content.spec.style) ?? .default
    var tableNumber = 0, figureNumber = 0
    var methods: [String] = []
    var otherProfiles: [String] = []
    func addTable(_ table: ResultTable, data: ResultTable, file: String) {
      tableNumber += 1
      var t = table
      t.title = "Table \(tableNumber). " + (table.title ?? "")
      md.append(MarkdownRenderer(journal: style).render(t))
      md.append("Data: [\(file)](\(file))")
      md.append("")
      files.append((file, CSVRenderer().render(data)))
    }
    func addFigure(_ svg: String, file: String, caption: String) {
      figureNumber += 1
      md.append("![Figure \(figureNumber). \(caption)](\(file))")
      md.append("")
      md.append("*Figure \(figureNumber). \(caption)*")
      md.append("")
      files.append((file, svg))
    }
    for (s, section) in content.spec.sections.enumerated() {
      md += ["## \(section.title)", ""]
      if let text = section.text { md += [text.trimmingTrailingNewlines, ""] }
      for entry in content.sections[s] {
        let output = entry.result.output
        let title = entry.keys.title
        let tables = entry.result.tables(title: title)
        let data = output.dataTables(title: title)
        for (k, table) in tables.enumerated() {
          var t = table
          if t.title == nil { t.title = (tables.first?.title ?? "") + (k > 0 ? " (continued)" : "") }
          let file = tables.count == 1 ? "tables/\(entry.name).csv" : "tables/\(entry.name)-\(k + 1).csv"
          addTable(t, data: tables.count == data.count ? data[k] : table, file: file)
        }
        for warning in output.warnings { md += ["> Warning: \(warning)", ""] }
        for figure in entry.figures {
          addFigure(figure.svg, file: "figures/\(entry.name)\(figure.suffix).svg", caption: figure.caption(title: title))
          for (suffix, table) in figure.tables {
            let file = "tables/\(entry.name)\(suffix).csv"
            files.append((file, CSVRenderer().render(table)))
            md += ["Numbers at risk: [\(file)](\(file))", ""]
          }
        }
        if entry.keys.inline {
          md += output.sentences(style: style, unit: entry.keys.unit).map { "- \($0)" }
          md.append("")
        }
        if let note = entry.keys.note { md += [note, ""] }
        // The analysis's sentence, then what its figures add (the test printed on them).
        for m in [output.methods] + entry.figures.compactMap(\.methods) where !methods.contains(m) { methods.append(m) }
        if let profile = entry.result.conventions?.profile, profile != .r, !otherProfiles.contains(profile.displayName) {
          otherProfiles.append(profile.displayName)
        }
      }
    }
    md += ["## Methods", ""]
    var closing = "All analyses were run with outcomes \(content.version), whose estimates, intervals and p-values agree with R (survival 3.5, stats 4.2) to at least 1e-6 relative"
    if !otherProfiles.isEmpty {
      closing += " under R's conventions; the analyses under the \(otherProfiles.joined(separator: " and ")) "
        + (otherProfiles.count == 1 ? "profile" : "profiles")
        + " follow that system's defaults instead, as the conventions line under their tables states (docs/CONVENTIONS.md)"
    }
    md += [(methods + [closing + "."]).joined(separator: " "), ""]
    md += ["## Provenance", ""]
    md += ["| input | rows | SHA-256 |", "| :--- | ---: | :--- |"]
    for input in content.inputs { md.append("| \(input.path) | \(input.rows) | `\(input.sha256)` |") }
    md += ["", "Spec: \((content.spec.path.split(separator: "/").last.map(String.init) ?? content.spec.path)) (SHA-256 `\(content.specSHA256)`); outcomes \(content.version)."
           + (content.date.map { " Generated \($0)." } ?? ""), ""]
    files.insert(("report.md", md.joined(separator: "\n")), at: 0)
    return files
  }

}

extension String {
  fileprivate var trimmingTrailingNewlines: String {
    var s = self
    while s.hasSuffix("\n") { s.removeLast() }
    return s
  }
}
