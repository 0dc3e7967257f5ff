import Foundation
import ModelFrame
import Rendering
import Survival
import Tabular
import Testing
import TestSupport

private func coxModel(_ csv: String, _ formula: String, weights: String? = nil, options: Cox.Options = .init()) throws -> CoxModel {
  let table = try CSVReader.read(bytes: Array(csv.utf8), source: "d.csv")
  let frame = try ModelFrame.build(formula: Formula.parse(formula), table: table, options: .init(weights: weights))
  return try CoxModel(frame: frame, options: options)
}

/// Every field of every fixture written by Tests/References/make-references.R
/// (R 4.2.2, survival 3.5-3): summary.coxph, tests, concordance, cox.zph at
/// 1e-8; residuals at 1e-7 (R sums them in O(n²) loops, outcomes in O(n p));
/// basehaz at 1e-8.
@Suite("Cox: R reference fixtures (coxph, cox.zph, residuals.coxph, basehaz)")
struct CoxReferenceTests {
  static let fixtures = fixtureFiles("Tests/SurvivalTests/CoxReferences")

  @Test("fixture count")
  func count() { #expect(Self.fixtures.count == 33) }

  @Test("every field matches R", arguments: fixtures)
  func fixture(_ file: String) throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: repositoryPath("Tests/SurvivalTests/CoxReferences/\(file)")))
    let fixture = try JSONValue.parse(data)
    guard case .array(let argValues)? = fixture["args"], let expected = fixture["expect"],
          case .array(let residualRows)? = fixture["residuals"], let baselineValue = fixture["baseline"] else {
      Issue.record("malformed fixture \(file)"); return
    }
    let args = argValues.compactMap { v -> String? in if case .string(let s) = v { return s } else { return nil } }
    var options: [String: String] = [:]
    var flags: Set<String> = []
    var k = 1
    while k < args.count {
      if args[k] == "--zph" || args[k] == "--robust" { flags.insert(args[k]); k += 1; continue }
      options[args[k]] = args[k + 1]
      k += 2
    }
    let table = try CSVReader.read(path: repositoryPath(options["--data"]!))
    var frameOptions = ModelFrame.Options(weights: options["--weights"], strataInteractions: true, basisTerms: true)
    frameOptions.offsets = true
    let frame = try ModelFrame.build(formula: Formula.parse(options["--formula"]!), table: table, options: frameOptions)
    var coxOptions = Cox.Options(
      ties: CoxTies(rawValue: options["--ties"] ?? "efron")!,
      confidenceLevel: Double(options["--conf-level"] ?? "0.95")!,
      proportionalHazards: flags.contains("--zph") ? ZPHTransform(rawValue: options["--zph-transform"] ?? "km") : nil)
    coxOptions.robust = flags.contains("--robust")
    coxOptions.initial = options["--init"].map { $0.split(separator: ",").map { Double($0)! } }
    // The fixtures' concordance counts rows with equal covariates as tied
    // (the same on every machine); R's own, BLAS-rounded, is tested below.
    coxOptions.concordanceTies = .covariates
    let model = try CoxModel(frame: frame, options: coxOptions)
    let actual = try JSONValueEncoder().encode(model.fit)
    for problem in jsonMismatches(expected: expected, actual: actual, relative: 1e-8) {
      Issue.record(Comment(rawValue: "\(file): \(problem)"))
    }
    // Residuals, row by row (none for the exact likelihood: R has no score
    // residuals for it, and outcomes refuses them).
    if options["--ties"] == "exact" {
      #expect(residualRows.isEmpty && baselineValue == .null)
      return
    }
    let r = model.residuals()
    #expect(r.rows.count == residualRows.count)
    for (i, row) in residualRows.enumerated() where i < r.rows.count {
      expectClose(r.martingale[i], row["martingale"]?.number, relative: 1e-7, absolute: 1e-9, "\(file): martingale[\(i)]")
      expectClose(r.deviance[i], row["deviance"]?.number, relative: 1e-7, absolute: 1e-9, "\(file): deviance[\(i)]")
      for (kind, values) in [("score", r.score[i]), ("dfbeta", r.dfbeta[i])] {
        let expectedValues = row[kind].map(numbers) ?? []
        for (c, v) in expectedValues.enumerated() where c < values.count {
          expectClose(values[c], v, relative: 1e-7, absolute: 1e-9, "\(file): \(kind)[\(i)][\(c)]")
        }
      }
      if let schoenfeld = row["schoenfeld"], schoenfeld != .null {
        let expectedValues = numbers(schoenfeld)
        guard let values = r.schoenfeld[i] else { Issue.record("\(file): schoenfeld[\(i)] missing"); continue }
        for (c, v) in expectedValues.enumerated() where c < values.count {
          expectClose(values[c], v, relative: 1e-7, absolute: 1e-9, "\(file): schoenfeld[\(i)][\(c)]")
        }
      } else {
        #expect(r.schoenfeld[i] == nil, "\(file): schoenfeld[\(i)] for a censored row")
      }
    }
    // Baseline cumulative hazard (null where R's survfit refuses the model).
    guard case .array(let baseline) = baselineValue else { return }
    let points = model.baselineHazard()
    #expect(points.count == baseline.count, "\(file): baseline points")
    for (i, b) in baseline.enumerated() where i < points.count {
      expectClose(points[i].time, b["time"]?.number, relative: 0, absolute: 0, "\(file): baseline[\(i)].time")
      expectClose(points[i].cumulativeHazard, b["hazard"]?.number, relative: 1e-8, absolute: 1e-12, "\(file): baseline[\(i)].hazard")
      let stratum: JSONValue = points[i].stratum.map { .string($0) } ?? .null
      #expect(stratum == (b["strata"] ?? .null), "\(file): baseline[\(i)].strata")
    }
  }

  private func numbers(_ v: JSONValue) -> [Double?] {
    if case .array(let items) = v { return items.map(\.number) }
    return [v.number]
  }
}

