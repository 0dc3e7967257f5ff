import Foundation
import LinearAlgebra
import ModelFrame
import Rendering
import Tabular
import Testing
import TestSupport

private func table(_ text: String) throws -> Table {
  try CSVReader.read(bytes: Array(text.utf8), source: "d.csv")
}

private func frame(_ text: String, _ formula: String, weights: String? = nil) throws -> ModelFrame {
  try ModelFrame.build(formula: Formula.parse(formula), table: table(text), options: .init(weights: weights))
}

private func errorMessage(_ text: String, _ formula: String, weights: String? = nil) -> String? {
  do {
    _ = try frame(text, formula, weights: weights)
    return nil
  } catch let e as InputError {
    return e.description
  } catch {
    return "\(error)"
  }
}

@Suite("Model frame: status coding, missing rows, errors")
struct ModelFrameTests {
  @Test("arithmetic: a missing input is a dropped row; a non-finite result, a value outside cut()'s breaks or a level not listed is an error")
  func arithmetic() throws {
    let csv = "t,s,x,g\n1,1,0,a\n2,0,NA,b\n3,1,4,b\n4,1,9,a\n"
    let f = try frame(csv, "Surv(t / 2, s) ~ sqrt(x) + I(x > 3)")
    #expect(f.response?.stop == [0.5, 1.5, 2])
    #expect(f.nDropped == 1)
    guard case .numeric(let root) = f.variables[0], case .factor(let logical) = f.variables[1] else {
      Issue.record("variable kinds"); return
    }
    #expect(root == [0, 2, 3])
    #expect(logical.levels == ["FALSE", "TRUE"] && logical.codes == [0, 1, 1])
    #expect(errorMessage(csv, "Surv(t, s) ~ log(x)") == "--formula:1:14: log(x) is -Inf in the row at line 2 of d.csv, expected a finite value (leave such rows out with --where)")
    #expect(errorMessage(csv, "Surv(t, s) ~ log(x - 5)") == "--formula:1:14: log(x - 5) is NaN in the row at line 2 of d.csv, expected a finite value (leave such rows out with --where)")
    #expect(errorMessage(csv, "Surv(t, s) ~ cut(x, c(0, 5, 10))") == "--formula:1:14: cut(x, c(0, 5, 10)) is not defined for 0 in the row at line 2 of d.csv: outside every interval, expected breaks that cover every value")
    #expect(errorMessage(csv, "Surv(t, s) ~ factor(g, levels = c('b'))") == "--formula:1:14: value \"a\" of g is not among the levels of factor(g, levels = c(\"b\")), expected every value listed")
    #expect(errorMessage(csv, "Surv(t, s) ~ relevel(g, ref = 'c')") == "--formula:1:14: reference level \"c\" is not a level of g, expected one of: a, b")
    #expect(errorMessage(csv, "Surv(t, s) ~ log(g)") == "--formula:1:18: column \"g\" is categorical, expected a numeric column in arithmetic")
    #expect(errorMessage(csv, "Surv(t, s) ~ log(y)") == "--formula:1:18: unknown column \"y\" in d.csv, expected one of: t, s, x, g")
    // cut(): R's labels and intervals.
    let c = try frame(csv, "Surv(t, s) ~ cut(x, c(0, 4, 1000), include.lowest = TRUE)")
    guard case .factor(let cut) = c.variables[0] else { Issue.record("cut is a factor"); return }
    #expect(cut.levels == ["[0,4]", "(4,1e+03]"] && cut.codes == [0, 0, 1])
  }

