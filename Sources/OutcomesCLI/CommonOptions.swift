import ArgumentParser
import Foundation
import DataFiles
import ModelFrame
import Tabular

/// The output formats of every analysis command.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case text, json, csv, md, xlsx
}


/// Options every data command takes (the contract's common options).
struct CommonOptions: ParsableArguments {
  @Option(help: "Input table: .csv, .tsv/.tab; '-' reads CSV from standard input.")
  var data: String

  @Option(help: "Model formula in R syntax, e.g. \"Surv(time, status) ~ sex\".")
  var formula: String

  @Option(help: "Output format: text, json, csv, md, or xlsx (with --out).")
  var format: OutputFormat = .text

  @Option(help: "Write the output to this file (atomically) instead of standard output.")
  var out: String?

  @Option(name: .customLong("conf-level"), help: "Confidence level in (0, 1).")
  var confLevel: String = "0.95"

  @Option(name: .customLong("where"), help: "Keep the rows where this holds, e.g. \"PARAMCD == 'OS' & SAFFL == 'Y'\".")
  var rowFilter: String?

  @Option(help: "With an SQLite --data: the table to read.")
  var table: String?

  @Option(help: "With an SQLite --data: a SELECT statement to read instead of a table.")
  var query: String?

  /// The validated confidence level.
  func confidenceLevel() throws -> Double {
    guard let x = Double(confLevel), x > 0, x < 1 else {
      throw InputError(InputLocation(source: "--conf-level"), "expected a number in (0, 1), found \(confLevel.quotedForMessage)")
    }
    return x
  }

  /// Reads the table and builds the model frame.
  func modelFrame(weights: String? = nil, binaryResponse: Bool = false, adam: ADaMOptions? = nil) throws -> ModelFrame {
    let text = try adam?.formula(formula) ?? formula
    let parsed = try Formula.parse(text)
    var frameTable = try readTable(path: data, filter: rowFilter, table: table, query: query)
    if let adam, adam.adam { frameTable = try adam.select(frameTable) }
    return try ModelFrame.build(formula: parsed, table: frameTable, options: .init(weights: weights, binaryResponse: binaryResponse))
  }
}

/// Parses a number option, naming the option on failure.
func parseNumber(_ text: String, option: String, where condition: (Double) -> Bool = { $0.isFinite },
                 expected: String = "a number") throws -> Double {
  guard let x = Double(text.trimmingCharacters(in: " ")), condition(x) else {
    throw InputError(InputLocation(source: option), "expected \(expected), found \(text.quotedForMessage)")
  }
  return x
}

/// Parses `t1,t2,...`.
func parseNumberList(_ text: String, option: String) throws -> [Double] {
  let parts = text.split(separator: ",", omittingEmptySubsequences: false)
  return try parts.map { part in
    let s = String(part)
    guard let x = Double(s.trimmingCharacters(in: " ")), x.isFinite else {
      throw InputError(InputLocation(source: option), "expected comma-separated numbers, found \(s.quotedForMessage) in \(text.quotedForMessage)")
    }
    return x
  }
}

extension String {
  func trimmingCharacters(in set: Character) -> String {
    var s = Substring(self)
    while s.first == set { s = s.dropFirst() }
    while s.last == set { s = s.dropLast() }
    return String(s)
  }
}

/// Options of the commands that take counts or a table (`rate`, `compare`):
/// the table and formula are optional, the counts are the command's own.
struct CountsOrTableOptions: ParsableArguments {
  @Option(help: "Input table (instead of counts): .csv, .tsv/.tab; '-' reads CSV from standard input.")
  var data: String?

  @Option(help: "With --data: binary outcome ~ groups, e.g. \"failed ~ arm\", \"status == 2 ~ 1\".")
  var formula: String?

  @Option(name: .customLong("conf-level"), help: "Confidence level in (0, 1).")
  var confLevel: String = "0.95"

  @Option(name: .customLong("where"), help: "With --data: keep the rows where this holds, e.g. \"arm != 'C' & age >= 18\".")
  var rowFilter: String?

  @Option(help: "Output format: text, json, csv, md, or xlsx (with --out).")
  var format: OutputFormat = .text

