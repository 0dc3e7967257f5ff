import Descriptive
import Rendering
import Tabular

/// `table1`: the characteristics of the patients, overall or by group.
public enum TableOneAnalysis: Analysis {
  public static let name = AnalysisName("table1")
  public static let abstract = "Table 1: patient characteristics, overall or by group, with gtsummary's default tests."
  public static let discussion = """
    Categorical variables (text columns, or factor(x)) as n (%) of the non-missing values; numeric ones as mean (SD) \
    and median [Q1, Q3] (R quantile type 7); missing values counted. --tests adds p-values: Pearson's chi-square \
    (Fisher's exact test for small expected counts), the Wilcoxon rank-sum or Kruskal–Wallis test.
    """
  public static let example = "outcomes table1 --data Datasets/lung.csv --by sex --variables age,factor(ph.ecog),ph.karno --tests"

  public struct Options: AnalysisOptions {
    public var data: DataSelection?
    public var by: String?
    public var variables: [String]
    public var tests: Bool

    enum CodingKeys: String, CodingKey { case by, variables, tests }

    public static var parameters: [Parameter] {
      DataSelection.parameters(adam: false) + [
        Parameter("variables", .list, help: "The variables, in order: columns, or factor(x) for a numeric code.", required: true),
        Parameter("by", help: "The column whose levels are the table's columns."),
        Parameter("tests", .flag, help: "p-values across the groups of --by (gtsummary's default tests)."),
      ]
    }

    public init(from decoder: Decoder) throws {
      data = try DataSelection.decode(from: decoder, adam: false, required: true)
      let c = try decoder.container(keyedBy: CodingKeys.self)
      guard let variables = try c.texts(.variables), !variables.isEmpty else {
        throw InputError(option: "variables", "missing, expected a list of columns")
      }
      self.variables = variables
      by = try c.text(.by)
      tests = try c.flag(.tests)
      if tests && by == nil { throw InputError(option: "tests", "expected \(String.option("by")) with \(String.option("tests"))") }
    }
  }

  public static func run(_ options: Options, in context: AnalysisContext) throws -> TableOneOutput {
    let columns = options.variables.map(TableOne.columnName) + (options.by.map { [$0] } ?? [])
    let table = try context.data.select(options.data!, columns: Set(columns)).table
    let variables = try TableOne.variables(options.variables, in: table)
    return TableOneOutput(summary: try TableOne.summarize(table: table, by: options.by, variables: variables, tests: options.tests))
  }
}

/// The result of `table1`.
public struct TableOneOutput: AnalysisOutput {
  public var summary: TableOneSummary

  public func encode(to encoder: Encoder) throws { try summary.encode(to: encoder) }

  var testsUsed: [String] {
    var used: [String] = []
    for r in summary.rows { if let t = r.test, !used.contains(t) { used.append(t) } }
    return used
  }