@Suite("Cox: hand-computed and honest failures")
struct CoxHandTests {
  // Therneau & Grambsch's test1: 7 rows, unsorted, one NA status.
  static let test1 = "time,status,x\n4,1,0\n3,NA,2\n1,1,1\n1,0,1\n2,1,1\n2,1,0\n3,0,0\n"

  @Test("test1, Breslow: β̂ = log(1.5 + √33/2) and score test 8/5 in closed form")
  func closedForm() throws {
    let fit = try coxModel(Self.test1, "Surv(time, status) ~ x", options: .init(ties: .breslow)).fit
    expectClose(fit.terms[0].coefficient, log(1.5 + 33.0.squareRoot() / 2), relative: 1e-9, "beta")
    expectClose(fit.tests.score.statistic, 1.6, relative: 1e-12, "score test")
    #expect(fit.n == 6 && fit.nDropped == 1 && fit.events == 4)
  }

  @Test("exact ties by hand: two events tied at t = 1 among x = (1, 1, 0, 0), one at t = 2; β̂ = log(1 + √2)")
  func exactTiesByHand() throws {
    // L(β) = e^β / (e^{2β} + 4e^β + 1) · e^β / (e^β + 1): the score is zero
    // where u = e^β solves u³ − 5u − 2 = (u + 2)(u² − 2u − 1) = 0.
    let csv = "time,status,x\n1,1,1\n2,1,1\n1,1,0\n2,0,0\n"
    let fit = try coxModel(csv, "Surv(time, status) ~ x", options: .init(ties: .exact)).fit
    let u = 1 + 2.0.squareRoot()
    expectClose(fit.terms[0].coefficient, log(u), relative: 1e-9, "beta")
    expectClose(fit.logLikelihood, 2 * log(u) - log(u * u + 4 * u + 1) - log(u + 1), relative: 1e-12, "loglik")
    expectClose(fit.logLikelihoodNull, -log(6.0) - log(2.0), relative: 1e-12, "loglik at 0")
    // Information at β̂: the variance of Σx over the 2-subsets (weights u^Σx) plus the t = 2 Bernoulli term.
    let b = u * u + 4 * u + 1
    let mean = (2 * u * u + 4 * u) / b
    let info = (4 * u * u + 4 * u) / b - mean * mean + u / ((u + 1) * (u + 1))
    expectClose(fit.terms[0].standardError, 1 / info.squareRoot(), relative: 1e-8, "se")
  }

