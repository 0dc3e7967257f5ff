import Foundation
import Rendering
import Distributions
@testable import StudyDesign
import Testing
import TestSupport

private func fixtures(_ prefix: String) -> [String] {
  let dir = repositoryPath("Tests/StudyDesignTests/References")
  return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
    .filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }.sorted()
}

private func load(_ file: String) throws -> (options: [String: Double], expected: JSONValue) {
  let data = try Data(contentsOf: URL(fileURLWithPath: repositoryPath("Tests/StudyDesignTests/References/\(file)")))
  let fixture = try JSONValue.parse(data)
  guard case .array(let argValues)? = fixture["args"], let expected = fixture["expect"] else {
    throw CocoaError(.fileReadCorruptFile)
  }
  let args = argValues.compactMap { v -> String? in if case .string(let s) = v { return s } else { return nil } }
  var options: [String: Double] = [:]
  for k in stride(from: 0, to: args.count - 1, by: 2) { options[args[k]] = Double(args[k + 1]) }
  return (options, expected)
}

/// Simon's two-stage designs against an exhaustive search written
/// independently (Tests/References/make-references.py) over Simon's (1989)
/// Table 1 grid: every design parameter exactly, EN, PET, alpha and power at 1e-10.
@Suite("Simon two-stage designs: Simon (1989) grid, independent search")
struct SimonTwoStageTests {
  static let files = fixtures("simon-")

  @Test("fixture count")
  func count() { #expect(Self.files.count == 57) }

  @Test("optimal and minimax designs", arguments: files)
  func design(_ file: String) throws {
    let (o, expected) = try load(file)
    let designs = try #require(SimonTwoStage.design(.init(p0: o["--p0"]!, p1: o["--p1"]!, alpha: o["--alpha"]!,
                                                          power: o["--power"]!)))
    let actual = try JSONValueEncoder().encode(designs)
    for problem in jsonMismatches(expected: expected, actual: actual, relative: 1e-10) {
      Issue.record(Comment(rawValue: "\(file): \(problem)"))
    }
  }

  @Test("Simon (1989) Table 1 as printed: p0 0.10, p1 0.30, alpha 0.05, beta 0.20")
  func published() throws {
    let d = try #require(SimonTwoStage.design(.init(p0: 0.1, p1: 0.3)))
    #expect([d.optimal.r1, d.optimal.n1, d.optimal.r, d.optimal.n] == [Int](arrayLiteral: 1, 10, 5, 29))
    #expect((d.optimal.expectedSize * 10).rounded() / 10 == 15.0)
    #expect((d.optimal.earlyTermination * 100).rounded() / 100 == 0.74)
    #expect([d.minimax.r1, d.minimax.n1, d.minimax.r, d.minimax.n] == [Int](arrayLiteral: 1, 15, 5, 25))
    #expect((d.minimax.expectedSize * 10).rounded() / 10 == 19.5)
    #expect((d.minimax.earlyTermination * 100).rounded() / 100 == 0.55)
  }

  @Test("no feasible design below nmax is nil")
  func infeasible() {
    #expect(SimonTwoStage.design(.init(p0: 0.3, p1: 0.35, maximumSize: 30)) == nil)
  }
}

/// Sample sizes for two rates against R 4.2.2's power.prop.test (its uniroot
/// stops at 1.2e-4 on n: the unrounded size at 1e-4, the rounded one
/// exactly), the Fleiss–Tytun–Ury formula, and Fisher's exact power by
/// enumeration with R's fisher.test (1e-9).
@Suite("Two-rate sample sizes: R power.prop.test and fisher.test")
struct TwoRateDesignTests {
  static let files = fixtures("two-rates-")

