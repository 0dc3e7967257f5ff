import Tabular

/// The response of a survival formula, over the rows a model frame keeps.
public struct SurvivalResponse: Sendable {
  /// Entry times of `Surv(start, stop, status)`; `nil` for right-censored data.
  public var start: [Double]?
  /// Event or censoring times.
  public var stop: [Double]
  /// 1 = event, 0 = censored.
  public var status: [Double]

  public init(start: [Double]? = nil, stop: [Double], status: [Double]) {
    self.start = start
    self.stop = stop
    self.status = status
  }

  public var isCountingProcess: Bool { start != nil }
  public var count: Int { stop.count }
}

/// The unit of a follow-up time computed from two dates (`Surv(end -
/// start, status)`): days, weeks (7 days), months (365.25/12 = 30.4375
/// days) or years (365.25 days), as epidemiology's conventions.
public enum TimeUnit: String, Sendable, CaseIterable, Codable {
  case days, weeks, months, years

  /// Its length in days.
  public var days: Double {
    switch self {
    case .days: return 1
    case .weeks: return 7
    case .months: return 365.25 / 12
    case .years: return 365.25
    }
  }
}

/// The values of one right-hand-side variable over the kept rows.
public enum VariableValues: Sendable {
  case numeric([Double])
  case factor(Factor)
  /// Several columns (`poly()`, `ns()`, `bs()`), named `1`, `2`, … after the
  /// variable's label, as R's `model.matrix`.
  case matrix([[Double]])
}

/// Formula + table → the response, the variables, strata, cluster and
/// weights over the complete rows, with the dropped rows counted. Kernels never
/// see a file or a formula: they see what this type holds.
///
/// Matches R's `model.frame(..., na.action = na.omit)`: a row is dropped when
/// any variable the formula or `--weights` uses is missing there.
public struct ModelFrame: Sendable {
  public var source: String
  public var formula: Formula
  public var terms: Terms
  public var response: SurvivalResponse?
  /// A binary response (1 = event, 0 = not), for rates, comparisons and
  /// logistic regression (`Options.binaryResponse`).
  public var binaryResponse: [Double]?
  /// One entry per `terms.variables`.
  public var variables: [VariableValues]
  /// `strata(a, b)` as one factor (R's `strata(..., shortlabel = TRUE)` labels).
  public var strata: Factor?
  /// Each `strata()` variable on its own, in formula order.
  public var strataFactors: [Factor]
  public var cluster: Factor?
  public var weights: [Double]?
  /// The sum of the `offset()` terms over the kept rows (`Options.offsets`).
  public var offset: [Double]?
  /// Per term variable, the calendar unit of a date column read as it is
  /// (its levels, when it groups rows, are written as dates).
  public var dateUnits: [Int: CalendarDate.Unit] = [:]
  /// Per `poly()`, `ns()` or `bs()` term variable, the basis as fitted (for predictions).
  public var bases: [Int: BasisFit] = [:]
  /// Indices of the table rows kept, in table order.
  public var rows: [Int]
  public var nDropped: Int

  public var n: Int { rows.count }

