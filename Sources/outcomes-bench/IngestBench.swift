// outcomes-bench ingest: reading CSV as a user's analysis does, beside
// data.table::fread and pandas.read_csv on the same files in the same run.
//
//   outcomes-bench ingest [--rows 1000000] [--dir bench-data] [--repeat 3] [--no-peers]
//
// Files: the Cox benchmark's 10⁶ × 20 file (23 columns, 215 MB) and a
// 25-column file (the same with two text columns) of which a formula uses 3.
// Every reader runs in a fresh process; the time is the read alone (each
// process measures its own), the memory the peak resident size against the
// parsed columns.

import Foundation
import Tabular

struct IngestArguments {
  var rows = 1_000_000
  var directory = "bench-data"
  var repeats = 3
  var peers = true

  init(_ arguments: [String]) {
    var args = arguments
    while !args.isEmpty {
      let a = args.removeFirst()
      switch a {
      case "--rows": rows = Int(args.removeFirst())!
      case "--dir": directory = args.removeFirst()
      case "--repeat": repeats = Int(args.removeFirst())!
      case "--no-peers": peers = false
      default:
        FileHandle.standardError.write(Data("usage: outcomes-bench ingest [--rows N] [--dir DIR] [--repeat K] [--no-peers]\n".utf8))
        exit(2)
      }
    }
  }
}

/// The 25-column file: the Cox file's columns, then `arm` (A/B) and `site` (s1–s12).
func writeWideData(path: String, from cox: String) throws {
  let input = try String(contentsOfFile: cox, encoding: .utf8)
  var out = ""
  out.reserveCapacity(input.utf8.count + input.utf8.count / 8)
  var i = 0
  for line in input.split(separator: "\n", omittingEmptySubsequences: true) {
    out += line
    out += i == 0 ? ",arm,site\n" : (i % 2 == 0 ? ",A,s" : ",B,s") + (i == 0 ? "" : "\(i % 12 + 1)\n")
    i += 1
  }
  try out.write(toFile: path, atomically: true, encoding: .utf8)
}

/// Child mode: `outcomes-bench ingest-once PATH [COLUMNS|-] [PARTS]`; prints
/// `seconds rows parsed_bytes peak_rss baseline_rss`.
func ingestOnce(_ arguments: [String]) throws {
  let columns = arguments.count > 1 && arguments[1] != "-" ? Set(arguments[1].split(separator: ",").map(String.init)) : nil
  let parts = arguments.count > 2 ? Int(arguments[2]) : nil
  let before = peakResidentBytes()
  let start = now()
  // Parts 0: the parallel reader's path in one part (each column written in place).
  let table = try parts == 0 ? CSVReader.readInParts(path: arguments[0], columns: columns, parts: 1)!
                             : CSVReader.read(path: arguments[0], columns: columns, parts: parts)
  let seconds = now() - start
  var parsed = 0
  for c in table.columns {
    switch c {
    case .numeric(let n): parsed += n.values.count * 8
    case .categorical(let k): parsed += k.codes.count * 4
    }
  }
  print(seconds, table.rowCount, parsed, Int(peakResidentBytes()), Int(before))
}