  @Test("exact ties refuse what they cannot give: weights, cluster(), --zph")
  func exactRefusals() throws {
    let csv = "time,status,x,w,id\n1,1,1,1,1\n2,1,1,2,1\n1,1,0,1,2\n2,0,0,1,2\n3,1,0,1,3\n"
    #expect(throws: InputError.self) { try coxModel(csv, "Surv(time, status) ~ x", weights: "w", options: .init(ties: .exact)) }
    #expect(throws: InputError.self) { try coxModel(csv, "Surv(time, status) ~ x + cluster(id)", options: .init(ties: .exact)) }
    #expect(throws: InputError.self) { try coxModel(csv, "Surv(time, status) ~ x", options: .init(ties: .exact, proportionalHazards: .km)) }
  }

  @Test("coxph ignores - 1: aml, Surv(time, status) ~ x - 1 keeps treatment contrasts, no aliased column (numbers: cox-aml-minus-one)")
  func minusOne() throws {
    let csv = try String(contentsOfFile: repositoryPath("Datasets/aml.csv"), encoding: .utf8)
    let fit = try coxModel(csv, "Surv(time, status) ~ x - 1").fit
    #expect(fit.terms.map(\.name) == ["xNonmaintained"])
    #expect(fit.warnings.isEmpty)
  }

  @Test("an aliased column has a null coefficient, the rest are fitted, and the fit says so")
  func aliased() throws {
    let fit = try coxModel("t,s,a,b\n1,1,1,2\n2,1,2,4\n3,0,3,6\n4,1,5,10\n5,0,4,8\n6,1,7,14\n7,1,6,12\n", "Surv(t, s) ~ a + b").fit
    #expect(fit.terms[1].coefficient == nil)
    #expect(fit.terms[0].coefficient != nil)
    #expect(fit.warnings.contains { if case .singular(let c, let names) = $0 { return c == [1] && names == ["b"] } else { return false } })
    #expect(fit.tests.wald.degreesOfFreedom == 1)
  }

  @Test("monotone likelihood: R's warning, the term flagged, 20 iterations as R")
  func monotone() throws {
    let csv = "t,s,x\n1,1,0\n2,1,0\n3,0,0\n4,1,0\n5,1,0\n6,0,1\n7,0,1\n8,0,1\n9,0,1\n10,0,1\n"
    let fit = try coxModel(csv, "Surv(t, s) ~ x").fit
    #expect(fit.warnings.contains(.infiniteCoefficients(columns: [0])))
    #expect(fit.warnings.first?.message == "Loglik converged before variable 1; coefficient may be infinite.")
    #expect(fit.terms[0].mayBeInfinite)
    #expect(fit.iterations == 20)  // R: fit$iter
  }

  @Test("perfect separation that never converges: 'Ran out of iterations', iterations = iter.max + 1 as R")
  func separation() throws {
    let fit = try coxModel("t,s,x\n1,1,5\n2,1,4\n3,1,3\n4,1,2\n5,0,1\n6,1,0\n", "Surv(t, s) ~ x").fit
    #expect(fit.warnings.contains(.didNotConverge(iterations: 21)))
    #expect(fit.iterations == 21)
  }

