import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Figures
@testable import Reports
import Rendering
import Tabular
import Testing
import TestSupport

@Suite("Report spec errors: key path and line")
struct ReportSpecErrorTests {
  func error(_ yaml: String) -> String? {
    do {
      _ = try ReportSpec.parse(yaml, path: "spec.yaml")
      return nil
    } catch let e as InputError {
      return e.description
    } catch {
      return "\(error)"
    }
  }

  @Test("each kind of malformed spec names the key path and the line")
  func kinds() {
    #expect(error("title: [unclosed") == "spec.yaml:2:1: invalid YAML: did not find expected ',' or ']'")
    #expect(error("- a\n- b\n") == "spec.yaml:1:1: expected a mapping (key: value), found a list")
    #expect(error("sections: []\n") == "spec.yaml:1:1: title: missing, expected the report's title")
    #expect(error("title: T\n") == "spec.yaml:1:1: sections: missing, expected a list of sections")
    #expect(error("title: T\nsection: []\n") == "spec.yaml:2:1: section: unknown key, expected one of: title, authors, style, data, sections")
    #expect(error("title: [a, b]\nsections: []\n") == "spec.yaml:1:8: title: expected a string, found a list")
    #expect(error("title: T\nsections: x\n") == "spec.yaml:2:11: sections: expected a list of sections, found \"x\"")
    #expect(error("title: T\nstyle: vancouver\nsections: []\n") == "spec.yaml:2:8: style: expected one of default, nejm, jama, lancet, apa, found \"vancouver\"")
    #expect(error("title: T\ntitle: U\nsections: []\n") == "spec.yaml:2:1: title: key given twice")
    #expect(error("title: T\nsections:\n  - text: x\n") == "spec.yaml:3:5: sections[0].title: missing, expected the section's title")
    #expect(error("title: T\nsections:\n  - title: A\n    figures: []\n") == "spec.yaml:4:5: sections[0].figures: unknown key, expected one of: title, text, analyses")
    #expect(error("title: T\nsections:\n  - title: A\n    analyses:\n      - kaplan: {data: x}\n")
            == "spec.yaml:5:9: sections[0].analyses[0].kaplan: unknown analysis, expected one of: cmh, compare, cox, design, km, logistic, logrank, rate, table1")
    #expect(error("title: T\nsections:\n  - title: A\n    analyses:\n      - km: {data: x, formual: y}\n")
            == "spec.yaml:5:23: sections[0].analyses[0].km.formual: unknown key, expected one of: data, where, table, query, adam, param, formula, conf-level, conf-type, times, tau, weights, steps, time-unit, estimator, cumhaz, quantiles, extend, start-time, conf-lower, variance, median-rule, profile, title, name, note, inline, unit, figure, risk-table, kmunicate, bands, cumulative-incidence, logrank-p, xlab, ylab, breaks")
    #expect(error("title: T\nsections:\n  - title: A\n    analyses:\n      - km: {formula: {a: 1}}\n")
            == "spec.yaml:5:23: sections[0].analyses[0].km.formula: expected a value or a list, found a mapping")
    #expect(error("title: T\nsections:\n  - title: A\n    analyses:\n      - km: {data: x}\n        cox: {data: x}\n")
            == "spec.yaml:5:9: sections[0].analyses[0]: expected one analysis (cmh, compare, cox, design, km, logistic, logrank, rate, table1) per list item, found 2 keys")
    #expect(error("title: T\nsections:\n  - title: A\n    analyses:\n      - km: {data: }\n")
            == "spec.yaml:5:20: sections[0].analyses[0].km.data: expected a value, found nothing")
  }

  @Test("data sets resolve against the spec's folder")
  func data() throws {
    let spec = try ReportSpec.parse("title: T\ndata:\n  lung: ../../Datasets/lung.csv\nsections: []\n", path: "Reports/x/spec.yaml")
    let context = ReportRunner(spec: spec).context.data
    #expect(context.path(for: "lung").path == "Reports/x/../../Datasets/lung.csv")
    #expect(context.path(for: "lung").written == "../../Datasets/lung.csv")
    #expect(context.path(for: "other.csv").path == "Reports/x/other.csv")
  }
}

