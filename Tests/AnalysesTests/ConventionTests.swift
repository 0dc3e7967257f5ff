import Analyses
import Foundation
import Rendering
import Tabular
import Testing
import TestSupport

/// Runs `outcomes <args>` through the library, paths taken from the repository.
private func runAnalysis(_ args: [String]) throws -> JSONValue {
  guard let (kind, used) = AnalysisRegistry.match(args) else {
    throw InputError(InputLocation(source: "test"), "no analysis for \(args)")
  }
  var rest = Array(args.dropFirst(used))
  if let f = rest.firstIndex(of: "--format") { rest.removeSubrange(f...(f + 1)) }
  for i in rest.indices where i > 0 && ["--data", "--predict"].contains(rest[i - 1]) {
    rest[i] = repositoryPath(rest[i])
  }
  let input = try ArgumentList.parse(rest, parameters: kind.parameters).input
  return try kind.run(input, in: AnalysisContext()).json()
}

/// The analyses `--profile` applies to.
private let profiled: Set<String> = ["km", "logrank", "cox", "rate", "compare", "cmh", "logistic"]

/// Every reference fixture of an analysis with conventions, as its CLI arguments.
private let fixtureArguments: [String] = {
  let folders = ["Tests/SurvivalTests/References", "Tests/SurvivalTests/CoxReferences", "Tests/SurvivalTests/CoxPredictions",
                 "Tests/RatesTests/References", "Tests/RatesTests/CompareReferences", "Tests/RatesTests/CMHReferences",
                 "Tests/RatesTests/LogisticReferences"]
  return folders.flatMap { folder in fixtureFiles(folder).map { "\(folder)/\($0)" } }
}()

private func arguments(ofFixture path: String) throws -> [String]? {
  let fixture = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: repositoryPath(path))))
  guard case .array(let values)? = fixture["args"] else { return nil }
  let args = values.compactMap { v -> String? in if case .string(let s) = v { return s } else { return nil } }
  guard let first = args.first, profiled.contains(first) else { return nil }
  return args
}

@Suite("Convention profiles (docs/CONVENTIONS.md)")
struct ConventionTests {
  @Test("--profile r changes no number: every reference fixture gives the same JSON with it as without it",
        arguments: fixtureArguments)
  func profileRIsTheDefault(_ path: String) throws {
    guard let args = try arguments(ofFixture: path) else { return }
    let plain: Result<JSONValue, Error> = Result { try runAnalysis(args) }
    let profiled: Result<JSONValue, Error> = Result { try runAnalysis(args + ["--profile", "r"]) }
    switch (plain, profiled) {
    case (.success(let a), .success(let b)):
      #expect(a == b, "\(path)")
      #expect(a["conventions"]?["profile"] == .string("r"), "\(path)")
    case (.failure(let a), .failure(let b)):
      #expect("\(a)" == "\(b)", "\(path)")
    default:
      Issue.record("\(path): one run failed and the other did not")
    }
  }

  @Test("every analysis with --profile accepts each profile and names it in its conventions")
  func everyProfileIsRecorded() throws {
    for profile in ConventionProfile.allCases {
      let json = try runAnalysis(["km", "--data", "Datasets/aml.csv", "--formula", "Surv(time, status) ~ x", "--profile", profile.rawValue])
      #expect(json["conventions"]?["profile"] == .string(profile.rawValue))
    }
    for kind in AnalysisRegistry.all where profiled.contains(kind.name.command) {
      #expect(kind.parameters.contains { $0.name == "profile" }, "\(kind.name)")
    }
  }

  // CAMIS (PSIAIMS/CAMIS, Comp/r-sas_survival.qmd): 10 patients, S(t) = 0.5
  // from day 87 to the last, censored, time 118. SAS PROC LIFETEST prints the
  // median as not estimable (".") with CONFTYPE=LOGLOG, its default; R's
  // quantile(survfit(Surv(time, status) ~ 1, conf.type = "log-log"), 0.5)
  // gives 102.5 (lower 54, upper NA), R 4.2.2 / survival 3.5-3.
  static let flatMedian = """
    time,status
    54,1
    75,1
    77,1
    84,1
    87,1
    92,0
    103,0
    105,0
    112,0
    118,0

    """

