import Foundation
import Tabular

/// A term that becomes several columns: `poly(x, 2)`, `ns(x, df = 3)`,
/// `bs(x, df = 5)`, computed as R's `stats::poly` and `splines::ns`/`bs`
/// compute them, so that the coefficients (not only the fit) agree.
public struct BasisSpec: Sendable, Equatable {
  public enum Kind: Sendable, Equatable {
    /// Orthogonal polynomials of this degree (`raw`: plain powers).
    case poly(degree: Int, raw: Bool)
    /// B-splines of this degree.
    case bs(degree: Int, df: Int?, knots: [Double]?, intercept: Bool)
    /// Natural cubic splines.
    case ns(df: Int?, knots: [Double]?, intercept: Bool)
  }
  public var kind: Kind
  /// The argument (a column, or arithmetic on columns).
  public var argument: FormulaExpression
  /// `Boundary.knots` when given; else the range of the non-missing values.
  public var boundary: [Double]?
}

enum Basis {
  /// The basis over `x` (every row of the table; NaN = missing): computed
  /// from the non-missing values, as R computes it before rows with missing
  /// values elsewhere are dropped; missing rows stay NaN. Column names are
  /// R's (`1`, `2`, …).
  static func columns(_ spec: BasisSpec, x: [Double], fail: (String) -> InputError) throws -> [[Double]] {
    try fitted(spec, x: x, fail: fail).columns
  }

  /// The basis over `x` as `columns`, and what it was fitted with (knots,
  /// recurrence coefficients), so that a prediction evaluates the same basis
  /// at new values (R's `makepredictcall`).
  static func fitted(_ spec: BasisSpec, x: [Double], fail: (String) -> InputError) throws -> (columns: [[Double]], fit: BasisFit) {
    let present = x.indices.filter { !x[$0].isNaN }
    let values = present.map { x[$0] }
    guard let low = values.min(), let high = values.max() else { throw fail("has no non-missing value") }
    let fit: BasisFit
    switch spec.kind {
    case .poly(let degree, let raw):
      if raw {
        fit = .rawPolynomial(degree: degree, range: [low, high])
      } else {
        let c = try orthogonalCoefficients(values, degree: degree, fail: fail)
        fit = .orthogonalPolynomial(alpha: c.alpha, norm2: c.norm2, range: [low, high])
      }
    case .bs(let degree, let df, let knots, let intercept):
      let order = degree + 1
      let boundary = try checkedBoundary(spec.boundary, low, high, fail: fail)
      let inner = try knots.map { try checkedKnots($0, boundary, fail: fail) }
        ?? df.map { quantileKnots(values, count: max(0, $0 - order + (intercept ? 0 : 1))) } ?? []
      let all = ([Double](repeating: boundary[0], count: order) + inner + [Double](repeating: boundary[1], count: order)).sorted()
      fit = .bSpline(knots: all, order: order, intercept: intercept, boundary: boundary)
    case .ns(let df, let knots, let intercept):
      let boundary = try checkedBoundary(spec.boundary, low, high, fail: fail)
      let inner = try knots.map { try checkedKnots($0, boundary, fail: fail) }
        ?? df.map { quantileKnots(values, count: max(0, $0 - 1 - (intercept ? 1 : 0))) } ?? []
      let all = ([Double](repeating: boundary[0], count: 4) + inner + [Double](repeating: boundary[1], count: 4)).sorted()
      var constraint = try splineDesign(knots: all, x: boundary, order: 4, derivative: 2, fail: fail)
      if !intercept { constraint.removeFirst() }
      // R: qr(t(const)), whose two Householder reflections triangularise
      // the boundary constraints.
      let p = constraint.count
      var a = (0..<2).map { row in (0..<p).map { constraint[$0][row] } }  // t(const) as two columns of length p
      let qraux = LinpackQR.decompose(&a)
      fit = .naturalSpline(knots: all, intercept: intercept, reflections: a, qraux: qraux, boundary: boundary)
    }
    let out = try fit.evaluate(values, fail: fail)
    // Back to every row of the table, missing rows NaN.
    if present.count == x.count { return (out, fit) }
    return (out.map { column in
      var full = [Double](repeating: .nan, count: x.count)
      for (k, i) in present.enumerated() { full[i] = column[k] }
      return full
    }, fit)
  }

  /// Interior knots strictly inside the boundary knots.
  private static func checkedKnots(_ knots: [Double], _ boundary: [Double], fail: (String) -> InputError) throws -> [Double] {
    if let k = knots.first(where: { !($0 > boundary[0] && $0 < boundary[1]) }) {
      throw fail("has a knot at \(RNumberText.format(k)) outside (\(RNumberText.format(boundary[0])), \(RNumberText.format(boundary[1]))), expected interior knots inside the range of the data")
    }
    return knots
  }

