import Foundation
import Rendering
import StudyDesign
import Tabular

extension SimonDesigns {
  /// The optimal and minimax designs, a row each.
  public func table() -> ResultTable {
    let rows: [[Cell]] = [("optimal", optimal), ("minimax", minimax)].map { name, d in
      [.text(name), .number(Double(d.r1)), .number(Double(d.n1)), .number(Double(d.r)), .number(Double(d.n)),
       .value(d.expectedSize), .value(d.earlyTermination), .value(d.alpha), .value(d.power)]
    }
    return ResultTable(
      title: "Simon two-stage designs: p0 \(RNumberText.format(p0)), p1 \(RNumberText.format(p1)), alpha \(RNumberText.format(alpha)), power \(RNumberText.format(power))",
      columns: [ColumnSpec("design", style: .text), ColumnSpec("r1", style: .count), ColumnSpec("n1", style: .count),
                ColumnSpec("r", style: .count), ColumnSpec("n", style: .count), ColumnSpec("EN(p0)", style: .significant(4)),
                ColumnSpec("PET(p0)", style: .significant(4)), ColumnSpec("alpha", style: .significant(4)),
                ColumnSpec("power", style: .significant(4))],
      rows: rows,
      footnotes: [method + ". Optimal: smallest EN(p0); minimax: smallest n, then smallest EN(p0)."])
  }
}

extension TwoRateSampleSize {
  /// Patients per group by each method.
  public func table() -> ResultTable {
    func short(_ x: Double) -> String { String(format: "%.4g", x) }
    return ResultTable(
      title: "Patients per group: p1 \(RNumberText.format(p1)), p2 \(RNumberText.format(p2)), two-sided alpha \(RNumberText.format(alpha)), power \(RNumberText.format(power))",
      columns: [ColumnSpec("method", style: .text), ColumnSpec("n per group", style: .count),
                ColumnSpec("unrounded", style: .significant(6))],
      rows: [[.text("normal approximation (R power.prop.test)"), .number(Double(perGroup)), .value(perGroupUnrounded)],
             [.text("continuity-corrected (Fleiss, Tytun & Ury)"), .number(Double(perGroupCorrected)), .value(perGroupCorrectedUnrounded)],
             [.text("Fisher's exact test, exact power"), fisherPerGroup.map { .number(Double($0)) } ?? .missing(display: "> \(maximumFisherSize)"), .text("")]],
      footnotes: [method + ".",
                  "Power of the normal approximation with \(perGroup) per group: \(short(actualPower)). Fisher's test with \(perGroup) per group: exact power \(short(fisherPowerAtPerGroup)), exact size \(short(fisherAlphaAtPerGroup)) with both rates at (p1 + p2)/2."
                  + (fisherPerGroup.map { n in " With \(n) per group: exact power \(short(fisherActualPower ?? .nan)), size \(short(fisherActualAlpha ?? .nan))." } ?? "")])
  }
}

extension SingleStage {
  /// The design and its operating characteristics.
  public func table() -> ResultTable {
    ResultTable(
      title: "Single-stage exact design: p0 \(RNumberText.format(p0)), p1 \(RNumberText.format(p1)), alpha \(RNumberText.format(alpha)), power \(RNumberText.format(power))",
      columns: [ColumnSpec("n", style: .count), ColumnSpec("r", style: .count), ColumnSpec("responses to succeed", style: .count),
                ColumnSpec("alpha", style: .significant(4)), ColumnSpec("power", style: .significant(4))],
      rows: [[.number(Double(n)), .number(Double(r)), .number(Double(minimumResponses)), .value(actualAlpha), .value(actualPower)]],
      footnotes: [method + "."])
  }
}
