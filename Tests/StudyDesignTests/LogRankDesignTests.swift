import StudyDesign
import Testing
import TestSupport

/// Expected values from R 4.2.2:
/// `za <- qnorm(1 - alpha/2); zb <- qnorm(power)`, then each formula, `%.17g`.
@Suite("Log-rank events (Schoenfeld, Freedman)")
struct LogRankDesignTests {
  @Test("HR 0.5, alpha 0.05, power 0.8, 1:1 — R 4.2.2")
  func equalAllocation() throws {
    let d = try LogRankDesign.events(.init(hazardRatio: 0.5))
    expectClose(d.eventsUnrounded, 65.345659258870896, relative: 1e-13, "Schoenfeld")
    #expect(d.events == 66)
    expectClose(d.freedmanEventsUnrounded, 70.639917609141776, relative: 1e-13, "Freedman")
    #expect(d.freedmanEvents == 71)
  }

  @Test("HR 0.7 with 30% in the experimental arm — R 4.2.2")
  func unequalAllocation() throws {
    let d = try LogRankDesign.events(.init(hazardRatio: 0.7, allocation: 0.3))
    expectClose(d.eventsUnrounded, 293.79417208018856, relative: 1e-13, "Schoenfeld")
    expectClose(d.freedmanEventsUnrounded, 343.89721206425804, relative: 1e-13, "Freedman")
  }

  @Test("HR 1.5, alpha 0.01, power 0.9 — R 4.2.2")
  func stricter() throws {
    let d = try LogRankDesign.events(.init(hazardRatio: 1.5, alpha: 0.01, power: 0.9))
    expectClose(d.eventsUnrounded, 362.02458223623586, relative: 1e-13, "Schoenfeld")
    #expect(d.events == 363)
  }
}
