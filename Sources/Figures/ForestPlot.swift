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

  /// The axis range (log10): every finite estimate and limit and 1, but no
  /// more than `maximumDecades` beyond the estimates on either side and
  /// never beyond 10⁻³–10³; limits outside it are cut and end in an arrow.
  public static let maximumDecades = 2.0

  /// The axis range on the log10 scale, and whether some interval is cut by it.
  public var axis: (lo: Double, hi: Double, clipped: Bool) {
    let estimates = rows.map(\.estimate).filter { $0.isFinite && $0 > 0 }
    let limits = rows.filter { $0.estimate.isFinite && $0.estimate > 0 }.flatMap { [$0.lower, $0.upper] }
    let logEstimates = estimates.map(log10)
    let floor = max(-3, (logEstimates.min() ?? 0) - ForestPlot.maximumDecades)
    let ceiling = min(3, (logEstimates.max() ?? 0) + ForestPlot.maximumDecades)
    var lo = min(0, logEstimates.min() ?? log10(0.5)), hi = max(0, logEstimates.max() ?? log10(2))
    var clipped = false
    for l in limits {
      guard l > 0, l.isFinite else { clipped = true; continue }
      let v = log10(l)
      if v < floor || v > ceiling { clipped = true }
      lo = min(lo, max(v, floor))
      hi = max(hi, min(v, ceiling))
    }
    if hi - lo < 0.3 { lo -= 0.15; hi += 0.15 }
    let pad = (hi - lo) * 0.05
    return (lo - pad, hi + pad, clipped)
  }

  /// What a caption should add: cut intervals, terms not estimable.
  public var captionNote: String {
    var notes: [String] = []
    if axis.clipped { notes.append("intervals beyond the axis end in an arrow") }
    let missing = rows.filter { !($0.estimate.isFinite && $0.estimate > 0) }.map(\.label)
    if !missing.isEmpty { notes.append("not estimable: " + missing.joined(separator: ", ")) }
    return notes.isEmpty ? "" : " (" + notes.joined(separator: "; ") + ")"
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
    let (lo, hi, _) = axis
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
    let colour = colourBlindSafePalette[0]
    for (i, r) in rows.enumerated() {
      let yy = top + rowHeight * (Double(i) + 0.5) + 5
      svg.text(r.label, 8, yy + 4, size: 11)
      svg.text(r.text, left + plotWidth + 12, yy + 4, size: 11)
      guard r.estimate.isFinite, r.estimate > 0 else { continue }
      let lowCut = !(r.lower.isFinite && r.lower > 0 && x(r.lower) >= left)
      let highCut = !(r.upper.isFinite && x(r.upper) <= left + plotWidth)
      let l = lowCut ? left : x(r.lower)
      let u = highCut ? left + plotWidth : x(r.upper)
      svg.line(l, yy, u, yy, stroke: colour, width: 1.5)
      if lowCut { svg.path([(left + 6, yy - 4), (left, yy), (left + 6, yy + 4)], stroke: colour, width: 1.5) }
      if highCut { svg.path([(left + plotWidth - 6, yy - 4), (left + plotWidth, yy), (left + plotWidth - 6, yy + 4)], stroke: colour, width: 1.5) }
      let e = min(max(x(r.estimate), left), left + plotWidth)
      svg.rect(e - 4, yy - 4, 8, 8, fill: colour)
    }
    return svg.render(title: title ?? "Forest plot")
  }

  /// 1, 2, 5 × 10ᵏ ticks inside the range (log10 limits), at least the reference 1.
  private func logTicks(lo: Double, hi: Double) -> [Double] {
    var ticks: [Double] = []
    guard lo.isFinite, hi.isFinite, lo < hi else { return [1] }
    for k in (Int(max(lo, -300).rounded(.down)) - 1)...(Int(min(hi, 300).rounded(.up)) + 1) {
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

