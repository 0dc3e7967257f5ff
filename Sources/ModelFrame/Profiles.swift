import Tabular

/// A covariate profile for predictions (`--at "age=60, sex=2"`, a row of
/// `--predict FILE.csv`): its design-matrix row, coded exactly as the fitted
/// model's columns (the same levels, contrasts and transforms), and the
/// stratum it names, if the model has strata and the profile gives them.
public struct CovariateProfile: Sendable {
  /// `age=60, sex=2`.
  public var label: String
  /// One value per design column of the model (`intercept: false`).
  public var design: [Double]
  /// The stratum's label (as `ModelFrame.strata`), when given.
  public var stratum: String?
  /// The model's `offset()` terms evaluated on the profile (summed); 0 without any.
  public var offset: Double = 0
}

extension ModelFrame {
  /// The profiles of `table` (one per row), coded as this frame's design.
  ///
  /// Each variable of the model is computed from the profile's columns as
  /// the frame computed it from the data: numbers as they are, levels
  /// matched by their text, arithmetic, `cut()` and `I(x > c)` evaluated on
  /// the profile, `poly()`, `ns()` and `bs()` evaluated with the knots and
  /// coefficients fitted on the data (as R's `makepredictcall`; a spline
  /// outside its boundary knots is refused). A missing value or a level the
  /// data do not have is refused, as is `cut(x, k)` (breaks from the data's
  /// range).
  /// - Parameter labels: the profiles' labels (default: `name=value` of the
  ///   columns the model uses).
  public func profiles(from table: Table, labels: [String]? = nil, option: String) throws -> [CovariateProfile] {
    func fail(_ row: Int, _ message: String) -> InputError {
      InputError(InputLocation(option: option), "profile \(row + 1)\(labels.map { " (\($0[row]))" } ?? ""): \(message)")
    }
    func text(_ j: Int, _ row: Int) -> String? {
      switch table.columns[j] {
      case .numeric(let c): return c.values[row].isNaN ? nil : RNumberText.format(c.values[row])
      case .categorical(let c): return c.codes[row] < 0 ? nil : c.levels[Int(c.codes[row])]
      }
    }
    func column(_ name: String, _ row: Int) throws -> Int {
      guard let j = table.columnIndex(named: name) else {
        throw fail(row, "no value for \(name), expected every variable of the model (\(Set(terms.variables.map(\.columnName)).sorted().joined(separator: ", ")))")
      }
      return j
    }
    var used: [String] = []
    for v in terms.variables {
      for name in v.transform.expression?.names ?? [v.columnName] where !used.contains(name) && table.columnIndex(named: name) != nil {
        used.append(name)
      }
    }
    for e in terms.offsets {
      for name in e.names where !used.contains(name) && table.columnIndex(named: name) != nil { used.append(name) }
    }
    var out: [CovariateProfile] = []
    for row in 0..<table.rowCount {
      let one = table.selecting(rows: [row])
      var values: [VariableValues] = []
      for (k, v) in terms.variables.enumerated() {
        // The value the frame's variable would hold for this profile.
        var number: Double? = nil
        var level: String? = nil
        switch v.transform {
        case .basis(let spec):
          // The basis as fitted (its knots, its polynomial coefficients), at the profile's value.
          for name in spec.argument.names where table.columnIndex(named: name) == nil { _ = try column(name, row) }
          let x = try NumericExpression.evaluate(spec.argument, table: one, source: option)[0]
          guard x.isFinite else { throw fail(row, "\(v.label) is \(RNumberText.format(x)), expected a finite value") }
          guard let basis = bases[k] else { throw fail(row, "\(v.label) has no fitted basis") }
          switch basis {
          case .bSpline, .naturalSpline:
            let r = basis.range
            guard x >= r[0] && x <= r[1] else {
              throw fail(row, "\(v.label) at \(RNumberText.format(x)) is outside the range the spline was fitted on (\(RNumberText.format(r[0]))–\(RNumberText.format(r[1]))), expected a value inside it (extrapolation is not supported)")
            }
          default: break
          }
          let columns = try basis.evaluate([x]) { fail(row, "\(v.label) \($0)") }
          values.append(.matrix(columns))
          continue
        case .cutCount:
          throw fail(row, "\(v.label) depends on the whole data set (its breaks come from the range of the data), expected cut() with breaks = c(...) for predictions")
        case .numeric(let e), .logical(let e), .cut(let e, _, _, _):
          for name in e.names where table.columnIndex(named: name) == nil && name != "TRUE" && name != "FALSE" {
            _ = try column(name, row)
          }
          let x = try NumericExpression.evaluate(e, table: one, source: option)[0]
          guard x.isFinite else { throw fail(row, "\(v.label) is \(RNumberText.format(x)), expected a finite value") }
          switch v.transform {
          case .logical: level = x == 1 ? "TRUE" : "FALSE"
          case .cut(_, let breaks, let right, let lowest):
            guard let i = CutIntervals.interval(of: x, breaks: breaks, right: right, includeLowest: lowest) else {
              throw fail(row, "\(v.label) is not defined for \(RNumberText.format(x)), expected a value inside its breaks")
            }
            level = CutIntervals.labels(breaks: breaks, right: right, includeLowest: lowest)[i]
          default: number = x
          }
        case .none, .levels, .reference:
          let j = try column(v.columnName, row)
          guard let t = text(j, row) else { throw fail(row, "\(v.columnName) is missing, expected a value") }
          if case .numeric = variables[k], case .numeric(let c) = table.columns[j] {
            number = c.values[row]
          } else if case .numeric = variables[k] {
            throw fail(row, "\(v.columnName) is \(t.quotedForMessage), expected a number")
          } else {
            level = v.isStrata && !(frameLevelIsBare(k)) ? "\(v.columnName)=\(t)" : t
          }
        }
        switch variables[k] {
        case .numeric:
          values.append(.numeric([number!]))
        case .factor(let f):
          guard let l = level, let code = f.levels.firstIndex(of: l) else {
            throw fail(row, "\(v.label) has no level \((level ?? "").quotedForMessage) in the data, expected one of: \(f.levels.prefix(12).joined(separator: ", "))")
          }
          values.append(.factor(Factor(levels: f.levels, codes: [Int32(code)])))
        case .matrix:
          throw fail(row, "\(v.label) depends on the whole data set, expected a model without poly(), ns() or bs() for predictions")  // computed above
        }
      }
      // offset(): evaluated on the profile, as R's model.offset(newdata).
      var offset = 0.0
      for e in terms.offsets {
        for name in e.names where table.columnIndex(named: name) == nil { _ = try column(name, row) }
        let x = try NumericExpression.evaluate(e, table: one, source: option)[0]
        guard x.isFinite else { throw fail(row, "offset(\(e.deparsed)) is \(RNumberText.format(x)), expected a finite value") }
        offset += x
      }
      var profileFrame = self
      profileFrame.variables = values
      profileFrame.rows = [0]
      let design = profileFrame.designMatrix(intercept: false)
      // The stratum, when the profile gives every strata() column.
      var stratum: String? = nil
      if let strata, !terms.strata.isEmpty, terms.strata.allSatisfy({ table.columnIndex(named: $0.columnName) != nil }) {
        var named: [String] = [], bare: [String] = []
        for s in terms.strata {
          let j = table.columnIndex(named: s.columnName)!
          guard let t = text(j, row) else { throw fail(row, "\(s.columnName) is missing, expected a value") }
          named.append("\(s.label)=\(t)")
          bare.append(t)
        }
        let candidates = [named.joined(separator: ", "), bare.joined(separator: ", ")]
        guard let label = candidates.first(where: strata.levels.contains) else {
          throw fail(row, "stratum \(candidates[0].quotedForMessage) is not in the data, expected one of: \(strata.levels.prefix(12).joined(separator: ", "))")
        }
        stratum = label
      }
      let label = labels?[row] ?? used.compactMap { name -> String? in
        guard let j = table.columnIndex(named: name), let t = text(j, row) else { return nil }
        return "\(name)=\(t)"
      }.joined(separator: ", ")
      out.append(CovariateProfile(label: label, design: (0..<design.columns).map { design.matrix[0, $0] }, stratum: stratum,
                                  offset: offset))
    }
    return out
  }

  /// Whether the levels of strata variable `k` (a `strata()` inside an
  /// interaction) are bare values (a categorical column) rather than `s=v`.
  private func frameLevelIsBare(_ k: Int) -> Bool {
    guard case .factor(let f) = variables[k] else { return true }
    return !(f.levels.first?.hasPrefix(terms.variables[k].columnName + "=") ?? false)
  }
}

extension ModelFrame {
  /// The values of a formula expression (a `Surv()` argument) over the rows
  /// of another table (a `--predict` file), NaN where a value is missing.
  public static func evaluate(_ expression: FormulaExpression, on table: Table, option: String) throws -> [Double] {
    try NumericExpression.evaluate(expression, table: table, source: option)
  }
}
