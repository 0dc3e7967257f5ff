import ArgumentParser
import ModelFrame
import Tabular

/// The output formats of every analysis command.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case text, json, csv, md
}


/// Options every data command takes (the contract's common options).
struct CommonOptions: ParsableArguments {
  @Option(help: "Input table: .csv, .tsv/.tab; '-' reads CSV from standard input.")
  var data: String

  @Option(help: "Model formula in R syntax, e.g. \"Surv(time, status) ~ sex\".")
  var formula: String

  @Option(help: "Output format: text, json, csv or md.")
  var format: OutputFormat = .text

  @Option(help: "Write the output to this file (atomically) instead of standard output.")
  var out: String?

  @Option(name: .customLong("conf-level"), help: "Confidence level in (0, 1).")
  var confLevel: String = "0.95"

  @Option(name: .customLong("where"), help: "Keep the rows where this holds, e.g. \"PARAMCD == 'OS' & SAFFL == 'Y'\".")
  var rowFilter: String?

  /// The validated confidence level.
  func confidenceLevel() throws -> Double {
    guard let x = Double(confLevel), x > 0, x < 1 else {
      throw InputError(InputLocation(source: "--conf-level"), "expected a number in (0, 1), found \(confLevel.quotedForMessage)")
    }
    return x
  }

  /// Reads the table and builds the model frame.
  func modelFrame(weights: String? = nil, binaryResponse: Bool = false) throws -> ModelFrame {
    let parsed = try Formula.parse(formula)
    let table = try readTable(path: data, filter: rowFilter)
    return try ModelFrame.build(formula: parsed, table: table, options: .init(weights: weights, binaryResponse: binaryResponse))
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

  @Option(help: "Output format: text, json, csv or md.")
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
func readTable(path: String, filter: String?) throws -> Table {
  let rowFilter = try filter.map { try RowFilter($0) }  // syntax errors before the file is read
  let table = try CSVReader.read(path: path)
  guard let rowFilter else { return table }
  let rows = try rowFilter.rows(in: table)
  if rows.isEmpty {
    throw InputError(InputLocation(source: "--where"), "selects no rows of \(table.source) (\(table.rowCount) rows), expected at least one")
  }
  return table.selecting(rows: rows)
}
