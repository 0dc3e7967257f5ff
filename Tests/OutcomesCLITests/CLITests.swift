import Foundation
import Rendering
import Testing
import TestSupport

/// The CLI tested from outside: the built `outcomes` binary, its stdout,
/// stderr and exit status.
@Suite("outcomes CLI")
struct CLITests {
  private func expectBadInput(_ args: [String], _ message: String, stdin: String? = nil,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
    let r = try runOutcomes(args, stdin: stdin)
    #expect(r.status == 2, sourceLocation: sourceLocation)
    #expect(r.stdout.isEmpty, "nothing on stdout", sourceLocation: sourceLocation)
    let lines = r.stderr.split(separator: "\n")
    #expect(lines.count == 1, "one line on stderr: \(r.stderr)", sourceLocation: sourceLocation)
    #expect(r.stderr == "outcomes: \(message)\n", sourceLocation: sourceLocation)
  }

  private func temporaryFile(_ contents: String, name: String = "data.csv") throws -> String {
    let dir = try makeTemporaryFolder("cli")
    let url = dir.appendingPathComponent(name)
    try contents.write(to: url, atomically: true, encoding: .utf8)
    return url.path
  }

  @Test("km prints R's print(survfit) table for lung by sex")
  func kmText() throws {
    let r = try runOutcomes(["km", "--data", "Datasets/lung.csv", "--formula", "Surv(time, status) ~ sex"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("sex=1  138     112     270      212      310"))
    #expect(r.stdout.contains("sex=2   90      53     426      348      550"))
  }

  @Test("km --format json has the contract's fields; logrank gives R's chi-square")
  func json() throws {
    let r = try runOutcomes(["km", "--data", "Datasets/lung.csv", "--formula", "Surv(time, status) ~ sex",
                             "--format", "json", "--tau", "365", "--times", "180"])
    #expect(r.status == 0)
    let json = try JSONValue.parse(Data(r.stdout.utf8))
    #expect(json["command"] == .string("km"))
    #expect(json["n"]?.number == 228)
    #expect(json["n_dropped"]?.number == 0)
    guard case .array(let groups)? = json["groups"], let first = groups.first else {
      Issue.record("no groups"); return
    }
    for key in ["label", "n", "events", "median", "median_lower", "median_upper", "rmst", "steps", "at", "median_followup"] {
      #expect(first[key] != nil, "groups[0].\(key)")
    }
    let lr = try runOutcomes(["logrank", "--data", "Datasets/lung.csv", "--formula", "Surv(time, status) ~ sex", "--format", "json"])
    let test = try JSONValue.parse(Data(lr.stdout.utf8))
    // R 4.2.2: survdiff(Surv(time, status) ~ sex, lung)$chisq
    expectClose(test["chisq"]?.number, 10.326741954885632, relative: 1e-10, "chisq")
    #expect(test["df"]?.number == 1)
  }

  @Test("md and csv go through the same tables")
  func formats() throws {
    let md = try runOutcomes(["logrank", "--data", "Datasets/aml.csv", "--formula", "Surv(time, status) ~ x", "--format", "md"])
    #expect(md.stdout.contains("| x=Maintained | 11 | 7 | 10.69 | 1.27 | 3.4 |"))
    let csv = try runOutcomes(["km", "--data", "Datasets/aml.csv", "--formula", "Surv(time, status) ~ x", "--format", "csv"])
    #expect(csv.stdout.hasPrefix(",n,events,median,0.95LCL,0.95UCL,median f/u\r\nx=Maintained,11,7,31,18,NA,"))
  }

  @Test("--out writes the file atomically and prints nothing")
  func out() throws {
    let path = try temporaryFile("", name: "out.json")
    let r = try runOutcomes(["km", "--data", "Datasets/aml.csv", "--formula", "Surv(time, status) ~ 1",
                             "--format", "json", "--out", path])
    #expect(r.status == 0)
    #expect(r.stdout.isEmpty)
    let written = try String(contentsOfFile: path, encoding: .utf8)
    #expect(written.hasPrefix("{\"command\":\"km\""))
    let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["out.json"], "no temporary file left")
  }

  @Test("standard input with --data -")
  func stdin() throws {
    let r = try runOutcomes(["km", "--data", "-", "--formula", "Surv(t, s) ~ 1", "--format", "json"],
                            stdin: "t,s\n1,1\n2,0\n3,1\n")
    #expect(r.status == 0)
    #expect(r.stdout.contains("\"n\":3"))
  }

  @Test("--help ends with a worked example on a bundled data set")
  func help() throws {
    for command in [["km"], ["logrank"], ["cox"], ["rate"], ["compare"], ["cmh"], ["logistic"], ["design", "logrank"], ["design", "simon"], ["design", "single-stage"],
                    ["design", "two-rates"]] {
      let r = try runOutcomes(command + ["--help"])
      #expect(r.status == 0)
      let tail = r.stdout.split(separator: "\n").suffix(2).joined(separator: "\n")
      #expect(tail.contains("EXAMPLE:") && tail.contains("outcomes \(command.joined(separator: " ")) --"), "\(command): \(tail)")
    }
  }

