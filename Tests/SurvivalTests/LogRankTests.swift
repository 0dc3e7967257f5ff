import ModelFrame
import Survival
import Tabular
import Testing
import TestSupport

func logRank(_ csv: String, _ formula: String, rho: Double = 0) throws -> LogRankTest {
  let table = try CSVReader.read(bytes: Array(csv.utf8), source: "d.csv")
  let frame = try ModelFrame.build(formula: Formula.parse(formula), table: table)
  return try LogRank.test(frame, options: .init(rho: rho))
}

@Suite("Log-rank")
struct LogRankTests {
  @Test("two groups by hand: O, E and V of the 2×2 tables (1e-12)")
  func hand() throws {
    // a: 1, 3 (events); b: 2 (event), 4 (censored).
    let test = try logRank("t,s,g\n1,1,a\n3,1,a\n2,1,b\n4,0,b\n", "Surv(t, s) ~ g")
    // t=1: n=4 (2a,2b), d=1 → E_a = 1/2, V = 1·(2·2)·3/(16·3) = 1/4
    // t=2: n=3 (1a,2b), d=1 → E_a = 1/3, V = 1·1·2·2/(9·2) = 2/9
    // t=3: n=2 (1a,1b), d=1 → E_a = 1/2, V = 1·1·1·1/(4·1) = 1/4
    let a = test.groups[0]
    #expect(a.observed == 2)
    expectClose(a.expected, 0.5 + 1.0 / 3 + 0.5, relative: 1e-12, "E_a")
    expectClose(a.variance, 0.25 + 2.0 / 9 + 0.25, relative: 1e-12, "V_a")
    let z = (2 - (0.5 + 1.0 / 3 + 0.5))
    expectClose(test.chiSquare, z * z / (0.25 + 2.0 / 9 + 0.25), relative: 1e-12, "chisq")
    #expect(test.degreesOfFreedom == 1)
  }

  @Test("relabelling the groups leaves the test unchanged")
  func relabel() throws {
    var rng = LinearCongruential(state: 5)
    var one = "t,s,g\n", two = "t,s,g\n"
    let names = ["x", "y", "z"], renamed = ["q", "a", "m"]
    for _ in 0..<200 {
      let t = 1 + rng.integer(80), s = rng.next() < 0.6 ? 1 : 0, g = rng.integer(3)
      one += "\(t),\(s),\(names[g])\n"
      two += "\(t),\(s),\(renamed[g])\n"
    }
    for rho in [0.0, 1.0] {
      let a = try logRank(one, "Surv(t, s) ~ g", rho: rho)
      let b = try logRank(two, "Surv(t, s) ~ g", rho: rho)
      expectClose(a.chiSquare, b.chiSquare, relative: 1e-10, "chisq rho=\(rho)")
      #expect(a.degreesOfFreedom == b.degreesOfFreedom)
    }
  }

  @Test("no groups, one group, counting-process data and interactions are errors")
  func errors() {
    #expect(throws: InputError.self) { try logRank("t,s\n1,1\n2,0\n", "Surv(t, s) ~ 1") }
    #expect(throws: InputError.self) { try logRank("t,s,g\n1,1,a\n2,0,a\n", "Surv(t, s) ~ g") }
    #expect(throws: InputError.self) { try logRank("a,b,s,g\n0,1,1,x\n0,2,0,y\n", "Surv(a, b, s) ~ g") }
    #expect(throws: InputError.self) { try logRank("t,s,g,h\n1,1,a,b\n2,0,b,a\n", "Surv(t, s) ~ g:h") }
  }
}
