/// A row filter, `--where "PARAMCD == 'OS' & SAFFL == 'Y'"`: comparisons
/// (`==`, `!=`, `<`, `<=`, `>`, `>=`) of a column with a number or a quoted
/// string, `col in ('A', 'B')` (also R's `%in% c(...)`), `&`, `|`, `!` and
/// parentheses (`&&` and `||` too). A comparison with a missing value is
/// false, as R's `subset()`. Errors point at the character of the expression.
public struct RowFilter: Sendable, Equatable {
  public indirect enum Expression: Sendable, Equatable {
    case compare(column: String, op: String, value: Literal, at: Int)
    case member(column: String, values: [Literal], at: Int)
    case not(Expression)
    case and(Expression, Expression)
    case or(Expression, Expression)
  }

  public enum Literal: Sendable, Equatable {
    case number(Double, text: String)
    case string(String)
  }

  public var text: String
  public var expression: Expression

  public static let option = "--where"

  public init(_ text: String) throws {
    self.text = text
    var parser = Parser(scalars: Array(text.unicodeScalars))
    expression = try parser.parseOr()
    parser.skipSpaces()
    if parser.i < parser.scalars.count {
      throw parser.error("expected '&', '|' or the end of the expression, found \(parser.rest.quotedForMessage)")
    }
  }

  /// The columns the expression reads.
  public var columnNames: Set<String> {
    var out: Set<String> = []
    func walk(_ e: Expression) {
      switch e {
      case .compare(let column, _, _, _), .member(let column, _, _): out.insert(column)
      case .not(let x): walk(x)
      case .and(let a, let b), .or(let a, let b): walk(a); walk(b)
      }
    }
    walk(expression)
    return out
  }

  /// The rows (in order) for which the expression is true.
  public func rows(in table: Table) throws -> [Int] {
    let mask = try evaluate(expression, table)
    return (0..<table.rowCount).filter { mask[$0] }
  }

  private func location(_ at: Int) -> InputLocation { InputLocation(valueOf: RowFilter.option, column: at) }

  private func evaluate(_ e: Expression, _ table: Table) throws -> [Bool] {
    switch e {
    case .not(let x): return try evaluate(x, table).map { !$0 }
    case .and(let a, let b):
      let x = try evaluate(a, table), y = try evaluate(b, table)
      return zip(x, y).map { $0 && $1 }
    case .or(let a, let b):
      let x = try evaluate(a, table), y = try evaluate(b, table)
      return zip(x, y).map { $0 || $1 }
    case .compare(let name, let op, let value, let at):
      let column = try self.column(name, at, table)
      return try compare(column, op, value, at, name, unit: table.calendarUnit(ofColumn: table.columnIndex(named: name)!))
    case .member(let name, let values, let at):
      let column = try self.column(name, at, table)
      let unit = table.calendarUnit(ofColumn: table.columnIndex(named: name)!)
      var mask = [Bool](repeating: false, count: table.rowCount)
      for v in values {
        let m = try compare(column, "==", v, at, name, unit: unit)
        for i in mask.indices where m[i] { mask[i] = true }
      }
      return mask
    }
  }

  private func column(_ name: String, _ at: Int, _ table: Table) throws -> Column {
    guard let c = table.column(named: name) else {
      let available = table.headerNames.prefix(12).joined(separator: ", ") + (table.headerNames.count > 12 ? ", …" : "")
      throw InputError(location(at), "unknown column \(name.quotedForMessage) in \(table.source), expected one of: \(available)")
    }
    return c
  }

