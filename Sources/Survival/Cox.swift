import CBLAS
import Dispatch
import Foundation
import Distributions
import LinearAlgebra
import ModelFrame
import Tabular

/// Cox proportional-hazards regression; matches R
/// `coxph(Surv(time, status) ~ x + strata(s) + cluster(id), ties = "efron")`,
/// survival 3.5, and the numbers of `summary.coxph`, `fit$concordance` and
/// `cox.zph`.
///
///     ℓ(β) = Σ_events w_i [η_i − log Σ_{j ∈ R(t_i)} w_j exp(η_j)]
///
/// (Efron's correction for tied events by default.)
/// - Newton–Raphson from β = 0, converging when the relative change of ℓ is
///   at most 1e-9, at most 20 iterations (R's `coxph.control`).
/// - Covariates are centred and scaled before fitting, as R's `coxfit6.c`, so
///   that the singularity rule (`cholesky2`, tolerance ε^0.75) sees the same
///   matrix as R: an aliased column gets a `nil` coefficient and a warning.
/// - `strata()` gives each stratum its own baseline hazard; case weights must
///   be positive; counting-process data give time-varying covariates and
///   left truncation; `cluster(id)` (or non-integer weights, as R) gives the
///   robust sandwich variance, used for z, p, limits and the Wald test.
/// - Reference: Cox (1972), doi:10.1111/j.2517-6161.1972.tb00899.x;
///   Efron (1977), doi:10.1080/01621459.1977.10480613; Lin & Wei (1989),
///   doi:10.1080/01621459.1989.10478874.
public enum Cox {
  public struct Options: Sendable {
    public var ties: CoxTies
    public var confidenceLevel: Double
    /// R's `iter.max`.
    public var maxIterations: Int
    /// R's `eps`: relative change of the log-likelihood.
    public var tolerance: Double
    /// R's `toler.chol`.
    public var cholTolerance: Double
    public var timeFix: Bool
    /// Test proportional hazards (R's `cox.zph`) on this time scale.
    public var proportionalHazards: ZPHTransform?
    /// Which kernel fits the model (tests compare the two on the same data).
    var kernel: Kernel = .automatic
    /// R's `robust = TRUE`: the sandwich variance with each row its own
    /// cluster (implied by `cluster()` and by non-integer weights).
    public var robust = false
    /// R's `init`: starting coefficients, one per design column.
    public var initial: [Double]?
    /// When two rows' linear predictors tie for the concordance.
    public var concordanceTies: ConcordanceTies = .r

    public init(ties: CoxTies = .efron, confidenceLevel: Double = 0.95, maxIterations: Int = 20,
                tolerance: Double = Cox.defaultTolerance, cholTolerance: Double = RankRevealingCholesky.defaultTolerance,
                timeFix: Bool = true, proportionalHazards: ZPHTransform? = nil) {
      self.ties = ties
      self.confidenceLevel = confidenceLevel
      self.maxIterations = maxIterations
      self.tolerance = tolerance
      self.cholTolerance = cholTolerance
      self.timeFix = timeFix
      self.proportionalHazards = proportionalHazards
    }
  }

  /// When the concordance counts a pair of rows as tied in risk.
  public enum ConcordanceTies: String, Sendable, CaseIterable, Codable {
    /// When R's linear predictor, computed as R computes it (the design
    /// through the BLAS's `dgemv`), is equal to the last bit: R's own
    /// `fit$concordance`, on the BLAS R uses (OpenBLAS splits some rows with
    /// equal covariates by an ulp, so R's counts depend on the machine).
    case r
    /// When the rows' covariates (and offsets) are equal: the linear
    /// predictor summed in one fixed order per row; the same on every machine.
    case covariates
  }

  /// The exact kernel (R's arithmetic) for right-censored data up to
  /// n·p² = 10⁷, the BLAS kernel otherwise; or one of them.
  enum Kernel: Sendable { case automatic, exact, blas }

