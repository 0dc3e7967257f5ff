import Rates
import Rendering
import Tabular

extension RateEstimate {
  /// The rate, its intervals (one row per method) and, with p0, the tests.
  public func tables(title: String? = nil) -> [ResultTable] {
    RateEstimate.tables([self], title: title, footnote: nil)
  }

  /// One table of rates (a row per group), one of intervals, one of tests.
  static func tables(_ rates: [RateEstimate], title: String?, footnote: String?) -> [ResultTable] {
    guard let first = rates.first else { return [] }
    let grouped = rates.contains { $0.label != nil }
    let group: [ColumnSpec] = grouped ? [ColumnSpec("group", style: .text)] : []
    func label(_ r: RateEstimate) -> [Cell] { grouped ? [.text(r.label ?? "")] : [] }
    let level = RNumberText.format(first.confidenceLevel * 100)
    let rateTable = ResultTable(
      title: title,
      columns: group + [ColumnSpec("events", style: .count), ColumnSpec("n", style: .count),
                        ColumnSpec("rate", style: .significant(4))],
      rows: rates.map { label($0) + [.number(Double($0.events)), .number(Double($0.trials)), .value($0.estimate)] },
      footnotes: footnote.map { [$0] } ?? [])
    var intervalRows: [[Cell]] = []
    for r in rates {
      for i in r.intervals {
        intervalRows.append(label(r) + [.text(i.method.rawValue), .value(i.lower), .value(i.upper),
                                         .text(i.clipped == true ? "clipped to [0, 1]" : "")])
      }
    }
    let intervalTable = ResultTable(
      columns: group + [ColumnSpec("interval", style: .text), ColumnSpec("lower \(level)%", style: .significant(4)),
                        ColumnSpec("upper \(level)%", style: .significant(4)), ColumnSpec("", style: .text)],
      rows: intervalRows,
      footnotes: ["Two-sided \(level)% intervals: " + RateIntervalMethod.allCases.map { "\($0.rawValue) = \($0.citation)" }.joined(separator: "; ") + "."])
    var tables = [rateTable, intervalTable]
    if let test = first.test {
      let testRows: [[Cell]] = rates.compactMap { r in
        r.test.map { t in label(r) + [.value(t.exactP), .value(t.midP), .value(t.scoreP)] }
      }
      tables.append(ResultTable(
        columns: group + [ColumnSpec("exact p", style: .pValue), ColumnSpec("mid-p", style: .pValue),
                          ColumnSpec("score p", style: .pValue)],
        rows: testRows,
        footnotes: ["H0: rate = \(RNumberText.format(test.nullRate)), alternative \(test.alternative.rawValue). Exact: R binom.test"
                    + (test.alternative == .twoSided ? " (outcomes no more likely than the observed)" : "")
                    + "; mid-p" + (test.alternative == .twoSided ? ": twice the smaller one-sided mid-p" : "")
                    + "; score: R prop.test(correct = FALSE)."]))
    }
    return tables
  }
}

extension RateAnalysis {
  /// The rates of every group, as `RateEstimate.tables`.
  public func tables(title: String? = nil) -> [ResultTable] {
    RateEstimate.tables(groups, title: title,
                        footnote: "Response \(response); n = \(n) rows used, \(nDropped) dropped for missing values.")
  }
}
