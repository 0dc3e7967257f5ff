import Foundation
import Testing
import TestSupport

/// One class of bad input: the command line, and the place the one error
/// line must name first (a file:line:column, an option, a path).
struct BadInput: Sendable, CustomStringConvertible {
  var name: String
  var args: [String]
  var place: String
  init(_ name: String, _ args: [String], place: String) {
    self.name = name
    self.args = args
    self.place = place
  }
  var description: String { name }
}

/// The catalogue of bad input (docs/RELIABILITY.md): every class exits 2,
/// prints nothing on standard output and exactly one line on standard error
/// that starts with the place at fault. Data, formula, filter, option,
/// analysis, design, report and claims errors, hostile sizes and depths.
@Suite("Bad input: the catalogue")
struct BadInputCatalogueTests {
  /// A 30,000-deep formula.
  static let deepFormula = "Surv(time, status) ~ " + String(repeating: "(", count: 30000) + "sex" + String(repeating: ")", count: 30000)

  /// The files the cases read, written once into a temporary folder.
  static let folder: String = {
    let dir = try! makeTemporaryFolder("bad-input")
    let files: [(String, String)] = [
    ("ragged-long.csv", "time,status,x\n1,1,2\n2,0,3,4\n"),
    ("ragged-short.csv", "time,status,x\n1,1,2\n2,0\n"),
    ("unterminated.csv", "time,status,x\n1,1,\"2\n"),
    ("nul.csv", "time,status\u{0},x\n1,1,2\n"),
    ("empty.csv", ""),
    ("header.csv", "time,status,x\n"),
    ("dup.csv", "time,time,x\n1,1,2\n"),
    ("status3.csv", "time,status,x\n1,3,2\n2,1,3\n"),
    ("badtime.csv", "time,status,x\nabc,1,2\n2,1,3\n"),
    // Columns the formula does not read come first: the command line parses
    // only time and status, and messages still give the file's column.
    ("projected.csv", "a,b,time,status\n1,2,3,1\n1,2,x,0\n4,5,6,1\n"),
    ("projected-ragged.csv", "a,b,time,status\n1,2,3,1\n1,2,4\n4,5,6,1\n"),
    ("inf.csv", "time,status,x\n1,1,1e400\n2,1,3\n3,0,1\n"),
    ("negw.csv", "time,status,x,w\n1,1,1,-1\n2,1,3,1\n3,0,1,1\n"),
    ("noevents.csv", "time,status,x\n1,0,1\n2,0,3\n"),
    ("data.xyz", "x\n1\n"),
    ("stopstart.csv", "start,stop,status,x\n5,3,1,1\n1,4,0,2\n"),
    ("threegroups.csv", "y,g,s\n1,a,1\n0,b,1\n1,c,2\n"),
    ("dates.csv", "id,end,start,status\n1,2021-03-01,2021-01-01,1\n2,2021-05-01,2021-01-01,0\n"),
    ("badyaml.yaml", "title: T\nsections:\n  - title: A\n    analyses:\n      - km: {data: x.csv, formula: y\n"),
    ("unknownkey.yaml", "title: T\nsections:\n  - title: A\n    analyses:\n      - km: {data: x.csv, formual: y}\n"),
    ]
    for (name, contents) in files {
      FileManager.default.createFile(atPath: dir.appendingPathComponent(name).path, contents: Data(contents.utf8))
    }
    // Seven ten-level factors: a full interaction's design matrix would not fit.
    var f7 = "time,status,f0,f1,f2,f3,f4,f5,f6\n"
    for i in 0..<2000 { f7 += "\(1 + i % 100),\(i % 2)," + (0..<7).map { String((i * 7 + $0 * 3) % 10) }.joined(separator: ",") + "\n" }
    FileManager.default.createFile(atPath: dir.appendingPathComponent("f7.csv").path, contents: Data(f7.utf8))
    let gehan = repositoryPath("Datasets/gehan.csv")
    let specs = [
      ("ok.yaml", "title: T\ndata:\n  g: \(gehan)\nsections:\n  - title: A\n    analyses:\n      - km: {data: g, formula: \"Surv(time, cens) ~ treat\"}\n"),
      ("breaks.yaml", "title: T\ndata:\n  g: \(gehan)\nsections:\n  - title: A\n    analyses:\n      - km: {data: g, formula: \"Surv(time, cens) ~ treat\", breaks: [5, 5]}\n"),
      ("deep.yaml", "title: T\nsections:\n  x:" + (0..<5000).map { "\n" + String(repeating: "  ", count: $0 + 2) + "k\($0):" }.joined() + " 1\n"),
    ]
    for (name, text) in specs {
      FileManager.default.createFile(atPath: dir.appendingPathComponent(name).path, contents: Data(text.utf8))
    }
    return dir.path
  }()


