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

  /// Excel's limits: rows and columns of a worksheet.
  public static let maximumRows = 1_048_576
  public static let maximumColumns = 16_384

  /// A table longer than a worksheet continues on the next ones (`Table 1
  /// (2)`); rows are written in order in libxlsxwriter's constant-memory
  /// mode, so a million-row table costs no more memory than one row. Every
  /// write is checked: a cell that cannot be written is an error, never
  /// dropped.
  public static func write(_ tables: [ResultTable], to path: String, maximumRows: Int = XLSXRenderer.maximumRows) throws {
    var options = lxw_workbook_options(constant_memory: UInt8(LXW_TRUE.rawValue), tmpdir: nil, use_zip64: UInt8(LXW_TRUE.rawValue))
    guard let workbook = workbook_new_opt(path, &options) else { throw WriteError(description: "cannot create the workbook") }
    var closed = false
    defer { if !closed { workbook_close(workbook) } }
    let bold = workbook_add_format(workbook)
    format_set_bold(bold)
    var used = Set<String>()
    func check(_ status: lxw_error) throws {
      if status != LXW_NO_ERROR { throw WriteError(description: String(cString: lxw_strerror(status))) }
    }
    for (k, table) in tables.enumerated() {
      guard table.columns.count <= maximumColumns else {
        throw WriteError(description: "a table of \(table.columns.count) columns, above Excel's \(maximumColumns)")
      }
      let header = (table.title == nil ? 0 : 2) + 1
      let perSheet = max(1, maximumRows - header - table.footnotes.count - 1)
      let sheets = max(1, (table.rows.count + perSheet - 1) / perSheet)
      for part in 0..<sheets {
        // Sheet names: at most 31 characters, without []:*?/\, unique.
        var name = String((table.title ?? "Table \(k + 1)").filter { !"[]:*?/\\".contains($0) }.prefix(sheets > 1 ? 22 : 28))
        if sheets > 1 { name += " (\(part + 1))" }
        if name.isEmpty || used.contains(name) { name = sheets > 1 ? "Table \(k + 1) (\(part + 1))" : "Table \(k + 1)" }
        used.insert(name)
        guard let sheet = workbook_add_worksheet(workbook, name) else { throw WriteError(description: "cannot add the sheet \(name)") }
        var row: lxw_row_t = 0
        if let title = table.title {
          try check(worksheet_write_string(sheet, row, 0, title, bold))
          row += 2
        }
        for (j, column) in table.columns.enumerated() {
          try check(worksheet_write_string(sheet, row, lxw_col_t(j), column.header, bold))
        }
        row += 1
        let range = (part * perSheet)..<min(table.rows.count, (part + 1) * perSheet)
        for cells in table.rows[range] {
          for (j, cell) in cells.enumerated() {
            switch cell {
            case .text(let s): try check(worksheet_write_string(sheet, row, lxw_col_t(j), s, nil))
            case .number(let x): try check(worksheet_write_number(sheet, row, lxw_col_t(j), x, nil))
            case .missing: break
            }
          }
          row += 1
        }
        if part == sheets - 1 {
          row += 1
          for note in table.footnotes {
            try check(worksheet_write_string(sheet, row, 0, note, nil))
            row += 1
          }
        }
      }
    }
    closed = true
    let status = workbook_close(workbook)
    if status != LXW_NO_ERROR { throw WriteError(description: String(cString: lxw_strerror(status))) }
  }
}