  public struct Options: Sendable {
    /// Column of case weights (`--weights`).
    public var weights: String?
    /// Whether the formula must have a `Surv()` response.
    public var requiresSurvivalResponse: Bool
    /// Whether the response is a binary outcome (0/1, TRUE/FALSE,
    /// `col == value`, `col != value`, `1 - col`) instead of `Surv()`; it is
    /// then required.
    public var binaryResponse: Bool
    /// Whether `x:strata(s)` terms are allowed (the Cox model fits them, as
    /// `coxph`; elsewhere they are an error rather than dropped).
    public var strataInteractions: Bool
    /// Whether terms of several columns (`poly()`, `ns()`, `bs()`) are
    /// allowed: in regression models; elsewhere a variable groups rows.
    public var basisTerms: Bool
    /// The unit of a follow-up time computed from dates (`--time-unit`);
    /// an error when the time is not computed from dates.
    public var timeUnit: TimeUnit?
    /// Whether `offset()` terms are allowed (the models that fit them).
    public var offsets = false
    /// Reference levels (`--reference sex=2`): column name → the level that
    /// comes first (and so is the reference of the treatment contrasts).
    public var references: [(column: String, level: String)] = []
    /// Which level of a factor is its reference when neither `references`
    /// nor the formula (`relevel()`, `factor(x, levels =)`) names one: the
    /// first in level order (R, Stata) or the last (SAS's CLASS REF=LAST).
    /// Logical variables (`I(age > 60)`) keep FALSE as the reference.
    public var referenceLevel: ReferenceLevel = .first
    public init(weights: String? = nil, requiresSurvivalResponse: Bool = true, binaryResponse: Bool = false,
                strataInteractions: Bool = false, basisTerms: Bool = false, timeUnit: TimeUnit? = nil) {
      self.timeUnit = timeUnit
      self.weights = weights
      self.requiresSurvivalResponse = requiresSurvivalResponse && !binaryResponse
      self.binaryResponse = binaryResponse
      self.strataInteractions = strataInteractions
      self.basisTerms = basisTerms
    }
  }

  /// Builds the frame. Errors name the formula column, the option, or the
  /// file:line:column of the offending cell.
  public static func build(formula: Formula, table: Table, options: Options = Options(),
                           formulaSource: String = "--formula") throws -> ModelFrame {
    var builder = FrameBuilder(table: table, formulaSource: formulaSource)
    return try builder.build(formula: formula, options: options)
  }

  /// The factor that R's `strata()` would build from the given term
  /// variables (indices into `terms.variables`): labels `var=value`.
  public func grouping(of variableIndices: [Int]) -> Factor {
    if variableIndices.isEmpty {
      return Factor(levels: ["all"], codes: [Int32](repeating: 0, count: n))
    }
    let factors = variableIndices.map { factor(ofVariable: $0) }
    return Factor.interaction(factors, names: variableIndices.map { terms.variables[$0].label })
  }

  /// Variable `i` as a factor (numeric values become levels).
  public func factor(ofVariable i: Int) -> Factor {
    switch variables[i] {
    case .factor(let f): return f
    case .numeric(let v):
      let f = Factor.fromNumbers(v)
      // A date column groups by its dates, labelled as dates.
      guard let unit = dateUnits[i] else { return f }
      return f.relabelled { CalendarDate.label(Double($0) ?? .nan, unit: unit) }
    case .matrix: preconditionFailure("a basis of several columns groups no rows (refused by the frame unless basisTerms)")
    }
  }
}

/// R's `cut(x, breaks, right, include.lowest)`: interval labels (`formatC`
/// with 3 significant digits, more until neighbours differ) and the interval
/// of a value.
enum CutIntervals {
  static func labels(breaks: [Double], right: Bool, includeLowest: Bool) -> [String] {
    var labels: [String] = []
    for digits in 3...12 {
      labels = breaks.map { RNumberText.formatC($0, significantDigits: digits) }
      if zip(labels, labels.dropFirst()).allSatisfy({ $0 != $1 }) { break }
    }
    let intervals = breaks.count - 1
    var names = (0..<intervals).map { right ? "(\(labels[$0]),\(labels[$0 + 1])]" : "[\(labels[$0]),\(labels[$0 + 1]))" }
    if includeLowest {
      if right { names[0] = "[" + names[0].dropFirst() } else { names[intervals - 1] = names[intervals - 1].dropLast() + "]" }
    }
    return names
  }

