import Foundation

/// `outcomes-bench cli`: every analysis as a user runs it — one whole
/// `outcomes` process per command, size and output format, reading a CSV
/// and writing its result — beside R running the same analysis from the
/// same CSV in the same run (`fread`, the function, then `print` for the
/// text row and `jsonlite::write_json` for the JSON row). Prints one
/// Markdown table with the ratios; docs/PERFORMANCE.md records it.
///
///     outcomes-bench cli [--sizes 10000,1000000,10000000] [--formats text,json,csv,md,xlsx]
///                        [--commands km,logrank,cox,rate,compare,cmh,logistic,table1]
///                        [--repeat 1] [--dir bench-data] [--no-r] [--r-timeout 900]
///
/// Data (written once into `--dir`): `time,status,group,site,x1,x2`;
/// exponential event times (medians 500 and 700 in groups A and B, hazard
/// also e^{-0.2 x1}), uniform censoring on (0, 2000); times either
/// continuous with six decimals (`cont`) or whole days (`days`). The survival
/// commands run on both, the others on `cont`. Cox runs on the Cox
/// benchmark's 10⁶ × 20 file (`cox` data set of `outcomes-bench cox`).
struct CLIBenchArguments {
  var sizes = [10_000, 1_000_000, 10_000_000]
  var formats = ["text", "json", "csv", "md", "xlsx"]
  var commands = ["km", "logrank", "cox", "rate", "compare", "cmh", "logistic", "table1"]
  var repeats = 1
  var directory = "bench-data"
  var runR = true
  var rTimeout = 900

  init(_ arguments: [String]) {
    var i = 0
    func list(_ s: String) -> [String] { s.split(separator: ",").map(String.init) }
    while i < arguments.count {
      let value = i + 1 < arguments.count ? arguments[i + 1] : ""
      switch arguments[i] {
      case "--sizes": sizes = list(value).compactMap { Int($0) }; i += 1
      case "--formats": formats = list(value); i += 1
      case "--commands": commands = list(value); i += 1
      case "--repeat": repeats = max(1, Int(value) ?? 1); i += 1
      case "--dir": directory = value; i += 1
      case "--no-r": runR = false
      case "--r-timeout": rTimeout = Int(value) ?? rTimeout; i += 1
      default: break
      }
      i += 1
    }
  }
}

/// One command of the benchmark: its `outcomes` arguments and R's code.
struct CLIBenchCommand {
  var name: String
  var survival: Bool
  var arguments: [String]
  /// R code after `d <- fread(path)`: computes `f`.
  var rFit: String
  /// R code printing `f` (the text row).
  var rPrint: String
  /// An R expression of what `write_json` writes (the JSON row).
  var rJSON: String

