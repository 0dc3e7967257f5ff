import Distributions
import Foundation
import Rates
import Rendering
import Tabular

/// Table 1 of a clinical paper: the characteristics of the patients, overall
/// or by group. Categorical variables as n (%) of the non-missing values;
/// continuous ones as mean (SD) and median [Q1, Q3] (R's `quantile` type 7);
/// missing values counted. With `tests`, p-values: Pearson's chi-square
/// without continuity correction (R `chisq.test(correct = FALSE)`), or
/// Fisher's exact test (R `fisher.test`) for a table with two rows or two
/// columns and an expected count below 5; the Wilcoxon rank-sum test with
/// the normal approximation, tie and continuity corrections (R
/// `wilcox.test(exact = FALSE)`) for two groups and the Kruskal–Wallis test
/// (R `kruskal.test`) for more — gtsummary's defaults.
///
/// A numeric column is continuous; `factor(x)` makes it categorical.
public enum TableOne {
  public struct Variable: Sendable, Equatable {
    public var column: String
    public var categorical: Bool
    public init(column: String, categorical: Bool) {
      self.column = column
      self.categorical = categorical
    }
  }

  /// The column a variable reads: `ph.ecog` for `factor(ph.ecog)`.
  public static func columnName(of variable: String) -> String {
    variable.hasPrefix("factor(") && variable.hasSuffix(")") ? String(variable.dropFirst(7).dropLast()) : variable
  }

  /// Parses `age`, `factor(ph.ecog)` against a table's columns.
  /// - Throws: `InputError` at the option `variables` for an unknown column.
  public static func variables(_ names: [String], in table: Table) throws -> [Variable] {
    try names.map { name in
      let column = columnName(of: name)
      var categorical = column != name
      guard let j = table.columnIndex(named: column) else {
        throw InputError(option: "variables",
                         "unknown column \(column.quotedForMessage) in \(table.source), expected one of: \(table.headerNames.prefix(12).joined(separator: ", "))")
      }
      if table.columns[j].isCategorical { categorical = true }
      // A date column holds day counts: a mean of them would print as a
      // number of days since an epoch, so it is refused rather than shown.
      if !categorical, let unit = table.unit(ofColumn: j), CalendarDate.unit(unit) != nil {
        throw InputError(option: "variables",
                         "\(column.quotedForMessage) holds dates (\(unit)), which Table 1 does not summarise yet, expected a number or a category (a follow-up time from two dates can be added as a column)")
      }
      return Variable(column: column, categorical: categorical)
    }
  }

  /// The summary of `variables` over the rows of `table`, by the levels of `by`.
  public static func summarize(table: Table, by: String?, variables: [Variable], tests: Bool) throws -> TableOneSummary {
    var groupOf = [Int](repeating: 0, count: table.rowCount)
    var groupNames = ["Overall"]
    var droppedForBy = 0
    if let by {
      guard let column = table.column(named: by) else {
        throw InputError(option: "by", "unknown column \(by.quotedForMessage) in \(table.source), expected one of: \(table.headerNames.prefix(12).joined(separator: ", "))")
      }
      let levels = levelsOf(column)
      groupNames = levels.names.map { "\(by) = \($0)" }
      groupOf = levels.codes
      droppedForBy = groupOf.filter { $0 < 0 }.count
    }
    let groups = groupNames.count
    var sizes = [Int](repeating: 0, count: groups)
    for g in groupOf where g >= 0 { sizes[g] += 1 }
    let testing = tests && by != nil
    var rows: [TableOneSummary.Row] = []
    for v in variables {
      let j = table.columnIndex(named: v.column)!
      let column = table.columns[j]
      // A typed file's variable label names the row (`Karnofsky score` rather than `karno`).
      let shown = (j < table.variableLabels.count ? table.variableLabels[j] : nil) ?? v.column
      if !v.categorical, let (stats, tested) = continuousStats(column, groupOf: groupOf, groups: groups, test: testing) {
        rows.append(.init(variable: v.column, label: shown, kind: .continuous(stats), missing: stats.map(\.missing),
                          p: tested?.p, test: tested?.name))
      } else {
        let core = categoricalCore(column, groupOf: groupOf, groups: groups, test: testing)
        rows.append(.init(variable: v.column, label: shown,
                          kind: .categorical(levels: core.levels, counts: core.counts, nonMissing: core.nonMissing),
                          missing: core.missing, p: core.p, test: core.testName))
      }
    }
    return TableOneSummary(n: table.rowCount, by: by, groups: zip(groupNames, sizes).map { TableOneSummary.Group(label: $0, n: $1) },
                           droppedForBy: droppedForBy, tests: testing, rows: rows)
  }

