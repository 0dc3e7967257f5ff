import CXLSXWriter
import Rendering

/// Tables as an Excel workbook (libxlsxwriter, Debian `libxlsxwriter-dev`):
/// one worksheet per table, the title in the first row, bold headers,
/// numbers as unrounded numbers, undefined values as empty cells, footnotes
/// below.
public enum XLSXRenderer {
  public struct WriteError: Error, CustomStringConvertible {
    public var description: String
  }

  public static func write(_ tables: [ResultTable], to path: String) throws {
    guard let workbook = workbook_new(path) else { throw WriteError(description: "cannot create the workbook") }
    let bold = workbook_add_format(workbook)
    format_set_bold(bold)
    var used = Set<String>()
    for (k, table) in tables.enumerated() {
      // Sheet names: at most 31 characters, without []:*?/\, unique.
      var name = String((table.title ?? "Table \(k + 1)").filter { !"[]:*?/\\".contains($0) }.prefix(28))
      if name.isEmpty || used.contains(name) { name = "Table \(k + 1)" }
      used.insert(name)
      guard let sheet = workbook_add_worksheet(workbook, name) else { continue }
      var row: lxw_row_t = 0
      if let title = table.title {
        worksheet_write_string(sheet, row, 0, title, bold)
        row += 2
      }
      for (j, column) in table.columns.enumerated() {
        worksheet_write_string(sheet, row, lxw_col_t(j), column.header, bold)
      }
      row += 1
      for cells in table.rows {
        for (j, cell) in cells.enumerated() {
          switch cell {
          case .text(let s): worksheet_write_string(sheet, row, lxw_col_t(j), s, nil)
          case .number(let x): worksheet_write_number(sheet, row, lxw_col_t(j), x, nil)
          case .missing: break
          }
        }
        row += 1
      }
      row += 1
      for note in table.footnotes {
        worksheet_write_string(sheet, row, 0, note, nil)
        row += 1
      }
    }
    let status = workbook_close(workbook)
    if status != LXW_NO_ERROR { throw WriteError(description: String(cString: lxw_strerror(status))) }
  }
}
