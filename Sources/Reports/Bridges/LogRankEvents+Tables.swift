import Rendering
import StudyDesign
import Tabular

extension LogRankEvents {
  /// Events by Schoenfeld's and Freedman's formulas, rounded up and unrounded.
  public func table() -> ResultTable {
    ResultTable(
      title: "Events for a two-sided log-rank test: HR \(RNumberText.format(hazardRatio)), alpha \(RNumberText.format(alpha)), power \(RNumberText.format(power)), allocation \(RNumberText.format(allocation))",
      columns: [ColumnSpec("method", style: .text), ColumnSpec("events", style: .count),
                ColumnSpec("unrounded", style: .significant(6))],
      rows: [[.text("Schoenfeld"), .number(Double(events)), .number(eventsUnrounded)],
             [.text("Freedman"), .number(Double(freedmanEvents)), .number(freedmanEventsUnrounded)]],
      footnotes: [method + ".", "Freedman (1982): (z[1-alpha/2] + z[power])^2 (1 + k HR)^2 / (k (1 - HR)^2), k = p/(1-p)."])
  }
}
