// outcomes-bench km: Kaplan–Meier by group and the log-rank test on a
// synthetic data set of N rows (default 10 million), timed in-process and as
// whole processes, side by side with R (survival + data.table's fread) and,
// when installed, Python's lifelines — in the same run, with the ratios printed.

import Foundation
import ModelFrame
import Survival
import Tabular

#if canImport(Glibc)
import Glibc
#endif

struct KaplanMeierArguments {
  var rows = 10_000_000
  var directory = "bench-data"
  var repeats = 3
  var loadOnly: String?
  var peers = true

  init(_ arguments: [String]) {
    var args = arguments
    while !args.isEmpty {
      let a = args.removeFirst()
      switch a {
      case "--rows": rows = Int(args.removeFirst())!
      case "--dir": directory = args.removeFirst()
      case "--repeat": repeats = Int(args.removeFirst())!
      case "--load-only": loadOnly = args.removeFirst()
      case "--no-peers": peers = false
      default:
        FileHandle.standardError.write(Data("usage: outcomes-bench [--rows N] [--dir DIR] [--repeat K] [--no-peers]\n".utf8))
        exit(2)
      }
    }
  }
}

func now() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func peakResidentBytes() -> Double {
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  return Double(usage.ru_maxrss) * 1024
}

/// Deterministic synthetic survival data: exponential event times (median
/// 500 days in group A, 700 in B), uniform censoring, administrative
/// censoring at 3000 days; times in days with two decimals.
func writeData(path: String, rows: Int) throws {
  var state: UInt64 = 20261126
  func uniform() -> Double {
    state = state &* 6364136223846793005 &+ 1442695040888963407
    return (Double(state >> 11) + 0.5) / Double(1 << 53)
  }
  _ = FileManager.default.createFile(atPath: path, contents: nil)
  let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
  var buffer = "time,status,group\n"
  for i in 0..<rows {
    let b = uniform() < 0.5
    let median = b ? 700.0 : 500.0
    let event = -log(uniform()) * median / log(2.0)
    let censor = min(3000.0, uniform() * 4000)
    let t = (min(event, censor) * 100).rounded() / 100
    buffer += "\(String(format: "%.2f", max(t, 0.01))),\(event <= censor ? 1 : 0),\(b ? "B" : "A")\n"
    if i % 100_000 == 99_999 {
      handle.write(Data(buffer.utf8))
      buffer = ""
    }
  }
  handle.write(Data(buffer.utf8))
  try handle.close()
}

@discardableResult
func shell(_ command: String) -> (status: Int32, output: String, seconds: Double) {
  let p = Process()
  p.executableURL = URL(fileURLWithPath: "/bin/sh")
  p.arguments = ["-c", command]
  let pipe = Pipe()
  p.standardOutput = pipe
  p.standardError = FileHandle.nullDevice
  let start = now()
  do { try p.run() } catch { return (127, "", 0) }
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  p.waitUntilExit()
  return (p.terminationStatus, String(decoding: data, as: UTF8.self), now() - start)
}

func fmt(_ x: Double) -> String { String(format: "%.3f", x) }


