import Foundation
import LinearAlgebra

/// The exact marginal likelihood of tied event times (Kalbfleisch & Prentice
/// 1973) — SAS PHREG's `TIES=EXACT`: the tied failures at t are taken to
/// come from continuous times, and the term is the probability that they all
/// fail before any other member of the risk set,
///
///     L_t = ∫₀^∞ e^{−u} ∏_{j ∈ D} (1 − e^{−a_j u}) du,   a_j = r_j / S,
///
/// with D the d failures, r = e^{η}, and S the sum of r over the rest of the
/// risk set (L_t = 1 when no one else is at risk). With a_j's derivatives
/// ∂a_j = a_j (x_j − m), ∂²a_j = a_j [(x_j − m)(x_j − m)ᵀ − V] (m, V the
/// r-weighted mean and variance of x over the rest of the risk set), the
/// score and information are integrals of the same kind,
///
///     ∂L = ∫ F G,  ∂²L = ∫ F (G Gᵀ + Σ_j [h'_j ∂a_j ∂a_jᵀ + h_j ∂²a_j]),
///
/// F the integrand, h_j = u q_j, h'_j = −u² q_j (1 + q_j), q_j = e^{−a_j u} /
/// (1 − e^{−a_j u}), G = Σ_j h_j ∂a_j. The integrals are computed together
/// by adaptive Gauss–Kronrod (7/15) quadrature on u, to 1e-13 relative.
/// One failure gives a_j/(1 + a_j) = r_j / (S + r_j), the ordinary partial
/// likelihood term, so untied times need no quadrature.
///
/// Contract: as `CoxDiscreteKernel` (rows sorted by stratum and ascending
/// time, `x` n × p column-major, centred and scaled; right-censored or
/// counting-process data; unit case weights).
/// - Reference: Kalbfleisch & Prentice (1973), doi:10.1093/biomet/60.2.267;
///   DeLong, Guirguis & So (1994), doi:10.1093/biomet/81.3.607.
enum CoxMarginalKernel {
  static func evaluate(sets: CoxRiskSets, x: [Double], p: Int, beta: [Double])
    -> (logLikelihood: Double, score: [Double], information: Matrix) {
    let n = sets.n
    var loglik = 0.0
    var score = [Double](repeating: 0, count: p)
    var information = [Double](repeating: 0, count: p * p)
    let eta = sets.linearPredictor(x: x, p: p, beta: beta)
    for (s, range) in sets.strata.enumerated() {
      for b in sets.blockRanges[s] {
        let block = sets.blocks[b]
        guard block.deaths > 0 else { continue }
        let t = block.time
        var deaths: [Int] = []
        var others: [Int] = []
        for i in block.rows.lowerBound..<range.upperBound {
          if let start = sets.start, !(start[i] < t) { continue }
          if block.rows.contains(i) && sets.status[i] == 1 { deaths.append(i) } else { others.append(i) }
        }
        if others.isEmpty { continue }  // everyone at risk fails: probability 1
        var shift = -Double.infinity
        for i in deaths + others where eta[i] > shift { shift = eta[i] }
        // The rest of the risk set: S, its mean m and variance V of x.
        var sum = 0.0
        var mean = [Double](repeating: 0, count: p)
        var second = [Double](repeating: 0, count: p * p)
        for i in others {
          let r = exp(eta[i] - shift)
          sum += r
          for a in 0..<p {
            let xa = x[i + a * n]
            mean[a] += r * xa
            for c in 0...a { second[a * p + c] += r * xa * x[i + c * n] }
          }
        }
        for a in 0..<p { mean[a] /= sum }
        var variance = [Double](repeating: 0, count: p * p)
        for a in 0..<p {
          for c in 0...a { variance[a * p + c] = second[a * p + c] / sum - mean[a] * mean[c] }
        }
        // Per failure: a_j, ∂a_j (p), ∂²a_j (lower triangle).
        let d = deaths.count
        var aj = [Double](repeating: 0, count: d)
        var da = [Double](repeating: 0, count: d * p)
        var dda = [Double](repeating: 0, count: d * p * p)
        for (j, i) in deaths.enumerated() {
          let a = exp(eta[i] - shift) / sum
          aj[j] = a
          for c in 0..<p { da[j * p + c] = a * (x[i + c * n] - mean[c]) }
          for c in 0..<p {
            for e in 0...c {
              let u = x[i + c * n] - mean[c], v = x[i + e * n] - mean[e]
              dda[j * p * p + c * p + e] = a * (u * v - variance[c * p + e])
            }
          }
        }
        let integrand = MarginalIntegrand(a: aj, da: da, dda: dda, p: p)
        let integrals = integrand.integrate()
        let value = integrals[0]
        loglik += log(value) + (d == 1 ? 0 : integrand.logScale)
        for c in 0..<p {
          let g = integrals[1 + c] / value
          score[c] += g
          for e in 0...c {
            let h = integrals[1 + p + c * (c + 1) / 2 + e] / value
            information[c * p + e] -= h - g * integrals[1 + e] / value
          }
        }
      }
    }
    return (loglik, score, CoxRiskSets.symmetric(lower: information, p: p))
  }
}