  @Test("follow-up from two dates: end - start in days, or --time-unit; a date alone, or a unit without dates, is an error")
  func datesAsTime() throws {
    let csv = "entry,last,status,x\n2020-01-01,2020-03-01,1,1\n2020-02-15,2021-02-15,0,2\n2020-03-01,,1,3\n"
    let days = try frame(csv, "Surv(last - entry, status) ~ x")
    #expect(days.response?.stop == [60, 366] && days.nDropped == 1)
    let months = try ModelFrame.build(formula: Formula.parse("Surv(as.numeric(last - entry), status) ~ x"), table: table(csv),
                                      options: .init(timeUnit: .months))
    #expect(months.response?.stop == [60 / 30.4375, 366 / 30.4375])
    let years = try ModelFrame.build(formula: Formula.parse("Surv(last - entry, status) ~ x"), table: table(csv), options: .init(timeUnit: .years))
    #expect(years.response?.stop == [60 / 365.25, 366 / 365.25])
    let counting = try frame(csv, "Surv(entry - entry, last - entry, status) ~ x")
    #expect(counting.response?.start == [0, 0] && counting.response?.stop == [60, 366])
    #expect(errorMessage(csv, "Surv(last, status) ~ x") == "--formula:1:6: column \"last\" holds dates; a time from dates is the difference of two date columns, expected as in Surv(end - start, status)")
    #expect(errorMessage(csv, "Surv((last - entry) / 7, status) ~ x") == "--formula:1:6: column \"last\" holds dates; a time from dates is the difference of two date columns, expected as in Surv(end - start, status)")
    #expect(throws: InputError(InputLocation(option: "time-unit"), "weeks: --time-unit converts a follow-up computed from dates, as Surv(end - start, status), expected no --time-unit for a time that is already a number in its own unit")) {
      try ModelFrame.build(formula: Formula.parse("Surv(x, status) ~ 1"), table: table(csv), options: .init(timeUnit: .weeks))
    }
  }

  @Test("an infinite covariate (Inf, 1e400) is an error at its cell, as R's \"infinite predictor\"")
  func infiniteCovariate() {
    #expect(errorMessage("t,s,x\n1,1,1\n2,0,Inf\n3,1,2\n", "Surv(t, s) ~ x") == "d.csv:3:3: column \"x\" (x): expected a finite number, found Inf")
    #expect(errorMessage("t,s,x\n1,1,1\n2,0,1e400\n3,1,2\n", "Surv(t, s) ~ x") == "d.csv:3:3: column \"x\" (x): expected a finite number, found Inf")
  }

  @Test("a date column that groups rows is labelled with its dates, as R's strata() of a Date")
  func dateGroups() throws {
    let csv = "entry,last,status\n2020-01-01,2020-03-01,1\n2020-01-01,2020-05-01,0\n2020-02-01,2020-06-01,1\n"
    let f = try frame(csv, "Surv(last - entry, status) ~ entry")
    #expect(f.grouping(of: [0]).levels == ["entry=2020-01-01", "entry=2020-02-01"])
    let s = try frame(csv, "Surv(last - entry, status) ~ strata(entry)")
    #expect(s.strata?.levels == ["entry=2020-01-01", "entry=2020-02-01"])
  }

  @Test("comparisons and %in% in the response; a missing value stays missing (R's %in% would call it FALSE)")
  func responseComparisons() throws {
    let csv = "t,grade,age\n1,1,50\n2,3,60\n3,NA,70\n4,4,80\n"
    let above = try ModelFrame.build(formula: Formula.parse("grade >= 3 ~ age"), table: table(csv), options: .init(binaryResponse: true))
    #expect(above.binaryResponse == [0, 1, 1] && above.nDropped == 1)
    let listed = try ModelFrame.build(formula: Formula.parse("grade %in% c(3, 4) ~ age"), table: table(csv), options: .init(binaryResponse: true))
    #expect(listed.binaryResponse == [0, 1, 1] && listed.nDropped == 1)
    let status = try frame(csv, "Surv(t, age / 10 > 5.5) ~ 1")
    #expect(status.response?.status == [0, 1, 1, 1])
  }

  @Test("status 0/1 as is; 1/2 with 2 = event (R's rule); TRUE/FALSE; ==, != and 1 - col")
  func statusCodings() throws {
    #expect(try frame("t,s\n1,0\n2,1\n", "Surv(t, s) ~ 1").response?.status == [0, 1])
    #expect(try frame("t,s\n1,1\n2,2\n", "Surv(t, s) ~ 1").response?.status == [0, 1])
    #expect(try frame("t,s\n1,1\n2,1\n", "Surv(t, s) ~ 1").response?.status == [1, 1], "all 1: 0/1 coding")
    #expect(try frame("t,s\n1,TRUE\n2,FALSE\n", "Surv(t, s) ~ 1").response?.status == [1, 0])
    #expect(try frame("t,c\n1,0\n2,1\n3,2\n", "Surv(t, c == 0) ~ 1").response?.status == [1, 0, 0])
    #expect(try frame("t,c\n1,0\n2,1\n", "Surv(t, c != 0) ~ 1").response?.status == [0, 1])
    #expect(try frame("t,c\n1,0\n2,1\n", "Surv(t, 1 - c) ~ 1").response?.status == [1, 0])
    #expect(try frame("t,arm\n1,dead\n2,alive\n", "Surv(t, arm == \"dead\") ~ 1").response?.status == [1, 0])
  }

  @Test("rows with a missing value in a used variable are dropped and counted")
  func dropping() throws {
    let f = try frame("t,s,g,unused\n1,1,a,\n2,NA,b,1\n3,0,,1\n4,1,b,1\n", "Surv(t, s) ~ g")
    #expect(f.n == 2)
    #expect(f.nDropped == 2)
    #expect(f.rows == [0, 3])
    #expect(f.grouping(of: [0]).levels == ["g=a", "g=b"])
  }

  @Test("x:strata(s) is refused outside the Cox model, never dropped")
  func strataInteractionRefused() {
    #expect(errorMessage("t,s,x,g\n1,1,0,a\n2,0,1,b\n", "Surv(t, s) ~ x:strata(g)")
            == "--formula:1:16: strata(g) inside an interaction is fitted by cox only, expected strata() as a term of its own")
  }

  @Test("a factor level left without rows is dropped, as R's strata()")
  func emptyLevel() throws {
    let f = try frame("t,s,g,x\n1,1,a,1\n2,0,b,NA\n3,1,c,2\n", "Surv(t, s) ~ g + x")
    #expect(f.grouping(of: [0]).levels == ["g=a", "g=c"])
    #expect(f.grouping(of: [0, 1]).levels == ["g=a, x=1", "g=c, x=2"])
  }

  @Test("several grouping variables: the first varies slowest, only combinations that occur")
  func interactionLabels() throws {
    let f = try frame("t,s,a,b\n1,1,2,y\n2,0,1,y\n3,1,1,x\n4,1,2,y\n", "Surv(t, s) ~ a + b")
    let g = f.grouping(of: [0, 1])
    #expect(g.levels == ["a=1, b=x", "a=1, b=y", "a=2, b=y"])
    #expect(g.codes == [2, 1, 0, 2])
  }

  @Test("bad input: non-numeric, negative time, stop <= start, status outside its coding, unknown column")
  func errors() {
    #expect(errorMessage("t,s\n1,1\nabc,0\n", "Surv(t, s) ~ 1") == "d.csv:3:1: column \"t\" (time): expected a number, found \"abc\"")
    #expect(errorMessage("t,s\n1,1\n-3,0\n", "Surv(t, s) ~ 1") == "d.csv:3:1: column \"t\" (time): expected a finite non-negative number, found -3")
    #expect(errorMessage("a,b,s\n1,2,1\n5,5,0\n", "Surv(a, b, s) ~ 1") == "d.csv:3:2: stop time 5 is not after start time 5, expected start < stop")
    #expect(errorMessage("t,s\n1,1\n2,3\n", "Surv(t, s) ~ 1") == "d.csv:3:2: column \"s\" (status): expected 0/1 (1 = event), 1/2 (2 = event) or TRUE/FALSE, found 3")
    #expect(errorMessage("t,s\n1,0\n2,2\n", "Surv(t, s) ~ 1") == "d.csv:3:2: column \"s\" (status): found 2 in a column that also has 0, expected 0/1 (1 = event) or 1/2 (2 = event)")
    #expect(errorMessage("t,s\n1,yes\n", "Surv(t, s) ~ 1") == "d.csv:2:2: column \"s\" (status): expected 0/1 (1 = event), 1/2 (2 = event) or TRUE/FALSE, found \"yes\"")
    #expect(errorMessage("t,s\n1,1\n", "Surv(tt, s) ~ 1") == "--formula:1:6: unknown column \"tt\" in d.csv, expected one of: t, s")
    #expect(errorMessage("t,s,g\n1,1,\n2,0,\n", "Surv(t, s) ~ g") == "d.csv: has a missing value in every row for the variables used (t, s, g), expected at least one complete row")
    #expect(errorMessage("t,s,w\n1,1,-1\n", "Surv(t, s) ~ 1", weights: "w") == "d.csv:2:3: column \"w\" (weights): expected a finite non-negative weight, found -1")
    #expect(errorMessage("t,s\n1,1\n", "Surv(t, s) ~ 1", weights: "ww") == "--weights: unknown column \"ww\" in d.csv, expected one of: t, s")
    #expect(errorMessage("t,s\n1,1\n", "t ~ s") == "--formula:1:1: expected a survival response Surv(time, status), found \"t\"")
  }
}