  /// The levels of a column as text (numbers as R prints them) and each row's code (−1 missing).
  static func levelsOf(_ column: Column) -> (names: [String], codes: [Int]) {
    switch column {
    case .categorical(let c): return (c.levels, c.codes.map(Int.init))
    case .numeric(let c):
      let distinct = Array(Set(c.values.filter { !$0.isNaN })).sorted()
      let index = Dictionary(uniqueKeysWithValues: distinct.enumerated().map { ($1, $0) })
      return (distinct.map(RNumberText.format), c.values.map { $0.isNaN ? -1 : index[$0]! })
    }
  }

  /// Counts per level (rows) and group (columns), missing per group, and the test (name, p).
  static func categoricalStats(_ column: Column, groupOf: [Int], groups: Int, test: Bool)
    -> (levels: [String], counts: [[Int]], missing: [Int], test: (name: String, p: Double)?) {
    let summary = categoricalCore(column, groupOf: groupOf, groups: groups, test: test)
    return (summary.levels, summary.counts, summary.missing, summary.testName.map { ($0, summary.p ?? .nan) })
  }

  static func categoricalCore(_ column: Column, groupOf: [Int], groups: Int, test: Bool)
    -> (levels: [String], counts: [[Int]], missing: [Int], nonMissing: [Int], p: Double?, testName: String?) {
    let levels = levelsOf(column)
    var counts = [[Int]](repeating: [Int](repeating: 0, count: groups), count: levels.names.count)
    var missing = [Int](repeating: 0, count: groups)
    var nonMissing = [Int](repeating: 0, count: groups)
    for (i, g) in groupOf.enumerated() where g >= 0 {
      let code = levels.codes[i]
      if code < 0 { missing[g] += 1 } else { counts[code][g] += 1; nonMissing[g] += 1 }
    }
    var p: Double? = nil
    var testName: String? = nil
    if test && groups >= 2 {
      let used = counts.indices.filter { counts[$0].reduce(0, +) > 0 }
      let usedGroups = (0..<groups).filter { nonMissing[$0] > 0 }
      if used.count >= 2 && usedGroups.count >= 2 {
        let total = Double(usedGroups.reduce(0) { $0 + nonMissing[$1] })
        var chi = 0.0, smallExpected = false
        for r in used {
          let rowTotal = Double(usedGroups.reduce(0) { $0 + counts[r][$1] })
          for g in usedGroups {
            let e = rowTotal * Double(nonMissing[g]) / total
            if e < 5 { smallExpected = true }
            chi += (Double(counts[r][g]) - e) * (Double(counts[r][g]) - e) / e
          }
        }
        if smallExpected && used.count == 2 && usedGroups.count == 2 {
          let (a, b) = (used[0], usedGroups[0]), (g2) = usedGroups[1]
          p = (try? TwoRates.compare(events1: counts[a][b], trials1: nonMissing[b], events2: counts[a][g2], trials2: nonMissing[g2]))?
            .tests.fisherExactP
          testName = "Fisher's exact test"
        } else if smallExpected && (used.count == 2 || usedGroups.count == 2),
                  let exact = fisherTwoColumn(used.count == 2 && usedGroups.count > 2
                                                ? usedGroups.map { g in used.map { counts[$0][g] } }
                                                : used.map { r in usedGroups.map { counts[r][$0] } }) {
          p = exact
          testName = "Fisher's exact test"
        } else {
          let df = Double((used.count - 1) * (usedGroups.count - 1))
          p = ChiSquared(degreesOfFreedom: df).cdf(chi, tail: .upper)
          testName = "Pearson's chi-square test"
        }
      }
    }
    return (levels.names, counts, missing, nonMissing, p, testName)
  }

  /// One group's summary of a continuous variable.
  public struct ContinuousStats: Sendable, Equatable {
    public var n: Int, mean: Double, sd: Double, q1: Double, median: Double, q3: Double, missing: Int
  }

