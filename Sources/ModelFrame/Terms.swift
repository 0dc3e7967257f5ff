import Tabular

/// A variable of the right-hand side: a column, possibly wrapped in `factor()`.
public struct TermVariable: Sendable, Hashable {
  /// The deparsed expression (`age`, `factor(ph.ecog)`): R's variable label.
  public var label: String
  /// The data column it reads.
  public var columnName: String
  /// `factor(x)`: treat as categorical even when numeric.
  public var asFactor: Bool
  /// Where it appears in the formula.
  public var formulaColumn: Int
  /// `strata(x)` inside an interaction (`sex:strata(ph.ecog)`): a factor whose
  /// levels read `ph.ecog=0`, as R's `strata()` labels them.
  public var isStrata = false
  /// How the values are computed from the data, beyond reading a column.
  public var transform: VariableTransform = .none

  public static func == (a: TermVariable, b: TermVariable) -> Bool { a.label == b.label }
  public func hash(into h: inout Hasher) { h.combine(label) }
}

/// What a term variable computes from its column(s).
public enum VariableTransform: Sendable, Equatable {
  /// The column as it is (`factor(x)`: `asFactor`).
  case none
  /// Arithmetic (`I(age^2)`, `log(x)`, `pmin(age, 70)`): a numeric variable.
  case numeric(FormulaExpression)
  /// A comparison (`I(age > 60)`): a logical variable, coded as R codes one,
  /// a factor with levels `FALSE` and `TRUE`.
  case logical(FormulaExpression)
  /// `factor(x, levels = c(...))`: the levels in this order (the first is
  /// the reference).
  case levels([String])
  /// `relevel(x, ref = "level")`: this level first.
  case reference(String)
  /// `cut(x, breaks = c(...))`: intervals `(a,b]` (or `[a,b)` with
  /// `right = FALSE`), labelled as R labels them.
  case cut(FormulaExpression, breaks: [Double], right: Bool, includeLowest: Bool)
  /// `cut(x, k)`: k equal-width intervals over the range of x in the data,
  /// the outer breaks moved out by range/1000, as R's `cut` computes them.
  case cutCount(FormulaExpression, intervals: Int, right: Bool, includeLowest: Bool)
  /// `poly()`, `ns()`, `bs()`: several columns.
  case basis(BasisSpec)

  /// The arithmetic the variable is computed from, if any.
  public var expression: FormulaExpression? {
    switch self {
    case .numeric(let e), .logical(let e), .cut(let e, _, _, _), .cutCount(let e, _, _, _): return e
    case .basis(let spec): return spec.argument
    case .none, .levels, .reference: return nil
    }
  }
}

/// One term of the model: a main effect (one variable) or an interaction.
/// `variables` is ordered by first appearance in the formula, as R's `terms()`.
public struct Term: Sendable, Hashable {
  public var variables: [Int]   // indices into `Terms.variables`
  public var label: String
  public var order: Int { variables.count }
}

/// The right-hand side expanded as R's `terms.formula` does: `a*b` is
/// `a + b + a:b`, terms are sorted by order (main effects, then two-way
/// interactions, …) keeping formula order within an order, duplicates are
/// removed, and `strata()` and `cluster()` are set aside as specials.
public struct Terms: Sendable {
  public var variables: [TermVariable] = []
  public var terms: [Term] = []
  public var hasIntercept = true
  /// Variables of `strata(a, b)` (possibly several `strata()` terms, in order).
  public var strata: [TermVariable] = []
  /// The variable of `cluster(id)`.
  public var cluster: TermVariable?
  /// The arguments of `offset()` terms (their values are added up).
  public var offsets: [FormulaExpression] = []

  /// Expands `formula.predictors`; `.` stands for `dot`, the data's other
  /// columns. Errors name the formula column at fault.
  public init(_ formula: Formula, source: String = "--formula", dot: [String]? = nil) throws {
    var builder = TermsBuilder(source: source)
    builder.dot = dot
    let sets = try builder.resolveStrata(builder.expand(formula.predictors))
    variables = builder.variables
    hasIntercept = builder.hasIntercept
    strata = builder.strata
    cluster = builder.cluster
    offsets = builder.offsets
    var seen = Set<[Int]>()
    var unique: [[Int]] = []
    for set in sets where !set.isEmpty && !seen.contains(set) {
      seen.insert(set)
      unique.append(set)
    }
    let ordered = unique.enumerated().sorted { a, b in
      a.element.count != b.element.count ? a.element.count < b.element.count : a.offset < b.offset
    }.map(\.element)
    terms = ordered.map { vars in
      Term(variables: vars, label: vars.map { builder.variables[$0].label }.joined(separator: ":"))
    }
  }

