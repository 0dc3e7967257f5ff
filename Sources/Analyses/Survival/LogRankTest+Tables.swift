import Rendering
import Survival
import Tabular

extension LogRankTest {
  /// R's `print(survdiff)`: per group N, observed, expected, (O−E)²/E and
  /// (O−E)²/V; then the test with its chi-square, df and p.
  public func tables(title: String? = nil) -> [ResultTable] {
    let groupRows: [[Cell]] = groups.map { g in
      let d = g.observed - g.expected
      return [.text(g.label), .number(Double(g.n)), .value(g.observed), .value(g.expected),
              .value(d * d / g.expected), .value(d * d / g.variance)]
    }
    let groupTable = ResultTable(
      title: title,
      columns: [ColumnSpec("", style: .text), ColumnSpec("N", style: .count),
                ColumnSpec("Observed", style: .significant(3)), ColumnSpec("Expected", style: .significant(3)),
                ColumnSpec("(O-E)^2/E", style: .significant(3)), ColumnSpec("(O-E)^2/V", style: .significant(3))],
      rows: groupRows,
      footnotes: ["n = \(n) rows used, \(nDropped) dropped for missing values\(strata > 1 ? "; \(strata) strata" : "")."])
    let testTable = ResultTable(
      columns: [ColumnSpec("test", style: .text), ColumnSpec("Chisq", style: .significant(3)),
                ColumnSpec("df", style: .count), ColumnSpec("p", style: .pValue)],
      rows: [[.text(testName), .value(chiSquare), .number(Double(degreesOfFreedom)), .value(p)]],
      footnotes: [rho == 0
        ? "Log-rank test (R survdiff, rho = 0)\(strata > 1 ? ", stratified" : "")."
        : "Fleming–Harrington G-rho test with rho = \(RNumberText.format(rho)) (R survdiff)\(strata > 1 ? ", stratified" : "")."])
    return [groupTable, testTable]
  }

  private var testName: String {
    rho == 0 ? "log-rank" : "G-rho (rho = \(RNumberText.format(rho)))"
  }
}
