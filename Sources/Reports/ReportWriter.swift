import Figures
import Rendering
import Survival
import Tabular

/// One analysis of a report, computed.
public enum ReportEntry: Sendable {
  /// `logrankP`: the log-rank p-value printed on a Kaplan–Meier figure when asked.
  case analysis(item: ReportSpec.Item, name: String, result: AnalysisResult, logrankP: Double?)
  case tableOne(item: ReportSpec.Item, name: String, table: ResultTable, methods: String)
}

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
    func addTable(_ table: ResultTable, file: String) {
      tableNumber += 1
      var t = table
      t.title = "Table \(tableNumber). " + (table.title ?? "")
      md.append(MarkdownRenderer(journal: style).render(t))
      md.append("Data: [\(file)](\(file))")
      md.append("")
      files.append((file, CSVRenderer().render(table)))
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
        switch entry {
        case .tableOne(let item, let name, let table, let method):
          var t = table
          if case .scalar(let title)? = item.option("title")?.value { t.title = title }
          addTable(t, file: "tables/\(name).csv")
          if !methods.contains(method) { methods.append(method) }
          note(item, &md)
        case .analysis(let item, let name, let result, let logrankP):
          let title: String? = { if case .scalar(let t)? = item.option("title")?.value { return t } else { return nil } }()
          let tables = result.tables(title: title)
          for (k, table) in tables.enumerated() {
            var t = table
            if t.title == nil { t.title = (tables.first?.title ?? "") + (k > 0 ? " (continued)" : "") }
            addTable(t, file: tables.count == 1 ? "tables/\(name).csv" : "tables/\(name)-\(k + 1).csv")
          }
          for warning in result.warnings { md += ["> Warning: \(warning)", ""] }
          if case .km(let fit, _) = result, flag(item, "figure", default: true) {
            let breaks = fit.plotBreaks(numbers(item, "breaks"))
            let kmunicate = flag(item, "kmunicate", default: false)
            let riskTable = flag(item, "risk-table", default: true)
            let annotation = logrankP.map { "Log-rank " + style.pClause($0) }
            let plot = fit.plot(title: nil, breaks: breaks, riskTable: riskTable, kmunicate: kmunicate,
                                bands: flag(item, "bands", default: false),
                                cumulativeIncidence: flag(item, "cumulative-incidence", default: false),
                                xLabel: scalar(item, "xlab"), yLabel: scalar(item, "ylab"), annotation: annotation)
            let caption = (title ?? "Kaplan–Meier curves") + (riskTable ? ", with the numbers at risk" : "") + "."
            addFigure(plot.svg(), file: "figures/\(name).svg", caption: caption)
            if riskTable {
              files.append(("tables/\(name)-at-risk.csv", CSVRenderer().render(fit.atRiskTable(breaks: breaks, kmunicate: kmunicate))))
              md += ["Numbers at risk: [tables/\(name)-at-risk.csv](tables/\(name)-at-risk.csv)", ""]
            }
          }
          if case .cox(let fit, _) = result, flag(item, "forest", default: true), !fit.terms.isEmpty {
            addFigure(fit.forestPlot(title: nil).svg(), file: "figures/\(name)-forest.svg",
                      caption: "Hazard ratios with \(RNumberText.format(fit.confidenceLevel * 100))% confidence intervals.")
          }
          if case .logistic(let fit, _) = result, flag(item, "forest", default: true), fit.separation == nil,
             fit.terms.contains(where: { $0.term != "(Intercept)" }) {
            addFigure(fit.forestPlot(title: nil).svg(), file: "figures/\(name)-forest.svg",
                      caption: "Odds ratios with \(RNumberText.format(fit.confidenceLevel * 100))% profile-likelihood confidence intervals.")
          }
          if flag(item, "inline", default: false) {
            md += result.inlineSentences(style: style, unit: scalar(item, "unit")).map { "- \($0)" }
            md.append("")
          }
          note(item, &md)
          if !methods.contains(result.methods) { methods.append(result.methods) }
          if logrankP != nil {
            let m = AnalysisResult.logrankMethods
            if !methods.contains(m) { methods.append(m) }
          }
        }
      }
    }
    md += ["## Methods", ""]
    md += [(methods + ["All analyses were run with outcomes \(content.version), whose estimates, intervals and p-values agree with R (survival 3.5, stats 4.2) to at least 1e-6 relative."]).joined(separator: " "), ""]
    md += ["## Provenance", ""]
    md += ["| input | rows | SHA-256 |", "| :--- | ---: | :--- |"]
    for input in content.inputs { md.append("| \(input.path) | \(input.rows) | `\(input.sha256)` |") }
    md += ["", "Spec: \((content.spec.path.split(separator: "/").last.map(String.init) ?? content.spec.path)) (SHA-256 `\(content.specSHA256)`); outcomes \(content.version)."
           + (content.date.map { " Generated \($0)." } ?? ""), ""]
    files.insert(("report.md", md.joined(separator: "\n")), at: 0)
    return files
  }

  private static func note(_ item: ReportSpec.Item, _ md: inout [String]) {
    if case .scalar(let text)? = item.option("note")?.value { md += [text, ""] }
  }

  static func flag(_ item: ReportSpec.Item, _ key: String, default value: Bool) -> Bool {
    if case .bool(let b)? = item.option(key)?.value { return b }
    return value
  }

  static func scalar(_ item: ReportSpec.Item, _ key: String) -> String? {
    if case .scalar(let s)? = item.option(key)?.value { return s }
    return nil
  }

  static func numbers(_ item: ReportSpec.Item, _ key: String) -> [Double]? {
    guard let v = item.option(key)?.value else { return nil }
    switch v {
    case .list(let l): return l.compactMap(Double.init)
    case .scalar(let s): return s.split(separator: ",").compactMap { Double($0.filter { $0 != " " }) }
    case .bool: return nil
    }
  }
}

extension AnalysisResult {
  static let logrankMethods = "Curves on the figures are compared by the log-rank test."
}

extension String {
  fileprivate var trimmingTrailingNewlines: String {
    var s = self
    while s.hasSuffix("\n") { s.removeLast() }
    return s
  }
}
