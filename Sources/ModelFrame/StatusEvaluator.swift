import Tabular

/// Evaluates the status argument of `Surv()` over every row of the table,
/// giving 1 (event), 0 (censored) or NaN (missing).
///
/// Rules, as R's `Surv()`:
/// - a numeric column coded 0/1 is used as is (1 = event); coded 1/2 (every
///   value 1 or 2, some 2) it is shifted so that 2 = event. R decides this on
///   every non-missing value of the column, before rows with missing
///   covariates are dropped, and so does `outcomes`. Any other value is an
///   error (R turns it into NA with a warning; silently losing events is
///   worse than stopping).
/// - a column of `TRUE`/`FALSE` (also `T`/`F`, `true`/`false`) is logical.
/// - `col == value` and `col != value` are 1 where the comparison holds.
/// - `1 - col` flips a 0/1 or logical column.
struct StatusEvaluator {
  /// What the expression codes: the status of `Surv()` (R's 0/1 and 1/2
  /// rules) or a binary outcome (0/1 or logical only: a 1/2 column must be
  /// written `col == 2`, since nothing says which of 1 and 2 is the event).
  enum Role { case status, outcome }

  let table: Table
  let formulaSource: String
  let role: Role
  private(set) var columnsUsed: [Int] = []

  init(table: Table, formulaSource: String, role: Role = .status) {
    self.table = table
    self.formulaSource = formulaSource
    self.role = role
  }

  private var roleName: String { role == .status ? "status" : "outcome" }

  private static let trueSpellings: Set<String> = ["TRUE", "T", "true", "True"]
  private static let falseSpellings: Set<String> = ["FALSE", "F", "false", "False"]

  func formulaError(_ column: Int, _ message: String) -> InputError {
    InputError(InputLocation(valueOf: formulaSource, column: column), message)
  }

  private mutating func column(_ name: String, at c: Int) throws -> Int {
    guard let j = table.columnIndex(named: name) else {
      let available = table.headerNames.prefix(12).joined(separator: ", ") + (table.headerNames.count > 12 ? ", …" : "")
      throw formulaError(c, "unknown column \(name.quotedForMessage) in \(table.source), expected one of: \(available)")
    }
    if !columnsUsed.contains(j) { columnsUsed.append(j) }
    return j
  }

  mutating func evaluate(_ e: FormulaExpression) throws -> [Double] {
    let n = table.rowCount
    switch e {
    case .name(let name, let c):
      if table.columnIndex(named: name) == nil, name == "TRUE" || name == "FALSE" {
        return [Double](repeating: name == "TRUE" ? 1 : 0, count: n)
      }
      let j = try column(name, at: c)
      return try statusColumn(j)
    case .number(let v, let text, let c):
      guard v == 0 || v == 1 else { throw formulaError(c, "expected a \(roleName) of 0 or 1, found \(text)") }
      return [Double](repeating: v, count: n)
    case .parenthesized(let inner, _):
      return try evaluate(inner)
    case .binary(.within, let lhs, let rhs, let c):
      // `grade %in% c(3, 4)`: 1 where the value is listed. A missing value
      // stays missing (R's %in% would call it FALSE: a censored row).
      guard case .name(let name, let nc) = lhs.stripped else {
        throw formulaError(c, "expected 'column %in% c(...)' in the \(roleName), found \(e.deparsed.quotedForMessage)")
      }
      let j = try column(name, at: nc)
      let listed = try listedValues(rhs)
      switch table.columns[j] {
      case .numeric(let col):
        let numbers = Set(listed.compactMap { $0.number })
        guard numbers.count == listed.count else {
          throw formulaError(rhs.column, "column \(name.quotedForMessage) is numeric, expected numbers in c(...), found \(rhs.deparsed.quotedForMessage)")
        }
        return col.values.map { $0.isNaN ? .nan : (numbers.contains($0) ? 1 : 0) }
      case .categorical(let col):
        let texts = Set(listed.map(\.text))
        let member = col.levels.map { texts.contains($0) }
        return col.codes.map { $0 < 0 ? .nan : (member[Int($0)] ? 1 : 0) }
      }
    case .binary(let op, let lhs, let rhs, _) where op.isComparison && !(op == .equal || op == .notEqual) || (op == .equal || op == .notEqual) && !lhs.isBareName:
      // `AVAL > 4`, `time / 30 >= 12`: numeric comparisons, 1 where they hold.
      for side in [lhs, rhs] {
        for used in try NumericExpression.columns(of: side, comparisons: false, source: formulaSource) {
          _ = try column(used.name, at: used.column)
        }
      }
      return try NumericExpression.evaluate(e, table: table, source: formulaSource)
    case .binary(let op, let lhs, let rhs, let c) where op == .equal || op == .notEqual:
      guard case .name(let name, let nc) = lhs.stripped else {
        throw formulaError(c, "expected 'column \(op.rawValue) value' in the \(roleName), found \(e.deparsed.quotedForMessage)")
      }
      let j = try column(name, at: nc)
      let holds: [Double]
      switch (table.columns[j], rhs.stripped) {
      case (.numeric(let col), .number(let v, _, _)):
        holds = col.values.map { $0.isNaN ? .nan : ($0 == v ? 1 : 0) }
      case (.numeric(let col), .negate(.number(let v, _, _), _)):
        holds = col.values.map { $0.isNaN ? .nan : ($0 == -v ? 1 : 0) }
      case (.categorical(let col), .string(let s, _)), (.categorical(let col), .name(let s, _)),
           (.categorical(let col), .number(_, let s, _)):
        let target = col.levels.firstIndex(of: s).map(Int32.init) ?? -2
        holds = col.codes.map { $0 < 0 ? .nan : ($0 == target ? 1 : 0) }
      case (.numeric, _):
        throw formulaError(rhs.column, "column \(name.quotedForMessage) is numeric, expected a number after '\(op.rawValue)', found \(rhs.deparsed.quotedForMessage)")
      case (.categorical, _):
        throw formulaError(rhs.column, "expected a quoted value after '\(op.rawValue)', found \(rhs.deparsed.quotedForMessage)")
      }
      return op == .equal ? holds : holds.map { $0.isNaN ? .nan : 1 - $0 }
    case .binary(.minus, .number(1, _, _), let inner, let c):
      guard case .name(let name, let nc) = inner.stripped else {
        throw formulaError(c, "expected '1 - column' in the \(roleName), found \(e.deparsed.quotedForMessage)")
      }
      let j = try column(name, at: nc)
      let values: [Double]
      switch table.columns[j] {
      case .numeric(let col):
        for (i, v) in col.values.enumerated() where !v.isNaN && v != 0 && v != 1 {
          throw InputError(table.location(row: i, column: j),
                           "column \(name.quotedForMessage) (\(roleName) in '1 - \(name)'): expected 0 or 1, found \(RNumberText.format(v))")
        }
        values = col.values
      case .categorical:
        values = try statusColumn(j)
      }
      return values.map { $0.isNaN ? .nan : 1 - $0 }
    default:
      throw formulaError(e.column, "unsupported \(roleName) \(e.deparsed.quotedForMessage), expected a column, a comparison such as 'column == value' or 'column > 4', 'column %in% c(...)' or '1 - column'")
    }
  }