  @Option(help: "Write the output to this file (atomically) instead of standard output.")
  var out: String?

  func confidenceLevel() throws -> Double {
    try parseNumber(confLevel, option: "--conf-level", where: { $0 > 0 && $0 < 1 }, expected: "a number in (0, 1)")
  }

  /// The model frame of `--data` with a binary response, or `nil` for
  /// counts. `counts` are the command's count options and their values:
  /// giving both is an error naming the first count given.
  func binaryFrame(counts: [(option: String, value: String?)]) throws -> ModelFrame? {
    guard let data else {
      if formula != nil { throw InputError(InputLocation(source: "--formula"), "expected --data with --formula") }
      if rowFilter != nil { throw InputError(InputLocation(source: "--where"), "expected --data with --where") }
      return nil
    }
    if let given = counts.first(where: { $0.value != nil }) {
      throw InputError(InputLocation(source: given.option),
                       "expected either counts (\(counts.map(\.option).joined(separator: ", "))) or a table (--data, --formula), found both")
    }
    guard let formula else {
      throw InputError(InputLocation(source: "--formula"), "expected a formula with --data, as in \"failed ~ arm\"")
    }
    let table = try readTable(path: data, filter: rowFilter)
    return try ModelFrame.build(formula: Formula.parse(formula), table: table, options: .init(binaryResponse: true))
  }
}

/// Reads a data file and keeps the rows `--where` selects; a filter that
/// keeps no row is an error.
func readTable(path: String, filter: String?, table name: String? = nil, query: String? = nil) throws -> Table {
  let rowFilter = try filter.map { try RowFilter($0) }  // syntax errors before the file is read
  let table = try DataFiles.read(path: path, table: name, query: query)
  guard let rowFilter else { return table }
  let rows = try rowFilter.rows(in: table)
  if rows.isEmpty {
    throw InputError(InputLocation(source: "--where"), "selects no rows of \(table.source) (\(table.rowCount) rows), expected at least one")
  }
  return table.selecting(rows: rows)
}

/// `--adam --param CODE`: CDISC ADaM ADTTE data. The time is `AVAL`, the
/// event `CNSR == 0` (values above 1 are censoring reasons), and the rows are
/// those whose `PARAMCD` is CODE; the formula may leave out the response
/// (`~ TRTP`).
struct ADaMOptions: ParsableArguments {
  @Flag(help: "CDISC ADaM ADTTE data: Surv(AVAL, CNSR == 0) on the rows of --param.")
  var adam = false

  @Option(help: "With --adam: the PARAMCD of the analysis (e.g. OS).")
  var param: String?

  /// The formula, with `Surv(AVAL, CNSR == 0)` in front of a bare `~ …`.
  func formula(_ text: String) throws -> String? {
    guard adam else {
      if param != nil { throw InputError(InputLocation(source: "--param"), "expected --adam with --param") }
      return nil
    }
    guard param != nil else { throw InputError(InputLocation(source: "--param"), "expected --param CODE with --adam, as in --param OS") }
    let trimmed = text.trimmingCharacters(in: " ")
    return trimmed.hasPrefix("~") ? "Surv(AVAL, CNSR == 0) " + trimmed : text
  }

  /// The rows of the parameter, after checking the ADTTE columns.
  func select(_ table: Table) throws -> Table {
    for column in ["PARAMCD", "AVAL", "CNSR"] where table.columnIndex(named: column) == nil {
      throw InputError(InputLocation(source: "--adam"), "\(table.source) has no \(column) column, expected an ADaM ADTTE data set (PARAMCD, AVAL, CNSR)")
    }
    let code = param ?? ""
    let rows = try RowFilter("PARAMCD == '\(code.replacingOccurrences(of: "'", with: ""))'").rows(in: table)
    if rows.isEmpty {
      var codes: [String] = []
      if case .categorical(let c)? = table.column(named: "PARAMCD") { codes = c.levels }
      throw InputError(InputLocation(source: "--param"), "no rows with PARAMCD \(code.quotedForMessage) in \(table.source), expected one of: \(codes.joined(separator: ", "))")
    }
    return table.selecting(rows: rows)
  }
}
