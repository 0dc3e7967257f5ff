import Tabular

/// One token of a formula. `column` is the 1-based Unicode scalar offset.
struct FormulaToken: Equatable {
  enum Kind: Equatable {
    case name(String)
    case number(Double, String)
    case string(String)
    case symbol(String)   // ~ + - * / ^ : %in% ( ) , = == != < <= > >=
    case end
  }
  var kind: Kind
  var column: Int

  var display: String {
    switch kind {
    case .name(let n): return "'\(n)'"
    case .number(_, let t): return "'\(t)'"
    case .string(let s): return "'\"\(s)\"'"
    case .symbol(let s): return "'\(s)'"
    case .end: return "the end of the formula"
    }
  }
}

/// Recursive-descent parser for R's formula syntax with R's precedence:
/// `~` < comparison (`==`, `!=`, `<`, `<=`, `>`, `>=`) < `+ -` < `* /` <
/// `%in%` < `:` < unary minus < `^` (right-associative) < call/name.
struct FormulaParser {
  private var tokens: [FormulaToken] = []
  private var index = 0
  private let source: String
  private let text: String

  init(text: String, source: String) throws {
    self.text = text
    self.source = source
    self.tokens = try FormulaParser.tokenize(text, source: source)
  }

  private func error(_ column: Int, _ message: String) -> InputError {
    InputError(InputLocation(valueOf: source, column: column), message)
  }

  static func tokenize(_ text: String, source: String) throws -> [FormulaToken] {
    let s = Array(text.unicodeScalars)
    var tokens: [FormulaToken] = []
    var i = 0
    func err(_ col: Int, _ msg: String) -> InputError {
      InputError(InputLocation(valueOf: source, column: col), msg)
    }
    while i < s.count {
      let c = s[i]
      let column = i + 1
      if c == " " || c == "\t" || c == "\n" || c == "\r" { i += 1; continue }
      if c.properties.isAlphabetic || c == "." && !(i + 1 < s.count && ("0"..."9").contains(s[i + 1])) {
        var j = i
        while j < s.count, s[j].properties.isAlphabetic || ("0"..."9").contains(s[j]) || s[j] == "." || s[j] == "_" { j += 1 }
        var name = String.UnicodeScalarView()
        name.append(contentsOf: s[i..<j])
        tokens.append(FormulaToken(kind: .name(String(name)), column: column))
        i = j
        continue
      }
      if ("0"..."9").contains(c) || c == "." {
        var j = i
        while j < s.count, ("0"..."9").contains(s[j]) || s[j] == "." { j += 1 }
        if j < s.count, s[j] == "e" || s[j] == "E" {
          var k = j + 1
          if k < s.count, s[k] == "+" || s[k] == "-" { k += 1 }
          if k < s.count, ("0"..."9").contains(s[k]) {
            while k < s.count, ("0"..."9").contains(s[k]) { k += 1 }
            j = k
          }
        }
        var spelled = String.UnicodeScalarView()
        spelled.append(contentsOf: s[i..<j])
        let t = String(spelled)
        guard let v = Double(t) else { throw err(column, "malformed number '\(t)'") }
        tokens.append(FormulaToken(kind: .number(v, t), column: column))
        i = j
        continue
      }
      if c == "`" || c == "\"" || c == "'" {
        var j = i + 1
        var value = String.UnicodeScalarView()
        while j < s.count, s[j] != c {
          if s[j] == "\\", j + 1 < s.count { j += 1 }
          value.append(s[j])
          j += 1
        }
        if j == s.count {
          throw err(column, "expected a closing \(c) for the one opened at column \(column), found the end of the formula")
        }
        let kind: FormulaToken.Kind = c == "`" ? .name(String(value)) : .string(String(value))
        tokens.append(FormulaToken(kind: kind, column: column))
        i = j + 1
        continue
      }
      if "=!<>".unicodeScalars.contains(c), i + 1 < s.count, s[i + 1] == "=" {
        tokens.append(FormulaToken(kind: .symbol(String(c) + "="), column: column))
        i += 2
        continue
      }
      if c == "%" {
        var j = i + 1
        while j < s.count, s[j] != "%" { j += 1 }
        var spelled = String.UnicodeScalarView()
        spelled.append(contentsOf: s[i..<min(j + 1, s.count)])
        guard String(spelled) == "%in%" else {
          throw err(column, "unsupported operator '\(String(spelled))', expected %in%")
        }
        tokens.append(FormulaToken(kind: .symbol("%in%"), column: column))
        i = j + 1
        continue
      }
      if "~+-*:(),/^<>=".unicodeScalars.contains(c) {
        tokens.append(FormulaToken(kind: .symbol(String(c)), column: column))
        i += 1
        continue
      }
      throw err(column, "unexpected character '\(String(c))' in the formula")
    }
    tokens.append(FormulaToken(kind: .end, column: s.count + 1))
    return tokens
  }

  private var current: FormulaToken { tokens[index] }

  private func isSymbol(_ s: String) -> Bool {
    if case .symbol(let x) = current.kind { return x == s }
    return false
  }

  mutating func parseFormula() throws -> Formula {
    if case .end = current.kind { throw error(current.column, "empty formula, expected 'response ~ terms'") }
    var response: FormulaExpression? = nil
    if !isSymbol("~") {
      response = try parseComparison()
    }
    guard isSymbol("~") else {
      throw error(current.column, "expected '~' between the response and the terms, found \(current.display)")
    }
    index += 1
    let predictors = try parseComparison()
    if case .end = current.kind {} else {
      if isSymbol(")") {
        throw error(current.column, "unexpected ')' with no matching '('")
      }
      throw error(current.column, "expected '+', ':', '*' or the end of the formula, found \(current.display)")
    }
    return Formula(response: response, predictors: predictors, text: text)
  }