  /// R's breaks for `cut(x, k)`: `seq.int(min, max, length.out = k + 1)`
  /// with the outer two moved out by (max − min)/1000; for a constant x,
  /// `seq.int(x − d/1000, x + d/1000, length.out = k + 1)` with d = |x| (1 at
  /// 0). `nil` when x has no finite value.
  static func breaks(intervals k: Int, of x: [Double]) -> [Double]? {
    var lo = Double.infinity, hi = -Double.infinity
    for v in x where v.isFinite {
      lo = min(lo, v)
      hi = max(hi, v)
    }
    guard lo <= hi else { return nil }
    let n = k + 1
    // seq.int(from, to, length.out = n) as R's seq.c: the ends exact, the
    // first half from + i·by, the second to − (n − 1 − i)·by.
    func sequence(_ from: Double, _ to: Double) -> [Double] {
      let by = (to - from) / Double(n - 1)
      return (0..<n).map { i in
        i == 0 ? from : i == n - 1 ? to : i < n / 2 ? from + Double(i) * by : to - Double(n - 1 - i) * by
      }
    }
    let dx = hi - lo
    if dx == 0 {
      let d = lo != 0 ? abs(lo) : 1
      return sequence(lo - d / 1000, hi + d / 1000)
    }
    var b = sequence(lo, hi)
    b[0] = lo - dx / 1000
    b[n - 1] = hi + dx / 1000
    return b
  }

  /// Interval k is (breaks[k], breaks[k + 1]] (right) or [breaks[k], breaks[k + 1]).
  static func interval(of x: Double, breaks: [Double], right: Bool, includeLowest: Bool) -> Int? {
    let intervals = breaks.count - 1
    guard x >= breaks[0] && x <= breaks[intervals] else { return nil }
    var lo = 0, hi = intervals
    while hi - lo > 1 {
      let mid = (lo + hi) / 2
      if right ? x <= breaks[mid] : x < breaks[mid] { hi = mid } else { lo = mid }
    }
    if right && x == breaks[0] { return includeLowest ? 0 : nil }
    if !right && x == breaks[intervals] { return includeLowest ? intervals - 1 : nil }
    return lo
  }
}

private struct FrameBuilder {
  /// `cut(x, breaks)`: intervals `(a,b]` (`[a,b)` with `right = FALSE`),
  /// labelled as R's `cut` labels them; a value outside every interval is an
  /// error (R makes it NA, and the row would be dropped unseen).
  func cut(_ values: [Double], rows: [Int], breaks: [Double], right: Bool, includeLowest: Bool, variable v: TermVariable) throws -> Factor {
    let names = CutIntervals.labels(breaks: breaks, right: right, includeLowest: includeLowest)
    var codes = [Int32](repeating: 0, count: values.count)
    for (i, x) in values.enumerated() {
      guard let k = CutIntervals.interval(of: x, breaks: breaks, right: right, includeLowest: includeLowest) else {
        throw formulaError(v.formulaColumn, "\(v.label) is not defined for \(RNumberText.format(x)) in the row at line \(table.line(ofRow: rows[i])) of \(table.source): outside every interval, expected breaks that cover every value")
      }
      codes[i] = Int32(k)
    }
    return Factor(levels: names, codes: codes).droppingUnusedLevels()
  }

  let table: Table
  let formulaSource: String

  init(table: Table, formulaSource: String) {
    self.table = table
    self.formulaSource = formulaSource
  }

  func formulaError(_ column: Int, _ message: String) -> InputError {
    InputError(InputLocation(valueOf: formulaSource, column: column), message)
  }

  func columnIndex(_ name: String, at column: Int, what: String = "column") throws -> Int {
    if let j = table.columnIndex(named: name) { return j }
    let available = table.headerNames.prefix(12).joined(separator: ", ") + (table.headerNames.count > 12 ? ", …" : "")
    throw formulaError(column, "unknown \(what) \(name.quotedForMessage) in \(table.source), expected one of: \(available)")
  }