  @Test("iteration limit: lung with iter.max = 2 reports 3 iterations and the warning, as R")
  func iterationLimit() throws {
    let table = try CSVReader.read(path: repositoryPath("Datasets/lung.csv"))
    let frame = try ModelFrame.build(formula: Formula.parse("Surv(time, status) ~ age + sex"), table: table)
    let fit = try CoxModel(frame: frame, options: .init(maxIterations: 2)).fit
    #expect(fit.iterations == 3)
    #expect(fit.warnings.contains(.didNotConverge(iterations: 3)))
    // R: coxph(..., iter.max = 2)$loglik[2] = -742.8482 (printed); coef 0.0170443, -0.5130952.
    expectClose(fit.terms[0].coefficient, 0.0170443, relative: 1e-5, "age at iteration 2")
  }

  @Test("no events is an error, as R's agreg.fit")
  func noEvents() {
    #expect(throws: InputError.self) { try coxModel("t,s,x\n1,0,1\n2,0,2\n", "Surv(t, s) ~ x") }
  }

  @Test("a zero weight is an error (R: weights must be > 0)")
  func zeroWeight() throws {
    let table = try CSVReader.read(bytes: Array("t,s,x,w\n1,1,1,0\n2,1,2,1\n3,0,1,1\n".utf8), source: "d.csv")
    let frame = try ModelFrame.build(formula: Formula.parse("Surv(t, s) ~ x"), table: table, options: .init(weights: "w"))
    #expect(throws: InputError.self) { try CoxModel(frame: frame, options: .init()) }
  }
}

/// The two rules for a tie in the concordance. R's `fit$concordance` uses
/// `x %*% coef` through the BLAS, whose kernels may compute the last n mod 4
/// rows in a scalar tail and so split rows with equal covariates by an ulp;
/// `--concordance-ties r` reproduces that product, `covariates` ties rows
/// whose covariates are equal on every machine (the fixtures above pin it).
@Suite("Cox: concordance ties (R's linear predictor and equal covariates)")
struct CoxConcordanceTiesTests {
  private static func fits(_ csv: String, _ formula: String) throws -> (r: Concordance, covariates: Concordance) {
    var results: [Concordance] = []
    for rule in [Cox.ConcordanceTies.r, .covariates] {
      let table = try CSVReader.read(bytes: Array(csv.utf8), source: "lung.csv")
      var frameOptions = ModelFrame.Options(weights: nil)
      frameOptions.offsets = true
      let frame = try ModelFrame.build(formula: Formula.parse(formula), table: table, options: frameOptions)
      var options = Cox.Options()
      options.concordanceTies = rule
      results.append(try #require(try CoxModel(frame: frame, options: options).fit.concordance))
    }
    return (results[0], results[1])
  }

  @Test("n a multiple of 4 (lung, 228 rows): no BLAS tail, the two rules agree exactly")
  func noTail() throws {
    let csv = try String(contentsOfFile: repositoryPath("Datasets/lung.csv"), encoding: .utf8)
    for formula in ["Surv(time, status) ~ age + sex", "Surv(time, status) ~ age * sex + offset(0.1 * age)"] {
      let (r, covariates) = try Self.fits(csv, formula)
      #expect(r == covariates, "\(formula)")
      // R: coxph(Surv(time, status) ~ age + sex, lung)$concordance (228 rows; no split here).
      if formula.hasSuffix("age + sex") {
        #expect(r.concordant == 11910 && r.discordant == 7793 && r.tiedRisk == 311)
      }
    }
  }

  @Test("n not a multiple of 4 (lung, 227 rows): only pairs with a tail row may leave the tie")
  func tail() throws {
    let csv = try String(contentsOfFile: repositoryPath("Datasets/lung.csv"), encoding: .utf8)
    let (r, covariates) = try Self.fits(csv, "Surv(time, status) ~ age + sex + ph.karno")
    #expect(r.concordant + r.discordant + r.tiedRisk == covariates.concordant + covariates.discordant + covariates.tiedRisk)
    // Brute force (R, rows with equal covariates tied): 12578 / 7145 / 65.
    #expect(covariates.concordant == 12578 && covariates.discordant == 7145 && covariates.tiedRisk == 65)
    #expect(r.tiedRisk <= covariates.tiedRisk && covariates.tiedRisk - r.tiedRisk <= 3 * 226)
  }
}

/// `--ties exact-marginal` (SAS PHREG's TIES=EXACT, which R lacks) against
/// its definition computed in R (Tests/References/make-references.R,
/// `marginal_case`: the tied-set probabilities by integrate() at 1e-13,
/// maximised by BFGS + Newton on numDeriv's derivatives, SEs from numDeriv's
/// Hessian): log-likelihoods at 1e-10, coefficients and SEs at 1e-6 (the
/// reference is an iterative fit with numerical derivatives).
@Suite("Cox: exact marginal likelihood (SAS TIES=EXACT)")
struct CoxMarginalTests {
  static let fixtures = fixtureFiles("Tests/SurvivalTests/CoxMarginal")

