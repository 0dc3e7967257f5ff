import CBLAS

/// Thin wrappers over the BLAS-3 routines the kernels use. Sizes are `Int32`
/// at the C boundary; every wrapper checks the shapes first.
public enum BLAS {
  /// Runs OpenBLAS single-threaded. The kernels split their own work between
  /// cores where it pays (a p × p `dsyrk` over a few thousand rows is too
  /// small for OpenBLAS's threads, whose spinning would otherwise steal the
  /// second core from the scalar sweeps). Every wrapper here and every
  /// kernel that calls BLAS directly calls this first; the setting is made
  /// once per process, whoever the caller (the command line, a library user).
  public static func useSingleThreadedKernels() {
    _ = singleThreaded
  }

  private static let singleThreaded: Void = { openblas_set_num_threads(1) }()

  /// C ← α·op(A)·op(B) + β·C (`dgemm`).
  public static func gemm(_ a: Matrix, transposeA: Bool = false,
                          _ b: Matrix, transposeB: Bool = false,
                          alpha: Double = 1, beta: Double = 0,
                          into c: inout Matrix) throws {
    let m = transposeA ? a.columns : a.rows
    let k = transposeA ? a.rows : a.columns
    let kb = transposeB ? b.columns : b.rows
    let n = transposeB ? b.rows : b.columns
    guard k == kb, c.rows == m, c.columns == n else {
      throw LinearAlgebraError.dimensionMismatch("gemm \(m)×\(k) by \(kb)×\(n) into \(c.rows)×\(c.columns)")
    }
    if m == 0 || n == 0 { return }
    useSingleThreadedKernels()
    a.storage.withUnsafeBufferPointer { ap in
      b.storage.withUnsafeBufferPointer { bp in
        c.storage.withUnsafeMutableBufferPointer { cp in
          cblas_dgemm(CblasColMajor,
                      transposeA ? CblasTrans : CblasNoTrans,
                      transposeB ? CblasTrans : CblasNoTrans,
                      Int32(m), Int32(n), Int32(k), alpha,
                      ap.baseAddress, Int32(max(1, a.rows)),
                      bp.baseAddress, Int32(max(1, b.rows)), beta,
                      cp.baseAddress, Int32(max(1, c.rows)))
        }
      }
    }
  }

  /// The product A·B as a new matrix.
  public static func product(_ a: Matrix, _ b: Matrix) throws -> Matrix {
    var c = Matrix(rows: a.rows, columns: b.columns)
    try gemm(a, b, into: &c)
    return c
  }

  /// C ← α·AᵀA + β·C on the full symmetric matrix (`dsyrk`, lower triangle
  /// computed, then mirrored so callers can index either half).
  public static func crossProduct(_ a: Matrix, alpha: Double = 1) -> Matrix {
    let n = a.columns
    var c = Matrix(rows: n, columns: n)
    if n == 0 { return c }
    useSingleThreadedKernels()
    a.storage.withUnsafeBufferPointer { ap in
      c.storage.withUnsafeMutableBufferPointer { cp in
        cblas_dsyrk(CblasColMajor, CblasLower, CblasTrans,
                    Int32(n), Int32(a.rows), alpha,
                    ap.baseAddress, Int32(max(1, a.rows)), 0,
                    cp.baseAddress, Int32(n))
      }
    }
    for j in 0..<n {
      for i in (j + 1)..<max(j + 1, n) { c[j, i] = c[i, j] }
    }
    return c
  }

  /// y ← A·x (`dgemv`, column-major, α = 1, β = 0): the product R's
  /// `A %*% x` computes for a vector, through the same BLAS routine, so the
  /// result has R's rounding where that matters (ties in a linear predictor).
  public static func matrixVector(_ a: Matrix, _ x: [Double]) throws -> [Double] {
    guard x.count == a.columns else {
      throw LinearAlgebraError.dimensionMismatch("gemv \(a.rows)×\(a.columns) by \(x.count)")
    }
    var y = [Double](repeating: 0, count: a.rows)
    if a.rows == 0 || a.columns == 0 { return y }
    guard a.rows <= Int(Int32.max), a.columns <= Int(Int32.max) else {
      throw LinearAlgebraError.dimensionMismatch("gemv \(a.rows)×\(a.columns) exceeds the BLAS's 32-bit sizes")
    }
    useSingleThreadedKernels()
    a.storage.withUnsafeBufferPointer { ap in
      x.withUnsafeBufferPointer { xp in
        y.withUnsafeMutableBufferPointer { yp in
          cblas_dgemv(CblasColMajor, CblasNoTrans, Int32(a.rows), Int32(a.columns), 1,
                      ap.baseAddress, Int32(max(1, a.rows)), xp.baseAddress, 1, 0, yp.baseAddress, 1)
        }
      }
    }
    return y
  }
}
