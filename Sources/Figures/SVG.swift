import Foundation
import Rendering

/// A minimal SVG writer: elements appended in drawing order, coordinates
/// written with a fixed number of decimals so that the same figure is the
/// same bytes on every machine, text as real `<text>` elements (searchable,
/// editable, selectable in a PDF).
public struct SVGCanvas: Sendable {
  public let width: Double
  public let height: Double
  private var body: [String] = []

  public init(width: Double, height: Double) {
    self.width = width
    self.height = height
  }

  /// Two decimals, never `-0.00`, no trailing zeros.
  public static func coordinate(_ x: Double) -> String {
    // Coordinates far outside any page are clamped (and NaN drawn at 0) so
    // that no input can make the conversion below trap.
    let bounded = x.isNaN ? 0 : min(max(x, -1e9), 1e9)
    var v = (bounded * 100).rounded() / 100
    if v == 0 { v = 0 }  // also turns −0 into 0
    let whole = v.rounded(.towardZero)
    if v == whole { return String(Int(whole)) }
    var s = String(format2: v)
    while s.hasSuffix("0") { s.removeLast() }
    return s
  }

  public static func escape(_ s: String) -> String { escapeXML(s) }

  private func c(_ x: Double) -> String { SVGCanvas.coordinate(x) }

  public mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String,
                            width: Double = 1, dash: String? = nil) {
    body.append("<line x1=\"\(c(x1))\" y1=\"\(c(y1))\" x2=\"\(c(x2))\" y2=\"\(c(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(c(width))\""
                + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + "/>")
  }

  public mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, stroke: String? = nil) {
    body.append("<rect x=\"\(c(x))\" y=\"\(c(y))\" width=\"\(c(w))\" height=\"\(c(h))\" fill=\"\(fill)\""
                + (stroke.map { " stroke=\"\($0)\"" } ?? "") + "/>")
  }

  /// A polyline or polygon through points, as a path.
  public mutating func path(_ points: [(Double, Double)], stroke: String?, width: Double = 1.5, fill: String = "none",
                            fillOpacity: Double? = nil, closed: Bool = false) {
    guard let first = points.first else { return }
    var d = "M\(c(first.0)) \(c(first.1))"
    for p in points.dropFirst() { d += " L\(c(p.0)) \(c(p.1))" }
    if closed { d += " Z" }
    var attributes = "d=\"\(d)\" fill=\"\(fill)\""
    if let fillOpacity { attributes += " fill-opacity=\"\(c(fillOpacity))\"" }
    if let stroke { attributes += " stroke=\"\(stroke)\" stroke-width=\"\(c(width))\" stroke-linejoin=\"miter\"" }
    body.append("<path \(attributes)/>")
  }

  public mutating func circle(_ x: Double, _ y: Double, r: Double, fill: String) {
    body.append("<circle cx=\"\(c(x))\" cy=\"\(c(y))\" r=\"\(c(r))\" fill=\"\(fill)\"/>")
  }

  public enum Anchor: String, Sendable { case start, middle, end }

  public mutating func text(_ s: String, _ x: Double, _ y: Double, size: Double = 12, anchor: Anchor = .start,
                            weight: String? = nil, fill: String = "#000000", rotate: Bool = false) {
    var attributes = "x=\"\(c(x))\" y=\"\(c(y))\" font-size=\"\(c(size))\" text-anchor=\"\(anchor.rawValue)\" fill=\"\(fill)\""
    if let weight { attributes += " font-weight=\"\(weight)\"" }
    if rotate { attributes += " transform=\"rotate(-90 \(c(x)) \(c(y)))\"" }
    body.append("<text \(attributes)>\(SVGCanvas.escape(s))</text>")
  }

  public func render(title: String?) -> String {
    var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(c(width))\" height=\"\(c(height))\" viewBox=\"0 0 \(c(width)) \(c(height))\" font-family=\"Helvetica, Arial, sans-serif\">\n"
    if let title { out += "<title>\(SVGCanvas.escape(title))</title>\n" }
    out += "<rect x=\"0\" y=\"0\" width=\"\(c(width))\" height=\"\(c(height))\" fill=\"#ffffff\"/>\n"
    for e in body { out += e + "\n" }
    out += "</svg>\n"
    return out
  }
}

/// The Okabe–Ito palette: distinguishable with every common colour-vision
/// deficiency (Okabe & Ito 2008), black last.
public let colourBlindSafePalette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

/// Tick values for an axis from `low` to `high`: steps of 1, 2, 2.5 or 5 × 10ᵏ,
/// about `target` of them, starting at a multiple of the step.
public func niceTicks(low: Double, high: Double, target: Int = 6) -> [Double] {
  guard high > low, high.isFinite, low.isFinite else { return [low] }
  let raw = (high - low) / Double(max(1, target))
  let magnitude = pow10(floorLog10(raw))
  let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
  var ticks: [Double] = []
  var t = (low / step).rounded(.up) * step
  while t <= high + step * 1e-9 {
    ticks.append(abs(t) < step * 1e-9 ? 0 : t)
    t += step
  }
  return ticks
}

func floorLog10(_ x: Double) -> Int {
  guard x.isFinite, x > 0 else { return 0 }
  var k = 0
  var v = x
  while v >= 10 { v /= 10; k += 1 }
  while v < 1 && v > 0 { v *= 10; k -= 1 }
  return k
}

func pow10(_ k: Int) -> Double {
  var v = 1.0
  if k >= 0 { for _ in 0..<k { v *= 10 } } else { for _ in 0..<(-k) { v /= 10 } }
  return v
}

/// A tick label: the shortest decimal text (no exponent for axis values).
public func tickLabel(_ x: Double) -> String {
  if x == x.rounded() && abs(x) < 1e15 { return String(Int(x)) }
  guard x.isFinite, abs(x) < 1e15 else { return String(format2: x) }
  var s = String(format2: x)
  while s.hasSuffix("0") { s.removeLast() }
  if s.hasSuffix(".") { s.removeLast() }
  // More digits when two decimals lose the value (0.125).
  if abs(Double(s)! - x) > 1e-12 { return "\(x)" }
  return s
}

extension String {
  /// Two decimals, computed without Foundation so output is locale-free.
  init(format2 x: Double) {
    guard x.isFinite, abs(x) < 1e15 else {
      self = x.isNaN ? "NA" : (abs(x) == .infinity ? (x < 0 ? "-∞" : "∞") : "\(x)")
      return
    }
    let negative = x < 0
    let scaled = Int((abs(x) * 100).rounded())
    let whole = scaled / 100, frac = scaled % 100
    self = (negative && scaled != 0 ? "-" : "") + "\(whole)." + (frac < 10 ? "0" : "") + "\(frac)"
  }
}