/// Design matrices compared with R's `model.matrix`, every entry; fixtures
/// from Tests/References/make-references.R (R 4.2.2).
@Suite("Design matrix: treatment contrasts named as R")
struct DesignMatrixTests {
  static let fixtures = fixtureFiles("Tests/ModelFrameTests/References")

  @Test("model.matrix fixture", arguments: fixtures)
  func fixture(_ file: String) throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: repositoryPath("Tests/ModelFrameTests/References/\(file)")))
    let fixture = try JSONValue.parse(data)
    guard case .string(let dataPath)? = fixture["data"], case .string(let formula)? = fixture["formula"],
          case .bool(let intercept)? = fixture["intercept"], case .array(let columns)? = fixture["columns"] else {
      Issue.record("malformed fixture \(file)"); return
    }
    let t = try CSVReader.read(path: repositoryPath(dataPath))
    let f = try ModelFrame.build(formula: Formula.parse(formula), table: t, options: .init(requiresSurvivalResponse: false, basisTerms: true))
    #expect(f.n == Int(fixture["n"]?.number ?? -1))
    #expect(f.nDropped == Int(fixture["n_dropped"]?.number ?? -1))
    let x = f.designMatrix(intercept: intercept)
    let names = columns.compactMap { c -> String? in if case .string(let s)? = c["name"] { return s } else { return nil } }
    #expect(x.columnNames == names)
    guard x.columnNames == names else { return }
    for (j, c) in columns.enumerated() {
      guard case .array(let values)? = c["values"] else { continue }
      for (i, v) in values.enumerated() {
        expectClose(x.matrix[i, j], v.number, relative: 1e-12, "\(file): \(names[j])[\(i)]")
      }
    }
  }
}

