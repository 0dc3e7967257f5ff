import Foundation
import ModelFrame
import Rendering
import Survival
import Tabular
import Testing
import TestSupport

/// Every field of every fixture written by Tests/References/make-references.R
/// (R 4.2.2, survival 3.5-3), compared at 1e-8 relative.
@Suite("R reference fixtures (survfit, summary.survfit, quantile.survfit, survdiff, SAS's weighted tests)")
struct ReferenceFixtureTests {
  static let fixtures = fixtureFiles("Tests/SurvivalTests/References")

  @Test("fixture count: every case of make-references.R is here")
  func count() {
    #expect(Self.fixtures.count == 47)
  }

  @Test("every field matches R at 1e-8", arguments: fixtures)
  func fixture(_ file: String) throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: repositoryPath("Tests/SurvivalTests/References/\(file)")))
    let fixture = try JSONValue.parse(data)
    guard case .array(let argValues)? = fixture["args"], let expected = fixture["expect"] else {
      Issue.record("malformed fixture \(file)"); return
    }
    let args = argValues.compactMap { v -> String? in if case .string(let s) = v { return s } else { return nil } }
    let actual = try run(args)
    for problem in jsonMismatches(expected: expected, actual: actual, relative: 1e-8) {
      Issue.record(Comment(rawValue: "\(file): \(problem)"))
    }
  }

  /// Runs the analysis a fixture's CLI arguments describe, through the library.
  private func run(_ args: [String]) throws -> JSONValue {
    var options: [String: String] = [:]
    var k = 1
    while k < args.count {
      // `--name value`, or a flag (`--extend`) followed by the next option.
      if k + 1 < args.count, !args[k + 1].hasPrefix("--") {
        options[args[k]] = args[k + 1]
        k += 2
      } else {
        options[args[k]] = "true"
        k += 1
      }
    }
    let table = try CSVReader.read(path: repositoryPath(options["--data"]!))
    let formula = try Formula.parse(options["--formula"]!)
    let frame = try ModelFrame.build(formula: formula, table: table, options: .init(weights: options["--weights"]))
    switch args[0] {
    case "km":
      func numbers(_ key: String) -> [Double]? { options[key].map { $0.split(separator: ",").map { Double($0)! } } }
      var km = KaplanMeier.Options(
        confidenceTransform: ConfidenceTransform(rawValue: options["--conf-type"] ?? "log")!,
        confidenceLevel: Double(options["--conf-level"] ?? "0.95")!,
        times: numbers("--times"), tau: options["--tau"].map { Double($0)! })
      km.estimator = SurvivalEstimator(rawValue: options["--estimator"] ?? "km")!
      km.hazard = HazardEstimator(rawValue: options["--cumhaz"] ?? "nelson-aalen")!
      km.quantiles = numbers("--quantiles")
      km.extend = options["--extend"] != nil
      km.startTime = options["--start-time"].map { Double($0)! }
      km.modifiedLowerLimit = options["--conf-lower"] == "modified"
      km.variance = options["--variance"].map { $0 == "robust" ? .jackknife : .greenwood }
      return try JSONValueEncoder().encode(KaplanMeier.fit(frame, options: km))
    case "logrank":
      let rho = Double(options["--rho"] ?? "0")!, gamma = Double(options["--gamma"] ?? "0")!
      let weight: LogRankWeight
      switch options["--test"] ?? "logrank" {
      case "gehan": weight = .gehan
      case "tarone-ware": weight = .taroneWare
      case "peto": weight = .peto
      case "modified-peto": weight = .modifiedPeto
      case "lr": weight = .likelihoodRatio
      default: weight = .flemingHarrington(rho: rho, gamma: gamma)
      }
      let test = try LogRank.test(frame, options: .init(weight: weight))
      return try JSONValueEncoder().encode(test)
    default:
      throw InputError(InputLocation(source: "fixture"), "unknown command \(args[0])")
    }
  }
}