  /// `end - start` (also inside `as.numeric()`) of two date or date-time
  /// columns: the follow-up in days, over every row. Nil when the time
  /// uses no date column; any other use of a date as a time is an error.
  func dateDifference(_ e: FormulaExpression, role: String) throws -> (days: [Double], columns: [Int])? {
    var inner = e.stripped
    if case .call("as.numeric", let args, _) = inner, args.count == 1 { inner = args[0].stripped }
    let dated = e.names.compactMap { n in table.columnIndex(named: n).flatMap { j in table.calendarUnit(ofColumn: j).map { (j, $0) } } }
    guard let first = dated.first else { return nil }
    guard case .binary(.minus, let a, let b, _) = inner, case .name(let endName, _) = a.stripped, case .name(let startName, _) = b.stripped,
          let end = table.columnIndex(named: endName), let start = table.columnIndex(named: startName),
          let endUnit = table.calendarUnit(ofColumn: end), let startUnit = table.calendarUnit(ofColumn: start) else {
      throw formulaError(e.column, "column \(table.names[first.0].quotedForMessage) holds dates; a \(role) from dates is the difference of two date columns, expected as in Surv(end - start, status)")
    }
    guard case .numeric(let endValues) = table.columns[end], case .numeric(let startValues) = table.columns[start] else { return nil }
    // Each side in days since 1970-01-01, then the difference.
    let days = zip(endValues.values, startValues.values).map { x, y in
      (x * endUnit.daysPerUnit + endUnit.epoch) - (y * startUnit.daysPerUnit + startUnit.epoch)
    }
    return (days, [end, start])
  }

  /// A numeric column, or an error at its first non-numeric cell.
  func numericColumn(_ j: Int, role: String) throws -> [Double] {
    switch table.columns[j] {
    case .numeric(let c): return c.values
    case .categorical(let c):
      let first = c.firstNonNumeric ?? (line: table.line(ofRow: 0), text: c.levels.first ?? "")
      throw InputError(InputLocation(source: table.source, line: first.line, column: table.fileColumn(j)),
                       "column \(table.names[j].quotedForMessage) (\(role)): expected a number, found \(first.text.quotedForMessage)")
    }
  }