  @Test("fixture count")
  func count() { #expect(Self.fixtures.count == 3) }

  @Test("estimates, SEs and log-likelihoods match the definition", arguments: fixtures)
  func fixture(_ file: String) throws {
    let fixture = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: repositoryPath("Tests/SurvivalTests/CoxMarginal/\(file)"))))
    guard case .array(let argValues)? = fixture["args"], let expected = fixture["expect"],
          case .array(let terms)? = expected["terms"] else {
      Issue.record("malformed fixture \(file)"); return
    }
    let args = argValues.compactMap { v -> String? in if case .string(let s) = v { return s } else { return nil } }
    var options: [String: String] = [:]
    for k in stride(from: 1, to: args.count - 1, by: 2) { options[args[k]] = args[k + 1] }
    let frame = try ModelFrame.build(formula: Formula.parse(options["--formula"]!),
                                     table: CSVReader.read(path: repositoryPath(options["--data"]!)))
    let model = try CoxModel(frame: frame, options: .init(ties: .exactMarginal))
    let actual = try JSONValueEncoder().encode(model.fit)
    #expect(actual["ties"] == .string("exact-marginal"))
    expectClose(actual["loglik"]?.number, expected["loglik"]?.number, relative: 1e-10, "\(file) loglik")
    expectClose(actual["loglik_null"]?.number, expected["loglik_null"]?.number, relative: 1e-10, "\(file) loglik_null")
    guard case .array(let ours)? = actual["terms"] else { Issue.record("no terms"); return }
    #expect(ours.count == terms.count)
    for (a, e) in zip(ours, terms) {
      #expect(a["term"] == e["term"])
      expectClose(a["coef"]?.number, e["coef"]?.number, relative: 1e-6, absolute: 1e-8, "\(file) coef")
      expectClose(a["se"]?.number, e["se"]?.number, relative: 1e-6, "\(file) se")
    }
  }

  @Test("one failure at a time: the marginal likelihood is the partial likelihood (no ties, every method agrees)")
  func untied() throws {
    let csv = "time,status,x\n1,1,0.5\n2,1,-1\n3,0,2\n4,1,0\n5,1,1.5\n6,0,-0.5\n7,1,1\n"
    let table = try CSVReader.read(bytes: Array(csv.utf8), source: "d.csv")
    let frame = try ModelFrame.build(formula: Formula.parse("Surv(time, status) ~ x"), table: table)
    let marginal = try CoxModel(frame: frame, options: .init(ties: .exactMarginal)).fit
    let breslow = try CoxModel(frame: frame, options: .init(ties: .breslow)).fit
    expectClose(marginal.terms[0].coefficient, breslow.terms[0].coefficient, relative: 1e-12, "coef")
    expectClose(marginal.logLikelihood, breslow.logLikelihood, relative: 1e-13, "loglik")
  }
}