  @Test("SAS: the median is not estimable when the curve ends at 0.5 (CAMIS r-sas_survival); R: the midpoint 102.5")
  func flatMedian() throws {
    func km(_ extra: [String]) throws -> JSONValue {
      let r = try runOutcomes(["km", "--data", "-", "--formula", "Surv(time, status) ~ 1", "--format", "json"] + extra,
                              stdin: Self.flatMedian)
      #expect(r.status == 0, "\(r.stderr)")
      return try JSONValue.parse(Data(r.stdout.utf8))
    }
    let sas = try km(["--profile", "sas"])
    #expect(sas["conf_type"] == .string("log-log"))
    #expect(sas["groups"]?[0]?["median"] == .null)
    #expect(sas["groups"]?[0]?["median_upper"] == .null)
    #expect(sas["groups"]?[0]?["median_lower"]?.number == 54)
    #expect(sas["conventions"]?["median_rule"] == .string("sas"))
    let r = try km(["--conf-type", "log-log"])
    #expect(r["groups"]?[0]?["median"]?.number == 102.5)
    #expect(r["groups"]?[0]?["median_lower"]?.number == 54)
    #expect(r["groups"]?[0]?["median_upper"] == .null)
    // lifelines' rule: the first time S(t) ≤ 0.5.
    let first = try km(["--median-rule", "first"])
    #expect(first["groups"]?[0]?["median"]?.number == 87)
    // The option wins over the profile.
    let sasMidpoint = try km(["--profile", "sas", "--median-rule", "midpoint", "--conf-type", "log"])
    #expect(sasMidpoint["groups"]?[0]?["median"]?.number == 102.5)
    #expect(sasMidpoint["conf_type"] == .string("log"))
  }

  @Test("SAS: the exact binomial two-sided p is twice the one-sided, 0.0019 (CAMIS SAS/binomial_test.qmd)")
  func binomialDoubling() throws {
    let sas = try runAnalysis(["rate", "--events", "63", "--n", "228", "--p0", "0.19", "--profile", "sas"])
    // Printed by SAS PROC FREQ as 0.0019; 2 * pbinom(62, 228, 0.19, lower.tail = FALSE) = 0.0019244519758902796 (R 4.2.2).
    expectClose(sas["test"]?["exact_p"]?.number, 0.0019244519758902796, relative: 1e-10, "central")
    #expect(abs((sas["test"]?["exact_p"]?.number ?? 0) - 0.0019) < 5e-5)
    #expect(sas["conventions"]?["two_sided"] == .string("central"))
    // R: binom.test(63, 228, 0.19)$p.value = 0.0016828878642599571.
    let r = try runAnalysis(["rate", "--events", "63", "--n", "228", "--p0", "0.19"])
    expectClose(r["test"]?["exact_p"]?.number, 0.0016828878642599571, relative: 1e-10, "minlike")
  }

