import Foundation
import Tabular
import Testing
import TestSupport

private func read(_ text: String, delimiter: CSVReader.Delimiter = .comma) throws -> Table {
  try CSVReader.read(bytes: Array(text.utf8), source: "t.csv", delimiter: delimiter)
}

private func numbers(_ t: Table, _ name: String) -> [Double] {
  guard case .numeric(let c)? = t.column(named: name) else { return [] }
  return c.values
}

private func categories(_ t: Table, _ name: String) -> (levels: [String], values: [String?]) {
  guard case .categorical(let c)? = t.column(named: name) else { return ([], []) }
  return (c.levels, c.codes.indices.map { c.value(at: $0) })
}

private func expectInputError(_ text: String, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
  do {
    _ = try read(text)
    Issue.record("expected an error: \(message)", sourceLocation: sourceLocation)
  } catch let error as InputError {
    #expect(error.description == message, sourceLocation: sourceLocation)
  } catch {
    Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
  }
}

@Suite("CSV reader (RFC 4180)")
struct CSVReaderTests {
  @Test("quotes, embedded commas, newlines and doubled quotes")
  func quoting() throws {
    let t = try read("id,text\n1,\"a, b\"\n2,\"line1\nline2\"\n3,\"say \"\"hi\"\"\"\n")
    #expect(t.rowCount == 3)
    #expect(categories(t, "text").values == ["a, b", "line1\nline2", "say \"hi\""])
    #expect(t.line(ofRow: 0) == 2)
    #expect(t.line(ofRow: 1) == 3)
    #expect(t.line(ofRow: 2) == 5, "a record after an embedded newline starts a line later")
  }