  /// R `coxph.control(eps)`.
  public static let defaultTolerance = 1e-9
  /// R `coxph.control(toler.inf)`: √eps.
  static let infiniteTolerance = defaultTolerance.squareRoot()
  /// |β| on a centred column scaled by its mean absolute deviation beyond
  /// which a fit that did not converge is taken to diverge: a hazard ratio
  /// of e¹⁵ ≈ 3·10⁶ per mean absolute deviation of the covariate.
  static let divergedCoefficient = 15.0

  public static func fit(_ frame: ModelFrame, options: Options = Options()) throws -> CoxFit {
    try CoxModel(frame: frame, options: options).fit
  }
}

/// A fitted model with everything the diagnostics need, in sorted row order.
public struct CoxModel: Sendable {
  /// Problems up to this size (n·p²) are fitted with R's own arithmetic
  /// (`CoxExactKernel`), so that even the last bits of the coefficients agree
  /// with R; larger ones with the BLAS kernel.
  static let exactKernelLimit = 1e7

  public let fit: CoxFit
  let sets: CoxRiskSets
  /// Centred and scaled design, sorted rows, n × p column-major.
  let x: [Double]
  let p: Int
  let scale: [Double]
  let columnNames: [String]
  /// Row of the model frame of each sorted row.
  let rows: [Int32]
  let betaScaled: [Double]
  /// Naive variance in original units.
  let variance: Matrix
  /// The variance predictions use: robust with `cluster()` (R's `fit$var`).
  var predictionVariance: Matrix
  let evaluation: CoxPartialLikelihoodKernel.Evaluation
  let ties: CoxTies
  let assign: [Int]
  let termLabels: [String]
  let strataLevels: [String]?
  let stratumOfRow: [Int32]
  /// Weighted column means the design was centred on.
  let weightedMeans: [Double]
  /// Xᵀ(w ∘ δ) of the centred, scaled design.
  let eventScore: [Double]
  /// The offset of each row (sorted order) minus R's `offset.mean` (the
  /// weighted mean), as `survfit.coxph` centres the risk scores; and that mean.
  let predictionOffset: [Double]?
  let offsetMean: Double

