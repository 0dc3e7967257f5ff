import CLAPACKE
import Foundation

/// A least-squares QR factorization with R's rank rule: Householder QR of the
/// columns (LAPACK `dgeqrf`, blocked BLAS-3), where a column whose norm
/// after removing the earlier kept columns is below `tolerance` × its own
/// norm is set aside as aliased, as R's `dqrdc2` (used by `lm` and `glm`)
/// moves it to the end. Coefficients of aliased columns are `nil` (R's `NA`).
///
/// Contract: `a` is n × p with n ≥ 1; `tolerance` is R's `tol` (1e-7 for
/// `lm`, min(1e-7, epsilon/1000) = 1e-11 for `glm`). Each set-aside column
/// costs one refactorization, so a full-rank matrix is factored once.
public struct QRFactorization: Sendable {
  /// The columns kept, in their original order.
  public let kept: [Int]
  public let rows: Int
  public let columns: Int
  /// `dgeqrf`'s compact form of the kept columns (n × rank) and its τ.
  private let packed: [Double]
  private let tau: [Double]

  public var rank: Int { kept.count }
  public var aliased: [Int] { (0..<columns).filter { !kept.contains($0) } }

  public init(_ a: Matrix, tolerance: Double = 1e-7) throws {
    rows = a.rows
    columns = a.columns
    var keep = Array(0..<a.columns)
    let norms = (0..<a.columns).map { j -> Double in
      a.storage.withUnsafeBufferPointer { p in
        var s = 0.0
        for i in 0..<a.rows { s += p[j * a.rows + i] * p[j * a.rows + i] }
        return s.squareRoot()
      }
    }
    while true {
      let k = keep.count
      var work = [Double](repeating: 0, count: a.rows * k)
      for (c, j) in keep.enumerated() {
        work.replaceSubrange((c * a.rows)..<((c + 1) * a.rows), with: a.storage[(j * a.rows)..<((j + 1) * a.rows)])
      }
      var t = [Double](repeating: 0, count: max(1, min(a.rows, k)))
      if k > 0 {
        let info = LAPACKE_dgeqrf(LAPACK_COL_MAJOR, Int32(a.rows), Int32(k), &work, Int32(a.rows), &t)
        if info != 0 { throw LinearAlgebraError.illegalArgument(routine: "dgeqrf", position: Int(-info)) }
      }
      // The first kept column whose remaining norm |R_jj| is negligible.
      var drop: Int? = nil
      for c in 0..<k {
        let diagonal = c < a.rows ? abs(work[c * a.rows + c]) : 0
        if !(diagonal >= tolerance * norms[keep[c]]) || norms[keep[c]] == 0 {
          drop = c
          break
        }
      }
      if let drop {
        keep.remove(at: drop)
        continue
      }
      kept = keep
      packed = work
      tau = t
      return
    }
  }

  /// The least-squares coefficients of the kept columns for the right-hand
  /// side `b` (Qᵀb by `dormqr`, then the triangular solve `dtrtrs`).
  public func solve(_ b: [Double]) throws -> [Double] {
    precondition(b.count == rows)
    let k = rank
    if k == 0 { return [] }
    var qtb = b
    var a = packed
    var t = tau
    var info = LAPACKE_dormqr(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "L")), Int8(UInt8(ascii: "T")),
                              Int32(rows), 1, Int32(k), &a, Int32(rows), &t, &qtb, Int32(rows))
    if info != 0 { throw LinearAlgebraError.illegalArgument(routine: "dormqr", position: Int(-info)) }
    info = LAPACKE_dtrtrs(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "U")), Int8(UInt8(ascii: "N")), Int8(UInt8(ascii: "N")),
                          Int32(k), 1, &a, Int32(rows), &qtb, Int32(rows))
    if info > 0 { throw LinearAlgebraError.singular(pivot: Int(info)) }
    if info < 0 { throw LinearAlgebraError.illegalArgument(routine: "dtrtrs", position: Int(-info)) }
    return Array(qtb[0..<k])
  }

  /// (RᵀR)⁻¹ of the kept columns, rank × rank (R's `chol2inv(qr$qr)`), by `dpotri`.
  public func unscaledCovariance() throws -> Matrix {
    let k = rank
    var r = [Double](repeating: 0, count: k * k)
    for j in 0..<k { for i in 0...j { r[i + j * k] = packed[i + j * rows] } }
    if k > 0 {
      let info = LAPACKE_dpotri(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "U")), Int32(k), &r, Int32(k))
      if info > 0 { throw LinearAlgebraError.singular(pivot: Int(info)) }
      if info < 0 { throw LinearAlgebraError.illegalArgument(routine: "dpotri", position: Int(-info)) }
    }
    var m = Matrix(rows: k, columns: k, columnMajor: r)
    for j in 0..<k { for i in 0..<j { m[j, i] = m[i, j] } }
    return m
  }

  /// log |det R| = ½ log det(AᵀA) over the kept columns.
  public var logAbsDeterminant: Double {
    var s = 0.0
    for c in 0..<rank { s += log(abs(packed[c * rows + c])) }
    return s
  }

  /// The diagonal of the hat matrix A(AᵀA)⁻¹Aᵀ of the kept columns: the
  /// squared row norms of the thin Q (`dorgqr`).
  public func hatDiagonal() throws -> [Double] {
    let k = rank
    var h = [Double](repeating: 0, count: rows)
    if k == 0 { return h }
    var q = packed
    var t = tau
    let info = LAPACKE_dorgqr(LAPACK_COL_MAJOR, Int32(rows), Int32(k), Int32(k), &q, Int32(rows), &t)
    if info != 0 { throw LinearAlgebraError.illegalArgument(routine: "dorgqr", position: Int(-info)) }
    q.withUnsafeBufferPointer { p in
      for c in 0..<k {
        let base = c * rows
        for i in 0..<rows { h[i] += p[base + i] * p[base + i] }
      }
    }
    return h
  }
}