  /// The values of `c(...)` (or one value): each as text, and as a number when it is one.
  private func listedValues(_ e: FormulaExpression) throws -> [(text: String, number: Double?)] {
    switch e.stripped {
    case .call("c", let items, let c):
      guard !items.isEmpty else { throw formulaError(c, "expected values in c(...), found c()") }
      return try items.flatMap { try listedValues($0) }
    case .number(let v, _, _): return [(RNumberText.format(v), v)]
    case .negate(.number(let v, _, _), _): return [(RNumberText.format(-v), -v)]
    case .string(let s, _): return [(s, nil)]
    default: throw formulaError(e.column, "expected numbers or quoted values in c(...), found \(e.deparsed.quotedForMessage)")
    }
  }

  /// A status column by R's rules (0/1, 1/2, logical); an outcome column 0/1 or logical.
  private func statusColumn(_ j: Int) throws -> [Double] {
    let name = table.names[j]
    if role == .outcome { return try outcomeColumn(j) }
    switch table.columns[j] {
    case .numeric(let col):
      var hasZero = false
      var hasTwo = false
      for (i, v) in col.values.enumerated() where !v.isNaN {
        if v == 0 { hasZero = true } else if v == 2 { hasTwo = true } else if v != 1 {
          throw InputError(table.location(row: i, column: j),
                           "column \(name.quotedForMessage) (status): expected 0/1 (1 = event), 1/2 (2 = event) or TRUE/FALSE, found \(RNumberText.format(v))")
        }
      }
      if hasTwo {
        if hasZero {
          let i = col.values.firstIndex { $0 == 2 }!
          throw InputError(table.location(row: i, column: j),
                           "column \(name.quotedForMessage) (status): found 2 in a column that also has 0, expected 0/1 (1 = event) or 1/2 (2 = event)")
        }
        return col.values.map { $0.isNaN ? .nan : $0 - 1 }
      }
      return col.values
    case .categorical(let col):
      return try logical(col, column: j) { level in
        "column \(name.quotedForMessage) (status): expected 0/1 (1 = event), 1/2 (2 = event) or TRUE/FALSE, found \(level.quotedForMessage)"
      }
    }
  }

  /// A categorical column of TRUE/FALSE spellings as 1/0; any other level is
  /// an error at its first cell, worded by `message`.
  private func logical(_ col: CategoricalColumn, column j: Int, message: (String) -> String) throws -> [Double] {
    var map = [Double](repeating: .nan, count: col.levels.count)
    for (k, level) in col.levels.enumerated() {
      if StatusEvaluator.trueSpellings.contains(level) {
        map[k] = 1
      } else if StatusEvaluator.falseSpellings.contains(level) {
        map[k] = 0
      } else {
        let i = col.codes.firstIndex(of: Int32(k))!
        throw InputError(table.location(row: i, column: j), message(level))
      }
    }
    return col.codes.map { $0 < 0 ? .nan : map[Int($0)] }
  }

  /// A binary outcome column: 0/1, or TRUE/FALSE.
  private func outcomeColumn(_ j: Int) throws -> [Double] {
    let name = table.names[j]
    switch table.columns[j] {
    case .numeric(let col):
      for (i, v) in col.values.enumerated() where !v.isNaN && v != 0 && v != 1 {
        throw InputError(table.location(row: i, column: j),
                         "column \(name.quotedForMessage) (outcome): expected 0/1 (1 = event) or TRUE/FALSE, found \(RNumberText.format(v)); write the event as \(name) == \(RNumberText.format(v)) if that is what it codes")
      }
      return col.values
    case .categorical(let col):
      return try logical(col, column: j) { level in
        "column \(name.quotedForMessage) (outcome): expected 0/1 or TRUE/FALSE, found \(level.quotedForMessage); write the event as \(name) == \"\(level)\" if that is what it codes"
      }
    }
  }
}