  static let all: [CLIBenchCommand] = [
    CLIBenchCommand(name: "km", survival: true, arguments: ["--formula", "Surv(time, status) ~ group"],
                    rFit: "f <- survfit(Surv(time, status) ~ group, d)", rPrint: "print(f)",
                    rJSON: "{s <- summary(f, censored = TRUE); list(strata = as.character(s$strata), time = s$time, n.risk = s$n.risk, n.event = s$n.event, n.censor = s$n.censor, surv = s$surv, std.err = s$std.err, lower = s$lower, upper = s$upper, cumhaz = s$cumhaz, table = as.data.frame(unclass(summary(f)$table)))}"),
    CLIBenchCommand(name: "logrank", survival: true, arguments: ["--formula", "Surv(time, status) ~ group"],
                    rFit: "f <- survdiff(Surv(time, status) ~ group, d)", rPrint: "print(f)",
                    rJSON: "list(n = as.vector(f$n), obs = f$obs, exp = f$exp, var = f$var, chisq = f$chisq)"),
    CLIBenchCommand(name: "cox", survival: true,
                    arguments: ["--formula", "Surv(time, status) ~ " + (1...20).map { "x\($0)" }.joined(separator: " + ")],
                    rFit: "f <- coxph(as.formula(paste('Surv(time, status) ~', paste0('x', 1:20, collapse = ' + '))), d)",
                    rPrint: "print(summary(f))",
                    rJSON: "{s <- summary(f); list(coefficients = as.data.frame(s$coefficients), conf = as.data.frame(s$conf.int), loglik = f$loglik, iter = f$iter, concordance = s$concordance, logtest = s$logtest, waldtest = s$waldtest, sctest = s$sctest)}"),
    CLIBenchCommand(name: "rate", survival: false, arguments: ["--formula", "status ~ group"],
                    rFit: "f <- lapply(split(d$status, d$group), function(y) list(binom = binom.test(sum(y), length(y)), score = prop.test(sum(y), length(y), correct = FALSE)))",
                    rPrint: "print(f)",
                    rJSON: "lapply(f, function(g) list(estimate = g$binom$estimate, exact = g$binom$conf.int, wilson = g$score$conf.int))"),
    CLIBenchCommand(name: "compare", survival: false, arguments: ["--formula", "status ~ group"],
                    rFit: "{tab <- table(d$group, factor(d$status, levels = c(1, 0))); f <- list(fisher = fisher.test(tab), chisq = prop.test(tab, correct = FALSE), yates = prop.test(tab))}",
                    rPrint: "print(f)",
                    rJSON: "list(fisher = f$fisher$p.value, or = f$fisher$estimate, or.ci = f$fisher$conf.int, chisq = f$chisq$statistic, p = f$chisq$p.value, yates = f$yates$p.value, diff.ci = f$chisq$conf.int)"),
    CLIBenchCommand(name: "cmh", survival: false, arguments: ["--formula", "status ~ group + strata(site)"],
                    rFit: "f <- mantelhaen.test(table(d$group, factor(d$status, levels = c(1, 0)), d$site))",
                    rPrint: "print(f)",
                    rJSON: "list(statistic = f$statistic, p = f$p.value, estimate = f$estimate, ci = f$conf.int)"),
    CLIBenchCommand(name: "logistic", survival: false, arguments: ["--formula", "status ~ group + x1 + x2", "--no-profile"],
                    rFit: "f <- glm(status ~ group + x1 + x2, binomial, d)", rPrint: "print(summary(f))",
                    rJSON: "{s <- summary(f); list(coefficients = as.data.frame(s$coefficients), deviance = f$deviance, null = f$null.deviance, aic = f$aic, ci = as.data.frame(confint.default(f)))}"),
    CLIBenchCommand(name: "table1", survival: false, arguments: ["--by", "group", "--variables", "x1,x2,factor(site)", "--tests"],
                    rFit: "f <- list(mean = tapply(d$x1, d$group, mean), sd = tapply(d$x1, d$group, sd), q = tapply(d$x1, d$group, quantile), mean2 = tapply(d$x2, d$group, mean), sd2 = tapply(d$x2, d$group, sd), q2 = tapply(d$x2, d$group, quantile), w1 = wilcox.test(x1 ~ group, d, exact = FALSE)$p.value, w2 = wilcox.test(x2 ~ group, d, exact = FALSE)$p.value, site = table(d$site, d$group), chisq = chisq.test(table(d$site, d$group), correct = FALSE)$p.value)",
                    rPrint: "print(f)", rJSON: "lapply(f, function(x) if (is.table(x)) as.data.frame(x) else x)"),
  ]
}

/// Writes the benchmark's CSV: `time,status,group,site,x1,x2`.
func writeCLIBenchData(path: String, rows: Int, days: Bool) throws {
  var random = SplitMix(seed: 20261202)
  func uniform() -> Double { (Double(random.next() >> 11) + 0.5) / Double(1 << 53) }
  try writeChunked(path: path, header: "time,status,group,site,x1,x2\n", rows: rows) { out in
    let b = uniform() < 0.5
    let x1 = (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())
    let x2 = (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())
    let median = (b ? 700.0 : 500.0) * exp(0.2 * x1)
    let event = -log(uniform()) * median / log(2.0)
    let censor = uniform() * 2000
    var t = min(event, censor)
    t = days ? max(1, t.rounded(.up)) : max(0.000001, (t * 1_000_000).rounded() / 1_000_000)
    appendFixed(t, decimals: days ? 0 : 6, to: &out)
    out.append(contentsOf: Array(",\(event <= censor ? 1 : 0),\(b ? "B" : "A"),\(Int(uniform() * 10) + 1),".utf8))
    appendFixed((x1 * 10_000).rounded() / 10_000, decimals: 4, to: &out)
    out.append(UInt8(ascii: ","))
    appendFixed((x2 * 10_000).rounded() / 10_000, decimals: 4, to: &out)
    out.append(UInt8(ascii: "\n"))
  }
}