  private static func checkedBoundary(_ given: [Double]?, _ low: Double, _ high: Double, fail: (String) -> InputError) throws -> [Double] {
    guard let given else { return [low, high] }
    let sorted = given.sorted()
    guard sorted.count == 2, sorted[0] < sorted[1] else { throw fail("expected Boundary.knots = c(lower, upper)") }
    guard sorted[0] <= low, high <= sorted[1] else {
      throw fail("has values outside Boundary.knots = c(\(RNumberText.format(sorted[0])), \(RNumberText.format(sorted[1]))), expected boundaries that cover the data (extrapolation is not supported)")
    }
    return sorted
  }

  /// `quantile(x, seq(0, 1, length.out = count + 2)[-c(1, count + 2)])`, type 7.
  static func quantileKnots(_ x: [Double], count: Int) -> [Double] {
    guard count > 0 else { return [] }
    let sorted = x.sorted()
    let n = sorted.count
    let step = 1 / Double(count + 1)
    return (1...count).map { k in
      let index = Double(n - 1) * (Double(k) * step)   // 0-based position
      let lo = Int(index.rounded(.down)), hi = Int(index.rounded(.up))
      let h = index - Double(lo)
      return h > 0 && sorted[hi] != sorted[lo] ? (1 - h) * sorted[lo] + h * sorted[hi] : sorted[lo]
    }
  }

  /// R's `poly(x, degree)`: the powers of the centred values, orthogonalised
  /// by a Householder QR (LINPACK `dqrdc2`); from the columns Q_j R_jj come
  /// R's recurrence coefficients `alpha` and `norm2`, and the basis is then
  /// evaluated row by row by the three-term recurrence (as R's
  /// `predict.poly`), so that equal values give bit-equal rows (the QR
  /// product itself differs in the last bits between rows of equal x, which
  /// would split tied pairs in a concordance).
  static func orthogonalPolynomials(_ x: [Double], degree: Int, fail: (String) -> InputError) throws -> [[Double]] {
    let c = try orthogonalCoefficients(x, degree: degree, fail: fail)
    return orthogonalRecurrence(x, alpha: c.alpha, norm2: c.norm2)
  }

  /// R's `attr(poly(x, degree), "coefs")`: `alpha` and `norm2` (without R's leading 1).
  static func orthogonalCoefficients(_ x: [Double], degree: Int, fail: (String) -> InputError) throws -> (alpha: [Double], norm2: [Double]) {
    let distinct = Set(x).count
    guard degree < distinct else { throw fail("needs a degree less than the number of distinct values (\(distinct))") }
    let mean = x.reduce(0, +) / Double(x.count)
    let centred = x.map { $0 - mean }
    var a = (0...degree).map { d in centred.map { RPower.power($0, Double(d)) } }
    let qraux = LinpackQR.decompose(&a)
    var norm2 = [Double](repeating: 0, count: degree + 1)
    var alpha = [Double](repeating: 0, count: degree)
    for j in 0...degree {
      // Column j of Q·diag(R): the unit vector e_j times R_jj, multiplied by Q.
      var z = [Double](repeating: 0, count: x.count)
      z[j] = a[j][j]
      LinpackQR.apply(a, qraux, to: &z)
      var squares = 0.0, weighted = 0.0
      for i in z.indices {
        squares += z[i] * z[i]
        weighted += centred[i] * z[i] * z[i]
      }
      norm2[j] = squares
      if j < degree { alpha[j] = weighted / squares + mean }
    }
    return (alpha, norm2)
  }

  /// R's `predict.poly` three-term recurrence at x.
  static func orthogonalRecurrence(_ x: [Double], alpha: [Double], norm2: [Double]) -> [[Double]] {
    let degree = alpha.count
    let norms = [1] + norm2   // R: norm2 <- c(1, norm2)
    var previous = [Double](repeating: 1, count: x.count)
    var current = x.map { $0 - alpha[0] }
    var out = [current.map { $0 / norm2[1].squareRoot() }]
    if degree > 1 {
      for i in 1..<degree {
        let ratio = norms[i + 1] / norms[i]
        let next = x.indices.map { (x[$0] - alpha[i]) * current[$0] - ratio * previous[$0] }
        previous = current
        current = next
        out.append(current.map { $0 / norm2[i + 1].squareRoot() })
      }
    }
    return out
  }