/// The integrand of one tied set and its derivatives, as one vector:
/// [F, F·G (p), F·(G Gᵀ + H) (lower triangle, p(p+1)/2)].
struct MarginalIntegrand {
  let a: [Double]
  let da: [Double]
  let dda: [Double]
  let p: Int
  /// log F at u = d, subtracted so that F neither underflows nor overflows
  /// (many small a_j make F tiny everywhere); `integrate` adds it back as
  /// `logScale`.
  let logScale: Double

  init(a: [Double], da: [Double], dda: [Double], p: Int) {
    self.a = a
    self.da = da
    self.dda = dda
    self.p = p
    let u = Double(max(1, a.count))
    logScale = a.reduce(-u) { $0 + log(-expm1(-$1 * u)) }
  }

  var width: Int { 1 + p + p * (p + 1) / 2 }

  /// Fills `out` (length `width`) at u. G and the Hessian terms are summed
  /// in `out` itself (no allocation per node), then scaled by F.
  func values(at u: Double, into out: inout [Double]) {
    let d = a.count
    var logF = -u - logScale
    for c in 1..<out.count { out[c] = 0 }
    for j in 0..<d {
      let au = a[j] * u
      // 1 − e^{−au} and q = e^{−au} / (1 − e^{−au}), accurate for small au.
      let oneMinus = -expm1(-au)
      logF += log(oneMinus)
      let q = exp(-au) / oneMinus
      let hj = u * q
      let hjPrime = -u * u * q * (1 + q)
      var k = 1 + p
      for c in 0..<p {
        out[1 + c] += hj * da[j * p + c]
        for e in 0...c {
          out[k] += hjPrime * da[j * p + c] * da[j * p + e] + hj * dda[j * p * p + c * p + e]
          k += 1
        }
      }
    }
    let f = exp(logF)
    out[0] = f
    // The second-derivative terms first, while out[1...p] still holds G.
    var k = 1 + p
    for c in 0..<p {
      for e in 0...c {
        out[k] = f * (out[1 + c] * out[1 + e] + out[k])
        k += 1
      }
    }
    for c in 0..<p { out[1 + c] *= f }
  }

