// outcomes-bench cox: Cox regression on synthetic data with n = 10⁴, 10⁵, 10⁶
// rows and p = 5, 10, 20 covariates, Efron and Breslow ties and 5 strata, on
// continuous and on heavily tied (whole-day) times; fitted in-process by
// outcomes and, in the same run, by R's coxph and lifelines' CoxPHFitter,
// with the ratios and the largest relative difference of the coefficients.

import Foundation
import ModelFrame
import Survival
import Tabular

#if canImport(Glibc)
import Glibc
#endif

struct CoxBenchArguments {
  var sizes = [10_000, 100_000, 1_000_000]
  var columns = [5, 10, 20]
  var shapes = ["continuous", "tied"]
  var directory = "bench-data"
  var peers = true
  var repeats = 1
  var peerTimeout = 900

  init(_ arguments: [String]) {
    var args = arguments
    func list(_ s: String) -> [Int] { s.split(separator: ",").map { Int($0)! } }
    while !args.isEmpty {
      let a = args.removeFirst()
      switch a {
      case "--sizes": sizes = list(args.removeFirst())
      case "--columns": columns = list(args.removeFirst())
      case "--shapes": shapes = args.removeFirst().split(separator: ",").map(String.init)
      case "--dir": directory = args.removeFirst()
      case "--no-peers": peers = false
      case "--repeat": repeats = Int(args.removeFirst())!
      case "--peer-timeout": peerTimeout = Int(args.removeFirst())!
      default:
        FileHandle.standardError.write(Data("unknown option \(a)\n".utf8))
        exit(2)
      }
    }
  }
}

/// Appends `v` with `decimals` fixed decimals (no locale, no allocation).
func appendFixed(_ v: Double, decimals: Int, to out: inout [UInt8]) {
  var scale = 1.0
  for _ in 0..<decimals { scale *= 10 }
  var scaled = Int64((abs(v) * scale).rounded())
  if v < 0 && scaled != 0 { out.append(UInt8(ascii: "-")) }
  var digits: [UInt8] = []
  repeat {
    digits.append(UInt8(ascii: "0") + UInt8(scaled % 10))
    scaled /= 10
  } while scaled > 0 || digits.count <= decimals
  for (k, d) in digits.reversed().enumerated() {
    if decimals > 0 && k == digits.count - decimals { out.append(UInt8(ascii: ".")) }
    out.append(d)
  }
}

/// Writes the synthetic Cox data: 20 covariates (every fifth binary, the rest
/// standard normal to 4 decimals), exponential event times with hazard
/// 0.001·exp(Σ β_k x_k), uniform censoring on (0, 3000), 5 strata.
func writeCoxData(path: String, rows: Int, tied: Bool) throws {
  var state: UInt64 = tied ? 424242 : 171717
  func uniform() -> Double {
    state = state &* 6364136223846793005 &+ 1442695040888963407
    return (Double(state >> 11) + 0.5) / Double(1 << 53)
  }
  let beta = (1...20).map { 0.05 * Double($0 % 7 - 3) }
  var x = [Double](repeating: 0, count: 20)
  var i = 0
  try writeChunked(path: path, header: "time,status,s," + (1...20).map { "x\($0)" }.joined(separator: ",") + "\n", rows: rows) { out in
    var eta = 0.0
    for k in 0..<20 {
      if (k + 1) % 5 == 0 {
        x[k] = uniform() < 0.3 ? 1 : 0
      } else {
        let z = (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())
        x[k] = (z * 10_000).rounded() / 10_000
      }
      eta += beta[k] * x[k]
    }
    let event = -log(uniform()) / (0.001 * exp(eta))
    let censor = uniform() * 3000
    var t = min(event, censor)
    t = tied ? max(1, t.rounded(.up)) : max(0.0001, (t * 10_000).rounded() / 10_000)
    appendFixed(t, decimals: tied ? 0 : 4, to: &out)
    out.append(contentsOf: Array(",\(event <= censor ? 1 : 0),\(i % 5 + 1)".utf8))
    for k in 0..<20 {
      out.append(UInt8(ascii: ","))
      appendFixed(x[k], decimals: (k + 1) % 5 == 0 ? 0 : 4, to: &out)
    }
    out.append(UInt8(ascii: "\n"))
    i += 1
  }
}

