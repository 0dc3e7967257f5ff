import Tabular

/// A categorical variable over the rows of a model frame: `codes[i]` indexes
/// `levels`, every level occurs at least once (levels left without rows
/// after dropping are removed, as R's `strata()` and `droplevels()` do).
public struct Factor: Sendable, Equatable {
  public var levels: [String]
  public var codes: [Int32]

  public init(levels: [String], codes: [Int32]) {
    self.levels = levels
    self.codes = codes
  }

  public var count: Int { codes.count }

  /// The levels of a numeric variable: its distinct values in increasing
  /// order, written as R's `as.character` (`factor(ph.ecog)` → `0`, `1`, …).
  public static func fromNumbers(_ values: [Double]) -> Factor {
    // Fast path: small non-negative integers index a table directly.
    var minValue = Double.infinity
    var maxValue = -Double.infinity
    var allIntegers = true
    for v in values {
      if v < minValue { minValue = v }
      if v > maxValue { maxValue = v }
      if allIntegers && v != v.rounded() { allIntegers = false }
    }
    if values.isEmpty { return Factor(levels: [], codes: []) }
    if allIntegers && maxValue - minValue < 1_000_000 && abs(minValue) < 1e15 && abs(maxValue) < 1e15 {
      let offset = Int(minValue)
      var present = [Bool](repeating: false, count: Int(maxValue - minValue) + 1)
      for v in values { present[Int(v) - offset] = true }
      var code = [Int32](repeating: -1, count: present.count)
      var levels: [String] = []
      for k in present.indices where present[k] {
        code[k] = Int32(levels.count)
        levels.append(RNumberText.format(Double(k + offset)))
      }
      return Factor(levels: levels, codes: values.map { code[Int($0) - offset] })
    }
    var index: [Double: Int32] = [:]
    for v in values where index[v] == nil { index[v] = 0 }
    let sorted = index.keys.sorted()
    for (k, v) in sorted.enumerated() { index[v] = Int32(k) }
    return Factor(levels: sorted.map(RNumberText.format), codes: values.map { index[$0]! })
  }

  /// Restricts categorical codes to `rows` and drops levels without rows.
  public static func fromCategories(levels: [String], codes: [Int32], rows: [Int]) -> Factor {
    var used = [Bool](repeating: false, count: levels.count)
    for r in rows { used[Int(codes[r])] = true }
    if rows.count == codes.count && !used.contains(false) {
      return Factor(levels: levels, codes: codes)  // every row kept, every level used: share the codes
    }
    var remap = [Int32](repeating: -1, count: levels.count)
    var kept: [String] = []
    for k in levels.indices where used[k] {
      remap[k] = Int32(kept.count)
      kept.append(levels[k])
    }
    return Factor(levels: kept, codes: rows.map { remap[Int(codes[$0])] })
  }

  /// The same factor with its levels renamed.
  public func relabelled(_ name: (String) -> String) -> Factor {
    Factor(levels: levels.map(name), codes: codes)
  }

  /// The same factor with its levels in `order` (a permutation of `levels`).
  public func reordered(_ order: [String]) -> Factor {
    let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($0.element, Int32($0.offset)) })
    let remap = levels.map { position[$0]! }
    return Factor(levels: order, codes: codes.map { remap[Int($0)] })
  }

  /// Without the levels no row has, codes renumbered.
  public func droppingUnusedLevels() -> Factor {
    var used = [Bool](repeating: false, count: levels.count)
    for c in codes { used[Int(c)] = true }
    if !used.contains(false) { return self }
    var remap = [Int32](repeating: -1, count: levels.count)
    var kept: [String] = []
    for k in levels.indices where used[k] {
      remap[k] = Int32(kept.count)
      kept.append(levels[k])
    }
    return Factor(levels: kept, codes: codes.map { remap[Int($0)] })
  }

  /// R's `strata(a, b, …)`: one level per combination that occurs, the first
  /// factor varying slowest, labelled `a=x, b=y` (names from `labels`).
  ///
  /// R pads the labels of the second and later variables to a common width
  /// (`format()`); `outcomes` does not, so labels are exactly `var=value`
  /// joined by `, ` as the contract specifies.
  ///
  /// With `shortLabels` the names are left out (`adeno, 1`), as R's
  /// `strata()` does when every variable is categorical.
  public static func interaction(_ factors: [Factor], names: [String], shortLabels: Bool = false) -> Factor {
    precondition(factors.count == names.count && !factors.isEmpty)
    let n = factors[0].count
    func part(_ j: Int, _ level: String) -> String { shortLabels ? level : "\(names[j])=\(level)" }
    if factors.count == 1 {
      return Factor(levels: factors[0].levels.map { part(0, $0) }, codes: factors[0].codes)
    }
    var combined = [Int](repeating: 0, count: n)
    var cardinality = 1
    for f in factors {
      let k = f.levels.count
      for i in 0..<n { combined[i] = combined[i] * k + Int(f.codes[i]) }
      cardinality *= max(k, 1)
    }
    // Present combinations, in increasing combined code.
    var present: [Int]
    if cardinality <= 10_000_000 {
      var seen = [Bool](repeating: false, count: cardinality)
      for c in combined { seen[c] = true }
      present = seen.indices.filter { seen[$0] }
    } else {
      present = Array(Set(combined)).sorted()
    }
    var codeOf: [Int: Int32] = [:]
    var labels: [String] = []
    for (k, c) in present.enumerated() {
      codeOf[c] = Int32(k)
      var rest = c
      var parts = [String](repeating: "", count: factors.count)
      for j in stride(from: factors.count - 1, through: 0, by: -1) {
        let kj = factors[j].levels.count
        parts[j] = part(j, factors[j].levels[rest % kj])
        rest /= kj
      }
      labels.append(parts.joined(separator: ", "))
    }
    if cardinality <= 10_000_000 {
      var table = [Int32](repeating: -1, count: cardinality)
      for (c, k) in codeOf { table[c] = k }
      return Factor(levels: labels, codes: combined.map { table[$0] })
    }
    return Factor(levels: labels, codes: combined.map { codeOf[$0]! })
  }
}