  /// Per group statistics and, when asked, the test across groups (name, p).
  static func continuousStats(_ column: Column, groupOf: [Int], groups: Int, test: Bool)
    -> (stats: [ContinuousStats], test: (name: String, p: Double)?)? {
    guard case .numeric(let c) = column else { return nil }
    var values = [[Double]](repeating: [], count: groups)
    var missing = [Int](repeating: 0, count: groups)
    for (i, g) in groupOf.enumerated() where g >= 0 {
      if c.values[i].isNaN { missing[g] += 1 } else { values[g].append(c.values[i]) }
    }
    let stats = values.enumerated().map { g, v -> ContinuousStats in
      let n = Double(v.count)
      let mean = v.reduce(0, +) / n
      let sd = n > 1 ? (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot() : .nan
      let s = v.sorted()
      return ContinuousStats(n: v.count, mean: mean, sd: sd, q1: quantile(s, 0.25), median: quantile(s, 0.5),
                             q3: quantile(s, 0.75), missing: missing[g])
    }
    let present = values.filter { !$0.isEmpty }
    guard test && present.count >= 2 else { return (stats, nil) }
    if present.count == 2 { return (stats, ("the Wilcoxon rank-sum test", wilcoxonRankSum(present[0], present[1]))) }
    return (stats, ("the Kruskal–Wallis test", kruskalWallis(present)))
  }

  /// Fisher's exact test of an r × 2 table (rows of two counts), R's
  /// `fisher.test` rule: the probability, given both margins, of every table
  /// no more likely than the observed one (relative tolerance 1 + 10⁻⁷), by
  /// enumerating the first column's counts. `nil` beyond 10⁷ tables.
  static func fisherTwoColumn(_ table: [[Int]]) -> Double? {
    let rows = table.map { $0[0] + $0[1] }
    let first = table.reduce(0) { $0 + $1[0] }
    let n = rows.reduce(0, +)
    guard n > 0 else { return nil }
    func logP(_ x: [Int]) -> Double {
      var s = -logChoose(Double(n), Double(first))
      for (i, xi) in x.enumerated() { s += logChoose(Double(rows[i]), Double(xi)) }
      return s
    }
    let observed = logP(table.map { $0[0] })
    let limit = observed + log1p(1e-7)
    // Suffix capacities prune the enumeration to tables with the right margin.
    var capacity = [Int](repeating: 0, count: rows.count + 1)
    for i in stride(from: rows.count - 1, through: 0, by: -1) { capacity[i] = capacity[i + 1] + rows[i] }
    var total = 0.0, visited = 0
    var x = [Int](repeating: 0, count: rows.count)
    var partial = [Double](repeating: 0, count: rows.count + 1)
    partial[0] = -logChoose(Double(n), Double(first))
    var aborted = false
    func visit(_ i: Int, _ remaining: Int) {
      if aborted { return }
      if i == rows.count {
        visited += 1
        if visited > 10_000_000 { aborted = true; return }
        if partial[i] <= limit { total += exp(partial[i]) }
        return
      }
      let low = max(0, remaining - capacity[i + 1]), high = min(rows[i], remaining)
      guard low <= high else { return }
      for xi in low...high {
        x[i] = xi
        partial[i + 1] = partial[i] + logChoose(Double(rows[i]), Double(xi))
        visit(i + 1, remaining - xi)
      }
    }
    visit(0, first)
    return aborted ? nil : min(1, total)
  }

  /// R's `quantile(x, p, type = 7)` of sorted values.
  static func quantile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let h = Double(sorted.count - 1) * p
    let lo = Int(h.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
    return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
  }

  /// Mid-ranks of all values, and the tie groups' sizes.
  static func ranks(_ values: [Double]) -> (ranks: [Double], ties: [Int]) {
    let order = values.indices.sorted { values[$0] < values[$1] }
    var r = [Double](repeating: 0, count: values.count)
    var ties: [Int] = []
    var i = 0
    while i < order.count {
      var j = i
      while j + 1 < order.count && values[order[j + 1]] == values[order[i]] { j += 1 }
      let mid = Double(i + j + 2) / 2
      for k in i...j { r[order[k]] = mid }
      ties.append(j - i + 1)
      i = j + 1
    }
    return (r, ties)
  }

  /// R's `wilcox.test(x, y, exact = FALSE)$p.value` (continuity and tie corrections).
  static func wilcoxonRankSum(_ x: [Double], _ y: [Double]) -> Double {
    let (r, ties) = ranks(x + y)
    let nx = Double(x.count), ny = Double(y.count)
    let w = r[0..<x.count].reduce(0, +) - nx * (nx + 1) / 2
    var z = w - nx * ny / 2
    let tieSum = ties.reduce(0.0) { $0 + Double($1 * $1 * $1 - $1) }
    let sigma = ((nx * ny / 12) * ((nx + ny + 1) - tieSum / ((nx + ny) * (nx + ny - 1)))).squareRoot()
    let correction = z > 0 ? 0.5 : (z < 0 ? -0.5 : 0)
    z = (z - correction) / sigma
    let normal = Normal(mean: 0, standardDeviation: 1)
    return 2 * min(normal.cdf(z), normal.cdf(z, tail: .upper))
  }

  /// R's `kruskal.test(list(...))$p.value`.
  static func kruskalWallis(_ samples: [[Double]]) -> Double {
    let all = samples.flatMap { $0 }
    let (r, ties) = ranks(all)
    let n = Double(all.count)
    var statistic = 0.0, start = 0
    for s in samples {
      let sum = r[start..<(start + s.count)].reduce(0, +)
      statistic += sum * sum / Double(s.count)
      start += s.count
    }
    let tieSum = ties.reduce(0.0) { $0 + Double($1 * $1 * $1 - $1) }
    statistic = (12 * statistic / (n * (n + 1)) - 3 * (n + 1)) / (1 - tieSum / (n * n * n - n))
    return ChiSquared(degreesOfFreedom: Double(samples.count - 1)).cdf(statistic, tail: .upper)
  }
}

/// The result of `TableOne.summarize`: unrounded counts and statistics.
public struct TableOneSummary: Sendable {
  public struct Group: Sendable, Equatable {
    /// `sex = 1`, or `Overall`.
    public var label: String
    public var n: Int
  }