  /// Whether any term is an interaction.
  public var hasInteractions: Bool { terms.contains { $0.order > 1 } }
}

private struct TermsBuilder {
  let source: String
  var variables: [TermVariable] = []
  var hasIntercept = true
  var strata: [TermVariable] = []
  var cluster: TermVariable?
  /// Each `strata()` call: its text, arguments and column; a term refers to
  /// call k by the placeholder index −(k + 1).
  var strataCalls: [(label: String, args: [FormulaExpression], column: Int)] = []
  /// The columns `.` stands for.
  var dot: [String]?
  var offsets: [FormulaExpression] = []
  /// Terms produced so far by `*`, `^`, `/` and `:` (a bound: `(a + b + …)^k`
  /// grows as 2^k).
  private var produced = 0
  static let maximumTerms = 10_000

  init(source: String) { self.source = source }

  /// Terms of `strata()` alone are dropped; in an interaction the call
  /// becomes a variable of the term, after the term's other variables.
  mutating func resolveStrata(_ sets: [[Int]]) throws -> [[Int]] {
    var out: [[Int]] = []
    for set in sets {
      let others = set.filter { $0 >= 0 }
      if others.isEmpty { continue }
      var resolved = others
      for placeholder in set where placeholder < 0 {
        let call = strataCalls[-placeholder - 1]
        guard call.args.count == 1, case .name(let n, _) = call.args[0] else {
          throw error(call.column, "strata() of several columns inside an interaction is not supported, expected strata(column)")
        }
        if let i = variables.firstIndex(where: { $0.label == call.label }) {
          resolved.append(i)
        } else {
          var v = TermVariable(label: call.label, columnName: n, asFactor: true, formulaColumn: call.column)
          v.isStrata = true
          variables.append(v)
          resolved.append(variables.count - 1)
        }
      }
      out.append(Array(Set(resolved)).sorted())
    }
    return out
  }

  func error(_ column: Int, _ message: String) -> InputError {
    InputError(InputLocation(valueOf: source, column: column), message)
  }

  mutating func variable(_ label: String, column: String, asFactor: Bool, at position: Int,
                         transform: VariableTransform = .none) -> Int {
    if let i = variables.firstIndex(where: { $0.label == label }) { return i }
    var v = TermVariable(label: label, columnName: column, asFactor: asFactor, formulaColumn: position)
    v.transform = transform
    variables.append(v)
    return variables.count - 1
  }

  /// A value of `c(...)` or a single value: numbers as R's `as.character`
  /// writes them, strings as they are.
  func values(_ e: FormulaExpression, what: String) throws -> [String] {
    switch e.stripped {
    case .call("c", let items, let c):
      guard !items.isEmpty else { throw error(c, "expected \(what) as c(...) with at least one value, found c()") }
      return try items.flatMap { try values($0, what: what) }
    case .number(let v, _, _): return [RNumberText.format(v)]
    case .negate(.number(let v, _, _), _): return [RNumberText.format(-v)]
    case .string(let s, _): return [s]
    default: throw error(e.column, "expected \(what) as numbers or quoted values, found \(e.deparsed)")
    }
  }

  /// Numbers of `c(...)` (or one number).
  func numbers(_ e: FormulaExpression, what: String) throws -> [Double] {
    switch e.stripped {
    case .call("c", let items, _): return try items.flatMap { try numbers($0, what: what) }
    case .number(let v, _, _): return [v]
    case .negate(.number(let v, _, _), _): return [-v]
    case .name("Inf", _): return [.infinity]
    case .negate(.name("Inf", _), _): return [-.infinity]
    default: throw error(e.column, "expected \(what) as numbers, c(...), found \(e.deparsed)")
    }
  }

