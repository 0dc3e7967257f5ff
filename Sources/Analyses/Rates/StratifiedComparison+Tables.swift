import Rates
import Rendering
import Tabular

extension StratifiedComparison {
  /// The strata (events/n per group and the stratum's odds ratio), the
  /// common odds ratio with its intervals, the tests.
  public func tables(title: String? = nil) -> [ResultTable] {
    let level = RNumberText.format(confidenceLevel * 100)
    let strataTable = ResultTable(
      title: title ?? "Stratified comparison: \(group1) against \(group2)",
      columns: [ColumnSpec("stratum", style: .text),
                ColumnSpec("events \(group1)", style: .count), ColumnSpec("n \(group1)", style: .count),
                ColumnSpec("events \(group2)", style: .count), ColumnSpec("n \(group2)", style: .count),
                ColumnSpec("odds ratio", style: .significant(4))],
      rows: strata.map { s in
        [.text(s.label), .number(Double(s.group1.events)), .number(Double(s.group1.trials)),
         .number(Double(s.group2.events)), .number(Double(s.group2.trials)), .extended(s.oddsRatio)]
      },
      footnotes: ["Response \(response ?? ""); n = \(n) rows used, \(nDropped) dropped for missing values; \(informativeStrata) of \(strata.count) strata have both groups and both outcomes."])
    let estimates = ResultTable(
      columns: [ColumnSpec("measure", style: .text), ColumnSpec("estimate", style: .significant(4)),
                ColumnSpec("interval", style: .text), ColumnSpec("lower \(level)%", style: .significant(4)),
                ColumnSpec("upper \(level)%", style: .significant(4))],
      rows: [[.text("Mantel-Haenszel"), .extended(oddsRatio.estimate), .text("robins_breslow_greenland"),
              .value(oddsRatio.interval("robins_breslow_greenland")?.lower),
              .value(oddsRatio.interval("robins_breslow_greenland")?.upper, missing: "Inf")],
             [.text("conditional MLE"), .extended(oddsRatio.conditionalMLE), .text("exact"),
              .value(oddsRatio.interval("exact")?.lower), .value(oddsRatio.interval("exact")?.upper, missing: "Inf")]]
        + [(riskRatio, "risk ratio, Mantel-Haenszel"), (riskDifference, "risk difference, Mantel-Haenszel")].compactMap { m, name in
          m.map { [.text(name), .extended($0.estimate), .text("mantel_haenszel"),
                   .value($0.interval("mantel_haenszel")?.lower), .value($0.interval("mantel_haenszel")?.upper)] }
        },
      footnotes: ["Common odds ratio of the event, \(group1) against \(group2). Mantel-Haenszel estimate with the Robins-Breslow-Greenland variance of its log (R mantelhaen.test); conditional MLE with the exact conditional interval (R mantelhaen.test(exact = TRUE)). Common risk ratio (Greenland-Robins variance of its log) and risk difference (Sato's variance) by Mantel-Haenszel weights, as SAS PROC FREQ."])
    let t = tests
    func chiRow(_ name: String, _ r: ChiSquareResult?) -> [Cell] {
      guard let r else { return [.text(name), .text("NA"), .text(""), .text("NA")] }
      return [.text(name), .value(r.statistic), .number(Double(r.degreesOfFreedom)), .value(r.p)]
    }
    let testTable = ResultTable(
      columns: [ColumnSpec("test", style: .text), ColumnSpec("statistic", style: .significant(4)),
                ColumnSpec("df", style: .count), ColumnSpec("p", style: .pValue)],
      rows: [chiRow("Cochran-Mantel-Haenszel", t.cmh),
             chiRow("CMH, continuity corrected", t.cmhCorrected),
             [.text("exact conditional"), .text(""), .text(""), .value(t.exactP)],
             chiRow("Breslow-Day", t.breslowDay),
             chiRow("Breslow-Day, Tarone", t.tarone)],
      footnotes: ["CMH: R mantelhaen.test with correct = FALSE and TRUE; exact: mantelhaen.test(exact = TRUE), two-sided. Breslow-Day: homogeneity of the odds ratio across the informative strata at the Mantel-Haenszel estimate (Breslow & Day 1980), with Tarone's (1985) correction."])
    return [strataTable, estimates, testTable]
  }
}