  private func compare(_ column: Column, _ op: String, _ value: Literal, _ at: Int, _ name: String,
                       unit: CalendarDate.Unit?) throws -> [Bool] {
    func test(_ order: Int) -> Bool {
      switch op {
      case "==": return order == 0
      case "!=": return order != 0
      case "<": return order < 0
      case "<=": return order <= 0
      case ">": return order > 0
      default: return order >= 0
      }
    }
    switch (column, value) {
    case (.numeric(let c), .number(let x, _)):
      return c.values.map { v in v.isNaN ? false : test(v < x ? -1 : (v > x ? 1 : 0)) }
    case (.numeric(let c), .string(let s)):
      // A date against a date column ('2021-03-04'); a number written as a
      // string ('1') against a numeric column.
      if let unit {
        guard let x = CalendarDate.value(s, in: unit) else {
          throw InputError(location(at), "column \(name.quotedForMessage) holds dates, expected a date such as '2021-03-04'\(unit.isDateTime ? " or '2021-03-04 10:30'" : ""), found \(s.quotedForMessage)")
        }
        return c.values.map { v in v.isNaN ? false : test(v < x ? -1 : (v > x ? 1 : 0)) }
      }
      guard let x = Double(s) else {
        throw InputError(location(at), "column \(name.quotedForMessage) is numeric, expected a number, found \(s.quotedForMessage)")
      }
      return c.values.map { v in v.isNaN ? false : test(v < x ? -1 : (v > x ? 1 : 0)) }
    case (.categorical(let c), _):
      let target: String
      switch value {
      case .string(let s): target = s
      case .number(_, let text): target = text
      }
      if op != "==" && op != "!=" {
        // Byte order, as the level order.
        let orders = c.levels.map { level -> Int in
          byteOrderPrecedes(level, target) ? -1 : (level == target ? 0 : 1)
        }
        return c.codes.map { $0 < 0 ? false : test(orders[Int($0)]) }
      }
      let code = c.levels.firstIndex(of: target).map(Int32.init) ?? -2
      return c.codes.map { $0 < 0 ? false : test($0 == code ? 0 : 1) }
    }
  }
}

private struct Parser {
  let scalars: [Unicode.Scalar]
  var i = 0

  var rest: String { String(String.UnicodeScalarView(scalars[i...])) }

  func error(_ message: String) -> InputError {
    InputError(InputLocation(valueOf: RowFilter.option, column: i + 1), message)
  }

  mutating func skipSpaces() { while i < scalars.count, scalars[i] == " " || scalars[i] == "\t" { i += 1 } }

  mutating func take(_ s: String) -> Bool {
    skipSpaces()
    let u = Array(s.unicodeScalars)
    guard i + u.count <= scalars.count, Array(scalars[i..<(i + u.count)]) == u else { return false }
    i += u.count
    return true
  }

  mutating func parseOr() throws -> RowFilter.Expression {
    var left = try parseAnd()
    while true {
      if take("||") || take("|") { try countOperator(); left = .or(left, try parseAnd()) } else { return left }
    }
  }

  mutating func parseAnd() throws -> RowFilter.Expression {
    var left = try parseUnary()
    while true {
      if take("&&") || take("&") { try countOperator(); left = .and(left, try parseUnary()) } else { return left }
    }
  }

  /// Nesting (`!`, parentheses) deeper than this is an error: the parser and
  /// the evaluation recurse, and no filter comes near it.
  static let maximumDepth = 200
  var depth = 0
  /// `&` and `|` beyond this are an error: each deepens the tree evaluated.
  static let maximumOperators = 2_000
  var operators = 0

  mutating func countOperator() throws {
    operators += 1
    if operators > Parser.maximumOperators {
      throw error("more than \(Parser.maximumOperators) '&' and '|', expected a row filter")
    }
  }

  mutating func nested<T>(_ body: (inout Parser) throws -> T) throws -> T {
    depth += 1
    defer { depth -= 1 }
    if depth > Parser.maximumDepth {
      throw error("nested more than \(Parser.maximumDepth) levels deep, expected a row filter")
    }
    return try body(&self)
  }

  mutating func parseUnary() throws -> RowFilter.Expression {
    skipSpaces()
    if i < scalars.count, scalars[i] == "!", !(i + 1 < scalars.count && scalars[i + 1] == "=") {
      i += 1
      return .not(try nested { try $0.parseUnary() })
    }
    if take("(") {
      let e = try nested { try $0.parseOr() }
      guard take(")") else { throw error("expected ')' to close '(', found \(i < scalars.count ? rest.quotedForMessage : "the end")") }
      return e
    }
    return try parseComparison()
  }