/// Writes `header`, then `rows` rows, each appended by `row`, in 4 MiB chunks.
func writeChunked(path: String, header: String, rows: Int, _ row: (inout [UInt8]) -> Void) throws {
  _ = FileManager.default.createFile(atPath: path, contents: nil)
  let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
  var out = Array(header.utf8)
  for _ in 0..<rows {
    row(&out)
    if out.count > 1 << 22 {
      handle.write(Data(out))
      out.removeAll(keepingCapacity: true)
    }
  }
  handle.write(Data(out))
  try handle.close()
}

struct CoxConfiguration {
  var columns: Int
  var ties: CoxTies
  var strata: Bool
  var formula: String {
    "Surv(time, status) ~ " + (1...columns).map { "x\($0)" }.joined(separator: " + ") + (strata ? " + strata(s)" : "")
  }
  var label: String { "p=\(columns) \(ties.rawValue)\(strata ? "+5 strata" : "")" }
}

/// `outcomes-bench cox-fit-once FILE p ties strata`: one fit in a fresh
/// process; prints the resident memory after loading and at the peak.
func coxFitOnce(_ arguments: [String]) throws {
  let configuration = CoxConfiguration(columns: Int(arguments[1])!, ties: CoxTies(rawValue: arguments[2])!,
                                       strata: arguments[3] == "1")
  // As the CLI: the table lives while the model frame is built, the frame is
  // handed to the model.
  let (loaded, rows, frame) = try { () throws -> (Double, Int, ModelFrame) in
    let table = try CSVReader.read(path: arguments[0])
    let loaded = peakResidentBytes()
    return (loaded, table.rowCount, try ModelFrame.build(formula: Formula.parse(configuration.formula), table: table))
  }()
  let model = try CoxModel(frame: consume frame, options: .init(ties: configuration.ties))
  print("loaded \(Int(loaded)) peak \(Int(peakResidentBytes())) design \(rows * configuration.columns * 8) iterations \(model.fit.iterations)")
}

