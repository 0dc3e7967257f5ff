@testable import DataFiles
import Foundation
import Tabular
import Testing
import TestSupport

/// The readers on files written by Tests/References/make-stat-files.R (R's
/// haven) and make-sqlite.py (Python's sqlite3) from the bundled data sets.
@Suite("SAS, Stata, SPSS and SQLite readers")
struct DataFilesTests {
  static let files = repositoryPath("Tests/DataFilesTests/Files")

  @Test("every format gives the CSV's columns and values", arguments: ["veteran.xpt", "veteran.v8.xpt", "veteran.sas7bdat", "veteran.dta", "veteran.sav"])
  func sameAsCSV(_ file: String) throws {
    let csv = try CSVReader.read(path: repositoryPath("Datasets/veteran.csv"))
    let other = try DataFiles.read(path: "\(Self.files)/\(file)")
    #expect(other.names == csv.names && other.rowCount == csv.rowCount)
    for (a, b) in zip(csv.columns, other.columns) {
      switch (a, b) {
      case (.numeric(let x), .numeric(let y)): #expect(x.values == y.values)
      case (.categorical(let x), .categorical(let y)):
        #expect(x.levels == y.levels && x.codes == y.codes)
      default: Issue.record("\(file): a column changed type")
      }
    }
  }

  @Test("SQLite: declared types, a table or a query")
  func sqlite() throws {
    let csv = try CSVReader.read(path: repositoryPath("Datasets/veteran.csv"))
    let t = try DataFiles.read(path: "\(Self.files)/study.sqlite", table: "veteran")
    #expect(t.names == csv.names && t.rowCount == 137)
    if case .numeric(let time) = t.column(named: "time")!, case .numeric(let reference) = csv.column(named: "time")! {
      #expect(time.values == reference.values)
    } else { Issue.record("time is not numeric") }
    let q = try DataFiles.read(path: "\(Self.files)/study.sqlite", query: "SELECT time, status FROM veteran WHERE trt = 2")
    #expect(q.names == ["time", "status"] && q.rowCount == 68)
    #expect(throws: InputError.self) { try DataFiles.read(path: "\(Self.files)/study.sqlite", table: "missing") }
    #expect(throws: InputError.self) { try DataFiles.read(path: "\(Self.files)/study.sqlite", query: "SELEC 1") }
  }

  @Test("a query without end (a recursive CTE) is stopped at the time limit with one error")
  func endlessQuery() throws {
    setenv("OUTCOMES_QUERY_SECONDS", "1", 1)
    defer { unsetenv("OUTCOMES_QUERY_SECONDS") }
    let started = Date()
    #expect(throws: InputError(InputLocation(option: "query"), "the query ran longer than 1 s and was stopped, expected a query that ends (OUTCOMES_QUERY_SECONDS raises the limit)")) {
      try DataFiles.read(path: "\(Self.files)/study.sqlite",
                         query: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x AS time FROM c")
    }
    #expect(Date().timeIntervalSince(started) < 30)
  }

