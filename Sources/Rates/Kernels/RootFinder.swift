/// Brent's method for a root of a continuous function on a bracketing
/// interval: bisection's guarantee with inverse quadratic interpolation's
/// speed (R's `uniroot` uses the same algorithm, `R_zeroin2`).
///
/// Contract:
/// - `f(lower)` and `f(upper)` have opposite signs (or one is zero); when
///   they do not, the root is NaN.
/// - Stops when the bracket is narrower than `2·(4ε|x| + absoluteTolerance)`
///   around the current best point, or after `maxIterations`.
/// - Returns the best point and whether it converged.
/// - Reference: Brent (1973), *Algorithms for Minimization without
///   Derivatives*, ch. 4.
enum RootFinder {
  struct Root {
    var x: Double
    var converged: Bool
  }

  /// Defaults tight enough that the root is limited by the accuracy of `f`
  /// itself (R's `uniroot` default tolerance, ε^0.25 ≈ 1.2e-4, is far looser).
  static func brent(lower: Double, upper: Double, absoluteTolerance: Double = 0, maxIterations: Int = 200,
                    _ f: (Double) -> Double) -> Root {
    // An interval that does not bracket a root (rounding at the extremes of
    // the inputs) gives NaN, printed as null: no limit rather than a wrong
    // one, and no trap.
    bracketed(lower: lower, upper: upper, absoluteTolerance: absoluteTolerance, maxIterations: maxIterations, f)
      ?? Root(x: .nan, converged: false)
  }

  /// Brent's method, or `nil` when f(lower) and f(upper) have the same sign
  /// (for a function whose values at the ends were only expected to differ).
  static func bracketed(lower: Double, upper: Double, absoluteTolerance: Double = 0, maxIterations: Int = 200,
                        _ f: (Double) -> Double) -> Root? {
    var a = lower, b = upper
    var fa = f(a), fb = f(b)
    if fa == 0 { return Root(x: a, converged: true) }
    if fb == 0 { return Root(x: b, converged: true) }
    guard fa.sign != fb.sign || fa.isNaN || fb.isNaN else { return nil }
    var c = a, fc = fa
    var d = b - a, e = d
    for _ in 0..<maxIterations {
      if (fb > 0) == (fc > 0) {
        c = a; fc = fa
        d = b - a; e = d
      }
      if abs(fc) < abs(fb) {
        a = b; b = c; c = a
        fa = fb; fb = fc; fc = fa
      }
      let tolerance = 2 * Double.ulpOfOne * abs(b) + 0.5 * absoluteTolerance
      let middle = 0.5 * (c - b)
      if abs(middle) <= tolerance || fb == 0 { return Root(x: b, converged: true) }
      if abs(e) >= tolerance && abs(fa) > abs(fb) {
        // Inverse quadratic interpolation (secant when only two points).
        var p: Double, q: Double
        let s = fb / fa
        if a == c {
          p = 2 * middle * s
          q = 1 - s
        } else {
          let qa = fa / fc, r = fb / fc
          p = s * (2 * middle * qa * (qa - r) - (b - a) * (r - 1))
          q = (qa - 1) * (r - 1) * (s - 1)
        }
        if p > 0 { q = -q } else { p = -p }
        if 2 * p < min(3 * middle * q - abs(tolerance * q), abs(e * q)) {
          e = d
          d = p / q
        } else {
          d = middle; e = d
        }
      } else {
        d = middle; e = d
      }
      a = b; fa = fb
      b += abs(d) > tolerance ? d : (middle > 0 ? tolerance : -tolerance)
      fb = f(b)
    }
    return Root(x: b, converged: false)
  }
}