  mutating func name() throws -> (String, Int) {
    skipSpaces()
    let start = i
    if i < scalars.count, scalars[i] == "`" {
      i += 1
      var s = ""
      while i < scalars.count, scalars[i] != "`" { s.unicodeScalars.append(scalars[i]); i += 1 }
      guard i < scalars.count else { throw error("expected a closing '`'") }
      i += 1
      return (s, start + 1)
    }
    var s = ""
    while i < scalars.count, scalars[i].properties.isAlphabetic || ("0"..."9").contains(scalars[i]) || scalars[i] == "_" || scalars[i] == "." {
      s.unicodeScalars.append(scalars[i]); i += 1
    }
    guard !s.isEmpty else {
      throw error("expected a column name, found \(i < scalars.count ? rest.quotedForMessage : "the end of the expression")")
    }
    return (s, start + 1)
  }

  mutating func literal() throws -> RowFilter.Literal {
    skipSpaces()
    guard i < scalars.count else { throw error("expected a number or a quoted string, found the end of the expression") }
    let q = scalars[i]
    if q == "'" || q == "\"" {
      let opening = i
      i += 1
      var s = ""
      while i < scalars.count, scalars[i] != q { s.unicodeScalars.append(scalars[i]); i += 1 }
      guard i < scalars.count else {
        throw InputError(InputLocation(valueOf: RowFilter.option, column: opening + 1),
                         "expected a closing \(q) for the string opened here")
      }
      i += 1
      return .string(s)
    }
    var s = ""
    while i < scalars.count, ("0"..."9").contains(scalars[i]) || "+-.eE".unicodeScalars.contains(scalars[i]) {
      s.unicodeScalars.append(scalars[i]); i += 1
    }
    guard let x = Double(s) else {
      throw error("expected a number or a quoted string, found \((s.isEmpty ? rest : s).quotedForMessage)")
    }
    return .number(x, text: s)
  }

  mutating func parseComparison() throws -> RowFilter.Expression {
    let (column, at) = try name()
    skipSpaces()
    if take("%in%") {
      _ = take("c")
      return .member(column: column, values: try list(), at: at)
    }
    let save = i
    if case let (word, _)? = try? name(), word == "in" {
      return .member(column: column, values: try list(), at: at)
    }
    i = save
    for op in ["==", "!=", "<=", ">=", "<", ">"] where take(op) {
      return .compare(column: column, op: op, value: try literal(), at: at)
    }
    throw error("expected ==, !=, <, <=, >, >= or in after \(column.quotedForMessage), found \(i < scalars.count ? rest.quotedForMessage : "the end of the expression")")
  }

  mutating func list() throws -> [RowFilter.Literal] {
    guard take("(") else { throw error("expected '(' to start the list of values") }
    var values: [RowFilter.Literal] = []
    repeat { values.append(try literal()) } while take(",")
    guard take(")") else { throw error("expected ',' or ')' in the list of values, found \(i < scalars.count ? rest.quotedForMessage : "the end")") }
    return values
  }
}

extension Table {
  /// The rows `rows` (in that order), keeping each row's source line for messages.
  public func selecting(rows: [Int]) -> Table {
    let columns = self.columns.map { column -> Column in
      switch column {
      case .numeric(let c): return .numeric(NumericColumn(values: rows.map { c.values[$0] }))
      case .categorical(let c):
        return .categorical(CategoricalColumn(levels: c.levels, codes: rows.map { c.codes[$0] }, firstNonNumeric: c.firstNonNumeric))
      }
    }
    var t = Table(source: source, names: names, columns: columns, rowCount: rows.count, lines: lines)
    t.rowMap = rows.map { rowMap?[$0] ?? $0 }
    t.variableLabels = variableLabels
    t.units = units
    t.rowsAreRecords = rowsAreRecords
    t.projection = projection
    return t
  }
}