  /// `TRUE` or `FALSE`.
  func flag(_ e: FormulaExpression, name: String) throws -> Bool {
    guard case .name(let v, _) = e.stripped, v == "TRUE" || v == "FALSE" || v == "T" || v == "F" else {
      throw error(e.column, "expected \(name) = TRUE or FALSE, found \(e.deparsed)")
    }
    return v.hasPrefix("T")
  }

  /// Splits a call's arguments into positional ones and named ones,
  /// refusing names not in `allowed` (each named at most once).
  func arguments(_ f: String, _ args: [FormulaExpression], allowed: [String]) throws -> (positional: [FormulaExpression], named: [String: FormulaExpression]) {
    var positional: [FormulaExpression] = []
    var named: [String: FormulaExpression] = [:]
    for a in args {
      if case .named(let n, let value, let c) = a {
        guard allowed.contains(n) else {
          throw error(c, "unsupported argument '\(n) =' of \(f)(), expected " + (allowed.isEmpty ? "none" : allowed.map { "\($0) =" }.joined(separator: ", ")))
        }
        guard named[n] == nil else { throw error(c, "argument '\(n) =' of \(f)() given twice") }
        named[n] = value
      } else {
        positional.append(a)
      }
    }
    return (positional, named)
  }

  /// The column a factor-like call reads: `x`, `factor(x)`, `as.factor(x)`.
  func factorColumn(_ e: FormulaExpression, in f: String) throws -> String {
    switch e.stripped {
    case .name(let n, _): return n
    case .call("factor", let a, _) where a.count == 1, .call("as.factor", let a, _) where a.count == 1:
      if case .name(let n, _) = a[0].stripped { return n }
    default: break
    }
    throw error(e.column, "expected a column or factor(column) in \(f)(), found \(e.deparsed)")
  }

  /// `poly(x, degree, raw = FALSE)`, `bs(x, df, knots, degree = 3,
  /// intercept = FALSE, Boundary.knots)`, `ns(x, df, knots, intercept =
  /// FALSE, Boundary.knots)`, arguments by position or name as R's.
  mutating func basisVariable(_ e: FormulaExpression, _ f: String, _ args: [FormulaExpression], at c: Int) throws -> Int {
    let order: [String] = f == "poly" ? ["x", "degree", "raw"]
      : f == "bs" ? ["x", "df", "knots", "degree", "intercept", "Boundary.knots"]
      : ["x", "df", "knots", "intercept", "Boundary.knots"]
    let (positional, named) = try arguments(f, args, allowed: Array(order.dropFirst()))
    guard positional.count <= order.count else { throw error(c, "expected at most \(order.count) arguments of \(f)(), found \(positional.count)") }
    var given = named
    for (k, a) in positional.enumerated() {
      guard given[order[k]] == nil else { throw error(a.column, "argument \(order[k]) of \(f)() given twice") }
      given[order[k]] = a
    }
    guard let x = given["x"] else { throw error(c, "expected \(f)(column, ...)") }
    let columns = try NumericExpression.columns(of: x, comparisons: false, source: source)
    guard let firstColumn = columns.first else { throw error(x.column, "expected a column inside \(f)()") }
    func whole(_ name: String, _ range: ClosedRange<Int>) throws -> Int? {
      guard let v = given[name] else { return nil }
      guard case .number(let d, _, _) = v.stripped, d == d.rounded(), range.contains(Int(exactly: d) ?? Int.min) else {
        throw error(v.column, "expected \(name) as a whole number in \(range.lowerBound)...\(range.upperBound), found \(v.deparsed)")
      }
      return Int(d)
    }
    let knots = try given["knots"].map { try numbers($0, what: "the knots") }.map { $0.sorted() }
    let boundary = try given["Boundary.knots"].map { try numbers($0, what: "Boundary.knots") }
    let intercept = try given["intercept"].map { try flag($0, name: "intercept") } ?? false
    let kind: BasisSpec.Kind
    switch f {
    case "poly":
      kind = .poly(degree: try whole("degree", 1...25) ?? 1, raw: try given["raw"].map { try flag($0, name: "raw") } ?? false)
    case "bs":
      kind = .bs(degree: try whole("degree", 1...10) ?? 3, df: try whole("df", 1...200), knots: knots, intercept: intercept)
    default:
      kind = .ns(df: try whole("df", 1...200), knots: knots, intercept: intercept)
    }
    return variable(e.deparsed, column: firstColumn.name, asFactor: false, at: c,
                    transform: .basis(BasisSpec(kind: kind, argument: x, boundary: boundary)))
  }

