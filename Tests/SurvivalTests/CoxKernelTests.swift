import Foundation
import ModelFrame
@testable import Survival
import Tabular
import Testing
import TestSupport

/// The two Cox kernels on the same data. The exact kernel reproduces R's
/// arithmetic (pinned to R by the reference fixtures); the BLAS kernel, which
/// fits every large right-censored model and all counting-process data, must
/// agree with it to rounding: coefficients, variances, tests, log-likelihoods,
/// zph, residuals and the baseline hazard.
@Suite("Cox: the BLAS kernel agrees with the exact kernel")
struct CoxKernelTests {
  private func fits(_ table: Table, _ formula: String, options: Cox.Options = .init(), weights: String? = nil) throws
    -> (exact: CoxModel, blas: CoxModel) {
    let frame = try ModelFrame.build(formula: Formula.parse(formula), table: table, options: .init(weights: weights))
    var exact = options, blas = options
    exact.kernel = .exact
    blas.kernel = .blas
    return (try CoxModel(frame: frame, options: exact), try CoxModel(frame: frame, options: blas))
  }

  private func expectAgree(_ a: CoxModel, _ b: CoxModel, relative: Double, _ label: String,
                           residuals: Bool = true) {
    let x = a.fit, y = b.fit
    #expect(x.iterations == y.iterations, "\(label): iterations")
    expectClose(y.logLikelihood, x.logLikelihood, relative: 1e-12, "\(label): loglik")
    expectClose(y.logLikelihoodNull, x.logLikelihoodNull, relative: 1e-12, "\(label): loglik null")
    for (s, t) in zip(x.terms, y.terms) {
      expectClose(t.coefficient, s.coefficient, relative: relative, absolute: 1e-12, "\(label): \(s.name) coef")
      expectClose(t.standardError, s.standardError, relative: relative, "\(label): \(s.name) se")
      expectClose(t.robustStandardError, s.robustStandardError, relative: relative, "\(label): \(s.name) robust se")
    }
    expectClose(y.tests.likelihoodRatio.statistic, x.tests.likelihoodRatio.statistic, relative: relative, "\(label): LR")
    expectClose(y.tests.wald.statistic, x.tests.wald.statistic, relative: relative, "\(label): Wald")
    expectClose(y.tests.score.statistic, x.tests.score.statistic, relative: relative, "\(label): score")
    if let zx = x.proportionalHazards, let zy = y.proportionalHazards {
      for (s, t) in zip(zx.terms + [zx.global], zy.terms + [zy.global]) {
        expectClose(t.chiSquare, s.chiSquare, relative: relative, absolute: 1e-10, "\(label): zph \(s.term)")
      }
    }
    if residuals {
      let rx = a.residuals(), ry = b.residuals()
      for i in rx.rows.indices {
        expectClose(ry.martingale[i], rx.martingale[i], relative: relative, absolute: 1e-10, "\(label): martingale[\(i)]")
        expectClose(ry.deviance[i], rx.deviance[i], relative: relative, absolute: 1e-10, "\(label): deviance[\(i)]")
        for k in rx.columnNames.indices {
          expectClose(ry.score[i][k], rx.score[i][k], relative: relative, absolute: 1e-10, "\(label): score[\(i)][\(k)]")
          expectClose(ry.dfbeta[i][k], rx.dfbeta[i][k], relative: relative, absolute: 1e-12, "\(label): dfbeta[\(i)][\(k)]")
          expectClose(ry.schoenfeld[i]?[k], rx.schoenfeld[i]?[k], relative: relative, absolute: 1e-10,
                      "\(label): schoenfeld[\(i)][\(k)]")
        }
      }
      let hx = a.baselineHazard(), hy = b.baselineHazard()
      #expect(hx.count == hy.count, "\(label): baseline points")
      for (s, t) in zip(hx, hy) {
        expectClose(t.cumulativeHazard, s.cumulativeHazard, relative: relative, "\(label): basehaz at \(s.time)")
      }
    }
  }