  @Test("rate: the contract's JSON from counts and from a table (lung, status == 2 ~ sex)")
  func rate() throws {
    let r = try runOutcomes(["rate", "--events", "7", "--n", "20", "--p0", "0.35", "--format", "json"])
    #expect(r.status == 0)
    let json = try JSONValue.parse(Data(r.stdout.utf8))
    #expect(json["command"] == .string("rate") && json["events"] == .int(7) && json["n"] == .int(20))
    for method in ["clopper_pearson", "wilson", "wilson_cc", "agresti_coull", "jeffreys", "wald", "mid_p"] {
      #expect(json["intervals"]?[method]?["lower"]?.number != nil, "\(method)")
    }
    // R: binom.test(7, 20)$conf.int.
    expectClose(json["intervals"]?["clopper_pearson"]?["lower"]?.number, 0.15390920478454115, relative: 1e-12, "cp lower")
    #expect(json["test"]?["exact_p"]?.number == 1)
    let data = try runOutcomes(["rate", "--data", "Datasets/lung.csv", "--formula", "status == 2 ~ sex", "--format", "json"])
    let d = try JSONValue.parse(Data(data.stdout.utf8))
    guard case .array(let groups)? = d["groups"] else { Issue.record("groups"); return }
    #expect(groups.map { $0["events"] } == [.int(112), .int(53)])
    #expect(d["n"] == .int(228) && d["n_dropped"] == .int(0))
  }