  @Test("value labels are levels in value order; dates keep their numbers with the unit named; user-missing is missing")
  func labelled() throws {
    let dta = try DataFiles.read(path: "\(Self.files)/labelled.dta")
    guard case .categorical(let trt)? = dta.column(named: "trt"), case .categorical(let prior)? = dta.column(named: "prior") else {
      Issue.record("labelled columns are not factors"); return
    }
    #expect(trt.levels == ["standard", "test"] && prior.levels == ["no", "yes"])
    let j = dta.columnIndex(named: "entry")!
    #expect(dta.units[j] == "days since 1960-01-01")
    if case .numeric(let entry) = dta.columns[j] { #expect(entry.values[0] == 3654.0) }  // 1970-01-02: 3,654 days after 1960-01-01
    #expect(dta.variableLabels[dta.columnIndex(named: "trt")!] == "Treatment")
    let sav = try DataFiles.read(path: "\(Self.files)/labelled.sav")
    guard case .numeric(let karno)? = sav.column(named: "karno") else { Issue.record("karno"); return }
    #expect(karno.values.filter(\.isNaN).count == 13, "the user-missing code 999 is missing")
    #expect(sav.units[sav.columnIndex(named: "entry")!] == "seconds since 1582-10-14")
  }

  @Test("corrupt, truncated or mislabelled files are one clear error, not a crash")
  func corrupt() throws {
    let dir = try makeTemporaryFolder("files")
    defer { try? FileManager.default.removeItem(at: dir) }
    let original = try Data(contentsOf: URL(fileURLWithPath: "\(Self.files)/veteran.sas7bdat"))
    for (name, bytes) in [("empty.xpt", Data()), ("text.dta", Data("not a stata file".utf8)),
                          ("truncated.sas7bdat", original.prefix(3000)), ("csv.sav", Data("a,b\n1,2\n".utf8)),
                          ("half.xpt", try Data(contentsOf: URL(fileURLWithPath: "\(Self.files)/veteran.xpt")).prefix(2003))] {
      let path = dir.appendingPathComponent(name).path
      try bytes.write(to: URL(fileURLWithPath: path))
      #expect(throws: InputError.self, "\(name)") { try DataFiles.read(path: path) }
    }
  }

  @Test("the direct XPORT v5 decoder gives ReadStat's table", arguments: ["veteran.xpt", "adtte.xpt"])
  func xport(_ file: String) throws {
    let path = "\(Self.files)/\(file)"
    let direct = try XPortReader.read(path: path)
    let readstat = try StatFileReader.readWithReadStat(path: path, format: .xport)
    #expect(direct.names == readstat.names && direct.rowCount == readstat.rowCount)
    #expect(direct.variableLabels == readstat.variableLabels)
    for (j, (a, b)) in zip(direct.columns, readstat.columns).enumerated() {
      switch (a, b) {
      case (.numeric(let x), .numeric(let y)):
        #expect(zip(x.values, y.values).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }, "\(file) \(direct.names[j])")
      case (.categorical(let x), .categorical(let y)): #expect(x.levels == y.levels && x.codes == y.codes, "\(file) \(direct.names[j])")
      default: Issue.record("\(file) \(direct.names[j]): types differ")
      }
    }
  }

  @Test("IBM floating point: exact for IEEE doubles, missing codes, short lengths")
  func ibm() {
    func decode(_ bytes: [UInt8]) -> Double {
      bytes.withUnsafeBufferPointer { XPortReader.ibm($0, 0, bytes.count) }
    }
    #expect(decode([0x41, 0x10, 0, 0, 0, 0, 0, 0]) == 1)
    #expect(decode([0xC1, 0x10, 0, 0, 0, 0, 0, 0]) == -1)
    #expect(decode([0x42, 0x64, 0, 0, 0, 0, 0, 0]) == 100)
    #expect(decode([0x40, 0x80, 0, 0, 0, 0, 0, 0]) == 0.5)
    #expect(decode([0, 0, 0, 0, 0, 0, 0, 0]) == 0)
    #expect(decode([0x2E, 0, 0, 0, 0, 0, 0, 0]).isNaN && decode([0x41, 0, 0, 0, 0, 0, 0, 0]).isNaN && decode([0x5F, 0, 0, 0, 0, 0, 0, 0]).isNaN)
    #expect(decode([0x42, 0x64, 0, 0]) == 100, "a 4-byte number")
  }

  static let regressions: [String] = {
    let dir = repositoryPath("Tests/Fuzz/Regressions")
    let readers: Set<String> = ["csv", "xpt", "sas7bdat", "dta", "sav", "sqlite"]
    return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
      .filter { readers.contains(String($0.prefix { $0 != "-" })) }.sorted()
  }()

  @Test("inputs the fuzzer found crashing are read without a crash", arguments: regressions)
  func fuzzRegression(_ file: String) throws {
    let format = String(file.prefix { $0 != "-" })
    let dir = try makeTemporaryFolder("regression")
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("input.\(format)").path
    try FileManager.default.copyItem(atPath: repositoryPath("Tests/Fuzz/Regressions/\(file)"), toPath: path)
    do {
      let table = try DataFiles.read(path: path, query: format == "sqlite" ? "SELECT * FROM sqlite_master" : nil)
      #expect(table.columns.allSatisfy { $0.count == table.rowCount })
    } catch is InputError {
      // A clear error is the right outcome for a damaged file.
    }
  }
}
