import Foundation
import Rendering
import Survival

extension CoxModel {
  /// One row per observation: model-frame row, time, status, martingale,
  /// deviance, and per coefficient the score, Schoenfeld and scaled
  /// Schoenfeld (events only) and dfbeta residuals; R's `residuals.coxph`.
  /// - `weighted`: R's `weighted = TRUE` (martingale, deviance, score and
  ///   Schoenfeld times the case weight; dfbeta is weighted anyway).
  /// - `collapse`: R's `collapse = id`: sums by id (sorted as R's
  ///   `rowsum`), the deviance from the summed martingale and status; the
  ///   Schoenfeld residuals, which belong to event times, are left out.
  public func residualTable(frame: ModelFrameRows, weighted: Bool = false, collapse: [String]? = nil,
                            collapseName: String = "id") -> ResultTable {
    let r = residuals()
    let scaled = scaledSchoenfeld(r, weighted: false)   // as cox.zph's y, whatever the weighting
    let w = weighted ? r.weight : r.weight.map { _ in 1 }
    let martingale = r.martingale.indices.map { r.martingale[$0] * w[$0] }
    func deviance(_ m: Double, _ status: Double) -> Double {
      let inner = m + (status == 0 ? 0 : status * log(status - m))
      return (m > 0 ? 1 : (m < 0 ? -1 : 0)) * (-2 * inner).squareRoot()
    }
    let note = "R residuals.coxph\(weighted ? "(weighted = TRUE): every kind times the case weight" : ": martingale, deviance, score and Schoenfeld unweighted; dfbeta weighted"); scaledsch: R's scaled Schoenfeld residuals (cox.zph y, unweighted)."
    if let collapse {
      // Groups in R's rowsum order: numbers by value, text in byte order.
      let keys = Array(Set(collapse))
      let numeric = keys.allSatisfy { Double($0) != nil }
      let sortedKeys: [String] = numeric
        ? keys.sorted { (a: String, b: String) -> Bool in Double(a)! < Double(b)! }
        : keys.sorted { (a: String, b: String) -> Bool in Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) }
      let group = Dictionary(uniqueKeysWithValues: sortedKeys.enumerated().map { ($0.element, $0.offset) })
      let g = sortedKeys.count
      var m = [Double](repeating: 0, count: g), status = m
      var score = [[Double]](repeating: [Double](repeating: 0, count: r.columnNames.count), count: g), dfbeta = score
      for i in r.rows.indices {
        let k = group[collapse[i]]!
        m[k] += martingale[i]
        status[k] += r.status[i]
        for c in r.columnNames.indices {
          score[k][c] += r.score[i][c] * w[i]
          dfbeta[k][c] += r.dfbeta[i][c]
        }
      }
      var columns = [ColumnSpec(collapseName, style: .text), ColumnSpec("status", style: .count),
                     ColumnSpec("martingale", style: .significant(4)), ColumnSpec("deviance", style: .significant(4))]
      for kind in ["score", "dfbeta"] {
        for name in r.columnNames { columns.append(ColumnSpec("\(kind).\(name)", style: .significant(4))) }
      }
      var rows: [[Cell]] = []
      for k in 0..<g {
        var row: [Cell] = [.text(sortedKeys[k]), .number(status[k]), .value(m[k]), .value(deviance(m[k], status[k]))]
        row += score[k].map { Cell.value($0) }
        row += dfbeta[k].map { Cell.value($0) }
        rows.append(row)
      }
      return ResultTable(title: "Cox model residuals by \(collapseName)", columns: columns, rows: rows,
                         footnotes: [note, "Summed by \(collapseName) (R collapse =); Schoenfeld residuals belong to event times and are not collapsed."])
    }
    var columns = [ColumnSpec("row", style: .count), ColumnSpec("time", style: .significant(6)),
                   ColumnSpec("status", style: .count), ColumnSpec("martingale", style: .significant(4)),
                   ColumnSpec("deviance", style: .significant(4))]
    for kind in ["score", "schoenfeld", "scaledsch", "dfbeta"] {
      for name in r.columnNames { columns.append(ColumnSpec("\(kind).\(name)", style: .significant(4))) }
    }
    let missing = r.columnNames.map { _ in Cell.missing(display: "NA") }
    var rows: [[Cell]] = []
    for i in r.rows.indices {
      var row: [Cell] = [.number(Double(frame.dataRow(i))), .number(r.time[i]), .number(r.status[i]),
                         .value(martingale[i]), .value(deviance(martingale[i], r.status[i]))]
      row += r.score[i].map { Cell.value($0 * w[i]) }
      row += r.schoenfeld[i].map { $0.map { Cell.value($0 * w[i]) } } ?? missing
      row += scaled[i].map { $0.map { Cell.value($0) } } ?? missing
      row += r.dfbeta[i].map { Cell.value($0) }
      rows.append(row)
    }
    return ResultTable(title: "Cox model residuals", columns: columns, rows: rows, footnotes: [note])
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
