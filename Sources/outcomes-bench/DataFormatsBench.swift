import DataFiles
import Foundation
import Tabular

/// `outcomes-bench formats [--rows N]`: loading the same table from CSV and
/// from a SAS transport (XPORT v5) file, in this process, best of three. The
/// target: the XPORT load within 2× of the CSV load. The files are written
/// here: the CSV as text, the XPORT file with IEEE doubles converted to IBM
/// floating point (exactly) by `writeXPort`.
func dataFormatsBench(_ arguments: [String]) throws {
  var rows = 1_000_000
  if let i = arguments.firstIndex(of: "--rows"), i + 1 < arguments.count, let n = Int(arguments[i + 1]) { rows = n }
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent("outcomes-bench-formats-\(getpid())")
  try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: dir) }
  var generator = SplitMix(seed: 1)
  var time = [Double](), status = [Double](), age = [Double](), arm = [String]()
  for _ in 0..<rows {
    time.append((generator.uniform() * 5000).rounded() / 10)
    status.append(generator.uniform() < 0.7 ? 1 : 0)
    age.append((40 + generator.uniform() * 40).rounded())
    arm.append(generator.uniform() < 0.5 ? "A" : "B")
  }
  var csv = "time,status,age,arm\n"
  for i in 0..<rows { csv += "\(time[i]),\(Int(status[i])),\(Int(age[i])),\(arm[i])\n" }
  let csvPath = dir.appendingPathComponent("data.csv").path
  try csv.write(toFile: csvPath, atomically: false, encoding: .utf8)
  let xptPath = dir.appendingPathComponent("data.xpt").path
  try writeXPort(path: xptPath, numeric: [("TIME", time), ("STATUS", status), ("AGE", age)], strings: [("ARM", arm, 1)])
  func best(_ body: () throws -> Table) rethrows -> (Double, Table) {
    var times: [Double] = []
    var table: Table? = nil
    for _ in 0..<3 {
      let t0 = DispatchTime.now().uptimeNanoseconds
      table = try body()
      times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }
    return (times.min()!, table!)
  }
  let (csvTime, a) = try best { try DataFiles.read(path: csvPath) }
  let (xptTime, b) = try best { try DataFiles.read(path: xptPath) }
  let (readstatTime, _) = try best { try StatFileReaderBench.readStat(xptPath) }
  guard a.rowCount == rows, b.rowCount == rows else { throw BenchError("row counts differ") }
  if case .numeric(let x)? = a.column(named: "time"), case .numeric(let y)? = b.column(named: "TIME"), x.values != y.values {
    throw BenchError("the XPORT values differ from the CSV's")
  }
  print("rows: \(rows)")
  print(String(format: "CSV load:                      %.3f s", csvTime))
  print(String(format: "XPORT load (direct decoder):   %.3f s  (%.2f× the CSV load; target ≤ 2×)", xptTime, xptTime / csvTime))
  print(String(format: "XPORT load (ReadStat callbacks): %.3f s  (%.2f×)", readstatTime, readstatTime / csvTime))
}

struct BenchError: Error, CustomStringConvertible {
  var description: String
  init(_ d: String) { description = d }
}

enum StatFileReaderBench {
  static func readStat(_ path: String) throws -> Table {
    try StatFileReader.readThroughReadStat(path: path, format: .xport)
  }
}