/// `outcomes-bench km [--rows N] [--dir DIR] [--repeat K] [--no-peers]`.
func kaplanMeierBench(_ arguments: [String]) throws {
  let args = KaplanMeierArguments(arguments)

  if let path = args.loadOnly {
    // Child mode: load the table and report memory against the parsed columns.
    let before = peakResidentBytes()
    let table = try CSVReader.read(path: path)
    var parsed = 0.0
    for c in table.columns {
      switch c {
      case .numeric(let n): parsed += Double(n.values.count * 8)
      case .categorical(let k): parsed += Double(k.codes.count * 4)
      }
    }
    print("rows \(table.rowCount) parsed_bytes \(Int(parsed)) peak_rss \(Int(peakResidentBytes())) baseline_rss \(Int(before))")
    return
  }

  try FileManager.default.createDirectory(atPath: args.directory, withIntermediateDirectories: true)
  let dataPath = "\(args.directory)/surv-\(args.rows).csv"
  if !FileManager.default.fileExists(atPath: dataPath) {
    print("writing \(dataPath) …")
    try writeData(path: dataPath, rows: args.rows)
  }
  let size = (try? FileManager.default.attributesOfItem(atPath: dataPath)[.size] as? Int) ?? 0
  print("data: \(dataPath), \(args.rows) rows, \(size / 1_000_000) MB")

  // In-process: read once, then KM by group and log-rank, best of `repeats`.
  let formula = try Formula.parse("Surv(time, status) ~ group")
  var readTimes: [Double] = [], kmTimes: [Double] = [], lrTimes: [Double] = []
  var fit: KaplanMeierFit? = nil
  var test: LogRankTest? = nil
  for _ in 0..<args.repeats {
    let t0 = now()
    let table = try CSVReader.read(path: dataPath)
    let t1 = now()
    let frame = try ModelFrame.build(formula: formula, table: table)
    fit = try KaplanMeier.fit(frame)
    let t2 = now()
    test = try LogRank.test(ModelFrame.build(formula: formula, table: table))
    let t3 = now()
    readTimes.append(t1 - t0); kmTimes.append(t2 - t1); lrTimes.append(t3 - t2)
  }
  let read = readTimes.min()!, km = kmTimes.min()!, lr = lrTimes.min()!
  print("outcomes in-process (best of \(args.repeats)): read \(fmt(read)) s, km \(fmt(km)) s, logrank \(fmt(lr)) s")
  for c in fit!.curves {
    print("  \(c.label): n \(c.n), events \(Int(c.events)), median \(c.median.map(fmt) ?? "NR") (\(c.medianLower.map(fmt) ?? "NR")–\(c.medianUpper.map(fmt) ?? "NR")), steps \(c.steps.count)")
  }
  print("  log-rank chisq \(test!.chiSquare), p \(test!.p)")

  // Memory while loading, in a fresh process.
  let selfPath = CommandLine.arguments[0]
  let memory = shell("'\(selfPath)' km --load-only '\(dataPath)'").output
  let fields = memory.split(whereSeparator: { $0 == " " || $0 == "\n" })
  if fields.count >= 8, let parsed = Double(fields[3]), let peak = Double(fields[5]), let base = Double(fields[7]) {
    print("load memory: parsed columns \(fmt(parsed / 1e6)) MB, peak RSS \(fmt(peak / 1e6)) MB (\(fmt((peak - base) / parsed))× the parsed columns above the process baseline)")
  }

  // Whole processes: the CLI (two commands, each reading the file).
  let binDir = URL(fileURLWithPath: selfPath).deletingLastPathComponent().path
  var cliTimes: [Double] = []
  for _ in 0..<args.repeats {
    let a = shell("'\(binDir)/outcomes' km --data '\(dataPath)' --formula 'Surv(time, status) ~ group' > /dev/null")
    let b = shell("'\(binDir)/outcomes' logrank --data '\(dataPath)' --formula 'Surv(time, status) ~ group' > /dev/null")
    if a.status != 0 || b.status != 0 { print("outcomes CLI failed"); break }
    cliTimes.append(a.seconds + b.seconds)
  }
  let cli = cliTimes.min() ?? .nan
  print("outcomes CLI, km + logrank processes (best of \(args.repeats)): \(fmt(cli)) s")

  // R, same data, same run.
  let rScript = """
    suppressPackageStartupMessages({library(survival); library(data.table)})
    t0 <- proc.time()[["elapsed"]]
    d <- fread("\(dataPath)")
    t1 <- proc.time()[["elapsed"]]
    fit <- survfit(Surv(time, status) ~ group, data = d)
    q <- quantile(fit, 0.5)
    t2 <- proc.time()[["elapsed"]]
    sd <- survdiff(Surv(time, status) ~ group, data = d)
    t3 <- proc.time()[["elapsed"]]
    cat(sprintf("R %.3f %.3f %.3f %.17g %.17g %.17g\\n", t1 - t0, t2 - t1, t3 - t2, q$quantile[1], q$quantile[2], sd$chisq))
    """
  let rPath = "\(args.directory)/bench.R"
  try rScript.write(toFile: rPath, atomically: true, encoding: .utf8)
  if !args.peers {
    return
  }
  if shell("command -v Rscript").status == 0 {
    var rRead: [Double] = [], rKM: [Double] = [], rLR: [Double] = [], rWhole: [Double] = []
    var rLine = ""
    for _ in 0..<args.repeats {
      let r = shell("Rscript '\(rPath)'")
      guard r.status == 0, let line = r.output.split(separator: "\n").first(where: { $0.hasPrefix("R ") }) else {
        print("R failed (is data.table installed?)"); break
      }
      let v = line.split(separator: " ").dropFirst().compactMap { Double($0) }
      rRead.append(v[0]); rKM.append(v[1]); rLR.append(v[2]); rWhole.append(r.seconds)
      rLine = "  R medians \(v[3]), \(v[4]); chisq \(v[5])"
    }
    if let rk = rKM.min(), let rl = rLR.min(), let rr = rRead.min(), let rw = rWhole.min() {
      print("R 4.2 survival (best of \(args.repeats)): fread \(fmt(rr)) s, survfit+quantile \(fmt(rk)) s, survdiff \(fmt(rl)) s, whole Rscript \(fmt(rw)) s")
      print(rLine)
      print("ratio R / outcomes: km \(fmt(rk / km))×, logrank \(fmt(rl / lr))×, computation \(fmt((rk + rl) / (km + lr)))×")
      print("ratio R / outcomes, whole process with the CSV read: in-process \(fmt(rw / (read + km + lr)))×, CLI (two processes) \(fmt(rw / cli))×")
    }
  } else {
    print("Rscript not found: R side skipped")
  }

  // lifelines, same data, same run (optional).
  let pyScript = """
    import time, pandas as pd
    from lifelines import KaplanMeierFitter
    from lifelines.statistics import logrank_test
    t0 = time.perf_counter()
    d = pd.read_csv("\(dataPath)")
    t1 = time.perf_counter()
    meds = []
    for g, sub in d.groupby("group"):
        k = KaplanMeierFitter().fit(sub["time"], sub["status"])
        meds.append(float(k.median_survival_time_))
    t2 = time.perf_counter()
    a, b = d[d.group == "A"], d[d.group == "B"]
    r = logrank_test(a["time"], b["time"], a["status"], b["status"])
    t3 = time.perf_counter()
    print("PY %.3f %.3f %.3f %r %r %r" % (t1 - t0, t2 - t1, t3 - t2, meds[0], meds[1], float(r.test_statistic)))
    """
  let pyPath = "\(args.directory)/bench.py"
  try pyScript.write(toFile: pyPath, atomically: true, encoding: .utf8)
  let python = ProcessInfo.processInfo.environment["BENCH_PYTHON"] ?? "python3"
  if shell("\(python) -c 'import lifelines'").status == 0 {
    let r = shell("\(python) '\(pyPath)'")
    if let line = r.output.split(separator: "\n").first(where: { $0.hasPrefix("PY ") }) {
      let v = line.split(separator: " ").dropFirst().compactMap { Double($0) }
      if v.count >= 3 {
        print("lifelines: read_csv \(fmt(v[0])) s, KaplanMeierFitter \(fmt(v[1])) s, logrank_test \(fmt(v[2])) s, whole process \(fmt(r.seconds)) s")
        print("  lifelines medians \(v.count > 3 ? v[3] : .nan), \(v.count > 4 ? v[4] : .nan); chisq \(v.count > 5 ? v[5] : .nan)")
        print("ratio lifelines / outcomes: km \(fmt(v[1] / km))×, logrank \(fmt(v[2] / lr))×, whole process \(fmt(r.seconds / (read + km + lr)))×")
      }
    }
  } else {
    print("lifelines not importable with \(python): lifelines side skipped")
  }

}
