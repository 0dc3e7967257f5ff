import Foundation
import LinearAlgebra

/// Whether a binary outcome is separated by the columns of X, so that the
/// maximum-likelihood estimates of a logistic regression do not exist
/// (Albert & Anderson 1984): some direction β ≠ 0 has sᵢ xᵢᵀβ ≥ 0 for every
/// row, sᵢ = 2yᵢ − 1, and > 0 for at least one. Found by the linear
/// program of Konis (2007, as R's `detectseparation`):
///
///     maximize Σᵢ sᵢ xᵢᵀβ  subject to  sᵢ xᵢᵀβ ≥ 0,  −1 ≤ βⱼ ≤ 1,
///
/// whose optimum is positive exactly when the data are separated; the
/// coefficients with βⱼ ≠ 0 in the solution are the infinite ones, with its
/// sign; a second program (the largest smallest margin) tells complete
/// from quasi-complete separation. Solved by the simplex method on a condensed tableau with Bland's
/// rule (the origin is feasible, so no first phase; Bland's rule terminates
/// despite the degenerate zero right-hand sides).
///
/// Contract: `x` n × p, y 0/1. Columns are scaled to unit maximum first
/// (separation does not depend on scale); O(n·p) per pivot.
/// - Reference: Albert & Anderson (1984), doi:10.1093/biomet/71.1.1; Konis
///   (2007), *Linear programming algorithms for detecting separated data in
///   binary logistic regression models*, DPhil thesis, Oxford.
enum SeparationCheck {
  struct Result: Equatable {
    /// Every row strictly on its side: complete separation; else quasi-complete.
    var complete: Bool
    /// Per column: +1 or −1 for an infinite estimate in that direction, 0 finite.
    var directions: [Int]
  }

  /// `nil` when the data are not separated (the estimates exist).
  static func check(x: Matrix, y: [Double]) -> Result? {
    let n = x.rows, p = x.columns
    if n == 0 || p == 0 { return nil }
    // Scaled rows aᵢ = sᵢ xᵢⱼ / maxᵢ|xᵢⱼ| (separation does not depend on scale).
    var scale = [Double](repeating: 1, count: p)
    for j in 0..<p {
      var m = 0.0
      for i in 0..<n { m = max(m, abs(x[i, j])) }
      scale[j] = m > 0 ? m : 1
    }
    func a(_ i: Int, _ j: Int) -> Double { (y[i] == 1 ? 1.0 : -1.0) * x[i, j] / scale[j] }
    // Konis's program in the variables β⁺, β⁻ (2p, within [0, 1]):
    // −aᵢ·(β⁺ − β⁻) ≤ 0, maximize Σᵢ aᵢ·(β⁺ − β⁻).
    var rowsA: [[Double]] = []
    var cost = [Double](repeating: 0, count: 2 * p)
    for i in 0..<n {
      var row = [Double](repeating: 0, count: 2 * p)
      for j in 0..<p {
        row[j] = -a(i, j)
        row[p + j] = a(i, j)
        cost[j] += a(i, j)
        cost[p + j] -= a(i, j)
      }
      rowsA.append(row)
    }
    let v = maximize(constraints: rowsA, cost: cost, variables: 2 * p)
    var beta = (0..<p).map { v[$0] - v[p + $0] }
    let largest = beta.map(abs).max() ?? 0
    guard largest > 1e-9 else { return nil }
    for j in 0..<p where abs(beta[j]) <= 1e-9 * max(1, largest) { beta[j] = 0 }
    var objective = 0.0
    for i in 0..<n { for j in 0..<p { objective += a(i, j) * beta[j] } }
    guard objective > 1e-8 else { return nil }
    // Complete separation: some β has every aᵢ·β > 0. Maximize the smallest
    // margin t (within [0, 1]): t − aᵢ·(β⁺ − β⁻) ≤ 0.
    var marginRows: [[Double]] = []
    for i in 0..<n {
      var row = [Double](repeating: 0, count: 2 * p + 1)
      for j in 0..<p {
        row[j] = -a(i, j)
        row[p + j] = a(i, j)
      }
      row[2 * p] = 1
      marginRows.append(row)
    }
    var marginCost = [Double](repeating: 0, count: 2 * p + 1)
    marginCost[2 * p] = 1
    let w = maximize(constraints: marginRows, cost: marginCost, variables: 2 * p + 1)
    return Result(complete: w[2 * p] > 1e-9, directions: beta.map { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) })
  }

  /// max cost·v subject to constraints·v ≤ 0 and 0 ≤ v ≤ 1 (the origin is
  /// feasible): simplex on a condensed tableau, Bland's rule.
  private static func maximize(constraints: [[Double]], cost c: [Double], variables k: Int) -> [Double] {
    let n = constraints.count
    let m = n + k
    var t = [Double](repeating: 0, count: m * k)  // row-major m × k
    var rhs = [Double](repeating: 0, count: m)
    var cost = c
    for (i, row) in constraints.enumerated() { for j in 0..<k { t[i * k + j] = row[j] } }
    for v in 0..<k {
      t[(n + v) * k + v] = 1
      rhs[n + v] = 1
    }
    var basic = (0..<m).map { k + $0 }
    var nonbasic = Array(0..<k)
    let tolerance = 1e-11
    var pivots = 0
    let maxPivots = 50 * (m + k)
    while pivots < maxPivots {
      // Bland: the entering variable of smallest index with positive cost.
      var entering = -1
      for j in 0..<k where cost[j] > tolerance {
        if entering < 0 || nonbasic[j] < nonbasic[entering] { entering = j }
      }
      if entering < 0 { break }
      var leaving = -1
      var best = Double.infinity
      for r in 0..<m {
        let a = t[r * k + entering]
        if a > tolerance {
          let ratio = rhs[r] / a
          if ratio < best - 1e-14 || (abs(ratio - best) <= 1e-14 && basic[r] < basic[leaving]) {
            best = ratio
            leaving = r
          }
        }
      }
      if leaving < 0 { break }  // unbounded cannot happen within the box
      pivot(&t, &rhs, &cost, rows: m, columns: k, row: leaving, column: entering)
      swap(&basic[leaving], &nonbasic[entering])
      pivots += 1
    }
    var v = [Double](repeating: 0, count: k)
    for r in 0..<m where basic[r] < k { v[basic[r]] = rhs[r] }
    return v
  }

  private static func pivot(_ t: inout [Double], _ rhs: inout [Double], _ cost: inout [Double],
                            rows m: Int, columns k: Int, row r: Int, column c: Int) {
    let a = t[r * k + c]
    // Row r: the entering variable in terms of the others.
    for j in 0..<k where j != c { t[r * k + j] /= a }
    t[r * k + c] = 1 / a
    rhs[r] /= a
    for i in 0..<m where i != r {
      let f = t[i * k + c]
      if f == 0 { continue }
      for j in 0..<k where j != c { t[i * k + j] -= f * t[r * k + j] }
      t[i * k + c] = -f / a
      rhs[i] -= f * rhs[r]
      if abs(rhs[i]) < 1e-15 { rhs[i] = max(rhs[i], 0) }
    }
    let f = cost[c]
    for j in 0..<k where j != c { cost[j] -= f * t[r * k + j] }
    cost[c] = -f / a
  }
}