func ingestBench(_ arguments: [String]) throws {
  let args = IngestArguments(arguments)
  try FileManager.default.createDirectory(atPath: args.directory, withIntermediateDirectories: true)
  let cox = "\(args.directory)/cox-continuous-\(args.rows).csv"
  if !FileManager.default.fileExists(atPath: cox) { try writeCoxData(path: cox, rows: args.rows, tied: false) }
  let wide = "\(args.directory)/wide-\(args.rows).csv"
  if !FileManager.default.fileExists(atPath: wide) { try writeWideData(path: wide, from: cox) }
  let selfPath = CommandLine.arguments[0]
  let threads = ProcessInfo.processInfo.activeProcessorCount
  func megabytes(_ path: String) -> Double {
    Double((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) / 1e6
  }

  struct Row { var reader: String; var file: String; var columns: String; var seconds: Double; var memory: String }
  var rows: [Row] = []
  func ours(_ label: String, _ path: String, columns: String?, parts: Int?) {
    var best = Double.infinity
    var memory = ""
    for _ in 0..<args.repeats {
      let r = shell("'\(selfPath)' ingest-once '\(path)' \(columns ?? "-") \(parts.map(String.init) ?? "")")
      let f = r.output.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Double($0) }
      guard f.count == 5 else { continue }
      best = min(best, f[0])
      memory = "\(fmt((f[3] - f[4]) / 1e6)) MB (\(String(format: "%.2f", (f[3] - f[4]) / f[2]))× parsed)"
    }
    rows.append(Row(reader: label, file: (path as NSString).lastPathComponent, columns: columns ?? "all", seconds: best, memory: memory))
  }
  let three = "time,status,x1"
  ours("outcomes, 1 thread", cox, columns: nil, parts: 1)
  ours("outcomes, \(threads) threads", cox, columns: nil, parts: nil)
  ours("outcomes, 1 thread", wide, columns: nil, parts: 1)
  ours("outcomes, \(threads) threads", wide, columns: nil, parts: nil)
  ours("outcomes, 1 thread", wide, columns: three, parts: 1)
  ours("outcomes, \(threads) threads", wide, columns: three, parts: nil)

  if args.peers && shell("Rscript -e 'library(data.table)' 2>/dev/null").status == 0 {
    func fread(_ path: String, threads: Int, select: String?) {
      let sel = select.map { ", select = c(" + $0.split(separator: ",").map { "'\($0)'" }.joined(separator: ",") + ")" } ?? ""
      var best = Double.infinity
      for _ in 0..<args.repeats {
        let r = shell("Rscript -e \"suppressPackageStartupMessages(library(data.table)); t0 <- proc.time()[['elapsed']]; d <- fread('\(path)', nThread = \(threads)\(sel)); cat(proc.time()[['elapsed']] - t0)\"")
        if let s = Double(r.output.trimmingCharacters(in: .whitespacesAndNewlines)) { best = min(best, s) }
      }
      rows.append(Row(reader: "fread, \(threads) thread\(threads == 1 ? "" : "s")", file: (path as NSString).lastPathComponent,
                      columns: select ?? "all", seconds: best, memory: ""))
    }
    fread(cox, threads: 1, select: nil)
    fread(cox, threads: threads, select: nil)
    fread(wide, threads: threads, select: nil)
    fread(wide, threads: threads, select: three)
  }
  let python = ProcessInfo.processInfo.environment["BENCH_PYTHON"] ?? "python3"
  if args.peers && shell("\(python) -c 'import pandas' 2>/dev/null").status == 0 {
    func pandas(_ path: String, usecols: String?) {
      let use = usecols.map { ", usecols=[" + $0.split(separator: ",").map { "'\($0)'" }.joined(separator: ",") + "]" } ?? ""
      var best = Double.infinity
      for _ in 0..<args.repeats {
        let r = shell("\(python) -c \"import time, pandas as pd; t0 = time.perf_counter(); d = pd.read_csv('\(path)'\(use)); print(time.perf_counter() - t0)\"")
        if let s = Double(r.output.trimmingCharacters(in: .whitespacesAndNewlines)) { best = min(best, s) }
      }
      rows.append(Row(reader: "pandas.read_csv", file: (path as NSString).lastPathComponent, columns: usecols ?? "all",
                      seconds: best, memory: ""))
    }
    pandas(cox, usecols: nil)
    pandas(wide, usecols: three)
  }

  print("| reader | file | columns parsed | seconds (best of \(args.repeats)) | MB/s | peak memory above start |")
  print("| --- | --- | --- | ---: | ---: | --- |")
  for r in rows {
    let size = megabytes("\(args.directory)/\(r.file)")
    print("| \(r.reader) | \(r.file) (\(Int(size.rounded())) MB) | \(r.columns) | \(fmt(r.seconds)) | \(Int((size / r.seconds).rounded())) | \(r.memory) |")
  }
}
