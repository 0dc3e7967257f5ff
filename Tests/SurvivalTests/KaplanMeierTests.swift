import ModelFrame
import Survival
import Tabular
import Testing
import TestSupport

func kaplanMeier(_ csv: String, _ formula: String, weights: String? = nil,
                 options: KaplanMeier.Options = .init()) throws -> KaplanMeierFit {
  let table = try CSVReader.read(bytes: Array(csv.utf8), source: "d.csv")
  let frame = try ModelFrame.build(formula: Formula.parse(formula), table: table, options: .init(weights: weights))
  return try KaplanMeier.fit(frame, options: options)
}

/// A deterministic generator for property tests (no global state).
struct LinearCongruential {
  var state: UInt64
  mutating func next() -> Double {
    state = state &* 6364136223846793005 &+ 1442695040888963407
    return Double(state >> 11) / Double(1 << 53)
  }
  mutating func integer(_ upper: Int) -> Int { Int(next() * Double(upper)) }
}

@Suite("Kaplan–Meier: hand-computed cases")
struct KaplanMeierHandTests {
  // t = 1, 2, 2, 3+, 4 with status 1, 1, 0, 0, 1 (unsorted on purpose, one NA row).
  static let data = "t,s\n4,1\n2,0\n1,1\nNA,1\n3,0\n2,1\n"

  @Test("S, Greenwood SE, Nelson–Aalen by hand (1e-12)")
  func steps() throws {
    let fit = try kaplanMeier(Self.data, "Surv(t, s) ~ 1", options: .init(tau: 4))
    #expect(fit.n == 5)
    #expect(fit.nDropped == 1)
    let c = fit.curves[0]
    #expect(c.label == "all")
    #expect(c.steps.map(\.time) == [1, 2, 3, 4])
    #expect(c.steps.map(\.nRisk) == [5, 4, 2, 1])
    #expect(c.steps.map(\.nEvent) == [1, 1, 0, 1])
    #expect(c.steps.map(\.nCensor) == [0, 1, 1, 0])
    let surv = [0.8, 0.6, 0.6, 0.0]
    for (k, s) in surv.enumerated() { expectClose(c.steps[k].survival, s, relative: 1e-12, "surv[\(k)]") }
    expectClose(c.steps[0].standardError, 0.8 * (0.05).squareRoot(), relative: 1e-12, "std_err[0]")
    expectClose(c.steps[1].standardError, 0.6 * (0.05 + 1.0 / 12).squareRoot(), relative: 1e-12, "std_err[1]")
    expectClose(c.steps[3].standardError, nil, "std_err at S = 0 is undefined (R: NaN)")
    expectClose(c.steps[3].lower, nil, "log CI at S = 0 is undefined")
    let hazard = [0.2, 0.45, 0.45, 1.45]
    for (k, h) in hazard.enumerated() { expectClose(c.steps[k].cumulativeHazard, h, relative: 1e-12, "cumhaz[\(k)]") }
    expectClose(c.steps[1].cumulativeHazardStandardError, (1.0 / 25 + 1.0 / 16).squareRoot(), relative: 1e-12, "std_chaz[1]")
    #expect(c.median == 4)
    expectClose(c.restrictedMean?.estimate, 3.0, relative: 1e-12, "rmst(4) = 1 + 0.8 + 0.6 + 0.6")
    #expect(c.events == 3)
  }

  @Test("a flat segment at exactly 0.5: the median is its midpoint (R's rule)")
  func flatMedian() throws {
    let fit = try kaplanMeier("t,s\n1,1\n2,1\n3,1\n4,1\n", "Surv(t, s) ~ 1")
    #expect(fit.curves[0].steps[1].survival == 0.5)
    #expect(fit.curves[0].median == 2.5)
  }

  @Test("the curve ends on 0.5: midpoint of its start and the last time")
  func endsAtHalf() throws {
    let fit = try kaplanMeier("t,s\n1,1\n2,0\n5,0\n", "Surv(t, s) ~ 1")
    // S = 2/3 after t = 1; never reaches 0.5.
    #expect(fit.curves[0].median == nil)
    let half = try kaplanMeier("t,s\n1,1\n2,0\n7,0\n3,1\n", "Surv(t, s) ~ 1")
    // S: t1 0.75, t3 0.75 · (1 − 1/2) = 0.375: median 3.
    #expect(half.curves[0].median == 3)
    let ends = try kaplanMeier("t,s\n1,1\n4,0\n", "Surv(t, s) ~ 1")
    // S = 0.5 from t = 1 to the last time 4: (1 + 4) / 2.
    #expect(ends.curves[0].median == 2.5)
  }

  @Test("no events at all: S ≡ 1, median null, km still works")
  func noEvents() throws {
    let fit = try kaplanMeier("t,s\n1,0\n2,0\n", "Surv(t, s) ~ 1", options: .init(times: [1.5]))
    #expect(fit.curves[0].steps.allSatisfy { $0.survival == 1 })
    #expect(fit.curves[0].median == nil)
    #expect(fit.curves[0].events == 0)
    #expect(fit.curves[0].at?.first?.survival == 1)
  }

