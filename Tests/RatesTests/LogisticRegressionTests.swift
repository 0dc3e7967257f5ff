import Foundation
import LinearAlgebra
import ModelFrame
@testable import Rates
import Rendering
import Tabular
import Testing
import TestSupport

private func frame(_ path: String, _ formula: String) throws -> ModelFrame {
  let table = try CSVReader.read(path: path)
  var options = ModelFrame.Options(binaryResponse: true, basisTerms: true)
  options.offsets = true
  return try ModelFrame.build(formula: Formula.parse(formula), table: table, options: options)
}

private func without(_ value: JSONValue, _ keys: Set<String>) -> JSONValue {
  switch value {
  case .object(let pairs): return .object(pairs.filter { !keys.contains($0.0) }.map { ($0.0, without($0.1, keys)) })
  case .array(let items): return .array(items.map { without($0, keys) })
  default: return value
  }
}

/// Every field of every fixture of Tests/RatesTests/LogisticReferences:
/// R 4.2.2's glm and summary.glm (maximum likelihood, 1e-9: outcomes takes
/// R's IRLS steps), exact profile-likelihood roots (1e-7) and MASS's
/// interpolated confint (1e-2: its spline is off by 2e-3 far out); Firth fits from an independent R
/// implementation (Newton's method with a numerical Jacobian; 1e-7).
@Suite("Logistic regression: R fixtures")
struct LogisticReferenceTests {
  static let fixtures = fixtureFiles("Tests/RatesTests/LogisticReferences")

  @Test("fixture count")
  func count() { #expect(Self.fixtures.count == 13) }

  @Test("every field matches", arguments: fixtures)
  func fixture(_ file: String) throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: repositoryPath("Tests/RatesTests/LogisticReferences/\(file)")))
    let fixture = try JSONValue.parse(data)
    guard case .array(let argValues)? = fixture["args"], let expected = fixture["expect"] else {
      Issue.record("malformed fixture \(file)"); return
    }
    let args = argValues.compactMap { v -> String? in if case .string(let s) = v { return s } else { return nil } }
    var options: [String: String] = [:]
    for k in stride(from: 1, to: args.count - 1, by: 2) where args[k].hasPrefix("--") { options[args[k]] = args[k + 1] }
    let firth = args.contains("--firth")
    let fit = try LogisticRegression.fit(
      frame: frame(repositoryPath(options["--data"]!), options["--formula"]!),
      options: .init(confidenceLevel: Double(options["--conf-level"]!)!, firth: firth))
    let actual = try JSONValueEncoder().encode(fit)
    let profileKeys: Set<String> = ["profile_lower", "profile_upper"]
    let mass: Set<String> = ["profile_mass_lower", "profile_mass_upper"]
    for problem in jsonMismatches(expected: without(expected, profileKeys.union(mass)), actual: actual,
                                  relative: firth ? 1e-7 : 1e-9) {
      Issue.record(Comment(rawValue: "\(file): \(problem)"))
    }
    guard case .array(let terms)? = expected["terms"], case .array(let ours)? = actual["terms"] else { return }
    for (e, a) in zip(terms, ours) {
      let name = e["term"].map { "\($0)" } ?? "?"
      for key in ["profile_lower", "profile_upper"] {
        expectClose(a[key]?.number, e[key]?.number, relative: 1e-7, "\(file) \(name) \(key)")
      }
      if let m = e["profile_mass_lower"]?.number {
        expectClose(a["profile_lower"]?.number, m, relative: 1e-2, "\(file) \(name) MASS lower")
        expectClose(a["profile_upper"]?.number, e["profile_mass_upper"]?.number, relative: 1e-2, "\(file) \(name) MASS upper")
      }
    }
  }
}

@Suite("Logistic regression: separation, aliasing, Firth, errors")
struct LogisticHandTests {
  private func csvFrame(_ csv: String, _ formula: String) throws -> ModelFrame {
    let t = try CSVReader.read(bytes: Array(csv.utf8), source: "d.csv")
    return try ModelFrame.build(formula: Formula.parse(formula), table: t, options: .init(binaryResponse: true))
  }

  @Test("lung: the one patient with ph.ecog = 3 died, so that coefficient is +∞ (quasi-complete); no inference")
  func quasiSeparation() throws {
    let fit = try LogisticRegression.fit(frame: frame(repositoryPath("Datasets/lung.csv"), "status == 2 ~ age + sex + factor(ph.ecog)"))
    #expect(fit.separation == Separation(type: "quasi-complete", terms: [(term: "factor(ph.ecog)3", direction: 1)]))
    #expect(!fit.converged)
    #expect(fit.terms.last?.coef == .infinity)
    #expect(fit.terms.allSatisfy { $0.se == nil && $0.p == nil && $0.profileLower == nil })
    #expect(fit.warnings.contains { $0.contains("quasi-complete separation") && $0.contains("--firth") })
    let clean = try LogisticRegression.fit(frame: frame(repositoryPath("Datasets/lung.csv"), "status == 2 ~ age + sex + ph.ecog"))
    #expect(clean.separation == nil && clean.converged)
  }