  /// The table a paper prints: `12 (35%)`, `62.4 (9.1)`, `63 [56, 69]`.
  public func tables(title: String?) -> [ResultTable] {
    let s = summary
    let groups = s.groups.count
    var rows: [[Cell]] = []
    func text(_ x: Double, _ d: Int) -> String { x.isFinite ? NumberFormat.fixed(x, decimals: d) : "NA" }
    for row in s.rows {
      var block: [[Cell]] = []
      switch row.kind {
      case .categorical(let levels, let counts, let nonMissing):
        block.append([.text("\(row.label), n (%)")] + Array(repeating: Cell.text(""), count: groups) + [.value(row.p)])
        for (k, level) in levels.enumerated() {
          block.append([.text("    \(level)")] + (0..<groups).map { g in
            .text(nonMissing[g] == 0 ? "\(counts[k][g]) (NA)"
                  : "\(counts[k][g]) (\(NumberFormat.fixed(100 * Double(counts[k][g]) / Double(nonMissing[g]), decimals: 1))%)")
          } + [.text("")])
        }
      case .continuous(let stats):
        // Quartiles with no decimals when every one of them is a whole number, else one.
        let quartiles = stats.filter { $0.n > 0 }.flatMap { [$0.q1, $0.median, $0.q3] }
        let decimals = quartiles.allSatisfy { $0 == $0.rounded() } ? 0 : 1
        block.append([.text("\(row.label), mean (SD)")] + stats.map { .text($0.n == 0 ? "NA" : "\(text($0.mean, 1)) (\(text($0.sd, 1)))") }
                     + [.value(row.p)])
        block.append([.text("\(row.label), median [Q1, Q3]")]
                     + stats.map { .text($0.n == 0 ? "NA" : "\(text($0.median, decimals)) [\(text($0.q1, decimals)), \(text($0.q3, decimals))]") }
                     + [.text("")])
      }
      if row.missing.contains(where: { $0 > 0 }) {
        block.append([.text("    missing")] + row.missing.map { .text("\($0)") } + [.text("")])
      }
      rows += block.map { s.tests ? $0 : Array($0.dropLast()) }
    }
    var columns = [ColumnSpec("Characteristic", style: .text)]
    columns += s.groups.map { ColumnSpec("\($0.label) (n = \($0.n))", style: .text) }
    if s.tests { columns.append(ColumnSpec("p-value", style: .pValue)) }
    return [ResultTable(title: title ?? "Patient characteristics", columns: columns, rows: rows, footnotes: notes)]
  }

  var notes: [String] {
    var notes = ["n (%) of the non-missing values; mean (SD); median [Q1, Q3] (R quantile type 7)."]
    if summary.droppedForBy > 0, let by = summary.by {
      notes.append("\(summary.droppedForBy) row\(summary.droppedForBy == 1 ? "" : "s") with \(by) missing left out.")
    }
    if summary.tests && !testsUsed.isEmpty { notes.append("p-values: " + testsUsed.joined(separator: "; ") + ".") }
    return notes
  }

  /// One row per variable and statistic, one column per group, unrounded.
  public func dataTables(title: String?) -> [ResultTable] {
    let s = summary
    var rows: [[Cell]] = []
    for row in s.rows {
      let p: [Cell] = s.tests ? [.value(row.p), .text(row.test ?? "")] : []
      let none: [Cell] = s.tests ? [.missing(display: "NA"), .text("")] : []
      switch row.kind {
      case .categorical(let levels, let counts, let nonMissing):
        for (k, level) in levels.enumerated() {
          rows.append([.text(row.variable), .text(level), .text("n")] + counts[k].map { .number(Double($0)) } + (k == 0 ? p : none))
          rows.append([.text(row.variable), .text(level), .text("percent")]
                      + (0..<s.groups.count).map { nonMissing[$0] == 0 ? .missing(display: "NA") : .number(100 * Double(counts[k][$0]) / Double(nonMissing[$0])) }
                      + none)
        }
      case .continuous(let stats):
        for (k, (name, value)) in [("n", { (x: TableOne.ContinuousStats) in Double(x.n) }), ("mean", { $0.mean }), ("sd", { $0.sd }),
                                   ("median", { $0.median }), ("q1", { $0.q1 }), ("q3", { $0.q3 })].enumerated() {
          rows.append([.text(row.variable), .text(""), .text(name)] + stats.map { .value(value($0)) } + (k == 0 ? p : none))
        }
      }
      rows.append([.text(row.variable), .text(""), .text("missing")] + row.missing.map { .number(Double($0)) } + none)
    }
    var columns = [ColumnSpec("variable", style: .text), ColumnSpec("level", style: .text), ColumnSpec("statistic", style: .text)]
    columns += s.groups.map { ColumnSpec($0.label, style: .significant(4)) }
    if s.tests { columns += [ColumnSpec("p", style: .pValue), ColumnSpec("test", style: .text)] }
    return [ResultTable(title: title ?? "Patient characteristics", columns: columns, rows: rows, footnotes: notes)]
  }

  public var methods: String {
    "Patient characteristics are summarized as n (%) and mean (SD) or median [Q1, Q3]"
      + (summary.tests ? ", and compared between groups with " + testsUsed.joined(separator: ", ") + "." : ".")
  }
}
