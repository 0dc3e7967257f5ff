import Foundation
import Rendering
import StudyDesign
import Tabular

extension LogRankEvents {
  /// Events by Schoenfeld's and Freedman's formulas, rounded up and unrounded.
  public func table() -> ResultTable {
    func short(_ x: Double) -> String { String(format: "%.4g", x) }
    var notes = [method + ". Power with the rounded events: Schoenfeld \(short(actualPower)), Freedman \(short(freedmanActualPower)).",
                 "Freedman (1982): (z[1-alpha/2] + z[power])^2 (1 + k HR)^2 / (k (1 - HR)^2), k = p/(1-p)."]
    var rows: [[Cell]] = [[.text("Schoenfeld"), .number(Double(events)), .number(eventsUnrounded)],
                          [.text("Freedman"), .number(Double(freedmanEvents)), .number(freedmanEventsUnrounded)]]
    if let patients {
      rows.append([.text("patients, control arm"), .number(Double(patients.control)), .text("")])
      rows.append([.text("patients, experimental arm"), .number(Double(patients.experimental)), .text("")])
      rows.append([.text("patients, total"), .number(Double(patients.total)), .number(patients.totalUnrounded)])
      let r = patients.recruitment
      notes.append("Patients: accrual \(RNumberText.format(r.accrual)), follow-up \(RNumberText.format(r.followUp)), control hazard \(short(r.controlHazard)) (median \(short(log(2) / r.controlHazard))); P(event) control \(short(patients.probabilityControl)), experimental \(short(patients.probabilityExperimental)); expected events \(short(patients.expectedEvents)). " + patients.method + ".")
    }
    return ResultTable(
      title: "Events for a two-sided log-rank test: HR \(RNumberText.format(hazardRatio)), alpha \(RNumberText.format(alpha)), power \(RNumberText.format(power)), allocation \(RNumberText.format(allocation))",
      columns: [ColumnSpec("method", style: .text), ColumnSpec("events", style: .count),
                ColumnSpec("unrounded", style: .significant(6))],
      rows: rows,
      footnotes: notes)
  }
}