  /// ∫₀^∞ of every component: adaptive Gauss–Kronrod 7/15 on [0, U] (U past
  /// which e^{−u} is negligible beside the integral), bisecting the interval
  /// with the largest error until the total error of F and its first
  /// derivatives is below 1e-13 of their size (at most 4000 intervals).
  func integrate() -> [Double] {
    if a.count == 1 {
      // a/(1 + a), and its derivatives in closed form.
      let x = a[0], w = 1 + x
      var out = [Double](repeating: 0, count: width)
      out[0] = x / w
      for c in 0..<p { out[1 + c] = da[c] / (w * w) }
      var k = 0
      for c in 0..<p {
        for e in 0...c {
          out[1 + p + k] = dda[c * p + e] / (w * w) - 2 * da[c] * da[e] / (w * w * w)
          k += 1
        }
      }
      return out
    }
    let d = Double(a.count)
    let upper = 2 * d + 60 + 10 * d.squareRoot()
    struct Piece { var lower: Double; var upper: Double; var value: [Double]; var error: [Double] }
    /// QUADPACK's qk15 on [lo, hi] for every component, with its error
    /// estimate for F and the first derivatives: |K − G| scaled by the
    /// spread of the integrand, resasc·min(1, (200|K − G|/resasc)^1.5), never
    /// below 50ε of the integral of |f| (QUADPACK's rule; the raw difference
    /// overstates the error of a smooth integrand by orders of magnitude).
    func piece(_ lo: Double, _ hi: Double) -> Piece {
      let centre = (lo + hi) / 2, half = (hi - lo) / 2
      var points = [[Double]](repeating: [Double](repeating: 0, count: width), count: 15)
      values(at: centre, into: &points[7])
      for k in 0..<7 {
        let dx = half * GaussKronrod.nodes[k]
        values(at: centre - dx, into: &points[k])
        values(at: centre + dx, into: &points[14 - k])
      }
      func weight(_ m: Int) -> Double { GaussKronrod.kronrodWeights[m < 8 ? m : 14 - m] }
      var kronrod = [Double](repeating: 0, count: width)
      for m in 0..<15 { for c in 0..<width { kronrod[c] += weight(m) * points[m][c] } }
      var error = [Double](repeating: 0, count: 1 + p)
      for c in 0...p {
        var gauss = GaussKronrod.gaussWeights[3] * points[7][c]
        for k in stride(from: 1, to: 7, by: 2) { gauss += GaussKronrod.gaussWeights[k / 2] * (points[k][c] + points[14 - k][c]) }
        let mean = kronrod[c] / 2
        var resasc = 0.0, resabs = 0.0
        for m in 0..<15 {
          resasc += weight(m) * abs(points[m][c] - mean)
          resabs += weight(m) * abs(points[m][c])
        }
        resasc *= half
        resabs *= half
        var e = abs((kronrod[c] - gauss) * half)
        if resasc != 0 && e != 0 { e = resasc * min(1, pow(200 * e / resasc, 1.5)) }
        if resabs > Double.leastNormalMagnitude / (50 * Double.ulpOfOne) { e = max(50 * Double.ulpOfOne * resabs, e) }
        error[c] = e
      }
      return Piece(lower: lo, upper: hi, value: kronrod.map { $0 * half }, error: error)
    }
    // Start from pieces at the scales of the a_j (where a factor rises) and of e^{−u}.
    var cuts = Set<Double>([0, upper])
    for x in a where x > 0 {
      for m in [0.5, 2.0, 8.0] where m / x < upper { cuts.insert(m / x) }
    }
    for m in [1.0, 4.0, 16.0] where m < upper { cuts.insert(m) }
    let sorted = cuts.sorted()
    var pieces = zip(sorted, sorted.dropFirst()).map { piece($0, $1) }
    for _ in 0..<4000 {
      var total = [Double](repeating: 0, count: width)
      for q in pieces { for c in 0..<width { total[c] += q.value[c] } }
      // Errors relative to the integral of F and, for the derivatives, to
      // their own size plus F's.
      let scales = (0...p).map { c in max(abs(total[c]) + abs(total[0]), .leastNormalMagnitude) }
      var worst = 0, worstError = -1.0, sumError = 0.0
      for (k, q) in pieces.enumerated() {
        var e = 0.0
        for c in 0...p { e += q.error[c] / scales[c] }
        sumError += e
        if e > worstError { worst = k; worstError = e }
      }
      if sumError < 1e-13 { return total }
      let q = pieces.remove(at: worst)
      let mid = (q.lower + q.upper) / 2
      if !(mid > q.lower && mid < q.upper) { return total }
      pieces.append(piece(q.lower, mid))
      pieces.append(piece(mid, q.upper))
    }
    var total = [Double](repeating: 0, count: width)
    for q in pieces { for c in 0..<width { total[c] += q.value[c] } }
    return total
  }
}


/// The 15-point Gauss–Kronrod rule on [−1, 1] (QUADPACK's `qk15`): the
/// Kronrod nodes in decreasing order (index 7 is the centre), their weights,
/// and the weights of the embedded 7-point Gauss rule (nodes 1, 3, 5 and the
/// centre).
enum GaussKronrod {
  static let nodes: [Double] = [
    0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
    0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
    0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
    0.207784955007898467600689403773245,
  ]
  static let kronrodWeights: [Double] = [
    0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
    0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
    0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
    0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
  ]
  static let gaussWeights: [Double] = [
    0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
    0.381830050505118944950369775488975, 0.417959183673469387755102040816327,
  ]
}
