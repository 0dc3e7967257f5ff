import Foundation
import Rendering
@testable import Spreadsheet
import Testing

@Suite("xlsx: every row written, long tables continue on further sheets")
struct XLSXRendererTests {
  @Test("a table longer than a sheet continues on the next sheets; nothing is dropped")
  func split() throws {
    let rows: [[Cell]] = (0..<25).map { [.text("r\($0)"), .number(Double($0))] }
    let table = ResultTable(title: "Steps", columns: [ColumnSpec("label"), ColumnSpec("value", style: .count)], rows: rows,
                            footnotes: ["a note"])
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("outcomes-\(UUID().uuidString).xlsx").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    // Sheets of 10 rows: title (2) + header (1) + footnote and its gap (2) leave 5 data rows each.
    try XLSXRenderer.write([table], to: path, maximumRows: 10)
    let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    for sheet in 1...5 { #expect(text.contains("xl/worksheets/sheet\(sheet).xml"), "sheet \(sheet)") }
    #expect(!text.contains("xl/worksheets/sheet6.xml"))
  }
}
