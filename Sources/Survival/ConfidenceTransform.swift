import Distributions

/// The scale on which a pointwise confidence interval for S(t) is built; the
/// raw value is the CLI spelling (`--conf-type`). Default `log`, as R.
public enum ConfidenceTransform: String, Sendable, CaseIterable, Codable {
  case log
  case logLog = "log-log"
  case plain
  case logit
  case arcsin

  /// Limits for survival `p` with standard error `se`, exactly as R's
  /// `survfit_confint(p, se, logse, conf.type, conf.int)` (survival 3.5):
  /// - `se` is the SE of log S when `logScale`, else the SE of S;
  /// - `plain` clips to [0, 1]; `log` clips the upper limit at 1;
  /// - undefined limits are NaN: `log`, `logit` and `arcsin` at S = 0,
  ///   `log-log` at S = 0 and at S = 1 (R gives NA there too).
  public func limits(survival p: Double, standardError se: Double, logScale: Bool,
                     z: Double) -> (lower: Double, upper: Double) {
    let seLog = logScale ? se : (se == 0 ? 0 : se / p)
    switch self {
    case .plain:
      let half = seLog * p * z
      return (nanMax(p - half, 0), nanMin(p + half, 1))
    case .log:
      let xx = p == 0 ? Double.nan : p
      let half = z * seLog
      return (CMath.exp(CMath.log(xx) - half), nanMin(CMath.exp(CMath.log(xx) + half), 1))
    case .logLog:
      let xx = (p == 0 || p == 1) ? Double.nan : p
      let half = z * seLog / CMath.log(xx)
      let ll = CMath.log(-CMath.log(xx))
      return (CMath.exp(-CMath.exp(ll - half)), CMath.exp(-CMath.exp(ll + half)))
    case .logit:
      let xx = p == 0 ? Double.nan : p
      let half = z * seLog * (1 + xx / (1 - xx))
      let lo = CMath.log(p / (1 - p))
      return (1 - 1 / (1 + CMath.exp(lo - half)), 1 - 1 / (1 + CMath.exp(lo + half)))
    case .arcsin:
      let xx = p == 0 ? Double.nan : p
      let half = 0.5 * z * seLog * (xx / (1 - xx)).squareRoot()
      let a = CMath.asin(xx.squareRoot())
      let lower = CMath.sin(nanMax(0, a - half))
      let upper = CMath.sin(nanMin(Double.pi / 2, a + half))
      return (lower * lower, upper * upper)
    }
  }
}

/// R's `pmax`/`pmin` of two values: NaN if either is NaN.
@inline(__always) func nanMax(_ a: Double, _ b: Double) -> Double { a.isNaN || b.isNaN ? .nan : Swift.max(a, b) }
@inline(__always) func nanMin(_ a: Double, _ b: Double) -> Double { a.isNaN || b.isNaN ? .nan : Swift.min(a, b) }

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#else
import Foundation
#endif

/// C math functions under one name, so that `log` the function is not
/// confused with `ConfidenceTransform.log` the case.
enum CMath {
  #if canImport(Glibc)
  @inline(__always) static func log(_ x: Double) -> Double { Glibc.log(x) }
  @inline(__always) static func exp(_ x: Double) -> Double { Glibc.exp(x) }
  @inline(__always) static func sin(_ x: Double) -> Double { Glibc.sin(x) }
  @inline(__always) static func asin(_ x: Double) -> Double { Glibc.asin(x) }
  #elseif canImport(Darwin)
  @inline(__always) static func log(_ x: Double) -> Double { Darwin.log(x) }
  @inline(__always) static func exp(_ x: Double) -> Double { Darwin.exp(x) }
  @inline(__always) static func sin(_ x: Double) -> Double { Darwin.sin(x) }
  @inline(__always) static func asin(_ x: Double) -> Double { Darwin.asin(x) }
  #else
  @inline(__always) static func log(_ x: Double) -> Double { Foundation.log(x) }
  @inline(__always) static func exp(_ x: Double) -> Double { Foundation.exp(x) }
  @inline(__always) static func sin(_ x: Double) -> Double { Foundation.sin(x) }
  @inline(__always) static func asin(_ x: Double) -> Double { Foundation.asin(x) }
  #endif
}