  mutating func build(formula: Formula, options: ModelFrame.Options) throws -> ModelFrame {
    // `.` stands for every column the response does not use, as R's terms(data =).
    let responseNames = formula.response?.names ?? []
    let terms = try Terms(formula, source: formulaSource, dot: table.names.filter { !responseNames.contains($0) })
    if !options.strataInteractions, let v = terms.variables.first(where: \.isStrata) {
      throw formulaError(v.formulaColumn, "\(v.label) inside an interaction is fitted by cox only, expected strata() as a term of its own")
    }
    if !options.offsets, let first = terms.offsets.first {
      throw formulaError(first.column, "offset(\(first.deparsed)) is fitted by cox and logistic only, expected no offset() here")
    }
    if !options.basisTerms, let v = terms.variables.first(where: { if case .basis = $0.transform { return true } else { return false } }) {
      throw formulaError(v.formulaColumn, "\(v.label) makes several columns, for cox and logistic models only, expected a variable that groups the rows")
    }
    let n = table.rowCount
    var missing = [Bool](repeating: false, count: n)

    func markMissing(column j: Int) {
      let col = table.columns[j]
      switch col {
      case .numeric(let c):
        c.values.withUnsafeBufferPointer { v in
          for i in 0..<n where v[i].isNaN { missing[i] = true }
        }
      case .categorical(let c):
        c.codes.withUnsafeBufferPointer { v in
          for i in 0..<n where v[i] < 0 { missing[i] = true }
        }
      }
    }
    var usedNames: [String] = []

    // Response.
    var stopAll: [Double]? = nil
    var startAll: [Double]? = nil
    var statusAll: [Double]? = nil
    var stopColumn = 0
    var startColumn = 0
    var binaryAll: [Double]? = nil
    if options.binaryResponse {
      guard let response = formula.response else {
        throw formulaError(1, "expected a binary response before '~', as in failed ~ \(formula.predictors.deparsed) or status == 1 ~ \(formula.predictors.deparsed)")
      }
      if case .call("Surv", _, let c) = response {
        throw formulaError(c, "expected a binary response (0/1, TRUE/FALSE or column == value), found a survival response Surv()")
      }
      var evaluator = StatusEvaluator(table: table, formulaSource: formulaSource, role: .outcome)
      let outcome = try evaluator.evaluate(response)
      usedNames.append(contentsOf: evaluator.columnsUsed.map { table.names[$0] })
      for i in 0..<n where outcome[i].isNaN { missing[i] = true }
      binaryAll = outcome
    } else if let response = formula.response {
      guard case .call("Surv", let args, let c) = response else {
        if options.requiresSurvivalResponse {
          throw formulaError(response.column, "expected a survival response Surv(time, status), found \(response.deparsed.quotedForMessage)")
        }
        throw formulaError(response.column, "unsupported response \(response.deparsed.quotedForMessage)")
      }
      guard args.count == 2 || args.count == 3 else {
        throw formulaError(c, "expected Surv(time, status) or Surv(start, stop, status), found \(args.count) argument\(args.count == 1 ? "" : "s")")
      }
      // A time is a column, arithmetic on columns (`time / 30.4375`), or the
      // difference of two date columns (`end - start`), in days or --time-unit.
      var fromDates = false
      func time(_ a: FormulaExpression, role: String) throws -> (values: [Double], column: Int) {
        if let dated = try dateDifference(a, role: role) {
          for j in dated.columns {
            usedNames.append(table.names[j])
            markMissing(column: j)
          }
          fromDates = true
          let unit = options.timeUnit?.days ?? 1
          return (dated.days.map { $0 / unit }, dated.columns[0])
        }
        if case .name(let name, let ac) = a.stripped {
          let j = try columnIndex(name, at: ac)
          usedNames.append(name)
          markMissing(column: j)
          return (try numericColumn(j, role: role), j)
        }
        let used = try NumericExpression.columns(of: a, comparisons: false, source: formulaSource)
        guard !used.isEmpty else {
          throw formulaError(a.column, "expected a column or arithmetic on columns for the \(role), found \(a.deparsed.quotedForMessage)")
        }
        var first = 0
        for (k, u) in used.enumerated() {
          let j = try columnIndex(u.name, at: u.column)
          if k == 0 { first = j }
          usedNames.append(u.name)
          markMissing(column: j)
        }
        return (try NumericExpression.evaluate(a, table: table, source: formulaSource), first)
      }
      if args.count == 3 {
        (startAll, startColumn) = try time(args[0], role: "start time")
        (stopAll, stopColumn) = try time(args[1], role: "stop time")
      } else {
        (stopAll, stopColumn) = try time(args[0], role: "time")
      }
      if let unit = options.timeUnit, !fromDates {
        throw InputError(InputLocation(option: "time-unit"),
                         "\(unit.rawValue): --time-unit converts a follow-up computed from dates, as Surv(end - start, status), expected no --time-unit for a time that is already a number in its own unit")
      }
      var evaluator = StatusEvaluator(table: table, formulaSource: formulaSource)
      let status = try evaluator.evaluate(args[args.count - 1])
      usedNames.append(contentsOf: evaluator.columnsUsed.map { table.names[$0] })
      for i in 0..<n where status[i].isNaN { missing[i] = true }
      statusAll = status
    } else if options.requiresSurvivalResponse {
      throw formulaError(1, "expected a survival response before '~', as in Surv(time, status) ~ \(formula.predictors.deparsed)")
    }

    // Right-hand side, strata, cluster, weights.
    var variableColumns: [Int] = []
    for v in terms.variables {
      var used = [(name: v.columnName, column: v.formulaColumn)]
      if let e = v.transform.expression {
        used = try NumericExpression.columns(of: e, comparisons: true, source: formulaSource)
      }
      for (k, u) in used.enumerated() {
        let j = try columnIndex(u.name, at: u.column)
        if k == 0 { variableColumns.append(j) }
        usedNames.append(u.name)
        markMissing(column: j)
      }
    }
    var strataColumns: [Int] = []
    for v in terms.strata {
      let j = try columnIndex(v.columnName, at: v.formulaColumn)
      strataColumns.append(j)
      usedNames.append(v.columnName)
      markMissing(column: j)
    }
    var offsetAll: [Double]? = nil
    for e in terms.offsets {
      for u in try NumericExpression.columns(of: e, comparisons: false, source: formulaSource) {
        let j = try columnIndex(u.name, at: u.column)
        usedNames.append(u.name)
        markMissing(column: j)
      }
      let values = try NumericExpression.evaluate(e, table: table, source: formulaSource)
      offsetAll = offsetAll.map { zip($0, values).map { $0 + $1 } } ?? values
    }
    var clusterColumn: Int? = nil
    if let v = terms.cluster {
      let j = try columnIndex(v.columnName, at: v.formulaColumn)
      clusterColumn = j
      usedNames.append(v.columnName)
      markMissing(column: j)
    }
    var weightsAll: [Double]? = nil
    var weightsColumn = 0
    if let w = options.weights {
      guard let j = table.columnIndex(named: w) else {
        throw InputError(InputLocation(option: "weights"),
                         "unknown column \(w.quotedForMessage) in \(table.source), expected one of: \(table.headerNames.prefix(12).joined(separator: ", "))")
      }
      weightsColumn = j
      weightsAll = try numericColumn(j, role: "weights")
      usedNames.append(w)
      markMissing(column: j)
    }

    var rows: [Int] = []
    rows.reserveCapacity(n)
    for i in 0..<n where !missing[i] { rows.append(i) }
    missing = []
    if rows.isEmpty {
      var unique: [String] = []
      for name in usedNames where !unique.contains(name) { unique.append(name) }
      let what = n == 0 ? "has no data rows" : "has a missing value in every row for the variables used (\(unique.joined(separator: ", ")))"
      throw InputError(InputLocation(source: table.source), "\(what), expected at least one complete row")
    }

    // Kept values, validated. With no row dropped the columns are shared, not copied.
    let allKept = rows.count == n
    func kept(_ values: [Double]) -> [Double] { allKept ? values : rows.map { values[$0] } }
    let binaryResponse = binaryAll.map(kept)
    var response: SurvivalResponse? = nil
    if let stopAll, let statusAll {
      let stop = kept(stopAll)
      let status = kept(statusAll)
      for (k, t) in stop.enumerated() where !t.isFinite || t < 0 {
        let role = startAll == nil ? "time" : "stop time"
        throw InputError(table.location(row: rows[k], column: stopColumn),
                         "column \(table.names[stopColumn].quotedForMessage) (\(role)): expected a finite non-negative number, found \(RNumberText.format(t))")
      }
      var start: [Double]? = nil
      if let startAll {
        let s = kept(startAll)
        for k in s.indices {
          if !s[k].isFinite {
            throw InputError(table.location(row: rows[k], column: startColumn),
                             "column \(table.names[startColumn].quotedForMessage) (start time): expected a finite number, found \(RNumberText.format(s[k]))")
          }
          if !(stop[k] > s[k]) {
            throw InputError(table.location(row: rows[k], column: stopColumn),
                             "stop time \(RNumberText.format(stop[k])) is not after start time \(RNumberText.format(s[k])), expected start < stop")
          }
        }
        start = s
      }
      response = SurvivalResponse(start: start, stop: stop, status: status)
    }

    func factorOf(column j: Int) -> Factor {
      switch table.columns[j] {
      case .numeric(let c):
        let f = Factor.fromNumbers(kept(c.values))
        guard let unit = table.calendarUnit(ofColumn: j) else { return f }
        return f.relabelled { CalendarDate.label(Double($0) ?? .nan, unit: unit) }
      case .categorical(let c): return Factor.fromCategories(levels: c.levels, codes: c.codes, rows: rows)
      }
    }
    var variables: [VariableValues] = []
    var dateUnits: [Int: CalendarDate.Unit] = [:]
    var bases: [Int: BasisFit] = [:]
    for (k, v) in terms.variables.enumerated() {
      let j = variableColumns[k]
      switch v.transform {
      case .none: break
      case .basis(let spec):
        let x = try NumericExpression.evaluate(spec.argument, table: table, source: formulaSource)
        if let bad = x.firstIndex(where: { $0.isInfinite }) {
          throw formulaError(v.formulaColumn, "\(v.label): its argument is \(RNumberText.format(x[bad])) in the row at line \(table.line(ofRow: bad)) of \(table.source), expected a finite value (leave such rows out with --where)")
        }
        let (columns, basis) = try Basis.fitted(spec, x: x) { formulaError(v.formulaColumn, "\(v.label) \($0)") }
        bases[k] = basis
        variables.append(.matrix(columns.map(kept)))
        continue
      case .numeric(let e), .logical(let e), .cut(let e, _, _, _), .cutCount(let e, _, _, _):
        let all = try NumericExpression.evaluate(e, table: table, source: formulaSource)
        let values = kept(all)
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
          throw formulaError(v.formulaColumn, "\(v.label) is \(RNumberText.format(values[bad])) in the row at line \(table.line(ofRow: rows[bad])) of \(table.source), expected a finite value (leave such rows out with --where)")
        }
        switch v.transform {
        case .logical:
          variables.append(.factor(Factor.fromNumbers(values).relabelled { $0 == "1" ? "TRUE" : "FALSE" }))
        case .cut(_, let breaks, let right, let lowest):
          variables.append(.factor(try cut(values, rows: rows, breaks: breaks, right: right, includeLowest: lowest, variable: v)))
        case .cutCount(_, let k, let right, let lowest):
          // The range of x over every row with a value, as R evaluates cut()
          // before rows with other missing variables are dropped.
          guard let breaks = CutIntervals.breaks(intervals: k, of: all) else {
            throw formulaError(v.formulaColumn, "\(v.label) has no value to cut, expected a column with numbers")
          }
          variables.append(.factor(try cut(values, rows: rows, breaks: breaks, right: right, includeLowest: lowest, variable: v)))
        default:
          variables.append(.numeric(values))
        }
        continue
      case .levels(let order):
        let base = factorOf(column: j)
        guard let stray = base.levels.first(where: { !order.contains($0) }) else {
          variables.append(.factor(base.reordered(order.filter(base.levels.contains))))
          continue
        }
        throw formulaError(v.formulaColumn, "value \(stray.quotedForMessage) of \(v.columnName) is not among the levels of \(v.label), expected every value listed")
      case .reference(let ref):
        let base = factorOf(column: j)
        guard base.levels.contains(ref) else {
          throw formulaError(v.formulaColumn, "reference level \(ref.quotedForMessage) is not a level of \(v.columnName), expected one of: \(base.levels.prefix(12).joined(separator: ", "))")
        }
        variables.append(.factor(base.reordered([ref] + base.levels.filter { $0 != ref })))
        continue
      }
      switch table.columns[j] {
      case .numeric(let c):
        let values = kept(c.values)
        // A covariate of Inf (or 1e400) is an error at its cell, as R's
        // "data contains an infinite predictor" / "NA/NaN/Inf in 'x'".
        if !v.asFactor && !v.isStrata, let bad = values.firstIndex(where: { !$0.isFinite }) {
          throw InputError(table.location(row: rows[bad], column: j),
                           "column \(table.names[j].quotedForMessage) (\(v.label)): expected a finite number, found \(RNumberText.format(values[bad]))")
        }
        if v.isStrata {
          // R's strata() levels of a number: `ph.ecog=0`.
          variables.append(.factor(Factor.interaction([Factor.fromNumbers(values)], names: [v.columnName])))
        } else {
          variables.append(v.asFactor ? .factor(factorOf(column: j)) : .numeric(values))
          if let unit = table.calendarUnit(ofColumn: j) { dateUnits[k] = unit }
        }
      case .categorical(let c):
        variables.append(.factor(Factor.fromCategories(levels: c.levels, codes: c.codes, rows: rows)))
      }
    }