  private mutating func parseComparison() throws -> FormulaExpression {
    let lhs = try parseAdditive()
    if case .symbol(let s) = current.kind, let op = FormulaOperator(rawValue: s), op.isComparison {
      index += 1
      let rhs = try parseAdditive()
      if case .symbol(let t) = current.kind, let next = FormulaOperator(rawValue: t), next.isComparison {
        throw error(current.column, "unexpected '\(t)' after a comparison, expected parentheses around one of them")
      }
      return .binary(op, lhs, rhs, column: lhs.column)
    }
    return lhs
  }

  /// A left-associative chain of the operators `ops` over operands parsed by `operand`.
  private mutating func chain(_ ops: [FormulaOperator],
                              _ operand: (inout FormulaParser) throws -> FormulaExpression) throws -> FormulaExpression {
    var lhs = try operand(&self)
    while case .symbol(let s) = current.kind, let op = FormulaOperator(rawValue: s), ops.contains(op) {
      try countOperator()
      index += 1
      let rhs = try operand(&self)
      lhs = .binary(op, lhs, rhs, column: lhs.column)
    }
    return lhs
  }

  private mutating func parseAdditive() throws -> FormulaExpression {
    try chain([.plus, .minus]) { try $0.parseMultiplicative() }
  }

  private mutating func parseMultiplicative() throws -> FormulaExpression {
    try chain([.times, .divide]) { try $0.parseWithin() }
  }

  private mutating func parseWithin() throws -> FormulaExpression {
    try chain([.within]) { try $0.parseColon() }
  }

  private mutating func parseColon() throws -> FormulaExpression {
    try chain([.colon]) { try $0.parseUnary() }
  }

  /// Nesting (parentheses, calls, unary signs) deeper than this is an
  /// error: the parser and everything that walks the tree recurse, and no
  /// model formula comes near it.
  static let maximumDepth = 200
  private var depth = 0
  /// Binary operators (`+`, `*`, `:`, …) beyond this are an error: each one
  /// deepens the tree the model's terms are expanded from.
  static let maximumOperators = 2_000
  private var operators = 0

  private mutating func countOperator() throws {
    operators += 1
    if operators > FormulaParser.maximumOperators {
      throw error(current.column, "more than \(FormulaParser.maximumOperators) operators, expected a model formula")
    }
  }

  private mutating func nested<T>(_ column: Int, _ body: (inout FormulaParser) throws -> T) throws -> T {
    depth += 1
    defer { depth -= 1 }
    if depth > FormulaParser.maximumDepth {
      throw error(column, "nested more than \(FormulaParser.maximumDepth) levels deep, expected a model formula")
    }
    return try body(&self)
  }

  private mutating func parseUnary() throws -> FormulaExpression {
    if isSymbol("-") {
      let column = current.column
      index += 1
      return .negate(try nested(column) { try $0.parseUnary() }, column: column)
    }
    if isSymbol("+") {
      let column = current.column
      index += 1
      return try nested(column) { try $0.parseUnary() }
    }
    return try parsePower()
  }

  /// `a^b`: binds tighter than unary minus (`-2^2` is −4) and groups to the
  /// right; the exponent may carry a sign (`x^-1`).
  private mutating func parsePower() throws -> FormulaExpression {
    let base = try parsePrimary()
    guard isSymbol("^") else { return base }
    let column = current.column
    try countOperator()
    index += 1
    let exponent = try nested(column) { try $0.parseUnary() }
    return .binary(.power, base, exponent, column: base.column)
  }

  private mutating func parsePrimary() throws -> FormulaExpression {
    let token = current
    switch token.kind {
    case .name(let name):
      index += 1
      if isSymbol("(") {
        let open = token.column
        index += 1
        var args: [FormulaExpression] = []
        if !isSymbol(")") {
          while true {
            if case .name(let argument) = current.kind, index + 1 < tokens.count, tokens[index + 1].kind == .symbol("=") {
              let at = current.column
              index += 2
              args.append(.named(argument, try nested(open) { try $0.parseComparison() }, column: at))
            } else {
              args.append(try nested(open) { try $0.parseComparison() })
            }
            if isSymbol(",") { index += 1; continue }
            if isSymbol(")") { break }
            throw error(current.column, "expected ',' or ')' to close '\(name)(' opened at column \(open), found \(current.display)")
          }
        }
        index += 1
        return .call(name, args, column: token.column)
      }
      return .name(name, column: token.column)
    case .number(let v, let t):
      index += 1
      return .number(v, text: t, column: token.column)
    case .string(let s):
      index += 1
      return .string(s, column: token.column)
    case .symbol("("):
      let open = token.column
      index += 1
      let inner = try nested(open) { try $0.parseComparison() }
      guard isSymbol(")") else {
        throw error(current.column, "expected ')' to close '(' opened at column \(open), found \(current.display)")
      }
      index += 1
      return .parenthesized(inner, column: open)
    case .symbol("="):
      throw error(token.column, "unexpected '=', expected '==' for a comparison or name = value inside a call")
    case .symbol(let s):
      throw error(token.column, "expected a variable name, found '\(s)'")
    case .end:
      throw error(token.column, "expected a variable name, found the end of the formula")
    }
  }
}
