import Foundation
import Tabular

/// SAS transport (XPORT) version 5 files, decoded directly: ReadStat reads
/// them through one callback per value and takes three times as long as
/// reading the same data as CSV, so the hot path (fixed-width records of IBM
/// floating-point numbers and blank-padded strings) is done here on the raw
/// bytes; version 8 files and anything unusual go to ReadStat. The layout is
/// SAS Technical Support document TS-140: 80-byte header records, one
/// 140-byte NAMESTR per variable, then the observations back to back, the
/// file padded with blanks to a multiple of 80 bytes. Only the first member
/// of a library is read (as ReadStat does).
///
/// Numbers are IBM hexadecimal floating point (sign, base-16 exponent biased
/// by 64, 56-bit fraction), converted exactly for every value that came from
/// an IEEE double; missing values (`.`, `.A`–`.Z`, `._`) are the missing
/// code followed by zero bytes.
enum XPortReader {
  struct Unsupported: Error {}

  struct Variable {
    var isNumeric: Bool
    var length: Int
    var position: Int
    var name: String
    var label: String?
    var format: String?
  }

  /// The table, or `Unsupported` for a file this reader leaves to ReadStat.
  static func read(path: String) throws -> Table {
    // FileManager.contents(atPath:) leaks its buffer for an empty file
    // (LeakSanitizer, found by fuzzing): an empty file never reaches it.
    guard let size = fileSize(path), size >= 80 * 8, let data = FileManager.default.contents(atPath: path) else { throw Unsupported() }
    return try data.withUnsafeBytes { raw -> Table in
      let bytes = raw.bindMemory(to: UInt8.self)
      return try parse(bytes, source: path)
    }
  }

  static func text(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> String {
    var end = start + count
    while end > start && (b[end - 1] == 0x20 || b[end - 1] == 0) { end -= 1 }
    return String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self)
  }

  static func int16(_ b: UnsafeBufferPointer<UInt8>, _ at: Int) -> Int { Int(b[at]) << 8 | Int(b[at + 1]) }
  static func int32(_ b: UnsafeBufferPointer<UInt8>, _ at: Int) -> Int {
    Int(b[at]) << 24 | Int(b[at + 1]) << 16 | Int(b[at + 2]) << 8 | Int(b[at + 3])
  }

  static func parse(_ b: UnsafeBufferPointer<UInt8>, source: String) throws -> Table {
    guard b.count >= 80 * 8, text(b, 0, 20) == "HEADER RECORD*******", text(b, 20, 14) == "LIBRARY HEADER" else { throw Unsupported() }
    // Library header (3 records), member header (4 records: member, descriptor, 2 of data).
    let member = 80 * 3
    guard text(b, member, 34).hasSuffix("MEMBER  HEADER") else { throw Unsupported() }
    let namestrLength = Int(text(b, member + 74, 4)) ?? 140
    guard namestrLength == 140 else { throw Unsupported() }  // VAX/VMS 136-byte NAMESTRs: ReadStat
    let namestrHeader = member + 80 * 4
    guard text(b, namestrHeader, 34).hasSuffix("NAMESTR HEADER"), let count = Int(text(b, namestrHeader + 54, 4)), count > 0 else {
      throw Unsupported()
    }
    var variables: [Variable] = []
    var at = namestrHeader + 80
    for _ in 0..<count {
      guard at + 140 <= b.count else { throw Unsupported() }
      let type = int16(b, at)
      let length = int16(b, at + 4)
      let name = text(b, at + 8, 8)
      let label = text(b, at + 16, 40)
      let format = text(b, at + 56, 8)
      let position = int32(b, at + 84)
      guard type == 1 || type == 2, length > 0, !name.isEmpty else { throw Unsupported() }
      if type == 1 && !(2...8).contains(length) { throw Unsupported() }
      variables.append(Variable(isNumeric: type == 1, length: length, position: position, name: name,
                                label: label.isEmpty ? nil : label, format: format.isEmpty ? nil : format))
      at += 140
    }
    at = (at + 79) / 80 * 80
    guard at + 80 <= b.count, text(b, at, 34).hasSuffix("OBS     HEADER") else { throw Unsupported() }
    let start = at + 80
    let width = variables.reduce(0) { max($0, $1.position + $1.length) }
    guard width > 0 else { throw Unsupported() }
    var rows = (b.count - start) / width
    // The file is padded with blanks to a multiple of 80: a last record of
    // blanks that ends inside the padding is not an observation.
    while rows > 0 {
      let last = start + (rows - 1) * width
      if b.count - last < 80 + width && (last..<(last + width)).allSatisfy({ b[$0] == 0x20 }) { rows -= 1 } else { break }
    }
    var columns: [Column] = []
    for v in variables {
      if v.isNumeric {
        var values = [Double](repeating: 0, count: rows)
        values.withUnsafeMutableBufferPointer { out in
          for r in 0..<rows { out[r] = ibm(b, start + r * width + v.position, v.length) }
        }
        columns.append(.numeric(NumericColumn(values: values)))
      } else {
        var dictionary = LevelDictionary()
        var codes = [Int32](repeating: -1, count: rows)
        for r in 0..<rows {
          let p = start + r * width + v.position
          var n = v.length
          while n > 0 && (b[p + n - 1] == 0x20 || b[p + n - 1] == 0) { n -= 1 }
          if n == 0 { continue }  // a blank string is missing
          codes[r] = dictionary.code(b.baseAddress! + p, n).code
        }
        // Levels in byte order, as every reader gives them.
        let levels = dictionary.levels.map { String(decoding: $0, as: UTF8.self) }
        let order = levels.indices.sorted { byteOrderPrecedes(levels[$0], levels[$1]) }
        var remap = [Int32](repeating: 0, count: levels.count)
        for (k, i) in order.enumerated() { remap[i] = Int32(k) }
        for r in 0..<rows where codes[r] >= 0 { codes[r] = remap[Int(codes[r])] }
        columns.append(.categorical(CategoricalColumn(levels: order.map { levels[$0] }, codes: codes)))
      }
    }
    var table = Table(source: source, names: variables.map(\.name), columns: columns)
    table.variableLabels = variables.map(\.label)
    table.units = variables.map { ReadContext.unit(format: $0.format, file: .xport) }
    table.rowsAreRecords = true
    return table
  }

  /// An IBM hexadecimal floating-point number of `length` bytes (big-endian,
  /// missing when the first byte is a missing code and the rest are zero).
  @inline(__always)
  static func ibm(_ b: UnsafeBufferPointer<UInt8>, _ at: Int, _ length: Int) -> Double {
    let first = b[at]
    var fraction: UInt64 = 0
    for k in 1..<8 { fraction = fraction << 8 | (k < length ? UInt64(b[at + k]) : 0) }
    if fraction == 0 {
      if first == 0x2E || first == 0x5F || (first >= 0x41 && first <= 0x5A) { return .nan }
      return 0
    }
    let exponent = Int(first & 0x7F) - 64
    let magnitude = Double(fraction) * Double(sign: .plus, exponent: 4 * exponent - 56, significand: 1)
    return first & 0x80 != 0 ? -magnitude : magnitude
  }
}