    let strataFactors = strataColumns.map(factorOf)
    // Labelled as R's strata(): `ph.ecog=0`, the bare values when every
    // variable is categorical.
    let strata = strataFactors.isEmpty ? nil
      : Factor.interaction(strataFactors, names: terms.strata.map(\.label),
                           shortLabels: strataColumns.allSatisfy { table.columns[$0].isCategorical })
    let cluster = clusterColumn.map(factorOf)

    // --reference: the named level first, for every factor read from the column.
    for (column, level) in options.references {
      let matching = terms.variables.indices.filter { terms.variables[$0].columnName == column && !terms.variables[$0].isStrata }
      guard !matching.isEmpty else {
        throw InputError(InputLocation(option: "reference"), "\(column)=\(level): \(column.quotedForMessage) is not a variable of the model, expected one of: \(Set(terms.variables.map(\.columnName)).sorted().joined(separator: ", "))")
      }
      for k in matching {
        guard case .factor(let f) = variables[k] else {
          throw InputError(InputLocation(option: "reference"), "\(column)=\(level): \(terms.variables[k].label) is numeric in the model, expected factor(\(column)) for a reference level")
        }
        guard f.levels.contains(level) else {
          throw InputError(InputLocation(option: "reference"), "\(column)=\(level): no level \(level.quotedForMessage) in the data, expected one of: \(f.levels.prefix(12).joined(separator: ", "))")
        }
        variables[k] = .factor(f.reordered([level] + f.levels.filter { $0 != level }))
      }
    }
    if options.referenceLevel == .last {
      for k in terms.variables.indices where !terms.variables[k].isStrata {
        let v = terms.variables[k]
        if options.references.contains(where: { $0.column == v.columnName }) { continue }
        switch v.transform {
        case .logical, .levels, .reference: continue
        default: break
        }
        guard case .factor(let f) = variables[k], f.levels.count > 1, let last = f.levels.last else { continue }
        variables[k] = .factor(f.reordered([last] + f.levels.dropLast()))
      }
    }
    let offset = offsetAll.map(kept)
    if let offset, let bad = offset.firstIndex(where: { !$0.isFinite }) {
      throw formulaError(terms.offsets[0].column, "the offset is \(RNumberText.format(offset[bad])) in the row at line \(table.line(ofRow: rows[bad])) of \(table.source), expected a finite value")
    }
    var weights: [Double]? = nil
    if let weightsAll {
      let w = kept(weightsAll)
      for (k, x) in w.enumerated() where !x.isFinite || x < 0 {
        throw InputError(table.location(row: rows[k], column: weightsColumn),
                         "column \(table.names[weightsColumn].quotedForMessage) (weights): expected a finite non-negative weight, found \(RNumberText.format(x))")
      }
      weights = w
    }

    var frame = ModelFrame(source: table.source, formula: formula, terms: terms, response: response,
                           binaryResponse: binaryResponse, variables: variables, strata: strata, strataFactors: strataFactors, cluster: cluster, weights: weights,
                           offset: offset, rows: rows, nDropped: table.rowCount - rows.count)
    frame.dateUnits = dateUnits
    frame.bases = bases
    return frame
  }
}

/// The reference level a factor takes by default (`--reference-level`).
public enum ReferenceLevel: String, Sendable, CaseIterable, Codable {
  /// The first level in byte order (R's treatment contrasts; Stata's base).
  case first
  /// The last level (SAS's CLASS statement, REF=LAST).
  case last
}
