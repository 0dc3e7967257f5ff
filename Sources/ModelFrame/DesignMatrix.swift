import Dispatch
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
  /// then left out, as `coxph` does — also for a formula with `- 1`, which
  /// `coxph` ignores. With `intercept: true` (glm), `- 1` removes the
  /// intercept and codes the first factor by indicators, as `model.matrix`.
  ///
  /// With `rowOrder`, row i of the matrix is model-frame row `rowOrder[i]`
  /// (a model that sorts its rows builds its matrix sorted, without a copy).
  public func designMatrix(intercept: Bool, rowOrder: [Int32]? = nil) -> DesignMatrix {
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
    // Without an intercept (`- 1`) the first factor is coded by indicators,
    // as R's model.matrix does; a Cox model (`intercept: false`) never has
    // one to remove, and coxph ignores `- 1`: its contrasts stay the ones
    // computed with the intercept present.
    if intercept && !terms.hasIntercept {
      outer: for (t, term) in terms.terms.enumerated() {
        for (k, v) in term.variables.enumerated() where factors[v] != nil {
          coding[t][k] = false
          break outer
        }
      }
    }

    // Column specifications first (names, and per column the variables and
    // levels it multiplies), then each column filled straight into the
    // final storage: no intermediate copies, so memory is the matrix itself.
    struct Piece: Sendable {
      var variable: Int
      var level: Int32?  // nil: the numeric value (or column `column` of a basis)
      var column = 0
    }
    var names: [String] = []
    var assign: [Int] = []
    var specs: [[Piece]] = []
    if intercept && terms.hasIntercept {
      names.append("(Intercept)")
      assign.append(-1)
      specs.append([])
    }
    for (t, term) in terms.terms.enumerated() {
      // Each variable's pieces: (name, piece).
      var pieces: [[(name: String, piece: Piece)]] = []
      for (k, v) in term.variables.enumerated() {
        let label = terms.variables[v].label
        if let f = factors[v] {
          let first = coding[t][k] ? 1 : 0
          pieces.append((first..<max(first, f.levels.count)).map { (label + f.levels[$0], Piece(variable: v, level: Int32($0))) })
        } else if case .matrix(let columns) = variables[v] {
          // A one-column basis keeps the bare label, as model.matrix names it.
          pieces.append(columns.indices.map { (columns.count == 1 ? label : label + String($0 + 1), Piece(variable: v, level: nil, column: $0)) })
        } else {
          pieces.append([(label, Piece(variable: v, level: nil))])
        }
      }
      // Cartesian product, first variable fastest (R's column order).
      var combos: [(name: String, pieces: [Piece])] = [("", [])]
      for (k, piece) in pieces.enumerated() {
        var next: [(name: String, pieces: [Piece])] = []
        for p in piece {
          for c in combos { next.append((k == 0 ? p.name : c.name + ":" + p.name, c.pieces + [p.piece])) }
        }
        combos = next
      }
      for c in combos {
        names.append(c.name)
        assign.append(t)
        specs.append(c.pieces)
      }
    }
    let order = rowOrder ?? []
    // Every element is written below (each column starts as ones), so the
    // storage is not zero-filled first: its pages are touched once, by the
    // threads that fill them (a zero fill cost 7% of a 10⁶ × 20 Cox fit).
    var storage = [Double](unsafeUninitializedCapacity: n * specs.count) { _, count in count = n * specs.count }
    let columnCount = specs.count
    let variables = self.variables
    let columnSpecs = specs
    let permuted = rowOrder != nil
    storage.withUnsafeMutableBufferPointer { out in
      let target = SharedPointer(out.baseAddress!)
      // Columns are independent: two threads fill one half each (the gather
      // through `rowOrder` is memory-bound).
      let parts = n * columnCount >= 1 << 20 ? 2 : 1
      DispatchQueue.concurrentPerform(iterations: parts) { part in
        for column in (part * columnCount / parts)..<((part + 1) * columnCount / parts) {
          let base = target.pointer + column * n
          for i in 0..<n { base[i] = 1 }
          for piece in columnSpecs[column] {
            func multiply(by values: [Double]) {
              values.withUnsafeBufferPointer { v in
                if permuted {
                  order.withUnsafeBufferPointer { o in for i in 0..<n { base[i] *= v[Int(o[i])] } }
                } else {
                  for i in 0..<n { base[i] *= v[i] }
                }
              }
            }
            switch variables[piece.variable] {
            case .numeric(let values): multiply(by: values)
            case .matrix(let columns): multiply(by: columns[piece.column])
            case .factor(let f):
              let level = piece.level!
              f.codes.withUnsafeBufferPointer { codes in
                if permuted {
                  order.withUnsafeBufferPointer { o in for i in 0..<n where codes[Int(o[i])] != level { base[i] = 0 } }
                } else {
                  for i in 0..<n where codes[i] != level { base[i] = 0 }
                }
              }
            }
          }
        }
      }
    }
    return DesignMatrix(matrix: Matrix(rows: n, columns: names.count, columnMajor: storage),
                        columnNames: names, assign: assign)
  }
}

/// A pointer handed to worker threads that write disjoint parts of one buffer.
struct SharedPointer: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<Double>
  init(_ pointer: UnsafeMutablePointer<Double>) { self.pointer = pointer }
}

extension ModelFrame {
  /// At most this many cells (rows × columns, 8 bytes each) in a design
  /// matrix: 2³⁰ (8 GiB); `OUTCOMES_MAX_DESIGN_CELLS` raises or lowers it.
  public static var maximumDesignCells: Double {
    if let text = getenv("OUTCOMES_MAX_DESIGN_CELLS").map({ String(cString: $0) }), let v = Double(text), v >= 1, v.isFinite { return v }
    return Double(1 << 30)
  }

  /// Checks, before anything is allocated, that the design matrix of this
  /// frame fits the limit: rows × an upper bound of its columns (every
  /// factor of a term counted with all its levels).
  /// - Throws: `InputError` at the formula, with the count.
  public func checkDesignSize() throws {
    var columns = 1.0
    for term in terms.terms {
      var width = 1.0
      for v in term.variables {
        switch variables[v] {
        case .numeric: break
        case .factor(let f): width *= Double(max(1, f.levels.count))
        case .matrix(let m): width *= Double(max(1, m.count))
        }
      }
      columns += width
    }
    let cells = columns * Double(n)
    if cells > ModelFrame.maximumDesignCells {
      throw InputError(InputLocation(option: "formula"),
                       "the design matrix would have up to \(RNumberText.format(columns)) columns × \(n) rows (\(RNumberText.format((cells * 8 / Double(1 << 30)).rounded())) GiB), above the limit of \(RNumberText.format(ModelFrame.maximumDesignCells)) cells, expected fewer or smaller interactions (OUTCOMES_MAX_DESIGN_CELLS raises the limit)")
    }
  }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
