import Analyses
import Foundation
@testable import Check
import Rendering
import Testing
import TestSupport

@Suite("Published values: every printed form, rounding, inequalities")
struct PublishedValueTests {
  func holds(_ printed: String, _ computed: Double, rounding: Rounding? = nil, tolerance: Double? = nil) -> Bool {
    (try? PublishedValue(parsing: printed))?.holds(computed, rounding: rounding, tolerance: tolerance) ?? false
  }

  @Test("0.59 holds for anything that rounds to it, with 1e-9 relative slack")
  func decimals() {
    #expect(holds("0.59", 0.585) && holds("0.59", 0.5949999) && holds("0.59", 0.59))
    #expect(!holds("0.59", 0.5951) && !holds("0.59", 0.5849))
    #expect(holds("270", 270.4) && !holds("270", 270.6))
    #expect(holds("-1.2", -1.24) && !holds("-1.2", 1.2))
  }

  @Test("percentages on the percentage scale")
  func percentages() {
    #expect(holds("59%", 0.594) && holds("59.0%", 0.5904) && !holds("59.0%", 0.5906) && !holds("59%", 0.596))
    #expect(holds(">35%", 0.351) && !holds(">35%", 0.35))
  }

  @Test("inequalities and p-value prefixes")
  func inequalities() {
    #expect(holds("<0.001", 0.0004) && !holds("<0.001", 0.0011))
    #expect(holds("< .001", 0.0009) && holds("≤0.05", 0.05) && !holds("<0.05", 0.0500001))
    #expect(holds("p = .03", 0.0304) && holds("P=0.04", 0.036) && holds("p<0.001", 1e-5) && holds("P < .05", 0.049))
    #expect(holds(">=0.2", 0.2) && holds("≥ 0.2", 0.25))
  }

  @Test("scientific notation, the Lancet's middle dot")
  func notation() {
    #expect(holds("1.2e-5", 1.24e-5) && !holds("1.2e-5", 1.26e-5))
    #expect(holds("1.2 × 10⁻⁵", 1.16e-5) && holds("1.2x10^-5", 1.2e-5) && holds("3 × 10⁻⁴", 0.00031))
    #expect(holds("0·59", 0.592))
  }

  @Test("rounding: half-up, half-even, truncate; tolerance")
  func rounding() {
    #expect(holds("0.6", 0.55, rounding: .halfUp) && !holds("0.5", 0.55, rounding: .halfUp))
    #expect(holds("0.6", 0.65, rounding: .halfEven) && !holds("0.7", 0.65, rounding: .halfEven))
    #expect(holds("0.59", 0.5999, rounding: .truncate) && !holds("0.59", 0.589, rounding: .truncate))
    #expect(holds("270", 271, tolerance: 1.5) && !holds("270", 272, tolerance: 1.5))
  }

  @Test("unparsable values are errors that show the value")
  func errors() {
    #expect(throws: PublishedValue.ParseError.self) { try PublishedValue(parsing: "about 0.5") }
    #expect(throws: PublishedValue.ParseError.self) { try PublishedValue(parsing: "0.5 days") }
    #expect(throws: PublishedValue.ParseError.self) { try PublishedValue(parsing: "NS") }
  }
}

@Suite("Value paths")
struct ValuePathTests {
  static let json = try! JSONValue.parse(Data("""
    {"groups": [{"label": "sex=1", "median": 270}, {"label": "sex=2", "median": 426}],
     "terms": [{"term": "factor(ph.ecog)1", "exp_coef": 1.5}], "at": [{"time": 365.0, "surv": 0.4}],
     "intervals": {"wilson": {"upper": 0.6}}}
    """.utf8))

  @Test("selectors by label, term, time and index")
  func selectors() throws {
    #expect(try ValuePath("groups[label=sex=2].median").resolve(in: Self.json) == .int(426))
    #expect(try ValuePath("terms[term=factor(ph.ecog)1].exp_coef").resolve(in: Self.json) == .double(1.5))
    #expect(try ValuePath("at[time=365].surv").resolve(in: Self.json) == .double(0.4))
    #expect(try ValuePath("groups[0].median").resolve(in: Self.json) == .int(270))
    #expect(try ValuePath("intervals.wilson.upper").resolve(in: Self.json) == .double(0.6))
  }