@Suite("Long sums of terms: the recursion depth is the nesting, not the number of terms")
struct LongSumTests {
  @Test("1,990 '+', '-', ':' and '/' build a frame on a thread with a 512 KiB stack (the fuzzer's stack overflow under AddressSanitizer)")
  func longChains() throws {
    let data = "time,status,a,b\n1,1,2,3\n2,0,3,1\n3,1,1,2\n4,1,5,5\n"
    let plus = "Surv(time, status) ~ a" + String(repeating: " + b", count: 1990)
    let minus = "Surv(time, status) ~ a + b" + String(repeating: " - b + b", count: 990)
    let colon = "Surv(time, status) ~ a" + String(repeating: ":b", count: 1990)
    let nested = "Surv(time, status) ~ a" + String(repeating: " / b", count: 1990)
    final class Outcome: @unchecked Sendable { var terms: [Int] = []; var done = false }
    let outcome = Outcome()
    let thread = Thread {
      for formula in [plus, minus, colon, nested] {
        if let frame = try? ModelFrame.build(formula: Formula.parse(formula), table: try CSVReader.read(bytes: Array(data.utf8), source: "d.csv")) {
          outcome.terms.append(frame.terms.terms.count)
        }
      }
      outcome.done = true
    }
    thread.stackSize = 512 << 10
    thread.start()
    let deadline = Date().addingTimeInterval(60)
    while !outcome.done && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
    #expect(outcome.done)
    #expect(outcome.terms == [2, 2, 1, 2], "a + b, duplicates collapsed as R's terms(); '- b + b' leaves b in; a:b; a + a:b")
  }
}
