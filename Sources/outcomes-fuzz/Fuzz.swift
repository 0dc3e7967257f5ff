// outcomes-fuzz: a libFuzzer target for the data readers' Swift side and
// the text front ends.
//
//   Tests/Fuzz/fuzz-readers.sh           (builds with -sanitize=fuzzer and runs each target)
//   .build/debug/outcomes-fuzz FILE...   (a normal build replays inputs)
//
// OUTCOMES_FUZZ_FORMAT chooses the target: the readers csv, csv-parts (a
// file read in parallel parts must be the one-pass table), xpt, sas7bdat,
// dta, sav or sqlite; or formula (the model formula parser and a model frame
// over a small table), where (the --where parser and filter), spec (a report
// spec's YAML), claims (a claims file's YAML), manuscript (the statistics
// scanner of check --manuscript).

import Check
import DataFiles
import Foundation
import ModelFrame
import Reports
import Tabular

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  FuzzTarget.run(Array(UnsafeBufferPointer(start: data, count: size)))
  return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
               _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

/// SwiftPM links an executable's entry point under this name; it hands
/// control to libFuzzer's driver.
@_cdecl("outcomes_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
  var count = argc
  var arguments = argv
  return runDriver(&count, &arguments, { data, size in fuzzOne(data, size) })
}
#else
@main
struct Replay {
  static func main() {
    for path in CommandLine.arguments.dropFirst() {
      guard let data = FileManager.default.contents(atPath: path) else { continue }
      FuzzTarget.run([UInt8](data))
      print("replayed \(path)")
    }
  }
}
#endif

enum FuzzTarget {
  static let format = ProcessInfo.processInfo.environment["OUTCOMES_FUZZ_FORMAT"] ?? "xpt"
  static let path = NSTemporaryDirectory() + "outcomes-fuzz-\(getpid()).\(format)"

  /// Reads the bytes as the chosen format; errors are the expected outcome,
  /// crashes are the findings.
  static func run(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    switch format {
    case "formula":
      if let formula = try? Formula.parse(text) {
        var options = ModelFrame.Options(requiresSurvivalResponse: false, strataInteractions: true, basisTerms: true)
        options.offsets = true
        _ = try? ModelFrame.build(formula: formula, table: sample, options: options)
      }
      return
    case "where":
      if let filter = try? RowFilter(text) { _ = try? filter.rows(in: sample) }
      return
    case "spec":
      _ = try? ReportSpec.parse(text, path: "fuzz.yaml")
      return
    case "claims":
      _ = try? ClaimsFile.parse(text, path: "fuzz.yaml")
      return
    case "manuscript":
      _ = ManuscriptCheck.check(text)
      return
    default: break
    }
    if format == "csv" {
      if let table = try? CSVReader.read(bytes: bytes, source: "fuzz.csv") { touch(table) }
      return
    }
    if format == "csv-parts" {
      partsAgree(bytes)
      return
    }
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return }
    if format == "sqlite" {
      _ = try? DataFiles.read(path: path, query: "SELECT * FROM sqlite_master")
    } else if let table = try? DataFiles.read(path: path) {
      touch(table)
    }
  }

  /// Differential: a file read in 2 and 3 parallel parts, and with a
  /// projection, must be the one-pass table (or the same error); a
  /// difference is a finding (a trap, so libFuzzer keeps the input).
  static func partsAgree(_ bytes: [UInt8]) {
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return }
    func outcome(_ columns: Set<String>?, _ parts: Int) -> String {
      do { return try CSVReader.read(path: path, columns: columns, parts: parts).canonicalDescription } catch { return "\(error)" }
    }
    let names = (try? CSVReader.read(path: path, parts: 1).names) ?? []
    for columns in [nil, Set(names.enumerated().filter { $0.offset % 2 == 0 }.map(\.element))] {
      let one = outcome(columns, 1)
      for parts in [2, 3] where outcome(columns, parts) != one {
        fatalError("a read in \(parts) parts differs from one pass")
      }
    }
  }

  /// A small table for formulas and filters to run on: numbers, text, missing values.
  static let sample: Table = {
    let csv = "time,status,age,sex,arm,wt,start\n5,1,61,1,a,70.5,0\n8,0,44,2,b,NA,1\n3,1,70,1,b,80,0\n12,1,55,2,a,66,2\n"
    return try! CSVReader.read(bytes: Array(csv.utf8), source: "sample.csv")
  }()

  /// Uses every cell, so a malformed table cannot hide behind laziness.
  static func touch(_ table: Table) {
    var sum = 0.0
    for c in table.columns {
      switch c {
      case .numeric(let n): for v in n.values where v.isFinite { sum += v }
      case .categorical(let k): for code in k.codes where code >= 0 { sum += Double(k.levels[Int(code)].utf8.count) }
      }
    }
    if sum.isNaN { print("") }
  }
}