/// A small deterministic generator (SplitMix64).
struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// Writes an XPORT v5 file (one member) with numeric and character variables.
func writeXPort(path: String, numeric: [(String, [Double])], strings: [(String, [String], Int)]) throws {
  func record(_ s: String) -> [UInt8] {
    var b = Array(s.utf8.prefix(80))
    b += [UInt8](repeating: 0x20, count: 80 - b.count)
    return b
  }
  func padded(_ s: String, _ n: Int) -> [UInt8] {
    var b = Array(s.utf8.prefix(n))
    b += [UInt8](repeating: 0x20, count: n - b.count)
    return b
  }
  var out: [UInt8] = []
  out += record("HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!000000000000000000000000000000")
  out += record("SAS     SAS     SASLIB  9.4     Linux                           01JAN26:00:00:00")
  out += record("01JAN26:00:00:00")
  out += record("HEADER RECORD*******MEMBER  HEADER RECORD!!!!!!!000000000000000001600000000140")
  out += record("HEADER RECORD*******DSCRPTR HEADER RECORD!!!!!!!000000000000000000000000000000")
  out += record("SAS     DATA    SASDATA 9.4     Linux                           01JAN26:00:00:00")
  out += record("01JAN26:00:00:00")
  let count = numeric.count + strings.count
  out += record("HEADER RECORD*******NAMESTR HEADER RECORD!!!!!!!000000" + String(format: "%04d", count) + "00000000000000000000")
  var position = 0
  var layout: [(isNumeric: Bool, index: Int, length: Int, position: Int)] = []
  func namestr(type: Int, length: Int, number: Int, name: String, position: Int) -> [UInt8] {
    var b = [UInt8](repeating: 0, count: 140)
    b[0] = UInt8(type >> 8); b[1] = UInt8(type & 0xFF)
    b[4] = UInt8(length >> 8); b[5] = UInt8(length & 0xFF)
    b[6] = UInt8(number >> 8); b[7] = UInt8(number & 0xFF)
    b.replaceSubrange(8..<16, with: padded(name, 8))
    b.replaceSubrange(16..<56, with: padded("", 40))
    b.replaceSubrange(56..<64, with: padded("", 8))
    b.replaceSubrange(72..<80, with: padded("", 8))
    for k in 0..<4 { b[84 + k] = UInt8((position >> (8 * (3 - k))) & 0xFF) }
    return b
  }
  var names: [UInt8] = []
  for (k, (name, _)) in numeric.enumerated() {
    names += namestr(type: 1, length: 8, number: k + 1, name: name, position: position)
    layout.append((true, k, 8, position)); position += 8
  }
  for (k, (name, _, length)) in strings.enumerated() {
    names += namestr(type: 2, length: length, number: numeric.count + k + 1, name: name, position: position)
    layout.append((false, k, length, position)); position += length
  }
  names += [UInt8](repeating: 0x20, count: (80 - names.count % 80) % 80)
  out += names
  out += record("HEADER RECORD*******OBS     HEADER RECORD!!!!!!!000000000000000000000000000000")
  let rows = numeric.first?.1.count ?? strings.first?.1.count ?? 0
  out.reserveCapacity(out.count + rows * position + 80)
  for r in 0..<rows {
    for l in layout {
      if l.isNumeric { out += ibmBytes(numeric[l.index].1[r]) } else { out += padded(strings[l.index].1[r], l.length) }
    }
  }
  out += [UInt8](repeating: 0x20, count: (80 - out.count % 80) % 80)
  try Data(out).write(to: URL(fileURLWithPath: path))
}

/// IEEE double → IBM hexadecimal floating point (exact: 53 bits fit in 56).
func ibmBytes(_ x: Double) -> [UInt8] {
  if x.isNaN { return [0x2E, 0, 0, 0, 0, 0, 0, 0] }
  if x == 0 { return [UInt8](repeating: 0, count: 8) }
  let sign: UInt8 = x < 0 ? 0x80 : 0
  var m = x.magnitude.significandBitPattern | (1 << 52)  // 53-bit integer significand
  var e2 = Int(x.magnitude.exponent) - 52  // x = m × 2^e2
  // IBM: fraction (56 bits) × 16^(e16 − 64) / 2^56; make e2 + 56 a multiple of 4.
  var shift = 56 - 53  // place m in 56 bits
  while (e2 - shift + 56) % 4 != 0 { shift -= 1 }
  if shift >= 0 { m <<= UInt64(shift) } else { m >>= UInt64(-shift) }
  e2 -= shift
  let e16 = (e2 + 56) / 4 + 64
  var b: [UInt8] = [sign | UInt8(e16 & 0x7F)]
  for k in (0..<7).reversed() { b.append(UInt8((m >> UInt64(8 * k)) & 0xFF)) }
  return b
}
