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
      footnotes: [testFootnote + (strata > 1 ? ", stratified" : "") + "."])
    return [groupTable, testTable]
  }

  private var testFootnote: String {
    switch weight {
    case .flemingHarrington(0, 0): return "Log-rank test (R survdiff, rho = 0)"
    case .flemingHarrington(let rho, 0): return "Fleming–Harrington G-rho test with rho = \(RNumberText.format(rho)) (R survdiff)"
    case .flemingHarrington(let rho, let gamma):
      return "Fleming–Harrington test, weight S(t−)^\(RNumberText.format(rho))·(1 − S(t−))^\(RNumberText.format(gamma)) (SAS TEST=FH)"
    case .gehan: return "Gehan's generalized Wilcoxon test, weight n at risk (SAS TEST=WILCOXON)"
    case .taroneWare: return "Tarone–Ware test, weight √n at risk (SAS TEST=TARONE)"
    case .peto: return "Peto–Peto test, weight Peto's S̃(t) (SAS TEST=PETO)"
    case .modifiedPeto: return "Modified Peto–Peto test, weight S̃(t)·n/(n + 1) (SAS TEST=MODPETO)"
    case .likelihoodRatio: return "Likelihood-ratio test of equal exponential rates, −2Log(LR) (SAS LIFETEST; Lawless 1982); Expected: events at the common rate"
    }
  }

  private var testName: String {
    switch weight {
    case .flemingHarrington(0, 0): return "log-rank"
    case .flemingHarrington(let rho, 0): return "G-rho (rho = \(RNumberText.format(rho)))"
    case .flemingHarrington(let rho, let gamma): return "FH(\(RNumberText.format(rho)), \(RNumberText.format(gamma)))"
    case .gehan: return "Gehan–Wilcoxon"
    case .taroneWare: return "Tarone–Ware"
    case .peto: return "Peto–Peto"
    case .modifiedPeto: return "modified Peto–Peto"
    case .likelihoodRatio: return "-2Log(LR)"
    }
  }
}
