import Rendering
import Survival
import Tabular

extension CoxFit {
  /// Why some terms are not estimable, in words: `monotone likelihood`.
  public var nonEstimableReason: String? {
    guard terms.contains(where: { !$0.estimable && $0.coefficient != nil }) else { return nil }
    return "monotone likelihood; the coefficient diverges to ±∞"
  }

  /// R's `summary(coxph)`: one row per coefficient, the tests, concordance,
  /// and `cox.zph` when it was asked for.
  public func tables(title: String? = nil) -> [ResultTable] {
    let level = percent(confidenceLevel)
    var columns = [ColumnSpec("", style: .text), ColumnSpec("coef", style: .significant(4)),
                   ColumnSpec("exp(coef)", style: .significant(4)), ColumnSpec("se(coef)", style: .significant(4))]
    if robust { columns.append(ColumnSpec("robust se", style: .significant(4))) }
    columns += [ColumnSpec("z", style: .significant(3)), ColumnSpec("p", style: .pValue),
                ColumnSpec("lower \(level)", style: .significant(4)), ColumnSpec("upper \(level)", style: .significant(4))]
    let rows: [[Cell]] = terms.map { t in
      // A coefficient that is not a maximum of the likelihood is shown as not
      // estimable (NE), never as the number where the iterations stopped.
      guard t.estimable || t.coefficient == nil else {
        return [.text(t.name)] + Array(repeating: Cell.missing(display: "NE"), count: columns.count - 1)
      }
      var row: [Cell] = [.text(t.name), .value(t.coefficient), .value(t.hazardRatio), .value(t.standardError)]
      if robust { row.append(.value(t.robustStandardError)) }
      row += [.value(t.z), .value(t.p), .value(t.lower), .value(t.upper)]
      return row
    }
    var notes = ["n = \(n), events = \(events), \(nDropped) dropped for missing values; ties: \(ties.rawValue); \(iterations) Newton–Raphson iterations."]
    if let reason = nonEstimableReason {
      notes.append("NE: not estimable (\(reason)): " + terms.filter { !$0.estimable && $0.coefficient != nil }.map(\.name).joined(separator: ", ") + ".")
    }
    if robust { notes.append("z, p and limits use the robust (sandwich) standard error, as R with cluster() or non-integer weights.") }
    notes += warnings.map { "Warning: \($0.message)" }
    var tables = [ResultTable(title: title, columns: columns, rows: rows, footnotes: notes)]

    let testRows: [[Cell]] = [
      [.text("likelihood ratio"), .value(tests.likelihoodRatio.statistic), .number(Double(tests.likelihoodRatio.degreesOfFreedom)), .value(tests.likelihoodRatio.p)],
      [.text(robust ? "Wald (robust)" : "Wald"), .value(tests.wald.statistic), .number(Double(tests.wald.degreesOfFreedom)), .value(tests.wald.p)],
      [.text("score (log-rank)"), .value(tests.score.statistic), .number(Double(tests.score.degreesOfFreedom)), .value(tests.score.p)],
    ]
    var testNotes = ["log-likelihood: \(NumberFormat.fixed(logLikelihoodNull, decimals: 3)) (null), \(NumberFormat.fixed(logLikelihood, decimals: 3)) (fitted)."]
    if let c = concordance {
      testNotes.append("Concordance = \(NumberFormat.fixed(c.c, decimals: 3)) (se = \(NumberFormat.fixed(c.standardError, decimals: 3))), Harrell's C as R's coxph.")
    }
    tables.append(ResultTable(columns: [ColumnSpec("test", style: .text), ColumnSpec("statistic", style: .significant(4)),
                                        ColumnSpec("df", style: .count), ColumnSpec("p", style: .pValue)],
                              rows: testRows, footnotes: testNotes))
    if let zph = proportionalHazards {
      let zrows: [[Cell]] = (zph.terms + [zph.global]).map {
        [.text($0.term), .value($0.chiSquare), .number(Double($0.degreesOfFreedom)), .value($0.p)]
      }
      tables.append(ResultTable(title: "Proportional hazards (R cox.zph, transform = \"\(zph.transform.rawValue)\")",
                                columns: [ColumnSpec("", style: .text), ColumnSpec("chisq", style: .significant(3)),
                                          ColumnSpec("df", style: .count), ColumnSpec("p", style: .pValue)],
                                rows: zrows))
    }
    return tables
  }
}