func coxBench(_ arguments: [String]) throws {
  let args = CoxBenchArguments(arguments)
  try FileManager.default.createDirectory(atPath: args.directory, withIntermediateDirectories: true)
  var configurations: [CoxConfiguration] = []
  for p in args.columns {
    configurations.append(CoxConfiguration(columns: p, ties: .efron, strata: false))
    configurations.append(CoxConfiguration(columns: p, ties: .breslow, strata: false))
    configurations.append(CoxConfiguration(columns: p, ties: .efron, strata: true))
  }
  let python = ProcessInfo.processInfo.environment["BENCH_PYTHON"] ?? "python3"
  let haveR = args.peers && shell("Rscript -e 'library(survival); library(data.table)' 2>/dev/null").status == 0
  let haveLifelines = args.peers && shell("\(python) -c 'import lifelines' 2>/dev/null").status == 0
  print("| n | times | model | outcomes (s) | R coxph (s) | lifelines (s) | R ÷ outcomes | faster peer ÷ outcomes | max rel. diff vs R | vs lifelines | iterations |")
  print("| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
  for n in args.sizes {
    for shape in args.shapes {
      let path = "\(args.directory)/cox-\(shape)-\(n).csv"
      if !FileManager.default.fileExists(atPath: path) {
        try writeCoxData(path: path, rows: n, tied: shape == "tied")
      }
      let table = try CSVReader.read(path: path)
      // Peers: one process each for all configurations of this data set.
      var rResults: [String: (seconds: Double, coefficients: [Double])] = [:]
      var pyResults: [String: (seconds: Double, coefficients: [Double])] = [:]
      if haveR {
        var script = "suppressPackageStartupMessages({library(survival); library(data.table)})\nd <- as.data.frame(fread('\(path)'))\n"
        for c in configurations {
          script += """
            t0 <- proc.time()[['elapsed']]
            fit <- coxph(\(c.formula), data = d, ties = '\(c.ties.rawValue)')
            cat('R', '\(c.label)', proc.time()[['elapsed']] - t0, sprintf('%.17g', coef(fit)), '\\n')

            """
        }
        let rPath = "\(args.directory)/cox-bench.R"
        try script.write(toFile: rPath, atomically: true, encoding: .utf8)
        let r = shell("timeout \(args.peerTimeout * configurations.count) Rscript '\(rPath)'")
        rResults = parsePeer(r.output, prefix: "R")
      }
      if haveLifelines {
        var script = "import time, pandas as pd\nfrom lifelines import CoxPHFitter\nd = pd.read_csv('\(path)')\n"
        for c in configurations where c.ties == .efron {
          let cols = (1...c.columns).map { "'x\($0)'" }.joined(separator: ", ")
          script += """
            cols = [\(cols)] + ['time', 'status']\(c.strata ? " + ['s']" : "")
            t0 = time.perf_counter()
            f = CoxPHFitter().fit(d[cols], duration_col='time', event_col='status'\(c.strata ? ", strata=['s']" : ""))
            print('PY', '\(c.label)', time.perf_counter() - t0, ' '.join(repr(float(v)) for v in f.params_.values), flush=True)

            """
        }
        let pyPath = "\(args.directory)/cox-bench.py"
        try script.write(toFile: pyPath, atomically: true, encoding: .utf8)
        let r = shell("timeout \(args.peerTimeout * configurations.count) \(python) '\(pyPath)'")
        pyResults = parsePeer(r.output, prefix: "PY")
      }
      for c in configurations {
        var best = Double.infinity
        var fit: CoxFit? = nil
        for _ in 0..<max(1, args.repeats) {
          let t0 = now()
          let frame = try ModelFrame.build(formula: Formula.parse(c.formula), table: table)
          fit = try Cox.fit(frame, options: .init(ties: c.ties))
          best = min(best, now() - t0)
        }
        let ours = fit!.terms.map { $0.coefficient ?? .nan }
        let r = rResults[c.label]
        let py = pyResults[c.label]
        let faster = [r?.seconds, py?.seconds].compactMap { $0 }.min()
        func diff(_ other: [Double]?) -> String {
          guard let other, other.count == ours.count else { return "—" }
          var worst = 0.0
          for (a, b) in zip(ours, other) { worst = max(worst, abs(a - b) / abs(b)) }
          return String(format: "%.1e", worst)
        }
        func cell(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "—" }
        func ratio(_ x: Double?) -> String { x.map { String(format: "%.1f×", $0 / best) } ?? "—" }
        print("| \(n) | \(shape) | \(c.label) | \(cell(best)) | \(cell(r?.seconds)) | \(cell(py?.seconds)) | \(ratio(r?.seconds)) | \(ratio(faster)) | \(diff(r?.coefficients)) | \(diff(py?.coefficients)) | \(fit!.iterations) |")
      }
    }
  }
  // Peak memory of the largest Efron fit, in a fresh process.
  if let n = args.sizes.max(), let p = args.columns.max() {
    for shape in args.shapes {
      let path = "\(args.directory)/cox-\(shape)-\(n).csv"
      let out = shell("'\(CommandLine.arguments[0])' cox-fit-once '\(path)' \(p) efron 0").output
      let f = out.split(whereSeparator: { $0 == " " || $0 == "\n" })
      if f.count >= 6, let loaded = Double(f[1]), let peak = Double(f[3]), let design = Double(f[5]) {
        print("memory, n = \(n), p = \(p), \(shape), Efron: design matrix \(fmt(design / 1e6)) MB; resident after loading the table \(fmt(loaded / 1e6)) MB; peak \(fmt(peak / 1e6)) MB = \(fmt(peak / design))× the design matrix (\(fmt((peak - loaded) / design))× above the loaded table)")
      }
    }
  }
}

private func parsePeer(_ output: String, prefix: String) -> [String: (seconds: Double, coefficients: [Double])] {
  var results: [String: (seconds: Double, coefficients: [Double])] = [:]
  for line in output.split(separator: "\n") where line.hasPrefix(prefix + " ") {
    // PREFIX p=5 efron[+5 strata] seconds coef...
    let fields = line.split(separator: " ").map(String.init)
    guard fields.count >= 4 else { continue }
    var label = fields[1] + " " + fields[2]
    var k = 3
    if fields[3] == "strata" || fields[2].hasSuffix("+5") {
      label += " " + fields[3]
      k = 4
    }
    guard let seconds = Double(fields[k]) else { continue }
    results[label] = (seconds, fields[(k + 1)...].compactMap { Double($0) })
  }
  return results
}
