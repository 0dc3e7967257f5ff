import Foundation
import Tabular

/// Arithmetic inside a formula, as R evaluates it row by row: `I(age^2)`,
/// `log(wt.loss + 1)`, `pmin(age, 70)`, `Surv(time / 30.4375, status)`,
/// `AVAL > 4`.
///
/// Operators `+ - * / ^`, unary minus, comparisons (1 where they hold, 0
/// where not); functions `I`, `log` (with an optional `base`), `log2`,
/// `log10`, `log1p`, `exp`, `sqrt`, `abs`, `floor`, `ceiling`,
/// `as.numeric`, `pmin`, `pmax`. A missing input gives a missing value;
/// whether a value from complete inputs is finite is for the caller to
/// check (R stops on an infinite predictor; a NaN such as `log(-1)` R turns
/// into a dropped row with a warning, `outcomes` into an error).
enum NumericExpression {
  static let unaryFunctions: [String: @Sendable (Double) -> Double] = [
    "I": { $0 }, "as.numeric": { $0 },
    "log": { Foundation.log($0) }, "log2": { Foundation.log2($0) }, "log10": { Foundation.log10($0) },
    "log1p": { Foundation.log1p($0) }, "exp": { Foundation.exp($0) }, "sqrt": { $0.squareRoot() },
    "abs": { Swift.abs($0) }, "floor": { $0.rounded(.down) }, "ceiling": { $0.rounded(.up) },
  ]
  static let functionNames = ["I", "log", "log2", "log10", "log1p", "exp", "sqrt", "abs", "floor", "ceiling", "as.numeric", "pmin", "pmax"]

  /// Whether `f` is one of the functions evaluated here.
  static func isFunction(_ f: String) -> Bool { unaryFunctions[f] != nil || f == "pmin" || f == "pmax" }

  /// Checks the shape of `e` (known functions, argument counts, no strings)
  /// and returns the columns it names, in order of first appearance.
  static func columns(of e: FormulaExpression, comparisons: Bool, source: String) throws -> [(name: String, column: Int)] {
    var names: [(name: String, column: Int)] = []
    func error(_ c: Int, _ m: String) -> InputError { InputError(InputLocation(valueOf: source, column: c), m) }
    func walk(_ e: FormulaExpression) throws {
      switch e {
      case .name(let n, let c):
        if n == "TRUE" || n == "FALSE" { return }
        if !names.contains(where: { $0.name == n }) { names.append((n, c)) }
      case .number: return
      case .string(let s, let c):
        throw error(c, "expected a number or a column in arithmetic, found the string \"\(s)\"")
      case .parenthesized(let inner, _), .negate(let inner, _): try walk(inner)
      case .named(let n, _, let c):
        throw error(c, "unexpected argument '\(n) =' here, expected a number or a column")
      case .binary(let op, let a, let b, let c):
        switch op {
        case .plus, .minus, .times, .divide, .power: break
        case _ where op.isComparison:
          if !comparisons { throw error(c, "a comparison '\(op.rawValue)' is allowed in the response or inside I(), expected arithmetic here") }
        default:
          throw error(c, "'\(op.rawValue)' is a formula operator, expected arithmetic (+ - * / ^) inside a function")
        }
        try walk(a)
        try walk(b)
      case .call(let f, let args, let c):
        if f == "pmin" || f == "pmax" {
          guard !args.isEmpty else { throw error(c, "expected \(f)(a, b, ...), found \(f)()") }
          for a in args { try walk(a) }
        } else if f == "log" {
          guard args.count == 1 || args.count == 2 else { throw error(c, "expected log(x) or log(x, base), found \(args.count) arguments") }
          try walk(args[0])
          if args.count == 2 {
            if case .named(let n, let base, let bc) = args[1] {
              guard n == "base" else { throw error(bc, "unexpected argument '\(n) =' of log(), expected base =") }
              try walk(base)
            } else {
              try walk(args[1])
            }
          }
        } else if unaryFunctions[f] != nil {
          guard args.count == 1 else { throw error(c, "expected \(f)(x) with one argument, found \(args.count)") }
          if case .named(let n, _, let nc) = args[0] { throw error(nc, "unexpected argument '\(n) =' of \(f)(), expected \(f)(x)") }
          try walk(args[0])
        } else {
          throw error(c, "unsupported function '\(f)()' in arithmetic, expected one of: \(functionNames.joined(separator: ", "))")
        }
      }
    }
    try walk(e)
    return names
  }

  /// A value during evaluation: a constant stays one number, a column is
  /// the table's own storage (shared, not copied); only computed
  /// intermediate results take memory.
  private enum Value {
    case constant(Double)
    case vector([Double])

    func at(_ i: Int) -> Double {
      switch self {
      case .constant(let c): return c
      case .vector(let v): return v[i]
      }
    }
  }

