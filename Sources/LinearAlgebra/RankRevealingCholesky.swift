import CLAPACKE

/// A symmetric positive semi-definite matrix factored so that columns that
/// are (numerically) linear combinations of earlier ones are set aside, as R
/// survival's `cholesky2`, `chsolve2` and `chinv2` do, while the arithmetic
/// on the remaining columns is LAPACK's (`dpotrf`, `dpotrs`, `dpotri`).
///
/// Rank rule (R's `cholesky2`, order-dependent, not pivoted): with
/// ε = tolerance × the largest diagonal element, column i is dropped when its
/// pivot in the LDLᵀ elimination of the columns kept so far is below ε (or
/// not finite). Solutions and inverses are zero in dropped rows and columns,
/// which is R's generalized inverse.
public struct RankRevealingCholesky: Sendable {
  /// Columns kept, in order.
  public let kept: [Int]
  public let dimension: Int
  /// Cholesky factor of the kept submatrix (lower, column-major, LAPACK).
  private let factor: [Double]

  public var rank: Int { kept.count }
  public var dropped: [Int] { (0..<dimension).filter { !kept.contains($0) } }

  /// - Parameters:
  ///   - a: symmetric n × n (both halves filled).
  ///   - tolerance: R's `toler.chol`, `.Machine$double.eps^0.75` by default.
  public init(_ a: Matrix, tolerance: Double = RankRevealingCholesky.defaultTolerance) throws {
    precondition(a.rows == a.columns)
    let n = a.rows
    dimension = n
    var work = a
    var largest = 0.0
    for i in 0..<n where work[i, i] > largest { largest = work[i, i] }
    let eps = largest == 0 ? tolerance : largest * tolerance
    var keptColumns: [Int] = []
    for i in 0..<n {
      let pivot = work[i, i]
      if !pivot.isFinite || pivot < eps {
        work[i, i] = 0
        continue
      }
      keptColumns.append(i)
      for j in (i + 1)..<max(i + 1, n) {
        let t = work[j, i] / pivot
        work[j, i] = t
        work[j, j] -= t * t * pivot
        for k in (j + 1)..<max(j + 1, n) { work[k, j] -= t * work[k, i] }
      }
    }
    kept = keptColumns
    let m = keptColumns.count
    var sub = [Double](repeating: 0, count: m * m)
    for (cj, j) in keptColumns.enumerated() {
      for (ci, i) in keptColumns.enumerated() { sub[ci + cj * m] = a[i, j] }
    }
    if m > 0 {
      let info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "L")), Int32(m), &sub, Int32(m))
      if info < 0 { throw LinearAlgebraError.illegalArgument(routine: "dpotrf", position: Int(-info)) }
      if info > 0 { throw LinearAlgebraError.notPositiveDefinite(order: Int(info)) }
    }
    factor = sub
  }

  /// R's `toler.chol`: `.Machine$double.eps^0.75`.
  public static let defaultTolerance = 1.8189894035458617e-12

  /// x with A x = b on the kept columns; 0 in the dropped ones.
  public func solve(_ b: [Double]) throws -> [Double] {
    precondition(b.count == dimension)
    let m = kept.count
    var out = [Double](repeating: 0, count: dimension)
    if m == 0 { return out }
    var rhs = kept.map { b[$0] }
    var f = factor
    let info = LAPACKE_dpotrs(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "L")), Int32(m), 1, &f, Int32(m), &rhs, Int32(m))
    if info != 0 { throw LinearAlgebraError.illegalArgument(routine: "dpotrs", position: Int(-info)) }
    for (c, i) in kept.enumerated() { out[i] = rhs[c] }
    return out
  }

  /// The generalized inverse: the inverse of the kept submatrix, zeros elsewhere.
  public func inverse() throws -> Matrix {
    let m = kept.count
    var out = Matrix(rows: dimension, columns: dimension)
    if m == 0 { return out }
    var f = factor
    let info = LAPACKE_dpotri(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "L")), Int32(m), &f, Int32(m))
    if info < 0 { throw LinearAlgebraError.illegalArgument(routine: "dpotri", position: Int(-info)) }
    if info > 0 { throw LinearAlgebraError.singular(pivot: Int(info)) }
    for (cj, j) in kept.enumerated() {
      for (ci, i) in kept.enumerated() where ci >= cj {
        out[i, j] = f[ci + cj * m]
        out[j, i] = f[ci + cj * m]
      }
    }
    return out
  }
}