  @Test("--two-sided is an error without a two-sided test to shape")
  func twoSidedNeedsATest() {
    #expect(throws: (any Error).self) { try runAnalysis(["rate", "--events", "3", "--n", "10", "--two-sided", "central"]) }
    #expect(throws: (any Error).self) {
      try runAnalysis(["rate", "--events", "3", "--n", "10", "--p0", "0.2", "--alternative", "greater", "--two-sided", "central"])
    }
  }

  // R 4.2.2, survival 3.5-3:
  //   lung$sexf <- relevel(factor(lung$sex), ref = "2"); lung$ecog <- relevel(factor(lung$ph.ecog), ref = "3")
  //   coxph(Surv(time, status) ~ sexf + age + ecog, data = lung, ties = "breslow")
  @Test("SAS: Cox with Breslow ties and the last level as reference equals R's coxph(ties = \"breslow\") on relevel(…, last)")
  func coxSAS() throws {
    let json = try runAnalysis(["cox", "--data", "Datasets/lung.csv", "--formula", "Surv(time, status) ~ factor(sex) + age + factor(ph.ecog)",
                                "--profile", "sas"])
    #expect(json["ties"] == .string("breslow"))
    let expected: [(String, Double, Double)] = [
      ("factor(sex)1", 0.545113467007538044, 0.168231256616929920),
      ("age", 0.010770492744664573, 0.009311453049483177),
      ("factor(ph.ecog)0", -1.956043024446502576, 1.029697099999536736),
      ("factor(ph.ecog)1", -1.546346296702477918, 1.020993521870675380),
      ("factor(ph.ecog)2", -1.054353807340174587, 1.023460163240524690),
    ]
    guard case .array(let terms)? = json["terms"] else { Issue.record("no terms"); return }
    #expect(terms.count == expected.count)
    for (term, (name, coef, se)) in zip(terms, expected) {
      #expect(term["term"] == .string(name))
      expectClose(term["coef"]?.number, coef, relative: 1e-8, name)
      expectClose(term["se"]?.number, se, relative: 1e-8, name)
    }
    #expect(json["conventions"]?["reference_level"] == .string("last"))
    // --reference names a level whatever the profile; relevel() in the formula is kept.
    let named = try runAnalysis(["cox", "--data", "Datasets/lung.csv", "--formula", "Surv(time, status) ~ factor(sex)",
                                 "--profile", "sas", "--reference", "sex=1"])
    #expect(named["terms"]?[0]?["term"] == .string("factor(sex)2"))
    let relevelled = try runAnalysis(["cox", "--data", "Datasets/lung.csv", "--formula", "Surv(time, status) ~ relevel(factor(sex), ref = \"1\")",
                                      "--profile", "sas"])
    #expect(relevelled["terms"]?[0]?["term"]?.string?.hasSuffix("2") == true)
  }

  // R 4.2.2: v$cell <- relevel(factor(v$celltype), ref = "squamous")
  //          glm(I(status == 1) ~ cell + age, data = v, family = binomial)
  @Test("SAS: logistic odds ratios against the last level equal R's glm on relevel(…, last)")
  func logisticSAS() throws {
    let json = try runAnalysis(["logistic", "--data", "Datasets/veteran.csv", "--formula", "status == 1 ~ celltype + age",
                                "--profile", "sas", "--no-profile"])
    let expected: [(String, Double)] = [
      ("(Intercept)", 0.324643490177060123), ("celltypeadeno", 1.258623599798303294), ("celltypelarge", 1.293302980408169711),
      ("celltypesmallcell", 0.621163425987011797), ("age", 0.030108406600499467),
    ]
    guard case .array(let terms)? = json["terms"] else { Issue.record("no terms"); return }
    for (term, (name, coef)) in zip(terms, expected) {
      #expect(term["term"] == .string(name))
      expectClose(term["coef"]?.number, coef, relative: 1e-8, name)
    }
  }

  // R 4.2.2, survival 3.5-3: t <- summary(survfit(Surv(time, cens) ~ treat, read.csv("Datasets/gehan.csv")), rmean = 20)$table,
  // then survRM2::rmst2's formulas on t's rmean and se(rmean) (arm 1 = control, arm 0 = 6-MP).
  @Test("two curves with --tau: survRM2's RMST difference, ratio and RMTL ratio")
  func rmstComparison() throws {
    let json = try runAnalysis(["km", "--data", "Datasets/gehan.csv", "--formula", "Surv(time, cens) ~ treat", "--tau", "20"])
    let c = try #require(json["rmst_comparison"])
    #expect(c["groups"] == .array([.string("treat=control"), .string("treat=6-MP")]))
    let expected: [(String, [Double])] = [
      ("difference", [-7.6879551820728285, -11.180012960971135, -4.1958974031745218, 1.5962649990365236e-05]),
      ("ratio", [0.52297691879866526, 0.37528862628851106, 0.72878536261816551, 0.00012888402216755388]),
      ("rmtl_ratio", [2.9796595499134435, 1.5290326512809578, 5.8065280855529586, 0.0013393135512111229]),
    ]
    for (key, values) in expected {
      for (field, value) in zip(["estimate", "lower", "upper", "p"], values) {
        expectClose(c[key]?[field]?.number, value, relative: 1e-12, "\(key).\(field)")
      }
    }
    // Three groups: no comparison.
    let three = try runAnalysis(["km", "--data", "Datasets/veteran.csv", "--formula", "Surv(time, status) ~ celltype", "--tau", "100"])
    #expect(three["rmst_comparison"] == nil)
  }

  // R 4.2.2: per group f <- survfit(Surv(time, cens) ~ 1, gehan[group]); k <- f$time <= t;
  // sum(f$n.event[k]) and f$n - sum(f$n.event[k]) - sum(f$n.censor[k]).
  @Test("--times rows carry SAS's Number Failed and Number Left (not for counting-process data)")
  func failedAndLeft() throws {
    let json = try runAnalysis(["km", "--data", "Datasets/gehan.csv", "--formula", "Surv(time, cens) ~ treat", "--times", "10,20"])
    let expected: [[(Double, Double)]] = [[(5, 13), (7, 7)], [(13, 8), (19, 2)]]
    for (g, rows) in expected.enumerated() {
      for (k, (failed, left)) in rows.enumerated() {
        #expect(json["groups"]?[g]?["at"]?[k]?["n_failed"]?.number == failed)
        #expect(json["groups"]?[g]?["at"]?[k]?["n_left"]?.number == left)
      }
    }
    let counting = try runAnalysis(["km", "--data", "Datasets/heart.csv", "--formula", "Surv(start, stop, event) ~ 1", "--times", "100"])
    #expect(counting["groups"]?[0]?["at"]?[0]?["n_left"] == nil)
  }

  @Test("the fingerprint line closes the text output")
  func fingerprint() throws {
    let r = try runOutcomes(["km", "--data", "Datasets/aml.csv", "--formula", "Surv(time, status) ~ x", "--profile", "sas"])
    #expect(r.status == 0)
    let last = r.stdout.split(separator: "\n").last.map(String.init)
    #expect(last == "Conventions (SAS profile): KM product-limit, Greenwood variance, CI log-log, median SAS rule.")
  }
}

private extension JSONValue {
  subscript(index: Int) -> JSONValue? {
    if case .array(let items) = self, items.indices.contains(index) { return items[index] }
    return nil
  }

  var number: Double? {
    switch self {
    case .int(let i): return Double(i)
    case .double(let d): return d
    default: return nil
    }
  }

  var string: String? {
    if case .string(let s) = self { return s }
    return nil
  }
}