  /// The values of `e` over every row of `table` (NaN where an input is
  /// missing). `columns(of:)` must have accepted `e`.
  ///
  /// Of two operands the deeper is evaluated first (Sethi–Ullman order), so
  /// a long chain holds a few computed columns at a time whichever way it
  /// nests.
  static func evaluate(_ e: FormulaExpression, table: Table, source: String) throws -> [Double] {
    let n = table.rowCount
    func error(_ c: Int, _ m: String) -> InputError { InputError(InputLocation(valueOf: source, column: c), m) }
    func depth(_ e: FormulaExpression) -> Int {
      switch e {
      case .name, .number, .string: return 0
      case .parenthesized(let a, _), .negate(let a, _), .named(_, let a, _): return depth(a) + (e.isParenthesized ? 0 : 1)
      case .binary(_, let a, let b, _): return max(depth(a), depth(b)) + 1
      case .call(_, let args, _): return (args.map(depth).max() ?? 0) + 1
      }
    }
    /// `op` applied row by row.
    func combine(_ x: Value, _ y: Value, _ op: (Double, Double) -> Double) -> Value {
      switch (x, y) {
      case (.constant(let a), .constant(let b)): return .constant(op(a, b))
      case (.vector(var v), _):
        for i in 0..<n { v[i] = op(v[i], y.at(i)) }
        return .vector(v)
      case (.constant(let a), .vector(var v)):
        for i in 0..<n { v[i] = op(a, v[i]) }
        return .vector(v)
      }
    }
    func map(_ x: Value, _ f: (Double) -> Double) -> Value {
      switch x {
      case .constant(let a): return .constant(f(a))
      case .vector(var v):
        for i in 0..<n { v[i] = f(v[i]) }
        return .vector(v)
      }
    }
    func pair(_ a: FormulaExpression, _ b: FormulaExpression) throws -> (Value, Value) {
      if depth(b) > depth(a) {
        let y = try value(b)
        return (try value(a), y)
      }
      let x = try value(a)
      return (x, try value(b))
    }
    func value(_ e: FormulaExpression) throws -> Value {
      switch e {
      case .name(let name, let c):
        guard let j = table.columnIndex(named: name) else {
          if name == "TRUE" || name == "FALSE" { return .constant(name == "TRUE" ? 1 : 0) }
          let available = table.headerNames.prefix(12).joined(separator: ", ") + (table.headerNames.count > 12 ? ", …" : "")
          throw error(c, "unknown column \(name.quotedForMessage) in \(table.source), expected one of: \(available)")
        }
        switch table.columns[j] {
        case .numeric(let col): return .vector(col.values)
        case .categorical:
          throw error(c, "column \(name.quotedForMessage) is categorical, expected a numeric column in arithmetic")
        }
      case .number(let v, _, _): return .constant(v)
      case .parenthesized(let inner, _): return try value(inner)
      case .negate(let inner, _): return map(try value(inner)) { -$0 }
      case .binary(let op, let a, let b, _):
        let (x, y) = try pair(a, b)
        func holds(_ test: @escaping (Double, Double) -> Bool) -> Value {
          combine(x, y) { u, v in u.isNaN || v.isNaN ? .nan : (test(u, v) ? 1 : 0) }
        }
        switch op {
        case .plus: return combine(x, y, +)
        case .minus: return combine(x, y, -)
        case .times: return combine(x, y, *)
        case .divide: return combine(x, y, /)
        case .power: return combine(x, y, RPower.power)
        case .equal: return holds(==)
        case .notEqual: return holds(!=)
        case .less: return holds(<)
        case .lessOrEqual: return holds(<=)
        case .greater: return holds(>)
        case .greaterOrEqual: return holds(>=)
        case .colon, .within:
          throw error(e.column, "'\(op.rawValue)' is a formula operator, expected arithmetic")
        }
      case .call(let f, let args, _):
        if f == "pmin" || f == "pmax" {
          // R's pmin/pmax with na.rm = FALSE: NA wherever an argument is NA.
          var out = try value(args[0])
          for a in args.dropFirst() {
            out = combine(out, try value(a)) { u, v in
              u.isNaN || v.isNaN ? .nan : (f == "pmin" ? Swift.min(u, v) : Swift.max(u, v))
            }
          }
          return out
        }
        if f == "log" && args.count == 2 {
          var baseExpression = args[1]
          if case .named(_, let b, _) = args[1] { baseExpression = b }
          let (x, base) = try pair(args[0], baseExpression)
          return combine(x, base) { Foundation.log($0) / Foundation.log($1) }
        }
        return map(try value(args[0]), unaryFunctions[f]!)
      case .string, .named:
        throw error(e.column, "expected a number or a column in arithmetic, found \(e.deparsed)")
      }
    }
    switch try value(e) {
    case .constant(let c): return [Double](repeating: c, count: n)
    case .vector(let v): return v
    }
  }
}

/// `x^y` as R's `R_POW`: `x^0` and `1^y` are 1 even for NaN, `x^2` is `x * x`.
enum RPower {
  static func power(_ x: Double, _ y: Double) -> Double {
    if x == 1 || y == 0 { return 1 }
    if x.isNaN || y.isNaN { return .nan }
    return y == 2 ? x * x : Foundation.pow(x, y)
  }
}