  @Test("bundled data sets: factors, strata, cluster, weights, zph, residuals, basehaz (1e-9)",
        arguments: [
          ("lung", "Surv(time, status) ~ age + sex + factor(ph.ecog)", false),
          ("lung", "Surv(time, status) ~ age + sex + strata(inst) + cluster(inst)", false),
          ("lung", "Surv(time, status) ~ age + sex + ph.karno", true),
          ("veteran", "Surv(time, status) ~ trt + karno + factor(celltype)", false),
          ("pbc", "Surv(time, status == 2) ~ age + bili + edema + albumin", false),
          ("colon", "Surv(time, status) ~ rx + age + nodes + strata(sex)", false),
          ("rossi", "Surv(week, arrest) ~ fin + age + prio + fin:age", true),
        ] as [(String, String, Bool)])
  func bundled(name: String, formula: String, weighted: Bool) throws {
    var text = try String(contentsOfFile: repositoryPath("Datasets/\(name).csv"), encoding: .utf8)
    if weighted {
      // Fractional case weights 1, 1.5, 2, 1, ...: the robust variance, as R.
      var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
      lines[0] += ",w"
      for k in 1..<lines.count { lines[k] += ",\(1 + Double((k - 1) % 3) / 2)" }
      text = lines.joined(separator: "\n") + "\n"
    }
    let table = try CSVReader.read(bytes: Array(text.utf8), source: "\(name).csv")
    for ties in [CoxTies.efron, .breslow] {
      let (exact, blas) = try fits(table, formula, options: .init(ties: ties, proportionalHazards: .km),
                                   weights: weighted ? "w" : nil)
      expectAgree(exact, blas, relative: 1e-9, "\(name) \(formula) \(ties)")
    }
  }

  /// 50 000 rows: enough for the paths only large data take (two sweep
  /// threads, chunked risk-set sums, a run of censored rows longer than a
  /// chunk, a tied time larger than a chunk, coefficients on two threads,
  /// the merge concordance on two threads).
  private static func synthetic(tied: Bool) throws -> Table {
    var state: UInt64 = tied ? 99 : 7
    func uniform() -> Double {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return (Double(state >> 11) + 0.5) / Double(1 << 53)
    }
    var csv = "time,status,s,x1,x2,x3,x4,x5\n"
    for i in 0..<50_000 {
      let x1 = (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())
      let x2 = uniform() < 0.3 ? 1.0 : 0.0
      let x3 = uniform() * 4
      let x4 = uniform() < 0.5 ? 1.0 : 0.0
      let x5 = (uniform() * 20).rounded() / 10
      let eta = 0.3 * x1 - 0.5 * x2 + 0.2 * x3
      let event = -log(uniform()) / (0.01 * exp(eta))
      let censor = uniform() * 150
      var t = min(event, censor)
      var status = event <= censor ? 1 : 0
      if i % 10 == 0 {
        // Followed past every event and censored: a long run of rows after the last event time.
        t = 200 + uniform() * 10
        status = 0
      }
      // Tied: times in steps of 10, so that one time holds thousands of rows.
      t = tied ? 10 * max(1, (t / 10).rounded(.up)) : (t * 1e6).rounded() / 1e6 + 1e-6
      csv += "\(t),\(status),\(i % 3),\(x1),\(x2),\(x3),\(x4),\(x5)\n"
    }
    return try CSVReader.read(bytes: Array(csv.utf8), source: "synthetic.csv")
  }

  @Test("50 000 rows, continuous and tied times, Efron and Breslow, with and without strata (1e-8)")
  func large() throws {
    for tied in [false, true] {
      let table = try Self.synthetic(tied: tied)
      for formula in ["Surv(time, status) ~ x1 + x2 + x3 + x4 + x5", "Surv(time, status) ~ x1 + x2 + x3 + strata(s)"] {
        for ties in [CoxTies.efron, .breslow] {
          let (exact, blas) = try fits(table, formula, options: .init(ties: ties))
          expectAgree(exact, blas, relative: 1e-8, "\(tied ? "tied" : "continuous") \(formula) \(ties)", residuals: false)
          let cx = exact.fit.concordance!, cy = blas.fit.concordance!
          expectClose(cy.c, cx.c, relative: 1e-12, "concordance")
          expectClose(cy.standardError, cx.standardError, relative: 1e-9, "concordance se")
        }
      }
    }
  }
}