  @Test("ISO 8601 dates and date-times are numbers with a unit; anything else keeps the column text")
  func dates() throws {
    let t = try read("d,dt,bad,leap\n1970-01-02,2000-03-01T12:00,2021-02-29,2020-02-29\nNA,2000-03-01 00:00:30.5,2021-01-01,\n1969-12-31,1999-12-31,x,2000-02-29\n")
    #expect(numbers(t, "d").map { $0.isNaN ? -99 : $0 } == [1, -99, -1])
    #expect(t.unit(ofColumn: 0) == "days since 1970-01-01")
    let day2000 = Double(CalendarDate.days("2000-03-01")!)
    #expect(day2000 == 11_017)
    #expect(numbers(t, "dt") == [day2000 * 86_400 + 43_200, day2000 * 86_400 + 30.5, (day2000 - 61) * 86_400],
            "a date among date-times is midnight")
    #expect(t.unit(ofColumn: 1) == "seconds since 1970-01-01 00:00")
    #expect(categories(t, "bad").levels == ["2021-01-01", "2021-02-29", "x"], "2021-02-29 is no date: the column stays text")
    let leap = numbers(t, "leap")
    #expect(leap[0] == 18_321 && leap[1].isNaN && leap[2] == 11_016)
    #expect(CalendarDate.format(days: 18_321) == "2020-02-29" && CalendarDate.format(days: -1) == "1969-12-31")
    #expect(CalendarDate.unit("days since 1960-01-01") == CalendarDate.Unit(daysPerUnit: 1, epoch: -3653))
  }

  @Test("CRLF line ends, UTF-8 byte-order mark, no final newline")
  func lineEnds() throws {
    let t = try read("\u{FEFF}time,status\r\n1,0\r\n2,1")
    #expect(t.names == ["time", "status"])
    #expect(numbers(t, "time") == [1, 2])
    #expect(numbers(t, "status") == [0, 1])
  }

  @Test("missing values: empty, NA, '.', NaN; typing: numeric unless some value is text")
  func missingAndTypes() throws {
    let t = try read("a,b,c,d\n1,x,,NA\n.,y,2,NA\nNA,NA,NaN,\n 4 ,\"5\",3e2,\n")
    #expect(numbers(t, "a").map { $0.isNaN ? -1 : $0 } == [1, -1, -1, 4])
    #expect(categories(t, "b").levels == ["5", "x", "y"])
    #expect(categories(t, "b").values == ["x", "y", nil, "5"])
    #expect(numbers(t, "c").map { $0.isNaN ? -1 : $0 } == [-1, 2, -1, 300])
    #expect(numbers(t, "d").allSatisfy { $0.isNaN }, "an all-missing column is numeric and missing")
  }

  @Test("a column of numbers that turns to text late is categorical with the original spelling")
  func secondPass() throws {
    var text = "id,grade\n"
    for i in 0..<100_000 { text += "\(i),0\(i % 3)\n" }
    text += "100000,high\n"
    let t = try read(text)
    let grade = categories(t, "grade")
    #expect(grade.levels == ["00", "01", "02", "high"], "levels keep '01', not the number 1")
    #expect(grade.values.last == "high")
    guard case .categorical(let c)? = t.column(named: "grade") else { return }
    #expect(c.firstNonNumeric?.line == 100_002)
    #expect(c.firstNonNumeric?.text == "high")
  }

  @Test("levels sort in byte order (C locale), not by Unicode collation")
  func byteOrder() throws {
    let t = try read("g\nb\nB\nä\na\n")
    #expect(categories(t, "g").levels == ["B", "a", "b", "ä"])
  }

  @Test("TSV by extension; records spanning the 1 MiB read buffer")
  func tsvAndLargeRecords() throws {
    let t = try read("x\ty\n1\t\"tab\there\"\n", delimiter: .tab)
    #expect(categories(t, "y").values == ["tab\there"])
    #expect(CSVReader.Delimiter.forPath("a.TSV") == .tab)
    let long = String(repeating: "z", count: 3_000_000)
    let big = try read("a,b\n1,\(long)\n2,w\n")
    #expect(big.rowCount == 2)
    #expect(categories(big, "b").values.last == "w")
  }

  @Test("blank lines are skipped; empty header names become X, X.1 as R")
  func blanksAndNames() throws {
    let t = try read(",a,\n\n1,2,3\n\n")
    #expect(t.names == ["X", "a", "X.1"])
    #expect(t.rowCount == 1)
  }

  @Test("numbers parse exactly as strtod: Clinger fast path and slow path agree")
  func numberParsing() throws {
    let samples = ["0.1", "0.3", "1e-300", "123456789012345678", "2.2250738585072014e-308", "0.30000000000000004",
                   "-17.1553730321697", "365.25", "1.7976931348623157e308", "4.9e-324", "99999999999999999999",
                   "0.000001", "-0", "+5", "1.", ".5", "-Inf", "Inf"]
    let t = try read("v\n" + samples.joined(separator: "\n") + "\n")
    let got = numbers(t, "v")
    for (text, value) in zip(samples, got) {
      #expect(value == strtod(text, nil), "\(text)")
    }
  }
}

@Suite("CSV reader errors: file:line:column and what was expected")
struct CSVReaderErrorTests {
  @Test("ragged row")
  func ragged() {
    expectInputError("a,b\n1,2\n3\n", "t.csv:3:1: expected 2 fields as in the header, found 1")
    expectInputError("a,b\n1,2,3\n", "t.csv:2:3: expected 2 fields as in the header, found 3")
  }

  @Test("unterminated quote names the line where the field starts")
  func unterminated() {
    expectInputError("a,b\n1,\"open\n2,3\n", "t.csv:2:2: unterminated quoted field, expected a closing '\"' before the end of the file")
  }

  @Test("text after a closing quote")
  func afterQuote() {
    expectInputError("a\n\"x\"y\n", "t.csv:2:1: unexpected character \"y\" after a closing quote, expected a delimiter or the end of the line")
  }

  @Test("empty file, duplicate names, invalid UTF-8")
  func others() {
    expectInputError("", "t.csv: file is empty, expected a header line")
    expectInputError("\n\n", "t.csv: file is empty, expected a header line")
    expectInputError("a,a\n1,2\n", "t.csv:1:2: duplicate column name \"a\", expected unique names")
    do {
      _ = try CSVReader.read(bytes: Array("a\n".utf8) + [0xFF, 0x0A], source: "t.csv")
      Issue.record("expected an error")
    } catch let error as InputError {
      #expect(error.description == "t.csv:2:1: text is not valid UTF-8, expected a UTF-8 encoded file")
    } catch { Issue.record("\(error)") }
  }

