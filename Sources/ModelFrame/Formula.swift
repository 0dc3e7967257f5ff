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
  /// `(a)`: kept so that labels read as written (`I((age - 50)^2)`).
  case parenthesized(FormulaExpression, column: FormulaColumn)
  /// `name = value`, an argument of a call (`relevel(f, ref = "1")`).
  case named(String, FormulaExpression, column: FormulaColumn)

  /// Where the expression starts in the formula string.
  public var column: FormulaColumn {
    switch self {
    case .name(_, let c), .number(_, _, let c), .string(_, let c), .call(_, _, let c),
         .binary(_, _, _, let c), .negate(_, let c), .parenthesized(_, let c), .named(_, _, let c):
      return c
    }
  }

  /// Whether the expression is a column name (possibly in parentheses).
  public var isBareName: Bool {
    if case .name = stripped { return true }
    return false
  }

  /// The names it mentions, in order of first appearance (functions not included).
  public var names: [String] {
    var out: [String] = []
    func walk(_ e: FormulaExpression) {
      switch e {
      case .name(let n, _): if !out.contains(n) { out.append(n) }
      case .number, .string: break
      case .call(_, let args, _): args.forEach(walk)
      case .binary(_, let a, let b, _): walk(a); walk(b)
      case .negate(let a, _), .parenthesized(let a, _), .named(_, let a, _): walk(a)
      }
    }
    walk(self)
    return out
  }

  /// Whether the expression is `( … )`.
  public var isParenthesized: Bool {
    if case .parenthesized = self { return true }
    return false
  }

  /// Without the parentheses around it.
  public var stripped: FormulaExpression {
    if case .parenthesized(let inner, _) = self { return inner.stripped }
    return self
  }

  /// The expression as R's `deparse` writes it: `factor(ph.ecog)`, `a:b`,
  /// `CNSR == 0`. Term labels and design-matrix column names are built from it.
  public var deparsed: String {
    switch self {
    case .name(let n, _): return FormulaExpression.isSyntacticName(n) ? n : "`\(n)`"
    case .number(let v, let text, _):
      // R deparses a constant with 15 significant digits (`10.0` → `10`,
      // `1e5` → `1e+05`); an integer-valued spelling such as `2` stays.
      return v.isFinite ? RNumberText.format(v) : text
    case .string(let s, _):
      return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    case .call(let f, let args, _):
      return (FormulaExpression.isSyntacticName(f) ? f : "`\(f)`") + "(" + args.map(\.deparsed).joined(separator: ", ") + ")"
    case .binary(let op, let a, let b, _):
      // R writes `:`, `/` and `^` without spaces, the others with.
      switch op {
      case .colon, .divide, .power: return "\(a.deparsed)\(op.rawValue)\(b.deparsed)"
      default: return "\(a.deparsed) \(op.rawValue) \(b.deparsed)"
      }
    case .negate(let a, _): return "-\(a.deparsed)"
    case .parenthesized(let a, _): return "(\(a.deparsed))"
    case .named(let n, let a, _): return "\(n) = \(a.deparsed)"
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
  case divide = "/"
  case power = "^"
  case within = "%in%"
  case equal = "=="
  case notEqual = "!="
  case less = "<"
  case lessOrEqual = "<="
  case greater = ">"
  case greaterOrEqual = ">="

  /// `==`, `!=`, `<`, `<=`, `>`, `>=`.
  public var isComparison: Bool {
    switch self {
    case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual: return true
    default: return false
    }
  }
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

  /// The columns the formula reads; `nil` when it uses `.` (every column).
  public var columnNames: Set<String>? {
    let names = (response?.names ?? []) + predictors.names
    return names.contains(".") ? nil : Set(names)
  }

  /// Parses R formula syntax. Errors point at the character (`--formula:1:22`).
  public static func parse(_ text: String, source: String = "--formula") throws -> Formula {
    var parser = try FormulaParser(text: text, source: source)
    return try parser.parseFormula()
  }
}