  @Test("compare: the contract's JSON (2/53 against 10/44) and the data form")
  func compare() throws {
    let r = try runOutcomes(["compare", "--events1", "2", "--n1", "53", "--events2", "10", "--n2", "44", "--format", "json"])
    #expect(r.status == 0)
    let json = try JSONValue.parse(Data(r.stdout.utf8))
    #expect(json["command"] == .string("compare"))
    // R: fisher.test(matrix(c(2, 10, 51, 34), 2))$p.value.
    expectClose(json["tests"]?["fisher_exact"]?["p"]?.number, 0.010475262193362646, relative: 1e-10, "fisher")
    for (measure, methods) in [("risk_difference", ["newcombe", "miettinen_nurminen", "wald", "agresti_caffo"]),
                               ("risk_ratio", ["katz", "koopman", "miettinen_nurminen"]),
                               ("odds_ratio", ["woolf", "exact", "miettinen_nurminen"])] {
      for m in methods { #expect(json[measure]?["intervals"]?[m]?["lower"]?.number != nil, "\(measure).\(m)") }
    }
    for test in ["chisq", "chisq_yates", "g_test"] { #expect(json["tests"]?[test]?["df"] == .int(1)) }
    let d = try runOutcomes(["compare", "--data", "Datasets/lung.csv", "--formula", "status == 2 ~ sex", "--format", "json"])
    let dj = try JSONValue.parse(Data(d.stdout.utf8))
    #expect(dj["group1"]?["label"] == .string("sex=1") && dj["group1"]?["events"] == .int(112))
    #expect(dj["n"] == .int(228))
  }

  @Test("cmh: UCB admissions by department (R mantelhaen.test)")
  func cmh() throws {
    let r = try runOutcomes(["cmh", "--data", "Datasets/ucb-admissions.csv", "--formula",
                             "Admit == 'Admitted' ~ Gender + strata(Dept)", "--format", "json"])
    #expect(r.status == 0)
    let json = try JSONValue.parse(Data(r.stdout.utf8))
    #expect(json["command"] == .string("cmh") && json["n"] == .int(4526) && json["informative_strata"] == .int(6))
    // R: mantelhaen.test(UCBAdmissions): X-squared = 1.4269 (corrected), common odds ratio 0.9047
    // (Admitted, Male against Female), so 1/0.9047 here (Female against Male).
    expectClose(json["tests"]?["cmh_corrected"]?["statistic"]?.number, 1.4269, relative: 1e-4, "cmh")
    expectClose(json["odds_ratio"]?["estimate"]?.number, 1 / 0.9046968, relative: 1e-6, "MH")
    let text = try runOutcomes(["cmh", "--data", "Datasets/ucb-admissions.csv", "--formula",
                                "Admit == 'Admitted' ~ Gender + strata(Dept)"])
    #expect(text.stdout.contains("Breslow-Day"))
  }

  @Test("logistic: JSON, a separation warning on stderr, --firth")
  func logistic() throws {
    let r = try runOutcomes(["logistic", "--data", "Datasets/lung.csv", "--formula", "status == 2 ~ age + sex + ph.ecog",
                             "--format", "json"])
    #expect(r.status == 0 && r.stderr.isEmpty)
    let json = try JSONValue.parse(Data(r.stdout.utf8))
    #expect(json["command"] == .string("logistic") && json["n"] == .int(227) && json["n_dropped"] == .int(1))
    // R: coef(summary(glm(status == 2 ~ age + sex + ph.ecog, binomial, lung)))["sex", ].
    guard case .array(let terms)? = json["terms"] else { Issue.record("terms"); return }
    expectClose(terms[2]["coef"]?.number, -1.08244664893, relative: 1e-10, "sex")
    expectClose(terms[2]["se"]?.number, 0.31910189240, relative: 1e-10, "se")
    let s = try runOutcomes(["logistic", "--data", "Datasets/lung.csv", "--formula", "status == 2 ~ age + sex + factor(ph.ecog)"])
    #expect(s.status == 0)
    #expect(s.stderr.contains("warning: quasi-complete separation: the maximum-likelihood estimates of factor(ph.ecog)3 are infinite; use --firth"))
    #expect(s.stdout.contains("not converged"))
    let f = try runOutcomes(["logistic", "--data", "Datasets/lung.csv", "--formula", "status == 2 ~ age + sex + factor(ph.ecog)",
                             "--firth", "--format", "json"])
    let fj = try JSONValue.parse(Data(f.stdout.utf8))
    #expect(f.status == 0 && fj["method"] == .string("firth") && fj["converged"] == .bool(true))
  }

  @Test("--where keeps the rows it selects before the model frame (R subset)")
  func whereFilter() throws {
    let r = try runOutcomes(["km", "--data", "Datasets/lung.csv", "--formula", "Surv(time, status) ~ sex",
                             "--where", "age >= 60 & ph.ecog in (0, 1)", "--format", "json"])
    let json = try JSONValue.parse(Data(r.stdout.utf8))
    // R: survfit(Surv(time, status) ~ sex, subset(lung, age >= 60 & ph.ecog %in% c(0, 1))): n 72 and 31, medians 284 and 520.
    guard case .array(let groups)? = json["groups"] else { Issue.record("groups"); return }
    #expect(groups.map { $0["n"] } == [.int(72), .int(31)] && groups.map { $0["median"] } == [.int(284), .int(520)])
    #expect(json["n"] == .int(103) && json["n_dropped"] == .int(0))
    let c = try runOutcomes(["compare", "--data", "Datasets/lung.csv", "--formula", "status == 2 ~ sex", "--where", "age < 60", "--format", "json"])
    #expect(c.status == 0)
  }

  @Test("design simon and two-rates: the contract's JSON")
  func designs() throws {
    let r = try runOutcomes(["design", "simon", "--p0", "0.05", "--p1", "0.25", "--format", "json"])
    let json = try JSONValue.parse(Data(r.stdout.utf8))
    #expect(json["command"] == .string("design-simon"))
    // Simon (1989) Table 1: optimal 0/9, 2/17; minimax 0/12, 2/16.
    #expect(json["optimal"]?["n1"] == .int(9) && json["optimal"]?["n"] == .int(17))
    #expect(json["minimax"]?["n1"] == .int(12) && json["minimax"]?["n"] == .int(16))
    let t = try runOutcomes(["design", "two-rates", "--p1", "0.65", "--p2", "0.85", "--format", "json"])
    let tj = try JSONValue.parse(Data(t.stdout.utf8))
    #expect(tj["command"] == .string("design-two-rates") && tj["n_per_group"] == .int(73))
    #expect(tj["actual_power"]?.number != nil && tj["fisher"]?["actual_power"]?.number != nil)
    let one = try runOutcomes(["design", "single-stage", "--p0", "0.65", "--p1", "0.85", "--format", "json"])
    let oj = try JSONValue.parse(Data(one.stdout.utf8))
    #expect(oj["command"] == .string("design-single-stage") && oj["n"] == .int(31) && oj["r"] == .int(24))
    let lr = try runOutcomes(["design", "logrank", "--hr", "0.65", "--power", "0.9", "--accrual", "24", "--follow-up", "12",
                              "--median-control", "18", "--format", "json"])
    let lj = try JSONValue.parse(Data(lr.stdout.utf8))
    #expect(lj["events"] == .int(227) && lj["patients"]?["total"] == .int(440))
    #expect(lj["actual_power"]?.number != nil)
    if case .string? = tj["method"] {} else { Issue.record("method") }
  }

  @Test("bad input: exit 2, nothing on stdout, one line naming the place")
  func badInput() throws {
    try expectBadInput(["km", "--data", "Datasets/none.csv", "--formula", "Surv(time, status) ~ sex"],
                       "Datasets/none.csv: cannot open: No such file or directory")
    let empty = try temporaryFile("")
    try expectBadInput(["km", "--data", empty, "--formula", "Surv(t, s) ~ 1"], "\(empty): file is empty, expected a header line")
    let ragged = try temporaryFile("t,s\n1,1\n2\n")
    try expectBadInput(["km", "--data", ragged, "--formula", "Surv(t, s) ~ 1"], "\(ragged):3:1: expected 2 fields as in the header, found 1")
    let quote = try temporaryFile("t,s\n1,\"1\n")
    try expectBadInput(["km", "--data", quote, "--formula", "Surv(t, s) ~ 1"],
                       "\(quote):2:2: unterminated quoted field, expected a closing '\"' before the end of the file")
    let text = try temporaryFile("t,s\n1,1\nten,0\n")
    try expectBadInput(["km", "--data", text, "--formula", "Surv(t, s) ~ 1"], "\(text):3:1: column \"t\" (time): expected a number, found \"ten\"")
    let negative = try temporaryFile("t,s\n1,1\n-2,0\n")
    try expectBadInput(["logrank", "--data", negative, "--formula", "Surv(t, s) ~ 1"],
                       "\(negative):3:1: column \"t\" (time): expected a finite non-negative number, found -2")
    let interval = try temporaryFile("a,b,s\n0,1,1\n3,2,0\n")
    try expectBadInput(["km", "--data", interval, "--formula", "Surv(a, b, s) ~ 1"],
                       "\(interval):3:2: stop time 2 is not after start time 3, expected start < stop")
    let status = try temporaryFile("t,s\n1,1\n2,5\n")
    try expectBadInput(["km", "--data", status, "--formula", "Surv(t, s) ~ 1"],
                       "\(status):3:2: column \"s\" (status): expected 0/1 (1 = event), 1/2 (2 = event) or TRUE/FALSE, found 5")
    try expectBadInput(["km", "--data", "Datasets/lung.csv", "--formula", "Surv(time, status) ~ sexx"],
                       "--formula:1:22: unknown column \"sexx\" in Datasets/lung.csv, expected one of: inst, time, status, age, sex, ph.ecog, ph.karno, pat.karno, meal.cal, wt.loss")
    try expectBadInput(["km", "--data", "Datasets/lung.csv", "--formula", "Surv(time, status ~ sex"],
                       "--formula:1:19: expected ',' or ')' to close 'Surv(' opened at column 1, found '~'")
    let allMissing = try temporaryFile("t,s,g\n1,1,NA\n2,0,\n")
    try expectBadInput(["km", "--data", allMissing, "--formula", "Surv(t, s) ~ g"],
                       "\(allMissing): has a missing value in every row for the variables used (t, s, g), expected at least one complete row")
    try expectBadInput(["km", "--data", "Datasets/lung.csv", "--formula", "Surv(time, status) ~ sex", "--conf-level", "95"],
                       "--conf-level: expected a number in (0, 1), found \"95\"")
    try expectBadInput(["km", "--data", "Datasets/lung.csv", "--formula", "Surv(time, status) ~ sex", "--conf-type", "loglog"],
                       "--conf-type: expected one of log, log-log, plain, logit, arcsin, found \"loglog\"")
    try expectBadInput(["km", "--data", "Datasets/lung.csv", "--formula", "Surv(time, status) ~ sex", "--times", "1,x"],
                       "--times: expected comma-separated numbers, found \"x\" in \"1,x\"")
    try expectBadInput(["logrank", "--data", "Datasets/lung.csv", "--formula", "Surv(time, status) ~ 1"],
                       "--formula: no groups to test, expected a grouping variable after '~'")
    try expectBadInput(["km", "--formula", "Surv(time, status) ~ 1"], "--data: missing, expected the input data (a CSV, SAS, Stata, SPSS or SQLite file)")
    try expectBadInput(["rate", "--events", "21", "--n", "20"], "--events: expected a number of events from 0 to n = 20, found 21")
    try expectBadInput(["rate", "--events", "seven", "--n", "20"], "--events: expected a whole number of at least 0, found \"seven\"")
    try expectBadInput(["rate", "--events", "2", "--n", "20", "--p0", "1"], "--p0: expected a rate in (0, 1), found \"1\"")
    try expectBadInput(["rate", "--events", "2", "--n", "20", "--alternative", "two.sided"],
                       "--alternative: expected two-sided, less or greater, found \"two.sided\"")
    try expectBadInput(["rate", "--data", "Datasets/lung.csv", "--formula", "status ~ sex"],
                       "Datasets/lung.csv:2:3: column \"status\" (outcome): expected 0/1 (1 = event) or TRUE/FALSE, found 2; write the event as status == 2 if that is what it codes")
    try expectBadInput(["rate", "--n", "20"], "--events: expected --events and --n, or --data and --formula")
    try expectBadInput(["rate", "--events=-2", "--n", "20"], "--events: expected a whole number of at least 0, found \"-2\"")
    try expectBadInput(["compare", "--events1", "2", "--n1=-5", "--events2", "1", "--n2", "4"],
                       "--n1: expected a whole number of at least 0, found \"-5\"")
    try expectBadInput(["design", "simon", "--p0", "0.65", "--p1", "0.6"], "--p1: expected a rate above p0 = 0.65, found \"0.6\"")
    try expectBadInput(["design", "simon", "--p0", "0.3", "--p1", "0.35", "--nmax", "30"],
                       "--nmax: no two-stage design with n <= 30 reaches alpha 0.05 and power 0.8, expected a larger --nmax")
    try expectBadInput(["design", "two-rates", "--p1", "0.5", "--p2", "0.5"], "--p2: expected a rate other than p1 = 0.5, found \"0.5\"")
    try expectBadInput(["design", "two-rates", "--p1", "0.5", "--p2", "0.7", "--power", "1"], "--power: expected a number in (0, 1), found \"1\"")
    try expectBadInput(["compare", "--events1", "2", "--n1", "1", "--events2", "1", "--n2", "3"],
                       "--events1: expected a number of events from 0 to n1 = 1, found 2")
    try expectBadInput(["compare", "--events1", "2", "--n1", "5", "--events2", "1"],
                       "--n2: expected --events1, --n1, --events2 and --n2, or --data and --formula")
    try expectBadInput(["compare", "--data", "Datasets/lung.csv", "--formula", "status == 2 ~ ph.ecog"],
                       "--formula: expected exactly two groups of ph.ecog, found 4: ph.ecog=0, ph.ecog=1, ph.ecog=2, ph.ecog=3")
    try expectBadInput(["cmh", "--data", "Datasets/lung.csv", "--formula", "status == 2 ~ sex"],
                       "--formula: expected strata(...) after the grouping variable, as in failed ~ arm + strata(site)")
    try expectBadInput(["cmh", "--data", "Datasets/lung.csv", "--formula", "status == 2 ~ ph.ecog + strata(inst)"],
                       "--formula: expected exactly two groups of ph.ecog, found 4: ph.ecog=0, ph.ecog=1, ph.ecog=2, ph.ecog=3")
    try expectBadInput(["cmh", "--data", "Datasets/lung.csv", "--formula", "ph.ecog ~ sex + strata(inst)"],
                       "Datasets/lung.csv:8:6: column \"ph.ecog\" (outcome): expected 0/1 (1 = event) or TRUE/FALSE, found 2; write the event as ph.ecog == 2 if that is what it codes")
    try expectBadInput(["logistic", "--data", "Datasets/lung.csv", "--formula", "status == 2 ~ age + strata(sex)"],
                       "--formula: strata() and cluster() are not part of a logistic model; use outcomes cmh for stratified 2×2 tables")
    try expectBadInput(["logistic", "--data", "Datasets/lung.csv", "--formula", "status ~ age"],
                       "Datasets/lung.csv:2:3: column \"status\" (outcome): expected 0/1 (1 = event) or TRUE/FALSE, found 2; write the event as status == 2 if that is what it codes")
    try expectBadInput(["logistic", "--data", "Datasets/lung.csv", "--formula", "status == 2 ~ age", "--iter-max", "0"],
                       "--iter-max: expected a whole number of iterations of at least 1, found \"0\"")
    try expectBadInput(["km", "--data", "Datasets/lung.csv", "--formula", "Surv(time, status) ~ sex", "--where", "age > 100"],
                       "--where: selects no rows of Datasets/lung.csv (228 rows), expected at least one")
    try expectBadInput(["km", "--data", "Datasets/lung.csv", "--formula", "Surv(time, status) ~ sex", "--where", "age >> 60"],
                       "--where:1:6: expected a number or a quoted string, found \"> 60\"")
    let noEvents = try temporaryFile("t,s,x\n1,0,1\n2,0,2\n")
    try expectBadInput(["cox", "--data", noEvents, "--formula", "Surv(t, s) ~ x"],
                       "\(noEvents): cannot fit a Cox model with 0 events (R: \"Can't fit a Cox model with 0 failures\")")
    try expectBadInput(["cox", "--data", "Datasets/lung.csv", "--formula", "Surv(time, status) ~ age", "--ties", "discrete"],
                       "--ties: expected one of efron, breslow, exact, exact-marginal, found \"discrete\"")
    try expectBadInput(["design", "logrank", "--hr", "1"], "--hr: expected a positive hazard ratio other than 1, found \"1\"")
    try expectBadInput(["design", "logrank", "--hr", "0.7", "--accrual", "24", "--median-control", "10"],
                       "--follow-up: expected --follow-up with --accrual and --median-control or --hazard-control")
    try expectBadInput(["design", "logrank", "--hr", "0.7", "--accrual=-1", "--follow-up", "12", "--median-control", "10"],
                       "--accrual: expected a time of at least 0, found \"-1\"")
    try expectBadInput(["design", "logrank", "--hr", "0.7", "--accrual", "24", "--follow-up", "12", "--median-control", "10",
                        "--hazard-control", "0.1"], "--hazard-control: expected --median-control or --hazard-control, found both")
    try expectBadInput(["design", "logrank", "--hr", "0.7", "--accrual", "24", "--follow-up", "12"],
                       "--median-control: expected --median-control or --hazard-control with --accrual and --follow-up")
    try expectBadInput(["design", "logrank", "--hr", "0.7", "--alpha", "0"], "--alpha: expected a number in (0, 1), found \"0\"")
    try expectBadInput(["design", "single-stage", "--p0", "0.3", "--p1", "0.35", "--nmax", "40"],
                       "--nmax: no single-stage design with n <= 40 reaches alpha 0.05 and power 0.8, expected a larger --nmax")
    try expectBadInput(["design", "single-stage", "--p0", "1.2", "--p1", "0.35"], "--p0: expected a rate in (0, 1), found \"1.2\"")
    try expectBadInput(["design", "simon", "--p0", "0.2", "--p1", "0.4", "--power", "1.5"], "--power: expected a number in (0, 1), found \"1.5\"")
    try expectBadInput(["frailty", "--data", "Datasets/lung.csv"], "unknown command \"frailty\", expected one of: km, logrank, cox, rate, compare, cmh, logistic, table1, design, report, check")
  }

  @Test("--out to a FIFO writes through it; to a symbolic link replaces the file it points to and keeps the link")
  func outThroughSpecialFiles() throws {
    let dir = try makeTemporaryFolder("cli")
    defer { try? FileManager.default.removeItem(at: dir) }
    let args = ["km", "--data", "Datasets/lung.csv", "--formula", "Surv(time, status) ~ sex", "--format", "csv", "--out"]
    // A FIFO, read on another thread: the rows arrive, and the FIFO stays a FIFO.
    let fifo = dir.appendingPathComponent("pipe").path
    #expect(mkfifo(fifo, 0o644) == 0)
    let received = ReceivedBytes()
    let reader = Thread {
      let fd = open(fifo, O_RDONLY)
      var bytes = Data()
      var buffer = [UInt8](repeating: 0, count: 4096)
      while fd >= 0 {
        let n = read(fd, &buffer, buffer.count)
        if n <= 0 { break }
        bytes.append(contentsOf: buffer[0..<n])
      }
      if fd >= 0 { close(fd) }
      received.set(bytes)
    }
    reader.start()
    let r = try runOutcomes(args + [fifo])
    #expect(r.status == 0, "\(r.stderr)")
    for _ in 0..<200 where received.get() == nil { usleep(10_000) }
    #expect(String(decoding: received.get() ?? Data(), as: UTF8.self).contains("sex=1"))
    var info = stat()
    #expect(lstat(fifo, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO, "the FIFO was renamed over")
    // A symbolic link: the link stays, its target gets the table.
    let target = dir.appendingPathComponent("real.csv").path, link = dir.appendingPathComponent("link.csv").path
    try "old".write(toFile: target, atomically: true, encoding: .utf8)
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
    let s = try runOutcomes(args + [link])
    #expect(s.status == 0)
    #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == target)
    #expect(try String(contentsOfFile: target, encoding: .utf8).contains("sex=1"))
  }

  @Test("an escape sequence echoed in an error is written as \\u{1b}, never sent to the terminal")
  func escapedErrors() throws {
    try expectBadInput(["km", "--data", "Datasets/lung.csv", "--formula", "Surv(time, status) ~ \u{1b}[31mred"],
                       "--formula:1:22: unexpected character '\\u{1b}' in the formula")
  }

  @Test("cmh prints 0/0 odds ratios as NA and x/0 as Inf (R mantelhaen.test), never Inf for an undefined value")
  func cmhUndefinedOddsRatios() throws {
    let dir = try makeTemporaryFolder("cli")
    defer { try? FileManager.default.removeItem(at: dir) }
    let none = dir.appendingPathComponent("none.csv").path, infinite = dir.appendingPathComponent("inf.csv").path
    try "failed,arm,site\n1,A,1\n1,B,1\n0,A,2\n0,B,2\n".write(toFile: none, atomically: true, encoding: .utf8)
    try "failed,arm,site\n1,A,1\n0,A,1\n0,B,1\n0,B,1\n1,A,2\n1,A,2\n0,B,2\n1,B,2\n".write(toFile: infinite, atomically: true, encoding: .utf8)
    // Column widths depend on the longest row: compare with single spaces.
    func squeezed(_ s: String) -> String { s.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
    let a = try runOutcomes(["cmh", "--data", none, "--formula", "failed ~ arm + strata(site)"])
    #expect(squeezed(a.stdout).contains("site=1 1 1 1 1 NA"), "\(a.stdout)")
    #expect(squeezed(a.stdout).contains("\nMantel-Haenszel NA"))
    let b = try runOutcomes(["cmh", "--data", infinite, "--formula", "failed ~ arm + strata(site)"])
    #expect(squeezed(b.stdout).contains("\nMantel-Haenszel Inf") && squeezed(b.stdout).contains("conditional MLE Inf"), "\(b.stdout)")
  }

  @Test("--reference VAR=LEVEL gives relevel()'s coefficients (cox, logistic); a level, column or numeric variable it cannot honour is an error")
  func referenceLevels() throws {
    func coefficients(_ args: [String]) throws -> [JSONValue?] {
      let r = try runOutcomes(args + ["--format", "json"])
      #expect(r.status == 0, "\(r.stderr)")
      guard case .array(let terms)? = try JSONValue.parse(Data(r.stdout.utf8))["terms"] else { return [] }
      return terms.map { $0["coef"] }
    }
    let cox = ["cox", "--data", "Datasets/veteran.csv", "--formula"]
    let a = try coefficients(cox + ["Surv(time, status) ~ celltype + factor(trt)", "--reference", "celltype=squamous", "--reference=trt=2"])
    let b = try coefficients(cox + ["Surv(time, status) ~ relevel(celltype, ref = 'squamous') + relevel(factor(trt), ref = '2')"])
    #expect(a.count == 4 && a == b)
    let logistic = ["logistic", "--data", "Datasets/lung.csv", "--formula"]
    let c = try coefficients(logistic + ["status == 2 ~ age + factor(ph.ecog)", "--reference", "ph.ecog=1"])
    let d = try coefficients(logistic + ["status == 2 ~ age + relevel(factor(ph.ecog), ref = '1')"])
    #expect(c.count == 5 && c == d)
    try expectBadInput(cox + ["Surv(time, status) ~ celltype + trt", "--reference", "trt=2"],
                       "--reference: trt=2: trt is numeric in the model, expected factor(trt) for a reference level")
    try expectBadInput(cox + ["Surv(time, status) ~ celltype", "--reference", "celltype=huge"],
                       "--reference: celltype=huge: no level \"huge\" in the data, expected one of: adeno, large, smallcell, squamous")
    try expectBadInput(cox + ["Surv(time, status) ~ celltype", "--reference", "age=60"],
                       "--reference: age=60: \"age\" is not a variable of the model, expected one of: celltype")
  }

  @Test("cox --at (repeatable, commas inside) and --predict give the same curves; bad profiles are errors")
  func coxPredictions() throws {
    let base = ["cox", "--data", "Datasets/lung.csv", "--formula", "Surv(time, status) ~ age + sex", "--times", "180,365", "--format", "json"]
    let at = try runOutcomes(base + ["--at", "age=60, sex=2", "--at=age=70,sex=1"])
    #expect(at.status == 0, "\(at.stderr)")
    let fromFile = try runOutcomes(base + ["--predict", "Tests/SurvivalTests/CoxPredictions/predict-lung-age-sex-newdata.csv"])
    let a = try JSONValue.parse(Data(at.stdout.utf8)), f = try JSONValue.parse(Data(fromFile.stdout.utf8))
    guard case .array(let pa)? = a["predictions"], case .array(let pf)? = f["predictions"] else { Issue.record("predictions"); return }
    #expect(pa.count == 2 && pf.count == 2)
    #expect(pa[0]["profile"] == .string("age=60, sex=2") && pa[1]["profile"] == .string("age=70, sex=1"))
    #expect(pa[0]["at"] == pf[0]["at"] && pa[1]["steps"] == pf[1]["steps"])
    let text = try runOutcomes(Array(base.dropLast(2)) + ["--at", "age=60, sex=2"])
    #expect(text.stdout.contains("Predicted survival") && text.stdout.contains("age=60, sex=2"))
    for (extra, message) in [(["--at", "age60"], "outcomes: --at: \"age60\": expected name=value pairs separated by commas, as \"age=60, sex=2\"\n"),
                             (["--at", "age=60"], "outcomes: --at: profile 1 (age=60): no value for sex, expected every variable of the model (age, sex)\n"),
                             (["--at", "age=60, sex=2", "--predict", "x.csv"], "outcomes: --predict: expected either --at or --predict, not both, found \"x.csv\"\n")] {
      let r = try runOutcomes(base + extra)
      #expect(r.status == 2 && r.stdout.isEmpty && r.stderr == message, "\(r.stderr)")
    }
    let noProfile = try runOutcomes(["cox", "--data", "Datasets/lung.csv", "--formula", "Surv(time, status) ~ age", "--times", "100"])
    #expect(noProfile.status == 2 && noProfile.stderr.hasPrefix("outcomes: --times: expected --at or --predict with it"))
  }

  @Test("cox: contract JSON, warnings in JSON and on stderr with exit 0, residual and baseline files")
  func cox() throws {
    let r = try runOutcomes(["cox", "--data", "Datasets/lung.csv", "--formula", "Surv(time, status) ~ age + sex",
                             "--format", "json", "--iter-max", "2"])
    #expect(r.status == 0)
    #expect(r.stderr == "outcomes: warning: Ran out of iterations and did not converge\n")
    let json = try JSONValue.parse(Data(r.stdout.utf8))
    #expect(json["command"] == .string("cox"))
    #expect(json["iterations"]?.number == 3)
    #expect(json["warnings"] == .array([.string("Ran out of iterations and did not converge")]))
    for key in ["ties", "n", "n_dropped", "events", "terms", "loglik_null", "loglik", "tests", "concordance"] {
      #expect(json[key] != nil, "\(key)")
    }
    let residuals = try temporaryFile("", name: "residuals.csv")
    let baseline = URL(fileURLWithPath: residuals).deletingLastPathComponent().appendingPathComponent("baseline.csv").path
    let z = try runOutcomes(["cox", "--data", "Datasets/lung.csv", "--formula", "Surv(time, status) ~ age + sex + strata(ph.ecog)",
                             "--zph", "--residuals", residuals, "--baseline", baseline])
    #expect(z.status == 0)
    #expect(z.stdout.contains("Proportional hazards (R cox.zph"))
    let lines = try String(contentsOfFile: residuals, encoding: .utf8).split(separator: "\r\n")
    #expect(lines.first == "row,time,status,martingale,deviance,score.age,score.sex,schoenfeld.age,schoenfeld.sex,scaledsch.age,scaledsch.sex,dfbeta.age,dfbeta.sex")
    #expect(lines.count == 228)  // header + 227 rows (one ph.ecog missing)
    let base = try String(contentsOfFile: baseline, encoding: .utf8)
    #expect(base.hasPrefix("time,hazard,strata\r\n"))
  }

  @Test("not errors: a factor level without rows is dropped; no events gives survival 1 and a null median")
  func notErrors() throws {
    let noEvents = try temporaryFile("t,s,g\n1,0,a\n2,0,b\n3,0,NA\n")
    let r = try runOutcomes(["km", "--data", noEvents, "--formula", "Surv(t, s) ~ g", "--format", "json"])
    #expect(r.status == 0)
    let json = try JSONValue.parse(Data(r.stdout.utf8))
    #expect(json["n_dropped"]?.number == 1)
    guard case .array(let groups)? = json["groups"] else { Issue.record("no groups"); return }
    #expect(groups.count == 2)
    #expect(groups[0]["median"] == .null)
  }
}

@Suite("Large inputs: no trap, linear output")
struct LargeInputTests {
  @Test("cmh with strata so large that the observed sum underflows at psi = 1: exact limits near the Mantel-Haenszel interval, p = 0, no trap")
  func largeStrata() throws {
    var lines = ["failed,arm,site"]
    for site in ["a", "b"] {
      for (arm, events) in [("A", 15_000), ("B", 22_500)] {
        for k in 0..<50_000 { lines.append("\(k < events ? 1 : 0),\(arm),\(site)") }
      }
    }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("outcomes-cmh-\(UUID().uuidString).csv").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    let r = try runOutcomes(["cmh", "--data", path, "--formula", "failed ~ arm + strata(site)", "--format", "json"])
    #expect(r.status == 0, "\(r.stderr)")
    let json = try JSONValue.parse(Data(r.stdout.utf8))
    let rbg = try #require(json["odds_ratio"]?["intervals"]?["robins_breslow_greenland"])
    let exact = try #require(json["odds_ratio"]?["intervals"]?["exact"])
    // (15000 · 27500) / (22500 · 35000) = 0.5238…; the exact limits sit within 1% of the large-sample ones.
    expectClose(json["odds_ratio"]?["estimate"]?.number, 15_000.0 * 27_500 / (22_500.0 * 35_000), relative: 1e-12, "MH")
    expectClose(exact["lower"]?.number, rbg["lower"]?.number, relative: 1e-2, "lower")
    expectClose(exact["upper"]?.number, rbg["upper"]?.number, relative: 1e-2, "upper")
    #expect(json["tests"]?["exact"]?["p"]?.number == 0)
  }
}

@Suite("Hostile formulas and filters: exit 2 with one line, never a crash")
struct HostileExpressionTests {
  private func expectOneLine(_ args: [String], _ prefix: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let r = try runOutcomes(args)
    #expect(r.status == 2 && r.stdout.isEmpty, sourceLocation: sourceLocation)
    #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.hasPrefix("outcomes: " + prefix), "\(r.stderr.prefix(300))",
            sourceLocation: sourceLocation)
  }

  @Test("a formula nested 30,000 deep, 60,000 '!' in --where, 3,000 '+' and '&': refused at the character")
  func nesting() throws {
    let deep = "Surv(time, status) ~ " + String(repeating: "(", count: 30_000) + "age" + String(repeating: ")", count: 30_000)
    try expectOneLine(["cox", "--data", "Datasets/lung.csv", "--formula", deep], "--formula:1:222: nested more than 200 levels deep")
    let nots = String(repeating: "!", count: 60_000) + "age > 1"
    try expectOneLine(["km", "--data", "Datasets/lung.csv", "--formula", "Surv(time, status) ~ 1", "--where", nots],
                      "--where:1:202: nested more than 200 levels deep")
    let long = "Surv(time, status) ~ " + Array(repeating: "age", count: 3_000).joined(separator: " + ")
    try expectOneLine(["cox", "--data", "Datasets/lung.csv", "--formula", long], "--formula:1:")
    let ands = Array(repeating: "age > 1", count: 3_000).joined(separator: " & ")
    try expectOneLine(["km", "--data", "Datasets/lung.csv", "--formula", "Surv(time, status) ~ 1", "--where", ands], "--where:1:")
  }
}

/// Bytes handed from a reader thread to the test.
final class ReceivedBytes: @unchecked Sendable {
  private let lock = NSLock()
  private var data: Data?
  func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
  func get() -> Data? { lock.lock(); defer { lock.unlock() }; return data }
}