  static let catalogue: [BadInput] = {
    let deepFormula = BadInputCatalogueTests.deepFormula
    return [
    BadInput("data file missing", ["km", "--data", "{T}/nope.csv", "--formula", "Surv(time, status) ~ 1"], place: "{T}/nope.csv"),
    BadInput("data is a directory", ["km", "--data", "{T}", "--formula", "Surv(time, status) ~ 1"], place: "{T}"),
    BadInput("empty data file", ["km", "--data", "{T}/empty.csv", "--formula", "Surv(time, status) ~ 1"], place: "{T}/empty.csv"),
    BadInput("header without rows", ["km", "--data", "{T}/header.csv", "--formula", "Surv(time, status) ~ 1"], place: "{T}/header.csv"),
    BadInput("row with too many fields", ["km", "--data", "{T}/ragged-long.csv", "--formula", "Surv(time, status) ~ 1"], place: "{T}/ragged-long.csv:3:4"),
    BadInput("row with too few fields", ["km", "--data", "{T}/ragged-short.csv", "--formula", "Surv(time, status) ~ 1"], place: "{T}/ragged-short.csv:3:2"),
    BadInput("unterminated quote", ["km", "--data", "{T}/unterminated.csv", "--formula", "Surv(time, status) ~ 1"], place: "{T}/unterminated.csv:2:3"),
    BadInput("NUL bytes", ["km", "--data", "{T}/nul.csv", "--formula", "Surv(time, status) ~ 1"], place: "{T}/nul.csv"),
    BadInput("endless zeros", ["km", "--data", "/dev/zero", "--formula", "Surv(time, status) ~ 1"], place: "/dev/zero"),
    BadInput("another extension is read as CSV", ["km", "--data", "{T}/data.xyz", "--formula", "Surv(time, status) ~ 1"], place: "--formula:1:6"),
    BadInput("duplicate column names", ["km", "--data", "{T}/dup.csv", "--formula", "Surv(time, x) ~ 1"], place: "{T}/dup.csv:1:2"),
    BadInput("status outside its coding", ["km", "--data", "{T}/status3.csv", "--formula", "Surv(time, status) ~ 1"], place: "{T}/status3.csv:2:2"),
    BadInput("text in a time column", ["km", "--data", "{T}/badtime.csv", "--formula", "Surv(time, status) ~ 1"], place: "{T}/badtime.csv:2:1"),
    BadInput("text in a time column after unread columns", ["km", "--data", "{T}/projected.csv", "--formula", "Surv(time, status) ~ 1"],
             place: "{T}/projected.csv:3:3"),
    BadInput("a short record, only some columns read", ["km", "--data", "{T}/projected-ragged.csv", "--formula", "Surv(time, status) ~ 1"],
             place: "{T}/projected-ragged.csv:3:3"),
    BadInput("unknown column in the formula", ["km", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sexx"], place: "--formula:1:22"),
    BadInput("--where unknown column", ["km", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex", "--where", "agee > 3"], place: "--where:1:1"),
    BadInput("--where syntax", ["km", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex", "--where", "age >> 3"], place: "--where:1:6"),
    BadInput("--where nested 60000 deep", ["km", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex", "--where", String(repeating: "!", count: 60000) + "(age > 3)"], place: "--where:1:202"),
    BadInput("formula nested 30000 deep", ["km", "--data", "{D}/lung.csv", "--formula", deepFormula], place: "--formula:1:222"),
    BadInput("formula unknown function", ["km", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ foo(sex)"], place: "--formula:1:22"),
    BadInput("formula unbalanced parenthesis", ["km", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ (sex"], place: "--formula:1:26"),
    BadInput("formula empty", ["km", "--data", "{D}/lung.csv", "--formula", ""], place: "--formula"),
    BadInput("formula without ~", ["km", "--data", "{D}/lung.csv", "--formula", "Surv(time, status)"], place: "--formula:1:19"),
    BadInput("Surv with one argument", ["km", "--data", "{D}/lung.csv", "--formula", "Surv(time) ~ sex"], place: "--formula:1:1"),
    BadInput("km interaction", ["km", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex:age"], place: "--formula"),
    BadInput("km cluster()", ["km", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex + cluster(inst)"], place: "--formula"),
    BadInput("logrank without groups", ["logrank", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ 1"], place: "--formula"),
    BadInput("logrank one group", ["logrank", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex", "--where", "sex == 1"], place: "--formula"),
    BadInput("logrank weights", ["logrank", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex", "--weights", "age"], place: "--weights"),
    BadInput("cox without events", ["cox", "--data", "{T}/noevents.csv", "--formula", "Surv(time, status) ~ x"], place: "{T}/noevents.csv"),
    BadInput("cox infinite covariate", ["cox", "--data", "{T}/inf.csv", "--formula", "Surv(time, status) ~ x"], place: "{T}/inf.csv:2:3"),
    BadInput("cox negative weight", ["cox", "--data", "{T}/negw.csv", "--formula", "Surv(time, status) ~ x", "--weights", "w"], place: "{T}/negw.csv:2:4"),
    BadInput("cox ties spelling", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ age + sex", "--ties", "discrete"], place: "--ties"),
    BadInput("conf-level as a percent", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ age + sex", "--conf-level", "95"], place: "--conf-level"),
    BadInput("conf-level 0", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ age + sex", "--conf-level", "0"], place: "--conf-level"),
    BadInput("iter-max negative", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ age + sex", "--iter-max", "-1"], place: "--iter-max"),
    BadInput("init of the wrong length", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ age + sex", "--init", "0.1"], place: "--init"),
    BadInput("at without pairs", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ age + sex", "--at", "age 60"], place: "--at"),
    BadInput("at level not in the data", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ factor(sex)", "--at", "sex=3"], place: "--at"),
    BadInput("predict file missing", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ age + sex", "--predict", "{T}/nope.csv"], place: "{T}/nope.csv"),
    BadInput("times without at", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ age + sex", "--times", "100"], place: "--times"),
    BadInput("predict-id without predict", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ age + sex", "--predict-id", "id"], place: "--predict-id"),
    BadInput("exact ties with weights", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ age + sex", "--ties", "exact", "--weights", "age"], place: "--ties"),
    BadInput("exact-marginal with cluster", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ age + cluster(inst)", "--ties", "exact-marginal"], place: "--ties"),
    BadInput("reference not VAR=LEVEL", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ age + sex", "--reference", "sex"], place: "--reference"),
    BadInput("reference level missing", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ factor(sex)", "--reference", "sex=9"], place: "--reference"),
    BadInput("reference-default spelling", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ age + sex", "--reference-default", "middle"], place: "--reference-default"),
    BadInput("design matrix too large", ["cox", "--data", "{T}/f7.csv", "--formula", "Surv(time, status) ~ factor(f0)*factor(f1)*factor(f2)*factor(f3)*factor(f4)*factor(f5)*factor(f6)"], place: "--formula"),
    BadInput("logistic non-binary response", ["logistic", "--data", "{D}/lung.csv", "--formula", "age ~ sex"], place: "{D}/lung.csv:2:4"),
    BadInput("logistic strata()", ["logistic", "--data", "{D}/lung.csv", "--formula", "status == 2 ~ age + strata(sex)"], place: "--formula"),
    BadInput("logistic firth with offset", ["logistic", "--data", "{D}/lung.csv", "--formula", "status == 2 ~ age + offset(sex)", "--firth"], place: "--firth"),
    BadInput("rate events above n", ["rate", "--events", "11", "--n", "10"], place: "--events"),
    BadInput("rate n 0", ["rate", "--events", "0", "--n", "0"], place: "--n"),
    BadInput("rate p0 above 1", ["rate", "--events", "3", "--n", "10", "--p0", "1.5"], place: "--p0"),
    BadInput("two-sided rule without p0", ["rate", "--events", "3", "--n", "10", "--two-sided", "central"], place: "--two-sided"),
    BadInput("two-sided rule, one-sided test", ["rate", "--events", "3", "--n", "10", "--p0", "0.2", "--alternative", "less", "--two-sided", "blaker"], place: "--two-sided"),
    BadInput("counts and a table both", ["rate", "--events", "3", "--n", "10", "--data", "{D}/lung.csv", "--formula", "status == 2 ~ sex"], place: "--events"),
    BadInput("conf-level not a number", ["rate", "--events", "3", "--n", "10", "--conf-level", "abc"], place: "--conf-level"),
    BadInput("compare missing n2", ["compare", "--events1", "2", "--n1", "10", "--events2", "3"], place: "--n2"),
    BadInput("compare negative events", ["compare", "--events1", "-1", "--n1", "10", "--events2", "3", "--n2", "10"], place: "--events1"),
    BadInput("compare three groups", ["compare", "--data", "{T}/threegroups.csv", "--formula", "y ~ g"], place: "--formula"),
    BadInput("cmh without strata", ["cmh", "--data", "{D}/lung.csv", "--formula", "status == 2 ~ sex"], place: "--formula"),
    BadInput("table1 unknown column", ["table1", "--data", "{D}/lung.csv", "--variables", "agee"], place: "--variables"),
    BadInput("simon p0 above p1", ["design", "simon", "--p0", "0.5", "--p1", "0.3"], place: "--p1"),
    BadInput("simon alpha 2", ["design", "simon", "--p0", "0.2", "--p1", "0.4", "--alpha", "2"], place: "--alpha"),
    BadInput("two-rates equal rates", ["design", "two-rates", "--p1", "0.5", "--p2", "0.5"], place: "--p2"),
    BadInput("logrank design HR 1", ["design", "logrank", "--hr", "1"], place: "--hr"),
    BadInput("single-stage p1 below p0", ["design", "single-stage", "--p0", "0.5", "--p1", "0.3"], place: "--p1"),
    BadInput("times not numbers", ["km", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex", "--times", "abc"], place: "--times"),
    BadInput("quantile above 1", ["km", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex", "--quantiles", "1.5"], place: "--quantiles"),
    BadInput("extend without times", ["km", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex", "--extend"], place: "--extend"),
    BadInput("tau negative", ["km", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex", "--tau", "-1"], place: "--tau"),
    BadInput("conf-type spelling", ["km", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex", "--conf-type", "loglog"], place: "--conf-type"),
    BadInput("median-rule spelling", ["km", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex", "--median-rule", "mid"], place: "--median-rule"),
    BadInput("profile spelling", ["km", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex", "--profile", "spss"], place: "--profile"),
    BadInput("start-time after the last time", ["km", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex", "--start-time", "5000"], place: "--start-time"),
    BadInput("rho negative", ["logrank", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex", "--rho", "-1"], place: "--rho"),
    BadInput("rho with a fixed test", ["logrank", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex", "--test", "gehan", "--rho", "1"], place: "--rho"),
    BadInput("lr test with strata", ["logrank", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex + strata(ph.ecog)", "--test", "lr"], place: "--test"),
    BadInput("unknown option", ["km", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex", "--colour", "red"], place: "--colour"),
    BadInput("option given twice", ["km", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex", "--tau", "100", "--tau", "200"], place: "--tau"),
    BadInput("stray word", ["km", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex", "extra"], place: "extra"),
    BadInput("option without its value", ["km", "--data", "--formula", "Surv(time, status) ~ 1"], place: "--data"),
    BadInput("unknown command", ["kaplan", "--data", "{D}/lung.csv"], place: "unknown command \"kaplan\", expected one of"),
    BadInput("format spelling", ["km", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex", "--format", "pdf"], place: "--format"),
    BadInput("xlsx without out", ["km", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex", "--format", "xlsx"], place: "--format"),
    BadInput("report spec missing", ["report", "{T}/nope.yaml"], place: "{T}/nope.yaml"),
    BadInput("report spec not YAML", ["report", "{T}/badyaml.yaml"], place: "{T}/badyaml.yaml:6:1"),
    BadInput("report spec unknown key", ["report", "{T}/unknownkey.yaml"], place: "{T}/unknownkey.yaml:5:27"),
    BadInput("report spec nested 5000 deep", ["report", "{T}/deep.yaml"], place: "{T}/deep.yaml:66:129"),
    BadInput("report breaks not increasing", ["report", "{T}/breaks.yaml", "--out-dir", "{T}/out-breaks"], place: "{T}/breaks.yaml:7:68"),
    BadInput("report to the root folder", ["report", "{T}/ok.yaml", "--out-dir", "/"], place: "/"),
    BadInput("claims file missing", ["check", "{T}/nope.yaml"], place: "{T}/nope.yaml"),
    BadInput("manuscript missing", ["check", "--manuscript", "{T}/nope.md"], place: "{T}/nope.md"),
    BadInput("time-unit on numeric times", ["km", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex", "--time-unit", "months"], place: "--time-unit"),
    BadInput("date column as a time", ["km", "--data", "{T}/dates.csv", "--formula", "Surv(end, status) ~ 1"], place: "--formula:1:6"),
    BadInput("SQLite table missing", ["km", "--data", "{F}/study.sqlite", "--table", "nope", "--formula", "Surv(time, status) ~ 1"], place: "--table"),
    BadInput("SQLite query syntax", ["km", "--data", "{F}/study.sqlite", "--query", "SELEKT * FROM x", "--formula", "Surv(time, status) ~ 1"], place: "--query"),
    BadInput("table option on a CSV", ["km", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex", "--table", "x"], place: "--table"),
    BadInput("weights column missing", ["km", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex", "--weights", "ww"], place: "--weights"),
    BadInput("poly degree too high", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ poly(sex, 3)"], place: "--formula:1:22"),
    BadInput("cut leaves values outside", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ cut(age, c(50, 60))"], place: "--formula:1:22"),
    BadInput("factor levels omit a value", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ factor(sex, levels = c(1))"], place: "--formula:1:22"),
    BadInput("relevel to a missing level", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ relevel(factor(sex), ref = \"3\")"], place: "--formula:1:22"),
    BadInput("offset in km", ["km", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex + offset(age)"], place: "--formula:1:35"),
    BadInput("ns knots outside the data", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ ns(age, knots = c(100))"], place: "--formula:1:22"),
    BadInput("stop before start", ["km", "--data", "{T}/stopstart.csv", "--formula", "Surv(start, stop, status) ~ 1"], place: "{T}/stopstart.csv:2:2"),
    BadInput("logrank on counting-process data", ["logrank", "--data", "{D}/heart.csv", "--formula", "Surv(start, stop, event) ~ transplant"], place: "--formula"),
    BadInput("zph with exact ties", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ age + sex", "--ties", "exact", "--zph"], place: "--ties"),
    BadInput("residuals with exact ties", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ age + sex", "--ties", "exact", "--residuals", "{T}/res.csv"], place: "--ties"),
    BadInput("rate formula response not binary", ["rate", "--data", "{D}/lung.csv", "--formula", "age ~ sex"], place: "{D}/lung.csv:2:4"),
    BadInput("exact-unconditional spelling", ["compare", "--events1", "2", "--n1", "10", "--events2", "3", "--n2", "10", "--exact-unconditional", "maybe"], place: "--exact-unconditional"),
    BadInput("simon p0 at 0", ["design", "simon", "--p0", "0", "--p1", "0.3"], place: "--p0"),
    BadInput("concordance-ties spelling", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ age + sex", "--concordance-ties", "both"], place: "--concordance-ties"),
    BadInput("predict file without a covariate", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ age + sex", "--predict", "{T}/threegroups.csv"], place: "--predict"),
    BadInput("cut into 1 interval", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ cut(age, 1)"], place: "--formula:1:31"),
    BadInput("where with a single =", ["km", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex", "--where", "sex = 1"], place: "--where:1:5"),
    BadInput("median-rule with logrank", ["logrank", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex", "--median-rule", "sas"], place: "--median-rule"),
    BadInput("gamma negative", ["logrank", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ sex", "--gamma", "-1"], place: "--gamma"),
    BadInput("cox weights column text", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ age", "--weights", "sex2"], place: "--weights"),
    BadInput("spline prediction outside the knots", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ ns(age, df = 3)", "--at", "age=200"], place: "--at"),
    BadInput("cut(x, k) prediction", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ cut(age, 3)", "--at", "age=60"], place: "--at"),
    BadInput("predict-id on right-censored data", ["cox", "--data", "{D}/lung.csv", "--formula", "Surv(time, status) ~ age + sex", "--predict", "{T}/threegroups.csv", "--predict-id", "g"], place: "--predict-id"),
    BadInput("table1 by a column that is not there", ["table1", "--data", "{D}/lung.csv", "--variables", "age", "--by", "sexx"], place: "--by"),
    ]
  }()

  @Test("at least 120 classes")
  func size() { #expect(Self.catalogue.count >= 120) }

  @Test("exit 2, nothing on stdout, one line on stderr naming the place", arguments: catalogue)
  func badInput(_ c: BadInput) throws {
    func expand(_ s: String) -> String {
      s.replacingOccurrences(of: "{T}", with: Self.folder)
        .replacingOccurrences(of: "{D}", with: repositoryPath("Datasets"))
        .replacingOccurrences(of: "{F}", with: repositoryPath("Tests/DataFilesTests/Files"))
    }
    let r = try runOutcomes(c.args.map(expand), in: URL(fileURLWithPath: Self.folder))
    #expect(r.status == 2, "\(c.name): exit \(r.status)")
    #expect(r.stdout.isEmpty, "\(c.name): nothing on stdout")
    let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
    #expect(lines.count == 1 && r.stderr.hasSuffix("\n"), "\(c.name): one line, found \(r.stderr)")
    #expect(r.stderr.hasPrefix("outcomes: " + expand(c.place)), "\(c.name): \(r.stderr)")
  }
}
