import Rendering
import Survival

extension CoxModel {
  /// One row per observation: model-frame row, time, status, martingale,
  /// deviance, and per coefficient the score, Schoenfeld (events only) and
  /// dfbeta residuals.
  public func residualTable(frame: ModelFrameRows) -> ResultTable {
    let r = residuals()
    var columns = [ColumnSpec("row", style: .count), ColumnSpec("time", style: .significant(6)),
                   ColumnSpec("status", style: .count), ColumnSpec("martingale", style: .significant(4)),
                   ColumnSpec("deviance", style: .significant(4))]
    for kind in ["score", "schoenfeld", "dfbeta"] {
      for name in r.columnNames { columns.append(ColumnSpec("\(kind).\(name)", style: .significant(4))) }
    }
    var rows: [[Cell]] = []
    for i in r.rows.indices {
      var row: [Cell] = [.number(Double(frame.dataRow(i))), .number(r.time[i]), .number(r.status[i]),
                         .value(r.martingale[i]), .value(r.deviance[i])]
      row += r.score[i].map { Cell.value($0) }
      row += r.schoenfeld[i].map { $0.map { Cell.value($0) } } ?? r.columnNames.map { _ in Cell.missing(display: "NA") }
      row += r.dfbeta[i].map { Cell.value($0) }
      rows.append(row)
    }
    return ResultTable(title: "Cox model residuals", columns: columns, rows: rows,
                       footnotes: ["R residuals.coxph: martingale, deviance, score and Schoenfeld unweighted; dfbeta weighted."])
  }

  /// The baseline cumulative hazard (R's `basehaz(fit, centered = FALSE)`).
  public func baselineTable() -> ResultTable {
    let points = baselineHazard()
    let stratified = points.contains { $0.stratum != nil }
    var columns = [ColumnSpec("time", style: .significant(6)), ColumnSpec("hazard", style: .significant(4))]
    if stratified { columns.append(ColumnSpec("strata", style: .text)) }
    let rows: [[Cell]] = points.map { p in
      var row: [Cell] = [.number(p.time), .value(p.cumulativeHazard)]
      if stratified { row.append(.text(p.stratum ?? "")) }
      return row
    }
    return ResultTable(title: "Baseline cumulative hazard", columns: columns, rows: rows)
  }
}

/// Maps model-frame rows back to data rows (1-based, as a spreadsheet counts).
public protocol ModelFrameRows {
  func dataRow(_ frameRow: Int) -> Int
}