  /// The frame is consumed: for large problems its covariate columns are
  /// released once the (sorted, centred) design is built, so that the data
  /// are not held twice while fitting. Callers that go on using the frame
  /// keep their own copy and lose nothing.
  public init(frame: consuming ModelFrame, options: Cox.Options) throws {
    BLAS.useSingleThreadedKernels()
    let location = InputLocation(option: "formula")
    guard let response = frame.response else {
      throw InputError(location, "expected a survival response Surv(time, status)")
    }
    var eventCount = 0
    for s in response.status where s == 1 { eventCount += 1 }
    if eventCount == 0 {
      throw InputError(InputLocation(source: frame.source), "cannot fit a Cox model with 0 events (R: \"Can't fit a Cox model with 0 failures\")")
    }
    if options.ties.isExact {
      // The exact likelihood here takes unit weights and gives no robust
      // variance, Schoenfeld-based test or residuals (they assume Breslow
      // or Efron risk sets).
      if frame.weights != nil {
        throw InputError(InputLocation(option: "ties"), "\(options.ties.rawValue): case weights are not supported with an exact likelihood, expected --ties efron or breslow with --weights")
      }
      if frame.cluster != nil {
        throw InputError(InputLocation(option: "ties"), "\(options.ties.rawValue): cluster() (a robust variance) is not supported with an exact likelihood, expected --ties efron or breslow")
      }
      if options.proportionalHazards != nil || options.robust {
        throw InputError(InputLocation(option: "ties"), "\(options.ties.rawValue): \(options.robust ? "--robust" : "--zph") is not supported with an exact likelihood, expected --ties efron or breslow")
      }
    }
    if let w = frame.weights, let k = w.firstIndex(where: { !($0 > 0) }) {
      throw InputError(InputLocation(option: "weights"),
                       "weights must be positive for a Cox model (R: \"Invalid weights, must be >0\"), found \(RNumberText.format(w[k])) in row \(frame.rows[k] + 1) of the data")
    }
    try frame.checkDesignSize()
    let n = frame.n
    // Sorted by stratum and time, the parts concatenated; the sorter's own
    // arrays are gone when this returns.
    let (stop, status, weight, rows, start, strataRanges, stratumOfRow) = try CoxModel.sortedRows(
      frame: frame, response: response, timeFix: options.timeFix)
    // The design built in sorted row order, then centred and scaled in place
    // (R's coxfit6: weighted means; scale = Σw / Σ w|x − mean|).
    let design = frame.designMatrix(intercept: false, rowOrder: rows)
    let p = design.columns
    let useExactKernel = !response.isCountingProcess && (options.kernel == .exact
      || (options.kernel == .automatic && Double(n) * Double(p * p) <= CoxModel.exactKernelLimit))
    let columnNames = design.columnNames
    let assign = design.assign
    var x = (consume design).matrix.storage  // unique: centred and scaled in place, no copy
    var (means, scale, centred) = CoxModel.centreAndScale(&x, n: n, p: p, weight: weight)
    let weightedMeans = means
    if response.isCountingProcess {
      // R's agreg.fit reports unweighted column means: Σ x / n = mean + Σ(x − mean)/n.
      for k in 0..<p where centred[k] {
        var sum = 0.0
        for i in 0..<n { sum += x[i + k * n] }
        means[k] += sum / scale[k] / Double(n)
      }
    }

    // R's init, on the centred and scaled columns the fit works with.
    var initialScaled: [Double]? = nil
    if let initial = options.initial {
      guard initial.count == p else {
        throw InputError(InputLocation(option: "init"), "expected \(p) starting value\(p == 1 ? "" : "s"), one per coefficient (\(columnNames.joined(separator: ", "))), found \(initial.count)")
      }
      initialScaled = (0..<p).map { initial[$0] / scale[$0] }
    }
    // R's coxph centres a non-zero offset on its mean (and drops one that
    // is all zero); the likelihood is the same, the rounding is R's.
    let offset = frame.offset.flatMap { o -> [Double]? in
      if o.allSatisfy({ $0 == 0 }) { return nil }
      let mean = RLongDouble.rMean(o)
      return o.map { $0 - mean }
    }
    let sortedOffset = offset.map { o in rows.map { o[Int($0)] } }
    // survfit.coxph's offset.mean: mean(offset), or weighted by the case weights.
    var offsetMean = 0.0
    if let o = frame.offset {
      if let w = frame.weights {
        let total = w.reduce(0, +)
        offsetMean = zip(o, w).reduce(0) { $0 + $1.0 * ($1.1 / total) }
      } else {
        offsetMean = RLongDouble.rMean(o)
      }
    }
    let predictionOffset = frame.offset.map { o in rows.map { o[Int($0)] - offsetMean } }
    let sets = CoxRiskSets(stop: stop, start: start, status: status, weight: weight, strata: strataRanges, offset: sortedOffset)
    let eventScore = CoxNewtonRaphson.eventScoreVector(sets: sets, x: x, p: p)
    let last = LastEvaluation()
    let workspace = CoxPartialLikelihoodKernel.Workspace(sets: sets, p: useExactKernel ? 0 : p)
    let result: CoxNewtonRaphson.Result
    if options.ties == .exact {
      result = try CoxNewtonRaphson.fit(
        p: p, maxIterations: options.maxIterations, tolerance: options.tolerance, initial: initialScaled,
        evaluate: { beta in CoxDiscreteKernel.evaluate(sets: sets, x: x, p: p, beta: beta) },
        factor: { RCholesky($0.rowsOfValues, tolerance: options.cholTolerance) })
    } else if options.ties == .exactMarginal {
      result = try CoxNewtonRaphson.fit(
        p: p, maxIterations: options.maxIterations, tolerance: options.tolerance, initial: initialScaled,
        evaluate: { beta in CoxMarginalKernel.evaluate(sets: sets, x: x, p: p, beta: beta) },
        factor: { RCholesky($0.rowsOfValues, tolerance: options.cholTolerance) })
    } else if useExactKernel {
      result = try CoxNewtonRaphson.fit(
        p: p, maxIterations: options.maxIterations, tolerance: options.tolerance, initial: initialScaled,
        evaluate: { beta in
          let e = CoxExactKernel.evaluate(sets: sets, x: x, p: p, beta: beta, ties: options.ties)
          return (e.logLikelihood, e.score, Matrix(e.information.isEmpty ? [] : e.information, columns: p))
        },
        factor: { RCholesky($0.rowsOfValues, tolerance: options.cholTolerance) })
    } else {
      result = try CoxNewtonRaphson.fit(
        p: p, maxIterations: options.maxIterations, tolerance: options.tolerance, initial: initialScaled,
        evaluate: { beta in
          let e = CoxPartialLikelihoodKernel.evaluate(sets: sets, x: x, p: p, beta: beta, ties: options.ties,
                                                      eventScore: eventScore, work: workspace)
          last.store(beta, e)
          return e
        },
        factor: { try RankRevealingCholesky($0, tolerance: options.cholTolerance) })
    }
    // Hazards, risk sets (and, for the robust variance or zph, the terms) at
    // the fitted β. The converged iteration was evaluated at this very β, so
    // its workspace is taken as it is when the terms are not needed.
    let needsTerms = frame.cluster != nil || options.robust || (frame.weights?.contains { $0 != $0.rounded(.down) } ?? false)
      || options.proportionalHazards != nil
    let evaluation: CoxPartialLikelihoodKernel.Evaluation
    if !useExactKernel, !needsTerms, let e = last.result(at: result.beta) {
      evaluation = CoxPartialLikelihoodKernel.snapshot(workspace, logLikelihood: e.logLikelihood, score: e.score,
                                                       information: e.information)
    } else {
      evaluation = CoxPartialLikelihoodKernel.evaluateWithDetails(
        sets: sets, x: x, p: p, beta: result.beta, ties: options.ties, eventScore: eventScore, keepTerms: needsTerms)
    }
    workspace.release()

    var beta = [Double](repeating: 0, count: p)
    var variance = Matrix(rows: p, columns: p)
    for k in 0..<p {
      beta[k] = result.beta[k] * scale[k]
      for l in 0..<p {
        // R: imat[j][i] *= scale[i]*scale[j] with i ≥ j.
        let (i, j) = k >= l ? (k, l) : (l, k)
        variance[k, l] = result.variance[k, l] * (scale[i] * scale[j])
      }
    }
    let dropped = Set(result.droppedColumns)
    var warnings: [FitWarning] = []
    if !dropped.isEmpty {
      let columns = result.droppedColumns.sorted()
      warnings.append(.singular(columns: columns, names: columns.map { columnNames[$0] }))
    }
    // Infinite coefficients: the next Newton step |u V| is still large (R's test).
    let score = (0..<p).map { result.score[$0] / scale[$0] }
    var step = [Double](repeating: 0, count: p)
    for k in 0..<p { for l in 0..<p { step[k] += score[l] * variance[l, k] } }
    if options.maxIterations > 1 {
      switch result.status {
      case .converged:
        let infinite = (0..<p).filter { k in
          !score[k].isFinite || (response.isCountingProcess
            ? abs(step[k]) > Cox.infiniteTolerance * (1 + abs(beta[k]))
            : abs(step[k]) > options.tolerance && abs(step[k]) > Cox.infiniteTolerance * abs(beta[k]))
        }
        if !infinite.isEmpty { warnings.append(.infiniteCoefficients(columns: infinite)) }
      case .maxIterations, .notFinite:
        warnings.append(.didNotConverge(iterations: result.iterations))
      }
    }

    self.sets = sets
    self.x = x
    self.p = p
    self.scale = scale
    self.columnNames = columnNames
    self.rows = rows
    self.betaScaled = result.beta
    self.variance = variance
    self.evaluation = evaluation
    self.ties = options.ties
    self.assign = assign
    self.termLabels = frame.terms.terms.map(\.label)
    self.strataLevels = frame.strata?.levels
    self.stratumOfRow = stratumOfRow
    self.weightedMeans = weightedMeans
    self.eventScore = eventScore
    self.predictionOffset = predictionOffset
    self.offsetMean = offsetMean

    // Robust variance: cluster(), or non-integer weights (R's coxph).
    let fractionalWeights = frame.weights?.contains { $0 != $0.rounded(.down) } ?? false
    var robustVariance: Matrix? = nil
    if frame.cluster != nil || fractionalWeights || options.robust {
      let clusterOfRow: [Int32]
      let clusterCount: Int
      if let cluster = frame.cluster {
        clusterOfRow = rows.map { cluster.codes[Int($0)] }
        clusterCount = cluster.levels.count
      } else {
        clusterOfRow = (0..<Int32(n)).map { $0 }
        clusterCount = n
      }
      robustVariance = CoxModel.sandwich(dfbeta: CoxModel.dfbeta(sets: sets, x: x, p: p, scale: scale,
                                                                 evaluation: evaluation,
                                                                 variance: variance, weighted: true),
                                         n: n, p: p, cluster: clusterOfRow, clusterCount: clusterCount)
    }

    self.predictionVariance = robustVariance ?? variance
    let z = Normal.twoSidedCriticalValue(confidenceLevel: options.confidenceLevel)
    var terms: [CoxTerm] = []
    for k in 0..<p {
      if dropped.contains(k) {
        terms.append(CoxTerm(name: columnNames[k], coefficient: nil, hazardRatio: nil, standardError: nil,
                             robustStandardError: nil, z: nil, p: nil, lower: nil, upper: nil, estimable: false))
        continue
      }
      let se = variance[k, k].squareRoot()
      let robustSE = robustVariance.map { $0[k, k].squareRoot() }
      let usedSE = robustSE ?? se
      let zValue = beta[k] / usedSE
      terms.append(CoxTerm(name: columnNames[k], coefficient: beta[k], hazardRatio: exp(beta[k]),
                           standardError: se, robustStandardError: robustSE, z: zValue,
                           p: ChiSquared(degreesOfFreedom: 1).cdf(zValue * zValue, tail: .upper),
                           lower: exp(beta[k] - z * usedSE), upper: exp(beta[k] + z * usedSE)))
    }

    for case .infiniteCoefficients(let columns) in warnings {
      for k in columns { terms[k].mayBeInfinite = true; terms[k].estimable = false }
    }
    // A fit that ran out of iterations with a coefficient above
    // `divergedCoefficient` on its centred, scaled column is climbing a
    // monotone partial likelihood (Heinze & Schemper 2001,
    // doi:10.1111/j.0006-341X.2001.00114.x): the estimate is where the
    // iterations stopped, not a maximum, and is shown as not estimable.
    if warnings.contains(where: { if case .didNotConverge = $0 { return true } else { return false } }) {
      for k in 0..<p where !dropped.contains(k) && !(abs(result.beta[k]) <= Cox.divergedCoefficient) {
        terms[k].estimable = false
      }
    }
    let kept = (0..<p).filter { !dropped.contains($0) }
    let df = kept.count
    func test(_ statistic: Double) -> ChiSquareTest {
      ChiSquareTest(statistic: statistic, degreesOfFreedom: df,
                    p: ChiSquared(degreesOfFreedom: Double(df)).cdf(statistic, tail: .upper))
    }
    // Wald: βᵀ V⁻ β on the kept coefficients (R's coxph.wtest, cholesky2 tolerance).
    let waldVariance = robustVariance ?? variance
    var vk = Matrix(rows: df, columns: df)
    for (a, i) in kept.enumerated() { for (b, j) in kept.enumerated() { vk[a, b] = waldVariance[i, j] } }
    // R tests β against its starting values (0 unless --init).
    let bk = kept.map { beta[$0] - (options.initial?[$0] ?? 0) }
    var wald = 0.0
    if df > 0 {
      let solved = try RankRevealingCholesky(vk, tolerance: options.cholTolerance).solve(bk)
      for a in 0..<df { wald += bk[a] * solved[a] }
    }
    let tests = CoxTests(likelihoodRatio: test(2 * (result.logLikelihood - result.logLikelihoodNull)),
                         wald: test(wald), score: test(result.scoreTest))

    // The linear predictor for the concordance.
    let sortedPredictor: [Double]
    switch options.concordanceTies {
    case .r:
      // As R computes `fit$linear.predictors` (see `rLinearPredictor`).
      let rawDesign = frame.designMatrix(intercept: false).matrix
      frame.variables = []
      let coefficients = (0..<p).map { dropped.contains($0) ? 0 : beta[$0] }
      if options.ties == .exact && !response.isCountingProcess {
        var timeOfRow = [Double](repeating: 0, count: n)
        for (i, r) in rows.enumerated() { timeOfRow[Int(r)] = stop[i] }
        let sorted = try CoxModel.rExactLinearPredictor(
          design: rawDesign, coefficients: coefficients, offset: offset,
          stratum: frame.strata?.codes, time: timeOfRow)
        var dataOrder = [Double](repeating: 0, count: n)
        for (position, value) in zip(sorted.order, sorted.lp) { dataOrder[position] = value }
        sortedPredictor = rows.map { dataOrder[Int($0)] }
      } else {
        let rCentre = response.isCountingProcess
          ? zip(CoxModel.rColumnMeans(rawDesign), centred).map { $1 ? $0 : 0 }
          : weightedMeans
        let dataOrder = try CoxModel.rLinearPredictor(design: rawDesign, coefficients: coefficients,
                                                      offset: offset, centre: rCentre)
        sortedPredictor = rows.map { dataOrder[Int($0)] }
      }
    case .covariates:
      // Each row summed in one fixed order (Σ_k x_ik β_k, k ascending, over
      // the centred and scaled columns, which are a function of each row's
      // own values): rows with equal covariates get equal values, so a pair
      // is tied exactly when its covariates (and offset) are.
      frame.variables = []
      var eta = sortedOffset ?? [Double](repeating: 0, count: n)
      x.withUnsafeBufferPointer { xs in
        for k in 0..<p where !dropped.contains(k) && result.beta[k] != 0 {
          let b = result.beta[k]
          let column = xs.baseAddress! + k * n
          for i in 0..<n { eta[i] += column[i] * b }
        }
      }
      sortedPredictor = eta
    }
    let concordance = CoxModel.concordance(sets: sets, eta: sortedPredictor,
                                           cluster: frame.cluster.map { c in
      rows.map { c.codes[Int($0)] }
    }, clusterCount: frame.cluster?.levels.count ?? 0)

    var fit = CoxFit(ties: options.ties, n: n, nDropped: frame.nDropped, events: eventCount,
                     confidenceLevel: options.confidenceLevel, terms: terms,
                     logLikelihoodNull: result.logLikelihoodNull, logLikelihood: result.logLikelihood,
                     iterations: result.iterations, tests: tests, concordance: concordance,
                     proportionalHazards: nil, warnings: warnings, robust: robustVariance != nil, means: means)
    if let transform = options.proportionalHazards {
      fit.proportionalHazards = try CoxModel.proportionalHazardsTest(
        sets: sets, x: x, p: p, evaluation: evaluation, ties: options.ties, transform: transform,
        kept: kept, assign: assign, termLabels: frame.terms.terms.map(\.label))
    }
    self.fit = fit
  }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension CoxModel {
  /// The frame's rows sorted by stratum and then by time (R's order), the
  /// strata's parts laid end to end: times, status, weights, the frame row
  /// of each sorted row, start times, the strata's row ranges and each
  /// row's stratum.
  static func sortedRows(frame: borrowing ModelFrame, response: SurvivalResponse, timeFix: Bool) throws
    -> (stop: [Double], status: [Double], weight: [Double], rows: [Int32], start: [Double]?,
        strata: [Range<Int>], stratumOfRow: [Int32]) {
    let n = frame.n
    let strataFactor = frame.strata ?? Factor(levels: ["all"], codes: [Int32](repeating: 0, count: n))
    let sorted = try SortedSurvivalData(response: response, weights: frame.weights, partCodes: strataFactor.codes,
                                        partCount: strataFactor.levels.count, timeFix: timeFix,
                                        source: frame.source)
    let nonEmpty = sorted.parts.enumerated().filter { $0.element.count > 0 }
    if nonEmpty.count == 1, let (s, part) = nonEmpty.first {
      // One stratum: its arrays as they are.
      return (part.stop, part.status, part.weights, part.rows, part.start, [0..<n],
              [Int32](repeating: Int32(s), count: n))
    }
    var stop: [Double] = [], status: [Double] = [], weight: [Double] = [], rows: [Int32] = []
    var start: [Double]? = response.start == nil ? nil : []
    var strataRanges: [Range<Int>] = []
    var stratumOfRow: [Int32] = []
    stop.reserveCapacity(n); status.reserveCapacity(n); weight.reserveCapacity(n); rows.reserveCapacity(n)
    stratumOfRow.reserveCapacity(n)
    for (s, part) in nonEmpty {
      let first = stop.count
      stop.append(contentsOf: part.stop)
      status.append(contentsOf: part.status)
      weight.append(contentsOf: part.weights)
      rows.append(contentsOf: part.rows)
      start?.append(contentsOf: part.start!)
      strataRanges.append(first..<stop.count)
      stratumOfRow.append(contentsOf: repeatElement(Int32(s), count: part.count))
    }
    return (stop, status, weight, rows, start, strataRanges, stratumOfRow)
  }

  /// Centres and scales the design in place as R's `coxfit6.c`: weighted
  /// column means, then scale = Σw / Σ w|x − mean|; columns whose values are
  /// all −1, 0 or 1 are left alone (R's `nocenter`). Columns are independent,
  /// so two threads take half each; within a column the arithmetic is R's, in
  /// R's order.
  static func centreAndScale(_ x: inout [Double], n: Int, p: Int, weight: [Double])
    -> (means: [Double], scale: [Double], centred: [Bool]) {
    var totalWeight = 0.0
    for w in weight { totalWeight += w }
    let results = ColumnResults(p)
    let total = totalWeight
    x.withUnsafeMutableBufferPointer { xb in
      let base = SharedColumns(xb.baseAddress!)
      let parts = n * p >= 1 << 18 ? 2 : 1
      DispatchQueue.concurrentPerform(iterations: parts) { part in
        weight.withUnsafeBufferPointer { w in
          for k in (part * p / parts)..<((part + 1) * p / parts) {
            let column = base.pointer + k * n
            var sum = 0.0
            var indicator = true
            for i in 0..<n {
              let v = column[i]
              sum += w[i] * v
              if v != 0 && v != 1 && v != -1 { indicator = false }
            }
            if indicator { continue }
            let mean = sum / total
            var absolute = 0.0
            for i in 0..<n {
              column[i] -= mean
              absolute += w[i] * abs(column[i])
            }
            let s = absolute > 0 ? total / absolute : 1
            for i in 0..<n { column[i] *= s }
            results.set(k, mean: mean, scale: s)
          }
        }
      }
    }
    return (results.means, results.scale, results.centred)
  }
}

/// Per-column results written by the centring threads (each column by one thread).
private final class ColumnResults: @unchecked Sendable {
  var means: [Double], scale: [Double], centred: [Bool]
  private let lock = NSLock()
  init(_ p: Int) {
    means = [Double](repeating: 0, count: p)
    scale = [Double](repeating: 1, count: p)
    centred = [Bool](repeating: false, count: p)
  }
  func set(_ k: Int, mean: Double, scale s: Double) {
    lock.lock()
    means[k] = mean
    scale[k] = s
    centred[k] = true
    lock.unlock()
  }
}

/// The design's storage, handed to threads that each write their own columns.
private struct SharedColumns: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<Double>
  init(_ pointer: UnsafeMutablePointer<Double>) { self.pointer = pointer }
}

/// The β of the kernel's last evaluation and its result, so that the
/// converged iteration is not computed twice.
final class LastEvaluation: @unchecked Sendable {
  private var beta: [Double] = []
  private var stored: (logLikelihood: Double, score: [Double], information: Matrix)?

  func store(_ beta: [Double], _ e: (logLikelihood: Double, score: [Double], information: Matrix)) {
    self.beta = beta
    stored = e
  }

  func result(at beta: [Double]) -> (logLikelihood: Double, score: [Double], information: Matrix)? {
    beta == self.beta ? stored : nil
  }
}