  @Test("one subject: a single step")
  func single() throws {
    let fit = try kaplanMeier("t,s\n3,1\n", "Surv(t, s) ~ 1")
    #expect(fit.curves[0].steps.count == 1)
    #expect(fit.curves[0].steps[0].survival == 0)
    #expect(fit.curves[0].median == 3)
  }

  @Test("near-tied times (1e-15 apart) are one time, as R's aeqSurv; without timefix they are two")
  func nearTies() throws {
    let csv = "t,s\n1,1\n1.000000000000001,1\n2,0\n"
    #expect(try kaplanMeier(csv, "Surv(t, s) ~ 1").curves[0].steps.map(\.time) == [1, 2])
    #expect(try kaplanMeier(csv, "Surv(t, s) ~ 1", options: .init(timeFix: false)).curves[0].steps.count == 3)
  }

  @Test("interactions and cluster() are rejected for curves")
  func rejected() {
    #expect(throws: InputError.self) { try kaplanMeier("t,s,a,b\n1,1,1,1\n", "Surv(t, s) ~ a:b") }
    #expect(throws: InputError.self) { try kaplanMeier("t,s,a\n1,1,1\n", "Surv(t, s) ~ cluster(a)") }
  }
}

@Suite("Kaplan–Meier: properties")
struct KaplanMeierPropertyTests {
  @Test("without censoring, S equals the empirical survival function", arguments: [1, 2, 3])
  func empirical(seed: Int) throws {
    var rng = LinearCongruential(state: UInt64(seed))
    let n = 200
    let times = (0..<n).map { _ in Double(1 + rng.integer(40)) }
    let csv = "t,s\n" + times.map { "\(Int($0)),1" }.joined(separator: "\n")
    let fit = try kaplanMeier(csv, "Surv(t, s) ~ 1")
    for step in fit.curves[0].steps {
      let above = times.filter { $0 > step.time }.count
      expectClose(step.survival, Double(above) / Double(n), relative: 1e-12, "S(\(step.time))")
    }
  }

  @Test("S never increases and its limits bracket it", arguments: [7, 8])
  func monotone(seed: Int) throws {
    var rng = LinearCongruential(state: UInt64(seed))
    var csv = "t,s,g,w\n"
    for _ in 0..<300 {
      csv += "\(1 + rng.integer(100)),\(rng.next() < 0.6 ? 1 : 0),\(rng.integer(3)),\(1 + rng.integer(3))\n"
    }
    for weights in [nil, "w"] {
      let fit = try kaplanMeier(csv, "Surv(t, s) ~ g", weights: weights, options: .init(confidenceTransform: .logLog))
      for c in fit.curves {
        for (a, b) in zip(c.steps, c.steps.dropFirst()) { #expect(b.survival <= a.survival) }
        for s in c.steps where s.lower.isFinite && s.upper.isFinite {
          #expect(s.lower <= s.survival && s.survival <= s.upper)
        }
      }
    }
  }

  @Test("a case weight of 2 equals a duplicated row")
  func weightsAreCopies() throws {
    var rng = LinearCongruential(state: 11)
    var weighted = "t,s,g,w\n"
    var copied = "t,s,g\n"
    for _ in 0..<150 {
      let row = "\(1 + rng.integer(60)),\(rng.next() < 0.7 ? 1 : 0),\(rng.integer(2))"
      let twice = rng.next() < 0.4
      weighted += row + ",\(twice ? 2 : 1)\n"
      copied += row + "\n" + (twice ? row + "\n" : "")
    }
    let a = try kaplanMeier(weighted, "Surv(t, s) ~ g", weights: "w", options: .init(tau: 50))
    let b = try kaplanMeier(copied, "Surv(t, s) ~ g", options: .init(tau: 50))
    for (ca, cb) in zip(a.curves, b.curves) {
      #expect(ca.median == cb.median && ca.medianLower == cb.medianLower && ca.medianUpper == cb.medianUpper)
      expectClose(ca.restrictedMean?.standardError, cb.restrictedMean?.standardError, relative: 1e-12, "rmst se")
      for (sa, sb) in zip(ca.steps, cb.steps) {
        expectClose(sa.survival, sb.survival, relative: 1e-12, "S(\(sa.time))")
        expectClose(sa.standardError, sb.standardError, relative: 1e-12, "SE(\(sa.time))")
        expectClose(sa.nRisk, sb.nRisk, relative: 1e-12, "n.risk(\(sa.time))")
      }
    }
  }
}

@Suite("Kaplan–Meier: counting-process edge cases")
struct CountingProcessEdgeTests {
  @Test("an interval that near-tie merging shrinks to length 0 is an error, as R's aeqSurv")
  func zeroLength() {
    do {
      _ = try kaplanMeier("a,b,s\n1,1.000000000001,1\n0,5,0\n", "Surv(a, b, s) ~ 1")
      Issue.record("expected an error")
    } catch let e as InputError {
      #expect(e.description == "d.csv: the interval (1, 1.000000000001] has length 0 once near-tied times are merged (R's aeqSurv), expected start and stop further apart than 1.5e-8")
    } catch { Issue.record("\(error)") }
  }
}
