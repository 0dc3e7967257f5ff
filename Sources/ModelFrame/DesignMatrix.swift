import LinearAlgebra
import Tabular

/// The model matrix of the right-hand side, with columns named as R's
/// `model.matrix` names them (`age`, `sexM`, `factor(ph.ecog)1`, `age:sexM`).
///
/// Coding (R's `TermCode`, *Statistical Models in S* p. 38): a factor in a term
/// is coded by treatment contrasts (k − 1 columns, first level the reference)
/// when the term with that factor removed is the intercept or appears earlier
/// in the model, and by k indicator columns otherwise. Without an intercept
/// the first factor of the first term that has one gets indicators. Within an
/// interaction the first variable varies fastest. Levels with no rows among
/// the kept rows are dropped first.
public struct DesignMatrix: Sendable {
  /// n × p, column-major.
  public var matrix: Matrix
  public var columnNames: [String]
  /// For each column, the index of its term in `Terms.terms` (-1 for the intercept), as R's `assign` minus one.
  public var assign: [Int]

  public var columns: Int { columnNames.count }
}

extension ModelFrame {
  /// The design matrix. With `intercept: false` (Cox) the contrasts are the
  /// ones R computes with the intercept present, and the intercept column is
  /// then left out, as `coxph` does. A formula with `- 1` has no intercept
  /// column either way.
  public func designMatrix(intercept: Bool) -> DesignMatrix {
    let n = self.n
    let factors: [Factor?] = variables.map {
      if case .factor(let f) = $0 { return f }
      return nil
    }
    // Coding per (term, variable): true = contrasts, false = indicators.
    var coding: [[Bool]] = []
    let termSets = terms.terms.map { Set($0.variables) }
    for (t, term) in terms.terms.enumerated() {
      var codes: [Bool] = []
      for v in term.variables {
        let rest = termSets[t].subtracting([v])
        if rest.isEmpty {
          codes.append(true)
        } else {
          codes.append(termSets[..<t].contains { rest.isSubset(of: $0) })
        }
      }
      coding.append(codes)
    }
    if !terms.hasIntercept {
      outer: for (t, term) in terms.terms.enumerated() {
        for (k, v) in term.variables.enumerated() where factors[v] != nil {
          coding[t][k] = false
          break outer
        }
      }
    }

    var names: [String] = []
    var assign: [Int] = []
    var storage: [Double] = []
    if intercept && terms.hasIntercept {
      names.append("(Intercept)")
      assign.append(-1)
      storage.append(contentsOf: repeatElement(1.0, count: n))
    }
    for (t, term) in terms.terms.enumerated() {
      // Each variable's pieces: (name suffix, column values).
      var pieces: [[(name: String, values: [Double])]] = []
      for (k, v) in term.variables.enumerated() {
        let label = terms.variables[v].label
        if let f = factors[v] {
          let first = coding[t][k] ? 1 : 0
          var cols: [(String, [Double])] = []
          if first < f.levels.count {
            for level in first..<f.levels.count {
              let code = Int32(level)
              cols.append((label + f.levels[level], f.codes.map { $0 == code ? 1.0 : 0.0 }))
            }
          }
          pieces.append(cols)
        } else if case .numeric(let x) = variables[v] {
          pieces.append([(label, x)])
        }
      }
      // Cartesian product, first variable fastest.
      var combos: [(name: String, values: [Double])] = [("", [Double](repeating: 1, count: n))]
      for (k, piece) in pieces.enumerated() {
        var next: [(name: String, values: [Double])] = []
        for p in piece {
          for c in combos {
            var values = c.values
            for i in 0..<n { values[i] *= p.values[i] }
            next.append((k == 0 ? p.name : c.name + ":" + p.name, values))
          }
        }
        // Reorder so that the earlier variables vary fastest.
        combos = next
      }
      for c in combos {
        names.append(c.name)
        assign.append(t)
        storage.append(contentsOf: c.values)
      }
    }
    return DesignMatrix(matrix: Matrix(rows: n, columns: names.count, columnMajor: storage),
                        columnNames: names, assign: assign)
  }
}