  @Test("a missing file and a directory")
  func files() {
    #expect(throws: InputError(InputLocation(source: "no/such.csv"), "cannot open: No such file or directory")) {
      try CSVReader.read(path: "no/such.csv")
    }
    #expect(throws: InputError(InputLocation(source: "/tmp"), "cannot read: is a directory, expected a data file")) {
      try CSVReader.read(path: "/tmp")
    }
  }

  @Test("the bundled data sets read with the expected shapes")
  func bundled() throws {
    let lung = try CSVReader.read(path: repositoryPath("Datasets/lung.csv"))
    #expect(lung.rowCount == 228)
    #expect(lung.names.count == 10)
    #expect(numbers(lung, "wt.loss").filter(\.isNaN).count == 14)
    let aml = try CSVReader.read(path: repositoryPath("Datasets/aml.csv"))
    #expect(categories(aml, "x").levels == ["Maintained", "Nonmaintained"])
  }
}

@Suite("R's as.character for numbers")
struct RNumberTextTests {
  @Test("15 significant digits, fixed unless scientific is narrower, as R 4.2")
  func format() {
    #expect(RNumberText.format(1) == "1")
    #expect(RNumberText.format(0.5) == "0.5")
    #expect(RNumberText.format(365.25) == "365.25")
    #expect(RNumberText.format(100000) == "1e+05")
    #expect(RNumberText.format(123456) == "123456")
    #expect(RNumberText.format(0.0001) == "1e-04")
    #expect(RNumberText.format(0.1 + 0.2) == "0.3")
    #expect(RNumberText.format(-2.5) == "-2.5")
    #expect(RNumberText.format(1.0 / 3.0) == "0.333333333333333")
  }
}

@Suite("CSV reader: binary and endless input")
struct CSVBinaryInputTests {
  @Test("/dev/zero and a file with NUL bytes end at once with one error, never a hang")
  func binary() throws {
    #expect(throws: InputError(InputLocation(source: "/dev/zero"), "holds NUL bytes (binary data), expected a delimited text file")) {
      try CSVReader.read(path: "/dev/zero")
    }
    #expect(throws: InputError(InputLocation(source: "b.csv"), "holds NUL bytes (binary data), expected a delimited text file")) {
      try CSVReader.read(bytes: [0x61, 0x2C, 0x62, 0x0A, 0x31, 0x00, 0x0A], source: "b.csv")
    }
  }
}

@Suite("Whole-file reader: specs, claims files, manuscripts")
struct WholeFileTests {
  @Test("a file's bytes and text; a directory, a missing file, invalid UTF-8 and an endless source are errors naming the path")
  func wholeFile() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("outcomes-whole-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let text = String(repeating: "é, 0.5\n", count: 200_000)   // 1.6 MB: more than one chunk
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    #expect(try WholeFile.text(path: path, what: "the manuscript") == text)
    #expect(throws: InputError(InputLocation(source: path), "the manuscript is larger than 1 MiB, expected a smaller file")) {
      try WholeFile.bytes(path: path, what: "the manuscript", limit: 1 << 20)
    }
    #expect(throws: InputError(InputLocation(source: "/dev/zero"), "the manuscript is larger than 1 MiB, expected a smaller file")) {
      try WholeFile.bytes(path: "/dev/zero", what: "the manuscript", limit: 1 << 20)
    }
    #expect(throws: InputError(InputLocation(source: "/tmp"), "cannot read the report spec: is a directory, expected a file")) {
      try WholeFile.text(path: "/tmp", what: "the report spec")
    }
    #expect(throws: InputError(InputLocation(source: "/nonexistent/x.yaml"), "cannot open the claims file: No such file or directory")) {
      try WholeFile.text(path: "/nonexistent/x.yaml", what: "the claims file")
    }
    try Data([0x61, 0xff, 0x62]).write(to: URL(fileURLWithPath: path))
    #expect(throws: InputError(InputLocation(source: path), "the claims file is not valid UTF-8, expected UTF-8 text")) {
      try WholeFile.text(path: path, what: "the claims file")
    }
  }
}