  /// R's `splineDesign(knots, x, order, derivs)`: one column per B-spline
  /// (knots.count − order of them), the value (or derivative) of each at x.
  static func splineDesign(knots: [Double], x: [Double], order: Int, derivative: Int, fail: (String) -> InputError) throws -> [[Double]] {
    let columns = knots.count - order
    var design = [[Double]](repeating: [Double](repeating: 0, count: x.count), count: columns)
    var values = [Double](repeating: 0, count: order)
    for (i, xi) in x.enumerated() {
      guard let cursor = BSpline.cursor(knots: knots, order: order, x: xi) else {
        throw fail("has a value outside the knots, expected knots that cover the data")
      }
      let offset = cursor.index - order
      if derivative == 0 {
        BSpline.values(knots: knots, order: order, cursor: cursor.index, x: xi, into: &values)
      } else {
        for k in 0..<order {
          values[k] = BSpline.derivative(knots: knots, order: order, cursor: cursor.index, boundary: cursor.boundary,
                                         x: xi, unit: k, derivative: derivative)
        }
      }
      for k in 0..<order { design[offset + k][i] = values[k] }
    }
    return design
  }
}

/// The B-spline recursions of de Boor (*A Practical Guide to Splines*),
/// with the cursor rule of R's `splines` package: x lies in
/// [knots[c−1], knots[c]), and x at the right boundary knot belongs to the
/// last interval.
enum BSpline {
  static func cursor(knots: [Double], order: Int, x: Double) -> (index: Int, boundary: Bool)? {
    var cursor = -1
    for (i, k) in knots.enumerated() {
      if k >= x { cursor = i }
      if k > x { break }
    }
    var boundary = false
    let lastLegit = knots.count - order
    if cursor > lastLegit, x == knots[lastLegit] {
      boundary = true
      cursor = lastLegit
    }
    guard cursor - order >= 0, cursor - order <= knots.count - order, cursor >= 0 else { return nil }
    return (cursor, boundary)
  }

  /// The `order` B-splines that are non-zero at x (Cox–de Boor, stable form).
  static func values(knots: [Double], order: Int, cursor: Int, x: Double, into b: inout [Double]) {
    let m = order - 1
    var right = [Double](repeating: 0, count: max(m, 1)), left = right
    for i in 0..<m {
      right[i] = knots[cursor + i] - x
      left[i] = x - knots[cursor - (i + 1)]
    }
    b[0] = 1
    if m == 0 { return }
    for j in 1...m {
      var saved = 0.0
      for r in 0..<j {
        let denominator = right[r] + left[j - 1 - r]
        if denominator != 0 {
          let term = b[r] / denominator
          b[r] = saved + right[r] * term
          saved = left[j - 1 - r] * term
        } else {
          if r != 0 || right[r] != 0 { b[r] = saved }
          saved = 0
        }
      }
      b[j] = saved
    }
  }

  /// The `derivative`-th derivative at x of the `unit`-th B-spline that is
  /// non-zero there: the spline with coefficient 1 on it, differentiated
  /// by differencing the coefficients, then evaluated by de Boor's
  /// recursion.
  static func derivative(knots: [Double], order: Int, cursor: Int, boundary: Bool, x: Double, unit: Int, derivative: Int) -> Double {
    var outer = order - 1
    if boundary && derivative == outer { return 0 }
    var a = [Double](repeating: 0, count: order + 1)
    a[unit] = 1
    let ti = cursor   // knots[ti + k] is the k-th knot from the cursor
    for _ in 0..<derivative {
      for k in 0..<outer {
        let lower = ti - outer + k
        a[k] = Double(outer) * (a[k + 1] - a[k]) / (knots[lower + outer] - knots[lower])
      }
      outer -= 1
    }
    var right = [Double](repeating: 0, count: max(outer, 1)), left = right
    for i in 0..<outer {
      right[i] = knots[cursor + i] - x
      left[i] = x - knots[cursor - (i + 1)]
    }
    while outer > 0 {
      outer -= 1
      for k in 0...outer {
        let l = left[outer - k], r = right[k]
        a[k] = (a[k + 1] * l + a[k] * r) / (r + l)
      }
    }
    return a[0]
  }
}

