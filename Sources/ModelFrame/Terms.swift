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

  public static func == (a: TermVariable, b: TermVariable) -> Bool { a.label == b.label }
  public func hash(into h: inout Hasher) { h.combine(label) }
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

  /// Expands `formula.predictors`. Errors name the formula column at fault.
  public init(_ formula: Formula, source: String = "--formula") throws {
    var builder = TermsBuilder(source: source)
    let sets = try builder.resolveStrata(builder.expand(formula.predictors))
    variables = builder.variables
    hasIntercept = builder.hasIntercept
    strata = builder.strata
    cluster = builder.cluster
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

  mutating func variable(_ label: String, column: String, asFactor: Bool, at position: Int) -> Int {
    if let i = variables.firstIndex(where: { $0.label == label }) { return i }
    variables.append(TermVariable(label: label, columnName: column, asFactor: asFactor, formulaColumn: position))
    return variables.count - 1
  }

  /// Each term as the sorted set of its variable indices.
  mutating func expand(_ e: FormulaExpression) throws -> [[Int]] {
    switch e {
    case .name(let n, let c):
      if n == "TRUE" || n == "FALSE" { throw error(c, "expected a variable name, found '\(n)'") }
      return [[variable(e.deparsed, column: n, asFactor: false, at: c)]]
    case .number(let v, let text, let c):
      if v == 1 { hasIntercept = true; return [] }
      if v == 0 { hasIntercept = false; return [] }
      throw error(c, "expected a variable name, 1 or 0, found '\(text)'")
    case .string(let s, let c):
      throw error(c, "expected a variable name, found the string \"\(s)\"")
    case .call(let f, let args, let c):
      switch f {
      case "factor", "as.factor":
        guard args.count == 1, case .name(let n, _) = args[0] else {
          throw error(c, "expected \(f)(column), with a single column name")
        }
        return [[variable(e.deparsed, column: n, asFactor: true, at: c)]]
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
      default:
        throw error(c, "unsupported function '\(f)()' in the terms, expected a column name, factor(), strata() or cluster()")
      }
    case .binary(let op, let a, let b, let c):
      switch op {
      case .plus:
        return try expand(a) + expand(b)
      case .minus:
        if case .number(let v, _, _) = b, v == 1 || v == 0 {
          let left = try expand(a)
          if v == 1 { hasIntercept = false }
          return left
        }
        throw error(b.column, "removing terms with '-' is supported only as '- 1'")
      case .colon:
        let left = try expand(a)
        let right = try expand(b)
        return cross(left, right)
      case .times:
        let left = try expand(a)
        let right = try expand(b)
        return left + right + cross(left, right)
      case .equal, .notEqual:
        throw error(c, "'\(op.rawValue)' is allowed only inside Surv(), found it among the terms")
      }
    case .negate(let inner, let c):
      if case .number(let v, _, _) = inner, v == 1 { hasIntercept = false; return [] }
      throw error(c, "removing terms with '-' is supported only as '- 1'")
    }
  }

  private func cross(_ a: [[Int]], _ b: [[Int]]) -> [[Int]] {
    var out: [[Int]] = []
    for x in a {
      for y in b {
        out.append(Array(Set(x + y)).sorted())
      }
    }
    return out
  }
}