  /// Counts terms made by crossing; too many is an error at `column`.
  mutating func count(_ sets: [[Int]], at column: Int) throws -> [[Int]] {
    produced += sets.count
    if produced > TermsBuilder.maximumTerms {
      throw error(column, "the formula expands to more than \(TermsBuilder.maximumTerms) terms, expected a model formula")
    }
    return sets
  }

  /// A left-deep chain of binary operators (`a + b - c`, `a:b:c`, `a/b/c`,
  /// up to 2,000 operators): walked along its left spine in a loop, then
  /// each operator applied left to right to the terms so far, so the
  /// recursion depth is the nesting, not the number of operators.
  mutating func expandChain(_ e: FormulaExpression) throws -> [[Int]] {
    var steps: [(op: FormulaOperator, right: FormulaExpression, column: Int)] = []
    var leftmost = e
    while case .binary(let op, let a, let b, let c) = leftmost {
      steps.append((op, b, c))
      leftmost = a
    }
    var terms = try expand(leftmost)
    for (op, b, c) in steps.reversed() { terms = try apply(op, left: terms, right: b, at: c) }
    return terms
  }

  /// `left op b` among the terms, as R's terms().
  mutating func apply(_ op: FormulaOperator, left: [[Int]], right b: FormulaExpression, at c: Int) throws -> [[Int]] {
    switch op {
    case .plus:
      return try left + expand(b)
    case .minus:
      if case .number(let v, _, _) = b.stripped, v == 1 || v == 0 {
        if v == 1 { hasIntercept = false }
        return left
      }
      // `a*b - a:b`: the right side's terms are removed, as R's terms().
      let right = try expand(b)
      for set in right where !left.contains(set) {
        let label = set.map { $0 < 0 ? strataCalls[-$0 - 1].label : variables[$0].label }.joined(separator: ":")
        throw error(b.column, "'- \(label)' removes a term the formula does not have, expected one of its terms")
      }
      return left.filter { !right.contains($0) }
    case .colon, .within:
      // `a %in% b` is `a:b` among the terms, as R's terms().
      let right = try expand(b)
      return try count(cross(left, right, at: c), at: c)
    case .times:
      let right = try expand(b)
      return try count(unique(left + right + cross(left, right, at: c)), at: c)
    case .divide:
      // `a / b` is `a + a:b`, with every variable of `a` in the nested term.
      let right = try expand(b)
      let all = Array(Set(left.flatMap { $0 })).sorted()
      return try count(unique(left + cross([all], right, at: c)), at: c)
    case .power:
      // `(a + b + c)^2`: every interaction up to order 2.
      guard case .number(let k, _, _) = b.stripped, k >= 1, k == k.rounded(), k <= 100 else {
        throw error(b.column, "expected a whole number of at least 1 after '^' among the terms, found \(b.deparsed) (arithmetic belongs inside I())")
      }
      var result = left
      for _ in 1..<Int(k) {
        var seen = Set<[Int]>()
        result = try count((result + cross(result, left, at: c)).filter { seen.insert($0).inserted }, at: c)
      }
      return result
    default:
      throw error(c, "'\(op.rawValue)' is allowed in the response or inside I(), found it among the terms")
    }
  }