  public enum Kind: Sendable {
    /// Levels, counts[level][group], non-missing per group.
    case categorical(levels: [String], counts: [[Int]], nonMissing: [Int])
    case continuous([TableOne.ContinuousStats])
  }

  public struct Row: Sendable {
    public var variable: String
    /// The variable's label (a typed file's), else its name.
    public var label: String
    public var kind: Kind
    /// Missing values per group.
    public var missing: [Int]
    public var p: Double?
    /// The test behind `p`, named as a footnote names it.
    public var test: String?
  }

  /// Rows in the data.
  public var n: Int
  public var by: String?
  public var groups: [Group]
  /// Rows whose `by` is missing (left out of every group).
  public var droppedForBy: Int
  public var tests: Bool
  public var rows: [Row]
}

extension TableOneSummary: Encodable {
  enum CodingKeys: String, CodingKey { case n, by, nDropped = "n_dropped", groups, variables }
  enum GroupKeys: String, CodingKey { case label, n }
  enum RowKeys: String, CodingKey { case variable, label, type, levels, groups, missing, p, test }
  enum LevelKeys: String, CodingKey { case level, counts, percents }
  enum StatKeys: String, CodingKey { case n, mean, sd, median, q1, q3 }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(n, forKey: .n)
    try c.encode(droppedForBy, forKey: .nDropped)
    try c.encodeIfPresent(by, forKey: .by)
    var gs = c.nestedUnkeyedContainer(forKey: .groups)
    for g in groups {
      var one = gs.nestedContainer(keyedBy: GroupKeys.self)
      try one.encode(g.label, forKey: .label)
      try one.encode(g.n, forKey: .n)
    }
    var vs = c.nestedUnkeyedContainer(forKey: .variables)
    for row in rows {
      var r = vs.nestedContainer(keyedBy: RowKeys.self)
      try r.encode(row.variable, forKey: .variable)
      try r.encode(row.label, forKey: .label)
      switch row.kind {
      case .categorical(let levels, let counts, let nonMissing):
        try r.encode("categorical", forKey: .type)
        var ls = r.nestedUnkeyedContainer(forKey: .levels)
        for (k, level) in levels.enumerated() {
          var l = ls.nestedContainer(keyedBy: LevelKeys.self)
          try l.encode(level, forKey: .level)
          try l.encode(counts[k], forKey: .counts)
          try l.encode(zip(counts[k], nonMissing).map { $1 == 0 ? Double.nan : 100 * Double($0) / Double($1) }, forKey: .percents)
        }
      case .continuous(let stats):
        try r.encode("continuous", forKey: .type)
        var ss = r.nestedUnkeyedContainer(forKey: .groups)
        for s in stats {
          var one = ss.nestedContainer(keyedBy: StatKeys.self)
          try one.encode(s.n, forKey: .n)
          try one.encode(s.mean, forKey: .mean)
          try one.encode(s.sd, forKey: .sd)
          try one.encode(s.median, forKey: .median)
          try one.encode(s.q1, forKey: .q1)
          try one.encode(s.q3, forKey: .q3)
        }
      }
      try r.encode(row.missing, forKey: .missing)
      if tests {
        try r.encode(row.p ?? .nan, forKey: .p)
        try r.encode(row.test, forKey: .test)
      }
    }
  }
}
