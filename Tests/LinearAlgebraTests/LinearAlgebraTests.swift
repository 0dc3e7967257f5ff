import LinearAlgebra
import Testing
import TestSupport

@Suite("LinearAlgebra")
struct LinearAlgebraTests {
  @Test("solve by LU matches the hand-computed solution")
  func solve() throws {
    let a = Matrix([[4, 1], [2, 3]])
    let x = try LinearSolve.solve(a, [1, 2])
    // 4x + y = 1, 2x + 3y = 2 → x = 0.1, y = 0.6
    expectClose(x[0], 0.1, relative: 1e-14, "x")
    expectClose(x[1], 0.6, relative: 1e-14, "y")
  }

  @Test("a singular matrix is reported with LAPACK's pivot")
  func singular() {
    #expect(throws: LinearAlgebraError.singular(pivot: 2)) {
      try LinearSolve.solve(Matrix([[1, 2], [2, 4]]), [1, 1])
    }
  }

  @Test("crossProduct (dsyrk) equals AᵀA by dgemm; Cholesky inverse times A is the identity")
  func blas() throws {
    let a = Matrix([[1, 2, 0], [3, -1, 2], [0.5, 4, 1], [2, 2, 2]])
    let syrk = BLAS.crossProduct(a)
    let gemm = try BLAS.product(a.transposed, a)
    for i in 0..<3 { for j in 0..<3 { expectClose(syrk[i, j], gemm[i, j], relative: 1e-14, "AᵀA[\(i),\(j)]") } }
    let inverse = try LinearSolve.inverseSPD(syrk)
    let identity = try BLAS.product(inverse, syrk)
    for i in 0..<3 { for j in 0..<3 { expectClose(identity[i, j], i == j ? 1 : 0, relative: 1e-12, absolute: 1e-12, "I[\(i),\(j)]") } }
    #expect(throws: LinearAlgebraError.notPositiveDefinite(order: 2)) {
      try LinearSolve.cholesky(Matrix([[1, 2], [2, 1]]))
    }
  }
}