  /// Each term as the sorted set of its variable indices.
  mutating func expand(_ e: FormulaExpression) throws -> [[Int]] {
    switch e {
    case .name(let n, let c):
      if n == "TRUE" || n == "FALSE" { throw error(c, "expected a variable name, found '\(n)'") }
      if n == ".", let dot {
        guard !dot.isEmpty else { throw error(c, "'.' stands for the other columns, and there are none") }
        return dot.map { [variable(FormulaExpression.name($0, column: c).deparsed, column: $0, asFactor: false, at: c)] }
      }
      return [[variable(e.deparsed, column: n, asFactor: false, at: c)]]
    case .parenthesized(let inner, _):
      return try expand(inner)
    case .named(let n, _, let c):
      throw error(c, "unexpected '\(n) =' among the terms, expected name = value only inside a call")
    case .number(let v, let text, let c):
      if v == 1 { hasIntercept = true; return [] }
      if v == 0 { hasIntercept = false; return [] }
      throw error(c, "expected a variable name, 1 or 0, found '\(text)'")
    case .string(let s, let c):
      throw error(c, "expected a variable name, found the string \"\(s)\"")
    case .call(let f, let args, let c):
      switch f {
      case "factor", "as.factor":
        let (positional, named) = try arguments(f, args, allowed: f == "factor" ? ["levels"] : [])
        guard positional.count == 1 || (f == "factor" && positional.count == 2 && named["levels"] == nil),
              case .name(let n, _) = positional[0].stripped else {
          throw error(c, "expected \(f)(column)" + (f == "factor" ? " or factor(column, levels = c(...))" : "") + ", with a single column name")
        }
        if let levelsExpression = named["levels"] ?? (positional.count == 2 ? positional[1] : nil) {
          let levels = try values(levelsExpression, what: "the levels")
          if let repeated = levels.enumerated().first(where: { levels[..<$0.offset].contains($0.element) }) {
            throw error(levelsExpression.column, "level \(repeated.element.quotedForMessage) is listed twice, expected distinct levels")
          }
          return [[variable(e.deparsed, column: n, asFactor: true, at: c, transform: .levels(levels))]]
        }
        return [[variable(e.deparsed, column: n, asFactor: true, at: c)]]
      case "relevel":
        let (positional, named) = try arguments(f, args, allowed: ["ref"])
        guard let first = positional.first, let refExpression = named["ref"] ?? (positional.count == 2 ? positional[1] : nil),
              positional.count == (named["ref"] == nil ? 2 : 1) else {
          throw error(c, "expected relevel(column, ref = \"level\")")
        }
        let column = try factorColumn(first, in: f)
        let ref = try values(refExpression, what: "the reference level")
        guard ref.count == 1 else { throw error(refExpression.column, "expected one reference level, found \(ref.count)") }
        return [[variable(e.deparsed, column: column, asFactor: true, at: c, transform: .reference(ref[0]))]]
      case "cut":
        let (positional, named) = try arguments(f, args, allowed: ["breaks", "right", "include.lowest"])
        guard let x = positional.first, let breaksExpression = named["breaks"] ?? (positional.count == 2 ? positional[1] : nil),
              positional.count == (named["breaks"] == nil ? 2 : 1) else {
          throw error(c, "expected cut(x, breaks = c(...))")
        }
        let breaks = try numbers(breaksExpression, what: "the breaks")
        let right = try named["right"].map { try flag($0, name: "right") } ?? true
        let lowest = try named["include.lowest"].map { try flag($0, name: "include.lowest") } ?? false
        if breaks.count == 1 {
          // cut(x, k): k intervals of equal width over the data's range.
          let k = breaks[0]
          guard k >= 2, k <= 10_000, k == k.rounded(.down) else {
            throw error(breaksExpression.column, "expected a whole number of intervals from 2 to 10000, or breaks as c(...), found \(breaksExpression.deparsed)")
          }
          let columns = try NumericExpression.columns(of: x, comparisons: false, source: source)
          guard let firstColumn = columns.first else { throw error(x.column, "expected a column inside cut()") }
          return [[variable(e.deparsed, column: firstColumn.name, asFactor: true, at: c,
                            transform: .cutCount(x, intervals: Int(k), right: right, includeLowest: lowest))]]
        }
        guard breaks.count >= 2 else {
          throw error(breaksExpression.column, "expected breaks as c(...) or a number of intervals, found \(breaksExpression.deparsed)")
        }
        guard zip(breaks, breaks.dropFirst()).allSatisfy({ $0 < $1 }) else {
          throw error(breaksExpression.column, "expected increasing breaks, found \(breaksExpression.deparsed)")
        }
        let columns = try NumericExpression.columns(of: x, comparisons: false, source: source)
        guard let firstColumn = columns.first else { throw error(x.column, "expected a column inside cut()") }
        return [[variable(e.deparsed, column: firstColumn.name, asFactor: true, at: c,
                          transform: .cut(x, breaks: breaks, right: right, includeLowest: lowest))]]
      case _ where NumericExpression.isFunction(f):
        // `I(age > 60)` is logical, as R codes it; other arithmetic is numeric.
        var inner = e
        if f == "I", args.count == 1, case .binary(let op, _, _, _) = args[0].stripped, op.isComparison { inner = args[0].stripped }
        let logical = inner != e
        let columns = try NumericExpression.columns(of: e, comparisons: logical, source: source)
        guard let firstColumn = columns.first else {
          throw error(c, "\(e.deparsed) names no column, expected a variable")
        }
        return [[variable(e.deparsed, column: firstColumn.name, asFactor: logical, at: c,
                          transform: logical ? .logical(inner) : .numeric(e))]]
      case "strata":
        guard !args.isEmpty else { throw error(c, "expected strata(column, ...), found strata()") }
        for a in args {
          guard case .name(let n, let ac) = a else { throw error(a.column, "expected a column name inside strata()") }
          strata.append(TermVariable(label: a.deparsed, columnName: n, asFactor: true, formulaColumn: ac))
        }
        // A placeholder: dropped as a main effect (the baseline is
        // stratified instead), a factor of the term where it is crossed
        // with other variables (`sex:strata(ph.ecog)`, as coxph).
        strataCalls.append((e.deparsed, args, c))
        return [[-strataCalls.count]]
      case "cluster":
        guard args.count == 1, case .name(let n, let ac) = args[0] else {
          throw error(c, "expected cluster(column), with a single column name")
        }
        if cluster != nil { throw error(c, "expected at most one cluster() term, found a second") }
        cluster = TermVariable(label: args[0].deparsed, columnName: n, asFactor: true, formulaColumn: ac)
        return []
      case "Surv":
        throw error(c, "Surv() belongs on the left of '~', found it among the terms")
      case "poly", "ns", "bs":
        return [[try basisVariable(e, f, args, at: c)]]
      case "offset":
        // A known part of the linear predictor, not a term (R: offsets add up).
        guard args.count == 1 else { throw error(c, "expected offset(x) with one argument, found \(args.count)") }
        if case .named(let n, _, let nc) = args[0] { throw error(nc, "unexpected argument '\(n) =' of offset(), expected offset(x)") }
        guard !(try NumericExpression.columns(of: args[0], comparisons: false, source: source)).isEmpty else {
          throw error(c, "offset() names no column, expected offset(column) or arithmetic on columns")
        }
        offsets.append(args[0])
        return []
      case "tt", "frailty", "pspline", "ridge":
        throw error(c, "\(f)() is not supported yet, expected a column, factor(), relevel(), cut(), poly(), ns(), bs(), strata(), cluster(), offset() or arithmetic such as I() and log()")
      default:
        throw error(c, "unsupported function '\(f)()' in the terms, expected a column, factor(), relevel(), cut(), poly(), ns(), bs(), strata(), cluster(), I() or one of: \(NumericExpression.functionNames.dropFirst().joined(separator: ", "))")
      }
    case .binary:
      return try expandChain(e)
    case .negate(let inner, let c):
      if case .number(let v, _, _) = inner.stripped, v == 1 { hasIntercept = false; return [] }
      throw error(c, "a term removed with '-' needs terms before it, expected 'terms - term'")
    }
  }

  /// The terms in order of first appearance, each once (R's terms() lists a term once).
  private func unique(_ terms: [[Int]]) -> [[Int]] {
    var seen = Set<[Int]>()
    return terms.filter { seen.insert($0).inserted }
  }

  /// Every union of a term of `a` with a term of `b`, each once. Stops with
  /// the too-many-terms error as soon as the distinct unions alone pass the
  /// limit (a `(…)^30` of fifteen variables would otherwise build hundreds
  /// of thousands of sets before `count` refuses them).
  private func cross(_ a: [[Int]], _ b: [[Int]], at column: Int = 1) throws -> [[Int]] {
    var out: [[Int]] = []
    var seen = Set<[Int]>()
    for x in a {
      for y in b {
        let set = Array(Set(x + y)).sorted()
        if seen.insert(set).inserted {
          out.append(set)
          if produced + out.count > TermsBuilder.maximumTerms {
            throw error(column, "the formula expands to more than \(TermsBuilder.maximumTerms) terms, expected a model formula")
          }
        }
      }
    }
    return out
  }
}
