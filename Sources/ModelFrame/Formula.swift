import Tabular

/// A span of a formula string: 1-based column of its first Unicode scalar.
public typealias FormulaColumn = Int

/// An expression of R's formula language, as far as `outcomes` understands it.
public indirect enum FormulaExpression: Sendable, Equatable {
  /// A column name (`age`, `` `my col` ``) or `TRUE`/`FALSE`.
  case name(String, column: FormulaColumn)
  /// A number, with its original spelling.
  case number(Double, text: String, column: FormulaColumn)
  /// A quoted string.
  case string(String, column: FormulaColumn)
  /// `f(a, b)`.
  case call(String, [FormulaExpression], column: FormulaColumn)
  /// `a op b`.
  case binary(FormulaOperator, FormulaExpression, FormulaExpression, column: FormulaColumn)
  /// `-a`.
  case negate(FormulaExpression, column: FormulaColumn)

  /// Where the expression starts in the formula string.
  public var column: FormulaColumn {
    switch self {
    case .name(_, let c), .number(_, _, let c), .string(_, let c), .call(_, _, let c),
         .binary(_, _, _, let c), .negate(_, let c):
      return c
    }
  }

  /// The expression as R's `deparse` writes it: `factor(ph.ecog)`, `a:b`,
  /// `CNSR == 0`. Term labels and design-matrix column names are built from it.
  public var deparsed: String {
    switch self {
    case .name(let n, _): return FormulaExpression.isSyntacticName(n) ? n : "`\(n)`"
    case .number(_, let text, _): return text
    case .string(let s, _): return "\"\(s)\""
    case .call(let f, let args, _): return "\(f)(" + args.map(\.deparsed).joined(separator: ", ") + ")"
    case .binary(let op, let a, let b, _):
      return op == .colon ? "\(a.deparsed):\(b.deparsed)" : "\(a.deparsed) \(op.rawValue) \(b.deparsed)"
    case .negate(let a, _): return "-\(a.deparsed)"
    }
  }

  /// Whether `name` is a syntactic R name (letters, digits, `.`, `_`; not
  /// starting with a digit or `_`, nor with `.` followed by a digit).
  public static func isSyntacticName(_ name: String) -> Bool {
    let scalars = Array(name.unicodeScalars)
    guard let first = scalars.first else { return false }
    if !(first.properties.isAlphabetic || first == ".") { return false }
    if first == ".", scalars.count > 1, ("0"..."9").contains(scalars[1]) { return false }
    return scalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "." || $0 == "_" }
  }
}

/// Binary operators of the formula language, spelled as in R.
public enum FormulaOperator: String, Sendable {
  case plus = "+"
  case minus = "-"
  case times = "*"
  case colon = ":"
  case equal = "=="
  case notEqual = "!="
}

/// A parsed formula `lhs ~ rhs`.
public struct Formula: Sendable, Equatable {
  /// The response (`Surv(time, status)`), absent in `~ x`.
  public var response: FormulaExpression?
  /// The right-hand side.
  public var predictors: FormulaExpression
  /// The original text, for messages.
  public var text: String

  public init(response: FormulaExpression?, predictors: FormulaExpression, text: String) {
    self.response = response
    self.predictors = predictors
    self.text = text
  }

  /// Parses R formula syntax. Errors point at the character (`--formula:1:22`).
  public static func parse(_ text: String, source: String = "--formula") throws -> Formula {
    var parser = try FormulaParser(text: text, source: source)
    return try parser.parseFormula()
  }
}
