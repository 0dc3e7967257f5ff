/// Aligned plain text for a terminal, in the manner of R's `print`: the
/// first column left-aligned, numbers right-aligned, title above, footnotes
/// below.
public struct TextRenderer: Sendable {
  public init() {}

  public func render(_ tables: [ResultTable]) -> String {
    tables.map(render).joined(separator: "\n")
  }

  public func render(_ table: ResultTable) -> String {
    let formatted = formattedColumns(table)
    var widths = table.columns.map { $0.header.count }
    for (j, column) in formatted.enumerated() {
      for s in column { widths[j] = max(widths[j], s.count) }
    }
    var lines: [String] = []
    if let title = table.title { lines.append(title); lines.append("") }
    func line(_ cells: [String]) -> String {
      var parts: [String] = []
      for (j, s) in cells.enumerated() {
        let pad = String(repeating: " ", count: widths[j] - s.count)
        parts.append(table.columns[j].style == .text && j == 0 ? s + pad : pad + s)
      }
      var text = parts.joined(separator: "  ")
      while text.hasSuffix(" ") { text.removeLast() }
      return text
    }
    lines.append(line(table.columns.map(\.header)))
    for i in table.rows.indices { lines.append(line(formatted.map { $0[i] })) }
    if !table.footnotes.isEmpty {
      lines.append("")
      lines.append(contentsOf: table.footnotes)
    }
    return lines.joined(separator: "\n") + "\n"
  }
}

/// GitHub-flavoured Markdown: a bold title, a pipe table (numbers
/// right-aligned), footnotes as a paragraph.
public struct MarkdownRenderer: Sendable {
  /// A journal's p-values and decimal mark; `nil`: R's conventions.
  public var journal: JournalStyle?
  public init(journal: JournalStyle? = nil) { self.journal = journal }

  public func render(_ tables: [ResultTable]) -> String {
    tables.map(render).joined(separator: "\n")
  }

  public func render(_ table: ResultTable) -> String {
    let formatted = formattedColumns(table, journal: journal)
    var lines: [String] = []
    if let title = table.title { lines.append("**\(escape(title))**"); lines.append("") }
    lines.append("| " + table.columns.map { escape($0.header) }.joined(separator: " | ") + " |")
    lines.append("|" + table.columns.map { $0.style == .text ? " :--- |" : " ---: |" }.joined())
    for i in table.rows.indices {
      lines.append("| " + formatted.map { escape($0[i]) }.joined(separator: " | ") + " |")
    }
    if !table.footnotes.isEmpty {
      lines.append("")
      lines.append(table.footnotes.map(escape).joined(separator: "<br>\n"))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  private func escape(_ s: String) -> String {
    s.replacingPipes
  }
}

/// RFC 4180 CSV with unrounded values (shortest round-trip text) and `NA`
/// for undefined ones. Several tables are written one after another,
/// separated by an empty line; titles and footnotes are not data and are left out.
public struct CSVRenderer: Sendable {
  public init() {}

  public func render(_ tables: [ResultTable]) -> String {
    tables.map(render).joined(separator: "\r\n")
  }

  public func render(_ table: ResultTable) -> String {
    var out = table.columns.map { quote($0.header) }.joined(separator: ",") + "\r\n"
    for row in table.rows {
      out += row.map { cell -> String in
        switch cell {
        case .text(let s): return quote(s)
        case .number(let x): return NumberFormat.roundTrip(x)
        case .missing: return "NA"
        }
      }.joined(separator: ",") + "\r\n"
    }
    return out
  }

  func quote(_ s: String) -> String {
    if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || s == "NA" {
      return "\"" + s.replacingQuotes + "\""
    }
    return s
  }
}

private func formattedColumns(_ table: ResultTable, journal: JournalStyle? = nil) -> [[String]] {
  table.columns.indices.map { j in
    NumberFormat.format(column: table.rows.map { $0[j] }, style: table.columns[j].style, journal: journal)
  }
}

extension String {
  fileprivate var replacingPipes: String {
    var out = ""
    for ch in self { out += ch == "|" ? "\\|" : String(ch) }
    return out
  }

  fileprivate var replacingQuotes: String {
    var out = ""
    for ch in self { out += ch == "\"" ? "\"\"" : String(ch) }
    return out
  }
}

// MARK: - Streaming

extension TextRenderer {
  public func render(_ tables: [ResultTable], to sink: ByteWriter) {
    for (k, table) in tables.enumerated() {
      if k > 0 { sink.write("\n") }
      sink.write(render(table))
    }
  }
}

extension MarkdownRenderer {
  public func render(_ tables: [ResultTable], to sink: ByteWriter) {
    for (k, table) in tables.enumerated() {
      if k > 0 { sink.write("\n") }
      sink.write(render(table))
    }
  }
}

extension CSVRenderer {
  /// Row by row: the output is never held whole.
  public func render(_ tables: [ResultTable], to sink: ByteWriter) {
    for (k, table) in tables.enumerated() {
      if k > 0 { sink.write("\r\n") }
      sink.write(table.columns.map { quote($0.header) }.joined(separator: ",") + "\r\n")
      for row in table.rows {
        for (j, cell) in row.enumerated() {
          if j > 0 { sink.write(byte: UInt8(ascii: ",")) }
          switch cell {
          case .text(let s): sink.write(quote(s))
          // The shortest round-trip text, as `NumberFormat.roundTrip` (numbers are finite here).
          case .number(let x): if x.isFinite { sink.writeJSONNumber(x) } else { sink.write(NumberFormat.roundTrip(x)) }
          case .missing: sink.write("NA" as StaticString)
          }
        }
        sink.write("\r\n" as StaticString)
      }
    }
  }
}
