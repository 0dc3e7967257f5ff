import Rates
import Rendering
import Tabular

extension RateComparison {
  /// The two rates; the difference, ratio and odds ratio with every
  /// interval; the tests.
  public func tables(title: String? = nil) -> [ResultTable] {
    let level = RNumberText.format(confidenceLevel * 100)
    func name(_ g: ComparedGroup, _ k: Int) -> String { g.label ?? "group \(k)" }
    var footnotes: [String] = []
    if let n, let nDropped {
      footnotes.append("Response \(response ?? ""); n = \(n) rows used, \(nDropped) dropped for missing values.")
    }
    let groups = ResultTable(
      title: title ?? "Two rates: \(name(group1, 1)) against \(name(group2, 2))",
      columns: [ColumnSpec("group", style: .text), ColumnSpec("events", style: .count), ColumnSpec("n", style: .count),
                ColumnSpec("rate", style: .significant(4))],
      rows: [group1, group2].enumerated().map { k, g in
        [.text(name(g, k + 1)), .number(Double(g.events)), .number(Double(g.trials)), .value(g.estimate)]
      },
      footnotes: footnotes)
    var rows: [[Cell]] = []
    for (label, measure) in [("risk difference", riskDifference), ("risk ratio", riskRatio), ("odds ratio", oddsRatio)] {
      for (k, i) in measure.intervals.enumerated() {
        rows.append([.text(k == 0 ? label : ""), k == 0 ? .value(measure.estimate) : .text(""), .text(i.method),
                     .value(i.lower), .value(i.upper, missing: "Inf"),
                     .text(i.clipped == true ? "clipped to [-1, 1]" : "")])
      }
    }
    let measures = ResultTable(
      columns: [ColumnSpec("measure", style: .text), ColumnSpec("estimate", style: .significant(4)),
                ColumnSpec("interval", style: .text), ColumnSpec("lower \(level)%", style: .significant(4)),
                ColumnSpec("upper \(level)%", style: .significant(4)), ColumnSpec("", style: .text)],
      rows: rows,
      footnotes: ["Group 1 against group 2. Conditional MLE of the odds ratio (R fisher.test): "
                  + (oddsRatio.conditionalMLE.map { RNumberText.format($0) } ?? "NA") + ".",
                  "Risk difference: newcombe = hybrid score (Newcombe 1998, method 10); miettinen_nurminen = score (Miettinen & Nurminen 1985); agresti_caffo = Wald after adding one event and one non-event to each group (Agresti & Caffo 2000). Risk ratio: katz = log (Katz et al. 1978); koopman = score (Koopman 1984). Odds ratio: woolf = logit (Woolf 1955); exact = conditional (R fisher.test)."])
    let t = tests
    let testTable = ResultTable(
      columns: [ColumnSpec("test", style: .text), ColumnSpec("statistic", style: .significant(4)),
                ColumnSpec("df", style: .count), ColumnSpec("p", style: .pValue)],
      rows: [[.text("Fisher's exact"), .text(""), .text(""), .value(t.fisherExactP)],
             [.text("Pearson chi-square"), .value(t.chiSquare.statistic), .number(1), .value(t.chiSquare.p)],
             [.text("chi-square, Yates"), .value(t.chiSquareYates.statistic), .number(1), .value(t.chiSquareYates.p)],
             [.text("likelihood ratio G"), .value(t.gTest.statistic), .number(1), .value(t.gTest.p)],
             [.text("Mantel–Haenszel (N − 1)"), .value(t.mantelHaenszel?.statistic), .number(1), .value(t.mantelHaenszel?.p)],
             [.text("Fisher, one-sided less"), .text(""), .text(""), .value(t.fisherLessP)],
             [.text("Fisher, one-sided greater"), .text(""), .text(""), .value(t.fisherGreaterP)],
             [.text("Barnard"), .text(""), .text(""), .value(t.barnardP)],
             [.text("Boschloo"), .text(""), .text(""), .value(t.boschlooP)]],
      footnotes: ["Two-sided. Fisher: R fisher.test; chi-square: R prop.test (Yates' correction at most |O - E|); Barnard: pooled Wald statistic, maximized over the common rate; Boschloo: twice the smaller one-sided p."])
    return [groups, measures, testTable]
  }
}