  @Test("fixture count")
  func count() { #expect(Self.files.count == 4) }

  @Test("every field", arguments: files)
  func size(_ file: String) throws {
    let (o, expected) = try load(file)
    let s = try TwoRateDesign.sampleSize(.init(p1: o["--p1"]!, p2: o["--p2"]!, alpha: o["--alpha"]!, power: o["--power"]!))
    #expect(Double(s.perGroup) == expected["n_per_group"]?.number, "\(file): n_per_group")
    expectClose(s.perGroupUnrounded, expected["n_per_group_unrounded"]?.number, relative: 1e-4, "\(file): unrounded")
    #expect(Double(s.perGroupCorrected) == expected["n_per_group_cc"]?.number, "\(file): n_per_group_cc")
    expectClose(s.perGroupCorrectedUnrounded, expected["n_per_group_cc_unrounded"]?.number, relative: 1e-4, "\(file): cc")
    expectClose(s.fisherPowerAtPerGroup, expected["fisher"]?["power_at_n_per_group"]?.number, relative: 1e-9, "\(file): Fisher power")
    expectClose(s.actualPower, expected["actual_power"]?.number, relative: 1e-12, "\(file): actual power")
    let json = try JSONValueEncoder().encode(s)
    for key in ["alpha_at_n_per_group", "n_per_group", "actual_alpha", "actual_power"] {
      expectClose(json["fisher"]?[key]?.number, expected["fisher"]?[key]?.number, relative: 1e-9, "\(file): fisher.\(key)")
    }
  }

  @Test("closed form solves R's power equation exactly")
  func closedForm() throws {
    let s = try TwoRateDesign.sampleSize(.init(p1: 0.65, p2: 0.85))
    let z = Normal(mean: 0, standardDeviation: 1)
    let p1 = 0.65, p2 = 0.85, n = s.perGroupUnrounded
    let power = z.cdf(((n * (p1 - p2) * (p1 - p2)).squareRoot()
                       - z.quantile(0.975) * ((p1 + p2) * (1 - (p1 + p2) / 2)).squareRoot())
                      / (p1 * (1 - p1) + p2 * (1 - p2)).squareRoot())
    expectClose(power, 0.8, relative: 1e-12, "power at the unrounded n")
    // Fisher's test needs more: the smallest n whose exact power reaches 0.8.
    let fisher = s.fisherPerGroup!
    #expect(TwoRateDesign.exactFisherPower(n: fisher, p1: p1, p2: p2, alpha: 0.05) >= 0.8)
    #expect(TwoRateDesign.exactFisherPower(n: fisher - 1, p1: p1, p2: p2, alpha: 0.05) < 0.8)
  }
}

/// The single-stage exact design against a search over every n and cut-off
/// in R (pbinom): n and r exactly, actual alpha and power at 1e-12.
@Suite("Single-stage exact designs: R search")
struct SingleStageDesignTests {
  static let files = fixtures("single-stage-")

  @Test("fixture count")
  func count() { #expect(Self.files.count == 5) }

  @Test("every field", arguments: files)
  func design(_ file: String) throws {
    let (o, expected) = try load(file)
    let d = try #require(SingleStageDesign.design(.init(p0: o["--p0"]!, p1: o["--p1"]!, alpha: o["--alpha"]!, power: o["--power"]!)))
    for problem in jsonMismatches(expected: expected, actual: try JSONValueEncoder().encode(d), relative: 1e-12) {
      Issue.record(Comment(rawValue: "\(file): \(problem)"))
    }
  }

  @Test("no design below nmax")
  func infeasible() {
    #expect(SingleStageDesign.design(.init(p0: 0.3, p1: 0.35, maximumSize: 50)) == nil)
  }
}

/// Log-rank events, their power at the rounded events, and the patients under
/// uniform accrual and exponential survival against R (formulas, and the
/// probability of an event by numerical integration): 1e-10.
@Suite("Log-rank events and patients: R")
struct LogRankPatientsTests {
  static let files = fixtures("logrank-")

  @Test("fixture count")
  func count() { #expect(Self.files.count == 5) }

  @Test("every field", arguments: files)
  func design(_ file: String) throws {
    let (o, expected) = try load(file)
    var recruitment: LogRankDesign.Recruitment? = nil
    if let a = o["--accrual"], let f = o["--follow-up"], let m = o["--median-control"] {
      recruitment = .init(accrual: a, followUp: f, controlHazard: log(2) / m)
    }
    let d = try LogRankDesign.events(.init(hazardRatio: o["--hr"]!, alpha: o["--alpha"]!, power: o["--power"]!,
                                       allocation: o["--allocation"]!, recruitment: recruitment))
    for problem in jsonMismatches(expected: expected, actual: try JSONValueEncoder().encode(d), relative: 1e-10) {
      Issue.record(Comment(rawValue: "\(file): \(problem)"))
    }
  }
}