func cliBench(_ arguments: [String]) throws {
  let args = CLIBenchArguments(arguments)
  try FileManager.default.createDirectory(atPath: args.directory, withIntermediateDirectories: true)
  let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("outcomes").path
  let output = "\(args.directory)/cli-out"
  try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
  let haveR = args.runR && shell("Rscript -e 'library(survival); library(data.table); library(jsonlite)' 2>/dev/null").status == 0
  print("| command | rows | times | format | outcomes (s) | R (s) | R ÷ outcomes | json ÷ text | 10× rows: time × |")
  print("| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |")
  var previous: [String: Double] = [:]  // command/kind/format → seconds at the previous size
  for name in args.commands {
    guard let command = CLIBenchCommand.all.first(where: { $0.name == name }) else { continue }
    let kinds = command.survival && command.name != "cox" ? ["cont", "days"] : ["cont"]
    let sizes = command.name == "cox" ? [1_000_000] : args.sizes
    for kind in kinds {
      for rows in sizes {
        let path: String
        if command.name == "cox" {
          path = "\(args.directory)/cox-\(rows)-cont.csv"
          if !FileManager.default.fileExists(atPath: path) { try writeCoxData(path: path, rows: rows, tied: false) }
        } else {
          path = "\(args.directory)/cli-\(kind)-\(rows).csv"
          if !FileManager.default.fileExists(atPath: path) { try writeCLIBenchData(path: path, rows: rows, days: kind == "days") }
        }
        // R: the same analysis from the same file, text then JSON.
        var rSeconds: [String: Double] = [:]
        if haveR {
          for format in ["text", "json"] {
            let script = "\(output)/bench.R"
            let write = format == "json"
              ? "jsonlite::write_json(\(command.rJSON), '\(output)/r.json', digits = NA)"
              : "sink('\(output)/r.txt'); \(command.rPrint); sink()"
            try "suppressMessages({library(data.table); library(survival)}); d <- fread('\(path)'); \(command.rFit); \(write)\n"
              .write(toFile: script, atomically: true, encoding: .utf8)
            var best = Double.infinity
            for _ in 0..<args.repeats {
              let r = shell("timeout \(args.rTimeout) Rscript '\(script)'")
              if r.status == 0 { best = min(best, r.seconds) }
            }
            if best.isFinite { rSeconds[format] = best }
          }
        }
        var textSeconds: Double? = nil
        for format in args.formats {
          let out = "\(output)/\(command.name).\(format)"
          var cli = [binary, command.name, "--data", path] + command.arguments + ["--format", format]
          if format == "xlsx" { cli += ["--out", out] }
          let line = cli.map { "'\($0)'" }.joined(separator: " ") + (format == "xlsx" ? "" : " > '\(out)'")
          var best = Double.infinity
          for _ in 0..<args.repeats {
            // A previous run's output is removed first: truncating a 2 GB
            // file is not part of writing this one.
            try? FileManager.default.removeItem(atPath: out)
            let r = shell(line)
            if r.status == 0 { best = min(best, r.seconds) }
          }
          if format == "text" { textSeconds = best }
          let key = "\(command.name)/\(kind)/\(format)"
          let growth = previous[key].map { String(format: "%.1f", best / $0) } ?? ""
          previous[key] = best
          let r = rSeconds[format == "json" ? "json" : "text"]
          let ratio = r.map { String(format: "%.1f×", $0 / best) } ?? "—"
          let jsonText = format == "json" ? (textSeconds.map { String(format: "%.2f", best / $0) } ?? "") : ""
          let rCell = (format == "text" || format == "json") ? (r.map { fmt($0) } ?? "—") : ""
          print("| \(command.name) | \(rows) | \(command.name == "cox" ? "×20 cov." : kind) | \(format) | \(best.isFinite ? fmt(best) : "failed") | \(rCell) | \(format == "text" || format == "json" ? ratio : "") | \(jsonText) | \(growth) |")
          FileHandle.standardOutput.synchronizeFile()
        }
      }
    }
  }
}
