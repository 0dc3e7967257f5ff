import CLAPACKE

/// Linear solves and factorisations through LAPACK. Every `info` is checked.
public enum LinearSolve {
  /// Solves A·X = B by LU with partial pivoting (`dgesv`), as R's `solve()`.
  /// - Throws: `LinearAlgebraError.singular` when a pivot is exactly zero.
  public static func solve(_ a: Matrix, _ b: Matrix) throws -> Matrix {
    guard a.rows == a.columns, b.rows == a.rows else {
      throw LinearAlgebraError.dimensionMismatch("solve \(a.rows)×\(a.columns) with \(b.rows)×\(b.columns)")
    }
    let n = a.rows
    if n == 0 { return b }
    var lu = a.storage
    var x = b.storage
    var pivots = [Int32](repeating: 0, count: n)
    let info = LAPACKE_dgesv(LAPACK_COL_MAJOR, Int32(n), Int32(b.columns),
                             &lu, Int32(n), &pivots, &x, Int32(n))
    try check(info, routine: "dgesv", positive: { .singular(pivot: $0) })
    return Matrix(rows: n, columns: b.columns, columnMajor: x)
  }

  /// Solves A·x = b for one right-hand side.
  public static func solve(_ a: Matrix, _ b: [Double]) throws -> [Double] {
    try solve(a, Matrix(rows: b.count, columns: 1, columnMajor: b)).storage
  }

  /// Solves A·x = b for a symmetric positive-definite A by Cholesky (`dposv`).
  /// - Throws: `LinearAlgebraError.notPositiveDefinite` when a leading minor is not positive.
  public static func solveSPD(_ a: Matrix, _ b: [Double]) throws -> [Double] {
    guard a.rows == a.columns, b.count == a.rows else {
      throw LinearAlgebraError.dimensionMismatch("solveSPD \(a.rows)×\(a.columns) with \(b.count)")
    }
    let n = a.rows
    if n == 0 { return b }
    var l = a.storage
    var x = b
    let info = LAPACKE_dposv(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "L")), Int32(n), 1, &l, Int32(n), &x, Int32(n))
    try check(info, routine: "dposv", positive: { .notPositiveDefinite(order: $0) })
    return x
  }

  /// The Cholesky factor L (lower, A = L·Lᵀ) of a symmetric positive-definite matrix (`dpotrf`).
  public static func cholesky(_ a: Matrix) throws -> Matrix {
    guard a.rows == a.columns else {
      throw LinearAlgebraError.dimensionMismatch("cholesky of \(a.rows)×\(a.columns)")
    }
    let n = a.rows
    var l = a.storage
    if n > 0 {
      let info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "L")), Int32(n), &l, Int32(n))
      try check(info, routine: "dpotrf", positive: { .notPositiveDefinite(order: $0) })
    }
    var result = Matrix(rows: n, columns: n, columnMajor: l)
    for j in 0..<n { for i in 0..<j { result[i, j] = 0 } }
    return result
  }

  /// The inverse of a symmetric positive-definite matrix (`dpotrf` + `dpotri`).
  public static func inverseSPD(_ a: Matrix) throws -> Matrix {
    let n = a.rows
    var l = try cholesky(a).storage
    if n > 0 {
      let info = LAPACKE_dpotri(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "L")), Int32(n), &l, Int32(n))
      try check(info, routine: "dpotri", positive: { .singular(pivot: $0) })
    }
    var inv = Matrix(rows: n, columns: n, columnMajor: l)
    for j in 0..<n { for i in 0..<j { inv[i, j] = inv[j, i] } }
    return inv
  }

  private static func check(_ info: Int32, routine: String,
                            positive: (Int) -> LinearAlgebraError) throws {
    if info < 0 { throw LinearAlgebraError.illegalArgument(routine: routine, position: Int(-info)) }
    if info > 0 { throw positive(Int(info)) }
  }
}