/// Householder QR as LINPACK's `dqrdc2` (without its column pivoting, which
/// a full-rank basis never triggers) and `dqrsl`'s products with Q and Qᵀ:
/// R's `qr()`, `qr.qy()` and `qr.qty()`. The reflections, not only R, must
/// be R's, since `ns()` keeps the rotated coordinates themselves.
enum LinpackQR {
  /// Factorises the columns `a` in place (R and the Householder vectors, as
  /// `dqrdc2` stores them); returns `qraux`.
  static func decompose(_ a: inout [[Double]]) -> [Double] {
    let n = a.first?.count ?? 0
    let p = a.count
    var qraux = [Double](repeating: 0, count: p)
    for l in 0..<min(n, p) {
      if l == n - 1 { break }
      var norm = 0.0
      for i in l..<n { norm += a[l][i] * a[l][i] }
      norm = norm.squareRoot()
      if norm == 0 { continue }
      if a[l][l] != 0 { norm = a[l][l] < 0 ? -abs(norm) : abs(norm) }
      let scale = 1 / norm   // dscal by the reciprocal, as dqrdc2
      for i in l..<n { a[l][i] *= scale }
      a[l][l] += 1
      for j in (l + 1)..<p {
        var dot = 0.0
        for i in l..<n { dot += a[l][i] * a[j][i] }
        let t = -dot / a[l][l]
        for i in l..<n { a[j][i] += t * a[l][i] }
      }
      qraux[l] = a[l][l]
      a[l][l] = -norm
    }
    return qraux
  }

  /// y ← Qᵀ y.
  static func applyTranspose(_ a: [[Double]], _ qraux: [Double], to y: inout [Double]) {
    let n = y.count
    for j in 0..<min(a.count, n - 1) { reflect(a, qraux, j, &y) }
  }

  /// y ← Q y.
  static func apply(_ a: [[Double]], _ qraux: [Double], to y: inout [Double]) {
    let n = y.count
    for j in (0..<min(a.count, n - 1)).reversed() { reflect(a, qraux, j, &y) }
  }

  private static func reflect(_ a: [[Double]], _ qraux: [Double], _ j: Int, _ y: inout [Double]) {
    guard qraux[j] != 0 else { return }
    let n = y.count
    var v = a[j]
    v[j] = qraux[j]
    var dot = 0.0
    for i in j..<n { dot += v[i] * y[i] }
    let t = -dot / v[j]
    for i in j..<n { y[i] += t * v[i] }
  }
}

/// A basis as fitted on the data: evaluated again at new values (a
/// prediction's profile) it gives the columns the fit used, as R's
/// `makepredictcall` keeps `coefs` and knots. Values outside the range the
/// basis was fitted on are refused (R extrapolates, with a warning for `bs`).
public enum BasisFit: Sendable, Equatable {
  case rawPolynomial(degree: Int, range: [Double])
  case orthogonalPolynomial(alpha: [Double], norm2: [Double], range: [Double])
  case bSpline(knots: [Double], order: Int, intercept: Bool, boundary: [Double])
  case naturalSpline(knots: [Double], intercept: Bool, reflections: [[Double]], qraux: [Double], boundary: [Double])

  /// The range of the data (or the boundary knots) the basis was fitted on.
  public var range: [Double] {
    switch self {
    case .rawPolynomial(_, let r), .orthogonalPolynomial(_, _, let r), .bSpline(_, _, _, let r), .naturalSpline(_, _, _, _, let r): return r
    }
  }

  /// The basis columns at `x` (no missing values).
  func evaluate(_ x: [Double], fail: (String) -> InputError) throws -> [[Double]] {
    switch self {
    case .rawPolynomial(let degree, _):
      return (1...degree).map { d in x.map { RPower.power($0, Double(d)) } }
    case .orthogonalPolynomial(let alpha, let norm2, _):
      return Basis.orthogonalRecurrence(x, alpha: alpha, norm2: norm2)
    case .bSpline(let knots, let order, let intercept, _):
      var design = try Basis.splineDesign(knots: knots, x: x, order: order, derivative: 0, fail: fail)
      if !intercept { design.removeFirst() }
      return design
    case .naturalSpline(let knots, let intercept, let a, let qraux, _):
      var design = try Basis.splineDesign(knots: knots, x: x, order: 4, derivative: 0, fail: fail)
      if !intercept { design.removeFirst() }
      // R: t(qr.qty(qr(t(const)), t(basis)))[, -(1:2)].
      let p = design.count
      var rotated = [[Double]](repeating: [Double](repeating: 0, count: x.count), count: p - 2)
      var row = [Double](repeating: 0, count: p)
      for i in x.indices {
        for k in 0..<p { row[k] = design[k][i] }
        LinpackQR.applyTranspose(a, qraux, to: &row)
        for k in 2..<p { rotated[k - 2][i] = row[k] }
      }
      return rotated
    }
  }
}
