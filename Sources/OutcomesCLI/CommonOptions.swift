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

  /// The validated confidence level.
  func confidenceLevel() throws -> Double {
    guard let x = Double(confLevel), x > 0, x < 1 else {
      throw InputError(InputLocation(source: "--conf-level"), "expected a number in (0, 1), found \(confLevel.quotedForMessage)")
    }
    return x
  }

  /// Reads the table and builds the model frame.
  func modelFrame(weights: String? = nil) throws -> ModelFrame {
    let parsed = try Formula.parse(formula)
    let table = try CSVReader.read(path: data)
    return try ModelFrame.build(formula: parsed, table: table, options: .init(weights: weights))
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
