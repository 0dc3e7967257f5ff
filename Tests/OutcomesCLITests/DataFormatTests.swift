import Foundation
import Rendering
import Testing
import TestSupport

/// The same analysis on CSV, XPT (v5, v8), SAS7BDAT, DTA, SAV and SQLite
/// versions of a data set gives identical JSON.
@Suite("Data formats from the command line")
struct DataFormatTests {
  static let analyses: [[String]] = [
    ["km", "--formula", "Surv(time, status) ~ trt", "--times", "100,200"],
    ["logrank", "--formula", "Surv(time, status) ~ celltype"],
    ["cox", "--formula", "Surv(time, status) ~ trt + celltype + karno", "--zph"],
    ["logistic", "--formula", "status == 1 ~ karno + age", "--no-profile"],
  ]
  static let sources: [[String]] = [
    ["--data", "Tests/DataFilesTests/Files/veteran.xpt"], ["--data", "Tests/DataFilesTests/Files/veteran.v8.xpt"],
    ["--data", "Tests/DataFilesTests/Files/veteran.sas7bdat"], ["--data", "Tests/DataFilesTests/Files/veteran.dta"],
    ["--data", "Tests/DataFilesTests/Files/veteran.sav"], ["--data", "Tests/DataFilesTests/Files/study.sqlite", "--table", "veteran"],
    ["--data", "Tests/DataFilesTests/Files/study.sqlite", "--query", "SELECT * FROM veteran"],
  ]

  @Test("identical JSON from every format", arguments: analyses)
  func identical(_ analysis: [String]) throws {
    let reference = try runOutcomes(analysis + ["--data", "Datasets/veteran.csv", "--format", "json"])
    #expect(reference.status == 0, "\(reference.stderr)")
    for source in Self.sources {
      let r = try runOutcomes(analysis + source + ["--format", "json"])
      #expect(r.stdout == reference.stdout, "\(analysis[0]) from \(source.joined(separator: " ")): \(r.stderr)")
    }
  }

  @Test("ADaM ADTTE with --adam --param matches the CSV route with the formula and --where spelled out")
  func adam() throws {
    let explicit = try runOutcomes(["cox", "--data", "Tests/DataFilesTests/Files/adtte.csv", "--formula", "Surv(AVAL, CNSR == 0) ~ TRTP",
                                    "--where", "PARAMCD == 'RECUR'", "--format", "json"])
    for data in [["Tests/DataFilesTests/Files/adtte.xpt"], ["Tests/DataFilesTests/Files/study.sqlite", "--table", "adtte"]] {
      let adam = try runOutcomes(["cox", "--data"] + data + ["--adam", "--param", "RECUR", "--formula", "~ TRTP", "--format", "json"])
      #expect(adam.status == 0 && adam.stdout == explicit.stdout, "\(data): \(adam.stderr)")
    }
    let bad = try runOutcomes(["km", "--data", "Tests/DataFilesTests/Files/adtte.xpt", "--adam", "--param", "OS", "--formula", "~ TRTP"])
    #expect(bad.status == 2 && bad.stderr == "outcomes: --param: no rows with PARAMCD \"OS\" in Tests/DataFilesTests/Files/adtte.xpt, expected one of: DEATH, RECUR\n")
  }

  @Test("--format xlsx writes a workbook with one sheet per table; it needs --out")
  func xlsx() throws {
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("outcomes-\(UUID().uuidString).xlsx").path
    defer { try? FileManager.default.removeItem(atPath: out) }
    let r = try runOutcomes(["cox", "--data", "Datasets/lung.csv", "--formula", "Surv(time, status) ~ age + sex", "--format", "xlsx", "--out", out])
    #expect(r.status == 0 && r.stdout.isEmpty)
    let bytes = try Data(contentsOf: URL(fileURLWithPath: out))
    #expect(bytes.prefix(2) == Data("PK".utf8), "a zip container")
    #expect(String(decoding: bytes, as: UTF8.self).contains("xl/worksheets/sheet2.xml"))
    let missing = try runOutcomes(["cox", "--data", "Datasets/lung.csv", "--formula", "Surv(time, status) ~ age", "--format", "xlsx"])
    #expect(missing.status == 2 && missing.stderr == "outcomes: --format: xlsx is a binary format, expected --out FILE.xlsx with it\n")
  }

  @Test("bad files and tables: exit 2, one line")
  func errors() throws {
    let r = try runOutcomes(["km", "--data", "Tests/DataFilesTests/Files/study.sqlite", "--table", "adsl", "--formula", "Surv(time, status) ~ 1"])
    #expect(r.status == 2 && r.stderr == "outcomes: --table: no table \"adsl\" in Tests/DataFilesTests/Files/study.sqlite, expected one of: adtte, veteran\n")
    let w = try runOutcomes(["km", "--data", "Tests/DataFilesTests/Files/veteran.dta", "--formula", "Surv(time, status) ~ 1", "--where", "trt == 3"])
    #expect(w.status == 2 && w.stderr == "outcomes: --where: selects no rows of Tests/DataFilesTests/Files/veteran.dta (137 rows), expected at least one\n")
  }
}