@Suite("Report building blocks")
struct ReportPartsTests {
  @Test("SHA-256: the FIPS 180-4 test vectors")
  func sha256() {
    #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
    #expect(SHA256.hex(million) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    // The same message fed in uneven pieces, across block boundaries.
    var hash = SHA256()
    var offset = 0
    for (i, piece) in [1, 63, 64, 65, 0, 127, 999_680].enumerated() {
      million.withUnsafeBufferPointer { hash.update(UnsafeBufferPointer(rebasing: $0[offset..<offset + piece])) }
      offset += piece
      #expect(i < 6 || offset == million.count)
    }
    #expect(hash.finish() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }

  @Test("coordinates: two decimals, never -0")
  func coordinates() {
    #expect(SVGCanvas.coordinate(-0.001) == "0")
    #expect(SVGCanvas.coordinate(12.345) == "12.35" || SVGCanvas.coordinate(12.345) == "12.34")
    #expect(SVGCanvas.coordinate(3) == "3" && SVGCanvas.coordinate(2.5) == "2.5")
    #expect(niceTicks(low: 0, high: 1022) == [0, 200, 400, 600, 800, 1000])
  }
}

/// Collects the `<text>` elements of an SVG: x, y and content.
private final class TextCollector: NSObject, XMLParserDelegate {
  var texts: [(x: String, y: String, text: String)] = []
  private var current: (String, String)? = nil
  private var buffer = ""
  func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
              attributes: [String: String] = [:]) {
    if name == "text" { current = (attributes["x"] ?? "", attributes["y"] ?? ""); buffer = "" }
  }
  func parser(_ parser: XMLParser, foundCharacters string: String) { if current != nil { buffer += string } }
  func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
    if name == "text", let c = current { texts.append((c.0, c.1, buffer)); current = nil }
  }
}

@Suite("Figures")
struct FigureTests {
  static let plot = KaplanMeierPlot(
    curves: [.init(label: "arm=A", points: [.init(time: 2, survival: 0.8, lower: 0.6, upper: 1, censored: false),
                                            .init(time: 5, survival: 0.8, lower: 0.6, upper: 1, censored: true),
                                            .init(time: 7, survival: 0.4, lower: 0.2, upper: 0.7, censored: false)]),
             .init(label: "arm=B", points: [.init(time: 3, survival: 0.5, lower: 0.3, upper: 0.8, censored: false)])],
    breaks: [0, 2, 4, 6, 8],
    countRows: [.init(title: "Number at risk", counts: [[5, 5, 3, 2, 0], [2, 2, 1, 1, 1]])],
    bands: true, cumulativeIncidence: true, xLabel: "Months", annotation: "Log-rank p = 0.03")

  @Test("Kaplan–Meier: well-formed, the numbers at risk under the axis ticks, the labels as text")
  func kaplanMeier() throws {
    let svg = Self.plot.svg()
    let collector = TextCollector()
    let parser = XMLParser(data: Data(svg.utf8))
    parser.delegate = collector
    #expect(parser.parse())
    let texts = collector.texts
    #expect(texts.contains { $0.text == "Cumulative incidence" } && texts.contains { $0.text == "Months" })
    #expect(texts.contains { $0.text == "Log-rank p = 0.03" })
    // Tick labels and the counts below them share their x coordinates.
    let axisY = try #require(texts.first { $0.text == "8" }?.y)
    let tickX = texts.filter { $0.y == axisY }.map(\.x)
    #expect(tickX.count == 5)
    let titleY = try #require(texts.first { $0.text == "Number at risk" }.flatMap { Double($0.y) })
    let counts = texts.filter { Double($0.y)! > titleY && Int($0.text) != nil }
    #expect(counts.count == 10)
    for c in counts { #expect(tickX.contains(c.x), "the count \(c.text) at x = \(c.x) is not under a tick") }
    #expect(svg == Self.plot.svg(), "the same figure is the same bytes")
    #expect(!svg.contains("-0 ") && !svg.contains("\"-0\""))
  }

  @Test("forest plot: an estimate and its interval per row, infinite limits clipped")
  func forest() throws {
    let plot = ForestPlot(rows: [.init(label: "age", estimate: 1.2, lower: 0.9, upper: 1.6, text: "1.20 (0.90–1.60)"),
                                 .init(label: "armB", estimate: 3, lower: 1.1, upper: .infinity, text: "3.00 (1.10–∞)")],
                          xLabel: "Odds ratio (log scale)", columnTitle: "OR (95% CI)")
    let svg = plot.svg()
    #expect(XMLParser(data: Data(svg.utf8)).parse())
    #expect(svg.contains(">1.20 (0.90–1.60)</text>") && svg.contains(">armB</text>") && svg.contains("stroke-dasharray"))
  }
}
