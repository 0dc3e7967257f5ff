/// A Kaplan–Meier figure: step curves with censoring ticks, optional
/// pointwise confidence bands, a legend, and the numbers at risk under the
/// x-axis at the axis's own ticks (optionally also the KMunicate rows of
/// cumulative events and censored; Morris et al. 2019,
/// doi:10.1136/bmjopen-2019-030215). The caller computes the breaks and the
/// counts once, so the table under the plot and any CSV of it agree.
public struct KaplanMeierPlot: Sendable {
  public struct Point: Sendable, Equatable {
    public var time: Double
    public var survival: Double
    public var lower: Double
    public var upper: Double
    public var censored: Bool
    public init(time: Double, survival: Double, lower: Double, upper: Double, censored: Bool) {
      self.time = time
      self.survival = survival
      self.lower = lower
      self.upper = upper
      self.censored = censored
    }
  }

  public struct Curve: Sendable {
    public var label: String
    /// One per distinct time, in time order (the curve starts at 1 at time 0).
    public var points: [Point]
    public init(label: String, points: [Point]) {
      self.label = label
      self.points = points
    }
  }

  /// A row of counts under the plot, one value per break and curve.
  public struct CountRow: Sendable {
    public var title: String
    public var counts: [[Double]]
    public init(title: String, counts: [[Double]]) {
      self.title = title
      self.counts = counts
    }
  }

  public var title: String?
  public var curves: [Curve]
  /// The x-axis ticks, which are also the times of the counts.
  public var breaks: [Double]
  public var countRows: [CountRow]
  public var bands: Bool
  /// Plot 1 − S (cumulative incidence) instead of S.
  public var cumulativeIncidence: Bool
  public var xLabel: String
  public var yLabel: String
  /// Text in a corner of the plot (a log-rank p-value).
  public var annotation: String?

  public init(title: String? = nil, curves: [Curve], breaks: [Double], countRows: [CountRow] = [], bands: Bool = false,
              cumulativeIncidence: Bool = false, xLabel: String = "Time", yLabel: String? = nil, annotation: String? = nil) {
    self.title = title
    self.curves = curves
    self.breaks = breaks
    self.countRows = countRows
    self.bands = bands
    self.cumulativeIncidence = cumulativeIncidence
    self.xLabel = xLabel
    self.yLabel = yLabel ?? (cumulativeIncidence ? "Cumulative incidence" : "Survival probability")
    self.annotation = annotation
  }

  public func svg() -> String {
    let labelWidth = Double(curves.map(\.label.count).max() ?? 4) * 6.6 + 16
    let left = max(64, labelWidth), plotWidth = 540.0
    let top = title == nil ? 16.0 : 40.0, plotHeight = 300.0
    let bottom = top + plotHeight
    let rowHeight = 18.0
    let countBlock = countRows.reduce(0.0) { total, _ in total + 26 + rowHeight * Double(curves.count) }
    let height = bottom + 52 + countBlock + 8
    let width = left + plotWidth + 36
    var svg = SVGCanvas(width: width, height: height)
    let xMin = breaks.first ?? 0
    let xMax = breaks.count > 1 && breaks.last! > xMin ? breaks.last! : xMin + 1
    func x(_ t: Double) -> Double { left + (t - xMin) / (xMax - xMin) * plotWidth }
    func y(_ s: Double) -> Double {
      let v = cumulativeIncidence ? 1 - s : s
      return bottom - min(max(v, 0), 1) * plotHeight
    }
    if let title { svg.text(title, left + plotWidth / 2, 24, size: 14, anchor: .middle, weight: "bold") }
    // Axes and grid.
    for v in [0.0, 0.25, 0.5, 0.75, 1.0] {
      let yy = bottom - v * plotHeight
      svg.line(left, yy, left + plotWidth, yy, stroke: "#e5e5e5")
      svg.line(left - 5, yy, left, yy, stroke: "#000000")
      svg.text(tickLabel(v), left - 8, yy + 4, size: 11, anchor: .end)
    }
    svg.line(left, top, left, bottom, stroke: "#000000")
    svg.line(left, bottom, left + plotWidth, bottom, stroke: "#000000")
    for b in breaks {
      svg.line(x(b), bottom, x(b), bottom + 5, stroke: "#000000")
      svg.text(tickLabel(b), x(b), bottom + 18, size: 11, anchor: .middle)
    }
    svg.text(xLabel, left + plotWidth / 2, bottom + 38, size: 12, anchor: .middle)
    svg.text(yLabel, 16, top + plotHeight / 2, size: 12, anchor: .middle, rotate: true)
    // Curves.
    for (k, curve) in curves.enumerated() {
      let colour = colourBlindSafePalette[k % colourBlindSafePalette.count]
      let visible = curve.points.filter { $0.time <= xMax }
      if bands {
        var upper: [(Double, Double)] = [(x(0), y(1))]
        var lower: [(Double, Double)] = [(x(0), y(1))]
        var lastU = 1.0, lastL = 1.0
        for p in visible {
          let u = p.upper.isFinite ? p.upper : lastU, l = p.lower.isFinite ? p.lower : lastL
          upper.append((x(p.time), y(lastU))); upper.append((x(p.time), y(u)))
          lower.append((x(p.time), y(lastL))); lower.append((x(p.time), y(l)))
          lastU = u; lastL = l
        }
        svg.path(upper + lower.reversed(), stroke: nil, fill: colour, fillOpacity: 0.15, closed: true)
      }
      var path: [(Double, Double)] = [(x(0), y(1))]
      var last = 1.0
      for p in visible {
        path.append((x(p.time), y(last)))
        path.append((x(p.time), y(p.survival)))
        last = p.survival
      }
      svg.path(path, stroke: colour, width: 1.8)
      for p in visible where p.censored {
        svg.line(x(p.time), y(p.survival) - 4, x(p.time), y(p.survival) + 4, stroke: colour, width: 1.2)
      }
    }
    // Legend, in the corner the curves leave free.
    let legendTop = cumulativeIncidence ? top + 10 : top + 10
    let legendX = cumulativeIncidence ? left + 12 : left + plotWidth - 12 - (labelWidth + 26)
    for (k, curve) in curves.enumerated() {
      let colour = colourBlindSafePalette[k % colourBlindSafePalette.count]
      let yy = legendTop + Double(k) * 18
      svg.line(legendX, yy + 6, legendX + 20, yy + 6, stroke: colour, width: 2.5)
      svg.text(curve.label, legendX + 26, yy + 10, size: 11)
    }
    if let annotation {
      let ay = cumulativeIncidence ? bottom - 10 : top + 10 + Double(curves.count) * 18 + 14
      let ax = cumulativeIncidence ? left + plotWidth - 12 : left + plotWidth - 12
      svg.text(annotation, ax, ay, size: 11, anchor: .end)
    }
    // Counts under the axis, aligned with its ticks.
    var yy = bottom + 62
    for row in countRows {
      svg.text(row.title, 8, yy, size: 11, weight: "bold")
      yy += rowHeight
      for (k, curve) in curves.enumerated() {
        let colour = colourBlindSafePalette[k % colourBlindSafePalette.count]
        svg.text(curve.label, 8, yy, size: 11, fill: colour)
        for (j, b) in breaks.enumerated() where k < row.counts.count && j < row.counts[k].count {
          svg.text(countLabel(row.counts[k][j]), x(b), yy, size: 11, anchor: .middle)
        }
        yy += rowHeight
      }
      yy += 8
    }
    return svg.render(title: title ?? "Kaplan–Meier curves")
  }

  private func countLabel(_ v: Double) -> String {
    v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(format2: v)
  }
}
