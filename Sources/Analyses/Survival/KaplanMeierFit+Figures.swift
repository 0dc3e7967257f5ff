import Figures
import Rates
import Rendering
import Survival
import Tabular

extension KaplanMeierFit {
  /// The times of the axis ticks and of the counts under the plot: the
  /// given ones, or round numbers from 0 to just past the last time.
  public func plotBreaks(_ given: [Double]?) -> [Double] {
    KaplanMeierFit.plotBreaks(given, last: curves.flatMap(\.steps).map(\.time).max() ?? 1)
  }

  /// The given ticks, or round numbers from 0 to just past `last`.
  static func plotBreaks(_ given: [Double]?, last: Double) -> [Double] {
    if let given, !given.isEmpty { return given.sorted() }
    var ticks = niceTicks(low: 0, high: last, target: 6)
    if ticks.first != 0 { ticks.insert(0, at: 0) }
    if let end = ticks.last, end < last, ticks.count >= 2 {
      ticks.append(end + (ticks[1] - ticks[0]))
    }
    return ticks
  }

  /// Numbers at risk at each break (R's `summary(fit, times =, extend =
  /// TRUE)$n.risk`: the risk set at the first time at or after the break, 0
  /// past the last), and the cumulative events and censored up to each break.
  public func counts(at breaks: [Double]) -> (atRisk: [[Double]], events: [[Double]], censored: [[Double]]) {
    var atRisk: [[Double]] = [], events: [[Double]] = [], censored: [[Double]] = []
    for c in curves {
      atRisk.append(breaks.map { b in c.steps.first { $0.time >= b }?.nRisk ?? 0 })
      events.append(breaks.map { b in c.steps.filter { $0.time <= b }.reduce(0) { $0 + $1.nEvent } })
      censored.append(breaks.map { b in c.steps.filter { $0.time <= b }.reduce(0) { $0 + $1.nCensor } })
    }
    return (atRisk, events, censored)
  }

  /// The table of the counts under the plot, from the same breaks.
  public func atRiskTable(breaks: [Double], kmunicate: Bool) -> ResultTable {
    let c = counts(at: breaks)
    var rows: [[Cell]] = []
    for (k, curve) in curves.enumerated() {
      rows.append([.text(curve.label), .text("at risk")] + c.atRisk[k].map { .number($0) })
      if kmunicate {
        rows.append([.text(curve.label), .text("events")] + c.events[k].map { .number($0) })
        rows.append([.text(curve.label), .text("censored")] + c.censored[k].map { .number($0) })
      }
    }
    return ResultTable(
      title: "Numbers at risk",
      columns: [ColumnSpec("group", style: .text), ColumnSpec("", style: .text)]
        + breaks.map { ColumnSpec(RNumberText.format($0), style: .count) },
      rows: rows,
      footnotes: ["At risk: R summary(fit, times = ..., extend = TRUE)$n.risk" + (kmunicate ? "; events and censored: cumulative up to each time (KMunicate)." : ".")])
  }

  /// The figure.
  public func plot(title: String?, breaks: [Double], riskTable: Bool, kmunicate: Bool, bands: Bool,
                   cumulativeIncidence: Bool, xLabel: String?, yLabel: String?, annotation: String?) -> KaplanMeierPlot {
    let c = counts(at: breaks)
    var rows: [KaplanMeierPlot.CountRow] = []
    if riskTable { rows.append(.init(title: "Number at risk", counts: c.atRisk)) }
    if kmunicate {
      rows.append(.init(title: "Cumulative events", counts: c.events))
      rows.append(.init(title: "Cumulative censored", counts: c.censored))
    }
    let plotted = curves.map { curve in
      KaplanMeierPlot.Curve(label: curve.label, points: curve.steps.map {
        KaplanMeierPlot.Point(time: $0.time, survival: $0.survival, lower: $0.lower, upper: $0.upper, censored: $0.nCensor > 0)
      })
    }
    return KaplanMeierPlot(title: title, curves: plotted, breaks: breaks, countRows: rows, bands: bands,
                           cumulativeIncidence: cumulativeIncidence, xLabel: xLabel ?? "Time", yLabel: yLabel,
                           annotation: annotation)
  }
}

extension CoxFit {
  /// Hazard ratios (terms not estimable say so, with no interval drawn) with their intervals, one row per term.
  public func forestPlot(title: String?) -> ForestPlot {
    let level = RNumberText.format(confidenceLevel * 100)
    return ForestPlot(title: title, rows: terms.map { t in
      guard t.estimable, t.coefficient != nil else {
        return ForestPlot.Row(label: t.name, estimate: .nan, lower: .nan, upper: .nan,
                              text: t.coefficient == nil ? "NA (aliased)" : "not estimable (monotone likelihood)")
      }
      return ForestPlot.Row(label: t.name, estimate: t.hazardRatio ?? .nan, lower: t.lower ?? .nan, upper: t.upper ?? .nan,
                            text: ratioText(t.hazardRatio, t.lower, t.upper))
    }, xLabel: "Hazard ratio (log scale)", columnTitle: "HR (\(level)% CI)")
  }
}

extension LogisticFit {
  /// Odds ratios with their profile-likelihood intervals (Wald when not computed), intercept left out.
  public func forestPlot(title: String?) -> ForestPlot {
    let level = RNumberText.format(confidenceLevel * 100)
    let rows = terms.filter { $0.term != "(Intercept)" && !$0.aliased }.map { t -> ForestPlot.Row in
      let lower = t.profileLower ?? t.lower, upper = t.profileUpper ?? t.upper
      guard let coef = t.coef, coef.isFinite else {
        return ForestPlot.Row(label: t.term, estimate: .nan, lower: .nan, upper: .nan, text: "not estimable (separation)")
      }
      return ForestPlot.Row(label: t.term, estimate: t.oddsRatio ?? .nan, lower: lower ?? .nan, upper: upper ?? .nan,
                            text: ratioText(t.oddsRatio, lower, upper))
    }
    return ForestPlot(title: title, rows: rows, xLabel: "Odds ratio (log scale)", columnTitle: "OR (\(level)% CI)")
  }
}

/// `0.59 (0.42–0.83)` with two decimals (three below 0.1).
func ratioText(_ estimate: Double?, _ lower: Double?, _ upper: Double?) -> String {
  func f(_ x: Double?) -> String {
    guard let x, x.isFinite else { return x == .infinity ? "∞" : "NA" }
    return NumberFormat.fixed(x, decimals: x < 0.1 ? 3 : 2)
  }
  return "\(f(estimate)) (\(f(lower))–\(f(upper)))"
}
