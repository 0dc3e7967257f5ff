import Foundation
import Tabular
import Testing
import TestSupport

private func fingerprint(_ t: Table) -> String { t.canonicalDescription }

/// The table, or the error's text.
private func outcome(_ read: () throws -> Table) -> String {
  do { return fingerprint(try read()) } catch { return "error: \(error)" }
}

private func temporaryFile(_ bytes: [UInt8], name: String = "t.csv") throws -> String {
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent("outcomes-parallel-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  let path = dir.appendingPathComponent(name).path
  try Data(bytes).write(to: URL(fileURLWithPath: path))
  return path
}

/// The sequential read of `path` and its parallel reads in 2 to 7 parts
/// agree (tables or errors), with and without a projection.
/// Returns how many of the parallel reads were read in parts (rather than
/// falling back to one pass).
@discardableResult
private func expectParallelAgrees(_ path: String, columns: Set<String>? = nil, sourceLocation: SourceLocation = #_sourceLocation) -> Int {
  let one = outcome { try CSVReader.read(path: path, columns: columns, parts: 1) }
  var inParts = 0
  for parts in 2...7 {
    let many = outcome { try CSVReader.read(path: path, columns: columns, parts: parts) }
    #expect(many == one, "\(path) in \(parts) parts", sourceLocation: sourceLocation)
    if let table = try? CSVReader.readInParts(path: path, columns: columns, parts: parts) {
      inParts += 1
      #expect(fingerprint(table) == one, "\(path) read in \(parts) parts", sourceLocation: sourceLocation)
    }
  }
  return inParts
}

/// A seeded generator for random files (no dependence on the system's).
private struct SplitMix {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

@Suite("CSV reader in parallel parts and with a projection: the sequential reader's table, byte for byte")
struct ParallelCSVReaderTests {
  @Test("every CSV file in the repository: parallel parts give the sequential table")
  func repositoryFiles() throws {
    let root = repositoryRoot.path
    let files = FileManager.default.enumerator(atPath: root)!.compactMap { $0 as? String }
      .filter { ($0.hasSuffix(".csv") || $0.hasSuffix(".tsv")) && !$0.hasPrefix(".build") && !$0.hasPrefix("bench-data") }
    #expect(files.count >= 20)
    var inParts = 0
    for file in files { inParts += expectParallelAgrees(root + "/" + file) }
    #expect(inParts >= files.count * 6 / 2, "most reads are made in parts, not by the fallback")
  }

  @Test("quotes with embedded newlines and delimiters, CRLF, a byte-order mark, blank lines, missing values")
  func awkwardFiles() throws {
    var text = "\u{FEFF}id,name,value,when\r\n"
    for i in 0..<400 {
      let name = i % 7 == 0 ? "\"multi\nline, \"\"quoted\"\" \(i)\"" : (i % 5 == 0 ? "" : "n\(i % 13)")
      let value = i % 11 == 0 ? "NA" : (i % 3 == 0 ? "\(Double(i) / 8)" : "\(i)")
      text += "\(i),\(name),\(value),2021-03-\(String(format: "%02d", i % 28 + 1))\r\n"
      if i % 50 == 0 { text += "\r\n" }
    }
    let path = try temporaryFile(Array(text.utf8))
    #expect(expectParallelAgrees(path) >= 4)
    expectParallelAgrees(path, columns: ["value", "when"])
    let table = try CSVReader.read(path: path, parts: 3)
    #expect(table.rowCount == 400)
    #expect(table.unit(ofColumn: 3) != nil, "dates read as dates in every part")
  }

  @Test("a column that turns from numbers to text in a later part is categorical, with the first text's line")
  func typeChangesAcrossParts() throws {
    var text = "a,b,c\n"
    for i in 0..<3000 { text += "\(i),\(i % 4),x\(i % 3)\n" }
    text += "3000,late text,x0\n"
    for i in 3001..<3100 { text += "\(i),\(i % 4),\n" }
    let path = try temporaryFile(Array(text.utf8))
    #expect(expectParallelAgrees(path) == 6)
    let table = try CSVReader.read(path: path, parts: 4)
    guard case .categorical(let b)? = table.column(named: "b") else {
      Issue.record("b should be categorical")
      return
    }
    #expect(b.levels == ["0", "1", "2", "3", "late text"])
    #expect(b.firstNonNumeric?.line == 3002)
    #expect(b.firstNonNumeric?.text == "late text")
  }

  @Test("errors in a later part are the sequential reader's error, at the same line and column")
  func errorsInLaterParts() throws {
    func file(_ tail: String) -> String {
      var text = "a,b\n"
      for i in 0..<2000 { text += "\(i),\(i * 2)\n" }
      return text + tail
    }
    let cases: [(String, String)] = [
      (file("1,2,3\n4,5\n"), "expected 2 fields as in the header, found 3"),
      (file("1,\"open\n2,3\n"), "unterminated quoted field"),
      (file("1,\"x\"y\n"), "after a closing quote"),
    ]
    for (text, message) in cases {
      let path = try temporaryFile(Array(text.utf8))
      expectParallelAgrees(path)
      let error = outcome { try CSVReader.read(path: path, parts: 3) }
      #expect(error.contains(message), "\(error)")
      #expect(error.contains(":2002:"), "\(error)")
    }
    var invalid = Array(file("").utf8)
    invalid += Array("9,x".utf8) + [0xFF, 0xFE] + Array("\n".utf8)
    let path = try temporaryFile(invalid)
    expectParallelAgrees(path)
    #expect(outcome { try CSVReader.read(path: path, parts: 2) }.contains("not valid UTF-8"))
  }

  @Test("a projection keeps the chosen columns as a full read has them, with their places in the file")
  func projection() throws {
    let path = repositoryPath("Datasets/lung.csv")
    let full = try CSVReader.read(path: path)
    let chosen: Set<String> = ["time", "status", "ph.ecog", "no such column"]
    let projected = try CSVReader.read(path: path, columns: chosen)
    #expect(projected.headerNames == full.names)
    #expect(projected.names == full.names.filter(chosen.contains))
    for (k, name) in projected.names.enumerated() {
      let j = full.columnIndex(named: name)!
      #expect(projected.fileColumn(k) == j + 1)
      let a = Table(source: "a", names: [name], columns: [projected.columns[k]])
      let b = Table(source: "a", names: [name], columns: [full.columns[j]])
      #expect(fingerprint(a) == fingerprint(b), "\(name)")
    }
    #expect(projected.location(row: 3, column: projected.columnIndex(named: "ph.ecog")!).description
            == full.location(row: 3, column: full.columnIndex(named: "ph.ecog")!).description)
  }

  @Test("random files (quotes, line ends, blank lines, types): parallel and projected reads agree with one pass", arguments: 0..<40)
  func randomFiles(seed: Int) throws {
    var random = SplitMix(state: UInt64(seed) &* 7919 &+ 17)
    let columns = 1 + random.below(6)
    let breaks = ["\n", "\r\n", "\r"]
    let lineBreak = breaks[random.below(seed % 5 == 0 ? 3 : 2)]
    var text = (0..<columns).map { "c\($0)" }.joined(separator: ",") + lineBreak
    let rows = 50 + random.below(1500)
    let pieces = ["1", "-2.5", "3e2", "NA", "", ".", "abc", "x y", "0.1", "12345678901234567890", "Inf", "2021-01-02"]
    for _ in 0..<rows {
      var fields: [String] = []
      for _ in 0..<columns {
        var field = pieces[random.below(pieces.count)]
        if random.below(10) == 0 { field = "\"" + field + (random.below(3) == 0 ? "\n,\"\"" : ",") + "\"" }
        fields.append(field)
      }
      text += fields.joined(separator: ",") + lineBreak
      if random.below(40) == 0 { text += lineBreak }
    }
    if random.below(4) == 0 { text.removeLast(lineBreak.count) }
    if seed % 7 == 3 { text += "1,2,3,4,5,6,7" + lineBreak }  // a ragged record at the end
    let path = try temporaryFile(Array(text.utf8))
    let inParts = expectParallelAgrees(path)
    if seed % 7 != 3 && lineBreak != "\r" { #expect(inParts >= 1, "read in parts at least once") }
    let chosen = Set((0..<columns).filter { _ in random.below(2) == 0 }.map { "c\($0)" })
    expectParallelAgrees(path, columns: chosen)
  }

  @Test("more than 64 columns (read into blocks, not in place) and a projection of them")
  func wideFiles() throws {
    var random = SplitMix(state: 5)
    var text = (0..<80).map { "v\($0)" }.joined(separator: ",") + "\n"
    for row in 0..<300 {
      text += (0..<80).map { j in
        if j % 9 == 0 && row == 250 { return "switch" }
        return random.below(12) == 0 ? "NA" : String(random.below(1000)) + (j % 2 == 0 ? ".5" : "")
      }.joined(separator: ",") + "\n"
    }
    let path = try temporaryFile(Array(text.utf8))
    #expect(expectParallelAgrees(path) >= 4)
    expectParallelAgrees(path, columns: Set((0..<80).filter { $0 % 3 == 0 }.map { "v\($0)" }))
  }

  @Test("numbers: the fast path and strtod agree on long mantissas, leading zeros and large exponents")
  func numberEdges() throws {
    var samples = ["9007199254740992", "9007199254740993", "9007199254740991.5", "0000000000000000000001.5",
                   "1234567890123456e-5", "12345678901234567890", "1e22", "1e23", "123e-22", "1.5e-25",
                   "9999999999999999999", "18446744073709551615", "18446744073709551616", "0.1e1", "4503599627370497.5"]
    var random = SplitMix(state: 99)
    for _ in 0..<3000 {
      let digits = 1 + random.below(20)
      var s = random.below(2) == 0 ? "-" : ""
      for d in 0..<digits {
        s += String(random.below(10))
        if d == random.below(digits) && !s.contains(".") { s += "." }
      }
      if random.below(3) == 0 { s += "e\(random.below(60) - 30)" }
      samples.append(s)
    }
    let path = try temporaryFile(Array(("v\n" + samples.joined(separator: "\n") + "\n").utf8))
    let table = try CSVReader.read(path: path)
    guard case .numeric(let c)? = table.column(named: "v") else {
      Issue.record("expected numbers")
      return
    }
    for (text, value) in zip(samples, c.values) {
      #expect(value.bitPattern == strtod(text, nil).bitPattern, "\(text)")
    }
  }
}