  @Test("complete separation is named complete; Firth gives finite estimates there")
  func completeSeparation() throws {
    let csv = "x,y\n1,0\n2,0\n3,0\n4,1\n5,1\n6,1\n"
    let ml = try LogisticRegression.fit(frame: csvFrame(csv, "y ~ x"))
    #expect(ml.separation?.type == "complete")
    #expect(ml.separation?.terms.map(\.term) == ["(Intercept)", "x"])
    #expect(ml.separation?.terms.map(\.direction) == [-1, 1])
    let firth = try LogisticRegression.fit(frame: csvFrame(csv, "y ~ x"), options: .init(firth: true))
    #expect(firth.converged && firth.terms.allSatisfy { $0.coef!.isFinite && $0.se!.isFinite })
    #expect(firth.terms[1].coef! > 0 && firth.terms[1].profileUpper!.isFinite)
  }

  @Test("overlapping data are not separated")
  func overlap() throws {
    let fit = try LogisticRegression.fit(frame: csvFrame("x,y\n1,0\n2,1\n3,0\n4,1\n5,0\n6,1\n", "y ~ x"))
    #expect(fit.separation == nil && fit.converged)
  }

  @Test("an aliased column gets NA (R's rank rule) and changes nothing else")
  func aliased() throws {
    let csv = "a,b,c,y\n1,2,3,0\n2,4,1,0\n3,6,2,1\n4,8,5,0\n5,10,4,1\n6,12,6,1\n7,14,8,0\n8,16,7,1\n"
    let with = try LogisticRegression.fit(frame: csvFrame(csv, "y ~ a + b + c"))
    let without = try LogisticRegression.fit(frame: csvFrame(csv, "y ~ a + c"))
    #expect(with.terms[2].aliased && with.terms[2].coef == nil)
    expectClose(with.deviance, without.deviance, relative: 1e-12, "deviance")
    expectClose(with.terms[1].coef, without.terms[1].coef, relative: 1e-10, "a")
    #expect(with.aic == without.aic && with.dfResidual == without.dfResidual)
    #expect(with.warnings.contains { $0.contains("not defined because of singularities: b") })
  }

  @Test("bad formulas: strata() and a non-binary outcome")
  func errors() throws {
    let path = repositoryPath("Datasets/lung.csv")
    #expect(throws: InputError.self) { try LogisticRegression.fit(frame: frame(path, "status == 2 ~ age + strata(sex)")) }
    #expect(throws: InputError.self) { try frame(path, "ph.ecog ~ age") }
  }
}

@Suite("Logistic IRLS on tall designs: normal equations after the first QR")
struct LogisticNormalEquationTests {
  @Test("the normal-equation iterations give the QR iterations' coefficients, covariance, deviance and aliased columns")
  func agreesWithQR() throws {
    var state: UInt64 = 2024
    func uniform() -> Double {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return (Double(state >> 11) + 0.5) / Double(1 << 53)
    }
    let n = 6000
    var columns = [[Double]](repeating: [], count: 4)
    var y: [Double] = []
    for _ in 0..<n {
      let x1 = (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())
      let x3: Double = uniform() < 0.3 ? 1 : 0
      columns[0].append(1)
      columns[1].append(x1)
      columns[2].append(2 * x1)  // aliased with x1
      columns[3].append(x3)
      let eta = -0.4 + 0.8 * x1 - 0.5 * x3
      y.append(uniform() < 1 / (1 + exp(-eta)) ? 1 : 0)
    }
    let x = Matrix(rows: n, columns: 4, columnMajor: columns.flatMap { $0 })
    #expect(LogisticIRLS.usesNormalEquations(rows: n, columns: 4))
    let irls = LogisticIRLS()
    let normal = try #require(try irls.fit(x: x, y: y, offset: nil, start: nil, normalEquations: true))
    let qr = try #require(try irls.fit(x: x, y: y, offset: nil, start: nil, normalEquations: false))
    #expect(normal.kept == qr.kept)
    #expect(normal.kept == [0, 1, 3], "the doubled column is aliased, as R's glm says NA")
    #expect(normal.iterations == qr.iterations)
    for j in 0..<4 {
      if let a = normal.coefficients[j], let b = qr.coefficients[j] {
        #expect(abs(a - b) <= 1e-10 * max(1, abs(b)), "coefficient \(j)")
      } else {
        #expect(normal.coefficients[j] == nil && qr.coefficients[j] == nil)
      }
    }
    for (a, b) in zip(normal.covariance.storage, qr.covariance.storage) { #expect(abs(a - b) <= 1e-10 * max(1e-8, abs(b))) }
    #expect(abs(normal.deviance - qr.deviance) <= 1e-10 * qr.deviance)
    // The public fit takes the normal-equation path on this shape.
    let viaFit = try irls.fit(x: x, y: y)
    #expect(viaFit.coefficients.map { $0 ?? .nan }.elementsEqual(normal.coefficients.map { $0 ?? .nan }) { $0 == $1 || ($0.isNaN && $1.isNaN) })
  }
}
