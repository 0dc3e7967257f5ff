import Foundation

/// A forest plot of ratio estimates (hazard or odds ratios) with their
/// intervals on a log axis, a reference line at 1, and the estimates as
/// text on the right.
public struct ForestPlot: Sendable {
  public struct Row: Sendable {
    public var label: String
    public var estimate: Double
    public var lower: Double
    public var upper: Double
    /// What the right-hand column shows, e.g. `0.59 (0.42–0.83)`.
    public var text: String
    public init(label: String, estimate: Double, lower: Double, upper: Double, text: String) {
      self.label = label
      self.estimate = estimate
      self.lower = lower
      self.upper = upper
      self.text = text
    }
  }

  public var title: String?
  public var rows: [Row]
  public var xLabel: String
  public var columnTitle: String

  public init(title: String? = nil, rows: [Row], xLabel: String, columnTitle: String) {
    self.title = title
    self.rows = rows
    self.xLabel = xLabel
    self.columnTitle = columnTitle
  }

  public func svg() -> String {
    let labelWidth = Double(rows.map(\.label.count).max() ?? 4) * 6.6 + 20
    let textWidth = Double(max(columnTitle.count, rows.map(\.text.count).max() ?? 0)) * 6.6 + 20
    let plotWidth = 360.0, rowHeight = 24.0
    let top = (title == nil ? 16.0 : 40.0) + 20
    let plotHeight = rowHeight * Double(rows.count) + 10
    let left = labelWidth + 10
    let width = left + plotWidth + textWidth + 20
    let height = top + plotHeight + 56
    var svg = SVGCanvas(width: width, height: height)
    // The axis range: every finite limit, and 1, on the log scale, padded.
    let finite = rows.flatMap { [$0.lower, $0.estimate, $0.upper] }.filter { $0.isFinite && $0 > 0 }
    var lo = log10(min(finite.min() ?? 0.5, 1)), hi = log10(max(finite.max() ?? 2, 1))
    if hi - lo < 0.3 { lo -= 0.15; hi += 0.15 }
    let pad = (hi - lo) * 0.05
    lo -= pad; hi += pad
    func x(_ v: Double) -> Double { left + (log10(v) - lo) / (hi - lo) * plotWidth }
    if let title { svg.text(title, width / 2, 24, size: 14, anchor: .middle, weight: "bold") }
    svg.text(columnTitle, left + plotWidth + 12, top - 8, size: 11, weight: "bold")
    let bottom = top + plotHeight
    svg.line(x(1), top, x(1), bottom, stroke: "#888888", dash: "4 3")
    svg.line(left, bottom, left + plotWidth, bottom, stroke: "#000000")
    for t in logTicks(lo: lo, hi: hi) {
      svg.line(x(t), bottom, x(t), bottom + 5, stroke: "#000000")
      svg.text(tickLabel(t), x(t), bottom + 18, size: 11, anchor: .middle)
    }
    svg.text(xLabel, left + plotWidth / 2, bottom + 40, size: 12, anchor: .middle)
    for (i, r) in rows.enumerated() {
      let yy = top + rowHeight * (Double(i) + 0.5) + 5
      svg.text(r.label, 8, yy + 4, size: 11)
      svg.text(r.text, left + plotWidth + 12, yy + 4, size: 11)
      guard r.estimate.isFinite, r.estimate > 0 else { continue }
      let l = r.lower.isFinite && r.lower > 0 ? max(x(r.lower), left) : left
      let u = r.upper.isFinite ? min(x(r.upper), left + plotWidth) : left + plotWidth
      svg.line(l, yy, u, yy, stroke: colourBlindSafePalette[0], width: 1.5)
      svg.rect(x(r.estimate) - 4, yy - 4, 8, 8, fill: colourBlindSafePalette[0])
    }
    return svg.render(title: title ?? "Forest plot")
  }

  /// 1, 2, 5 × 10ᵏ ticks inside the range (log10 limits), at least the reference 1.
  private func logTicks(lo: Double, hi: Double) -> [Double] {
    var ticks: [Double] = []
    for k in (Int(lo.rounded(.down)) - 1)...(Int(hi.rounded(.up)) + 1) {
      for m in [1.0, 2, 5] {
        let v = m * pow10(k)
        let l = log10(v)
        if l >= lo && l <= hi { ticks.append(v) }
      }
    }
    if ticks.count > 9 { ticks = ticks.filter { [1.0].contains($0 / pow10(floorLog10($0))) } }
    return ticks
  }
}