  @Test("an unknown field lists the valid ones")
  func errors() {
    #expect(throws: ValuePath.ParseError(message: "no field \"medain\" in groups[label=sex=1], expected one of: label, median")) {
      try ValuePath("groups[label=sex=1].medain").resolve(in: Self.json)
    }
    #expect(throws: ValuePath.ParseError(message: "no element of groups with label = \"sex=3\", expected one of: sex=1, sex=2")) {
      try ValuePath("groups[label=sex=3].median").resolve(in: Self.json)
    }
  }
}

@Suite("Checker: verdicts and explanations")
struct CheckerTests {
  static let compareJSON = try! JSONValue.parse(Data("""
    {"command": "compare", "tests": {"fisher_exact": {"p": 0.010475262193362646}, "chisq": {"statistic": 7.97, "df": 1, "p": 0.00476413319283176},
     "chisq_yates": {"statistic": 6.31, "df": 1, "p": 0.011976087218349706}, "g_test": {"statistic": 8.4, "df": 1, "p": 0.003733994411675441},
     "barnard": {"p": 0.004991884363489762}, "boschloo": {"p": 0.0066915776553057825}}}
    """.utf8))

  func claim(_ published: String, value: String = "tests.fisher_exact.p") -> ClaimsFile.Claim {
    ClaimsFile.Claim(index: 0, id: "c", source: nil, line: nil, analysis: AnalysisKind(CompareAnalysis.self),
                     input: OptionInput(["events1": .text("2")]), value: try? ValuePath(value),
                     published: published, parsed: try? PublishedValue(parsing: published), tolerance: nil, rounding: nil, problem: nil)
  }

  @Test("a failure names the tests that reproduce the printed p-value")
  func explanation() {
    var runs: [OptionInput] = []
    var checker = Checker(runner: { _, input in runs.append(input); return Self.compareJSON })
    let ok = checker.check(claim("0.010"))
    #expect(ok.verdict == .pass && ok.explanation == nil)
    let r = checker.check(claim("p = 0.005"))
    #expect(r.verdict == .fail)
    #expect(r.explanation?.contains("reproduces with Pearson chi-square without continuity correction (tests.chisq.p) (0.00476)") == true, "\(r.explanation ?? "")")
    #expect(r.explanation?.contains("Barnard's test") == true)
    let none = checker.check(claim("0.2"))
    #expect(none.explanation?.hasSuffix("no neighbouring method reproduces it") == true)
    #expect(runs.count == Set(runs).count, "each analysis is computed once")
  }

  @Test("truncation is named when it explains the printed value")
  func truncation() {
    var checker = Checker(runner: { _, _ in Self.compareJSON })
    let r = checker.check(claim("0.0104"))  // 0.010475 truncated
    #expect(r.explanation?.contains("truncation instead of rounding") == true)
  }

  @Test("an analysis that fails or a bad path is an error with the reason")
  func errors() {
    var failing = Checker(runner: { _, _ in throw Checker.AnalysisFailure("--data: cannot open") })
    #expect(failing.check(claim("0.01")).verdict == .error)
    var checker = Checker(runner: { _, _ in Self.compareJSON })
    let r = checker.check(claim("0.01", value: "tests.fisher.p"))
    #expect(r.verdict == .error && r.explanation?.contains("expected one of: fisher_exact, chisq") == true)
  }
}

@Suite("Manuscript consistency")
struct ManuscriptTests {
  @Test("every statement form is found and judged, with its line")
  func manuscript() throws {
    let text = try String(contentsOfFile: repositoryPath("Tests/CheckTests/manuscript.md"), encoding: .utf8)
    let findings = ManuscriptCheck.check(text)
    let summary = findings.map { "\($0.line) \($0.kind) \($0.verdict.rawValue)" }
    #expect(summary == [
      "3 chi-square consistent", "3 chi-square consistent",
      "4 chi-square decision error",
      "5 t consistent", "5 t consistent",
      "6 t decision error",
      "7 F consistent", "7 F inconsistent",
      "8 z consistent", "8 r consistent",
      "9 ratio consistent",
      "10 ratio decision error",
      "14 percentage consistent", "15 percentage inconsistent",
      "17 GRIM consistent", "17 GRIM inconsistent",
    ], "\(summary)")
  }

  @Test("a statistic with zero degrees of freedom has no p-value to judge: never 'p = -nan' or a decision error")
  func zeroDegreesOfFreedom() {
    let findings = ManuscriptCheck.check("We found r(0) = 0.3, p = .03; t(0) = 2.1, p = .04; χ2(0) = 3.1, p = .07; F(0, 10) = 2, p = .2.\n")
    #expect(findings.isEmpty, "\(findings.map(\.computed))")
  }
}
