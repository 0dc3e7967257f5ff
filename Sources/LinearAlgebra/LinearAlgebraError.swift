/// A failure reported by LAPACK through its `info` argument.
public enum LinearAlgebraError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The matrix is singular: LAPACK's `info > 0` from a factorisation (1-based pivot).
  case singular(pivot: Int)
  /// The matrix is not positive definite: `info > 0` from a Cholesky factorisation.
  case notPositiveDefinite(order: Int)
  /// An argument was illegal (`info < 0`): a programmer error in the wrapper.
  case illegalArgument(routine: String, position: Int)
  /// Operand shapes do not agree.
  case dimensionMismatch(String)

  public var description: String {
    switch self {
    case .singular(let pivot): return "matrix is singular (zero pivot at \(pivot))"
    case .notPositiveDefinite(let order): return "matrix is not positive definite (leading minor \(order))"
    case .illegalArgument(let routine, let position): return "\(routine): argument \(position) had an illegal value"
    case .dimensionMismatch(let what): return "dimension mismatch: \(what)"
    }
  }
}
