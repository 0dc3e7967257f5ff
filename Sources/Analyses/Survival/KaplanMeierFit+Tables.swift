import Rendering
import Survival
import Tabular

extension KaplanMeierFit {
  /// The summary table of R's `print(survfit)`: n, events, median with its
  /// confidence limits (`NR` when not reached), the restricted mean with
  /// `--tau`, and the median follow-up (reverse Kaplan–Meier).
  public func summaryTable(title: String? = nil) -> ResultTable {
    let level = RNumberText.format(confidenceLevel)
    var columns = [ColumnSpec("", style: .text), ColumnSpec("n", style: .count),
                   ColumnSpec("events", style: .count), ColumnSpec("median", style: .significant(3)),
                   ColumnSpec("\(level)LCL", style: .significant(3)), ColumnSpec("\(level)UCL", style: .significant(3))]
    let hasRMST = curves.contains { $0.restrictedMean != nil }
    if hasRMST {
      columns.append(ColumnSpec("rmean", style: .significant(3)))
      columns.append(ColumnSpec("se(rmean)", style: .significant(3)))
    }
    columns.append(ColumnSpec("median f/u", style: .significant(3)))
    let rows: [[Cell]] = curves.map { c in
      var row: [Cell] = [.text(c.label), .number(Double(c.n)), .number(c.events),
                         .value(c.median, missing: "NR"), .value(c.medianLower, missing: "NR"),
                         .value(c.medianUpper, missing: "NR")]
      if hasRMST {
        row.append(.value(c.restrictedMean?.estimate))
        row.append(.value(c.restrictedMean?.standardError))
      }
      row.append(.value(c.medianFollowUp, missing: "NR"))
      return row
    }
    var notes = [
      "n = \(n) rows used, \(nDropped) dropped for missing values.",
      "Median and \(percent(confidenceLevel)) CI: \(quantileRuleName); pointwise CI on the \(confidenceTransform.rawValue) scale, \(varianceName) variance. NR: not reached.",
    ]
    do {
      var parts: [String] = []
      if estimator == .flemingHarrington { parts.append("survival exp(−H), the Fleming–Harrington estimator (R stype = 2)") }
      if hazard == .flemingHarrington { parts.append("cumulative hazard with tied events as Σ 1/(n − j) (Fleming–Harrington, R ctype = 2)") }
      if modifiedLowerLimit { parts.append("lower limits modified as Dorey & Korn (R conf.lower = \"modified\")") }
      if let first = parts.first {
        notes.append(first.prefix(1).uppercased() + ([String(first.dropFirst())] + parts.dropFirst()).joined(separator: "; ") + ".")
      }
    }
    if let t0 = startTime {
      notes.append("Curves conditional on reaching time \(RNumberText.format(t0)): rows ending earlier are left out (R survfit(start.time = \(RNumberText.format(t0)))).")
    }
    if let tau = curves.first?.restrictedMean?.tau {
      notes.append("rmean: restricted mean survival time up to \(RNumberText.format(tau)) (R print(fit, rmean = \(RNumberText.format(tau)))).")
    }
    notes.append("median f/u: median follow-up by the reverse Kaplan–Meier method.")
    return ResultTable(title: title, columns: columns, rows: rows, footnotes: notes)
  }

  /// R's `quantile(fit, probs)`: each quantile with its confidence limits.
  public func quantilesTable() -> ResultTable? {
    guard curves.contains(where: { $0.quantiles != nil }) else { return nil }
    let level = percent(confidenceLevel)
    var rows: [[Cell]] = []
    for c in curves {
      for q in c.quantiles ?? [] {
        rows.append([.text(c.label), .number(q.p), .value(q.time, missing: "NR"), .value(q.lower, missing: "NR"),
                     .value(q.upper, missing: "NR")])
      }
    }
    return ResultTable(title: "Survival quantiles", columns: [
      ColumnSpec("group", style: .text), ColumnSpec("p", style: .significant(3)), ColumnSpec("time", style: .significant(3)),
      ColumnSpec("lower \(level) CI", style: .significant(3)), ColumnSpec("upper \(level) CI", style: .significant(3)),
    ], rows: rows, footnotes: ["time: when 1 − S(t) reaches p (\(quantileRuleName)); NR: not reached."])
  }

  /// R's `summary(fit, times = …)`: the curves at the requested times.
  public func timesTable() -> ResultTable? {
    guard curves.contains(where: { $0.at != nil }) else { return nil }
    var rows: [[Cell]] = []
    for c in curves {
      for p in c.at ?? [] {
        rows.append([.text(c.label), .number(p.time), .number(p.nRisk), .number(p.nEvent),
                     .value(p.survival), .value(p.standardError), .value(p.lower), .value(p.upper),
                     p.nFailed.map { .number($0) } ?? .text("NA"), p.nLeft.map { .number($0) } ?? .text("NA")])
      }
    }
    return ResultTable(title: "Survival at requested times",
                       columns: pointColumns + [ColumnSpec("failed", style: .count), ColumnSpec("left", style: .count)], rows: rows,
                       footnotes: ["n.event: events since the previous requested time (R summary.survfit); failed: events up to the time, left: subjects not yet failed or censored (SAS LIFETEST's Number Failed and Number Left)."])
  }

  /// One row per distinct time and group (R's `summary(fit, censored = TRUE)`).
  public func stepsTable() -> ResultTable {
    var rows: [[Cell]] = []
    for c in curves {
      for s in c.steps {
        rows.append([.text(c.label), .number(s.time), .number(s.nRisk), .number(s.nEvent),
                     .value(s.survival), .value(s.standardError), .value(s.lower), .value(s.upper)])
      }
    }
    return ResultTable(title: "Kaplan–Meier steps", columns: pointColumns, rows: rows)
  }

  private var pointColumns: [ColumnSpec] {
    let level = percent(confidenceLevel)
    return [ColumnSpec("group", style: .text), ColumnSpec("time", style: .significant(6)),
            ColumnSpec("n.risk", style: .count), ColumnSpec("n.event", style: .count),
            ColumnSpec("survival", style: .significant(3)), ColumnSpec("std.err", style: .significant(3)),
            ColumnSpec("lower \(level) CI", style: .significant(3)),
            ColumnSpec("upper \(level) CI", style: .significant(3))]
  }

  private var varianceName: String {
    estimator == .flemingHarrington ? "cumulative-hazard" : variance == .greenwood ? "Greenwood" : "infinitesimal-jackknife"
  }
}

extension KaplanMeierFit {
  /// Whose quantile rule the medians follow, for footnotes and methods.
  var quantileRuleName: String {
    switch quantileRule {
    case .midpoint: return "R quantile.survfit"
    case .sas: return "SAS PROC LIFETEST's rule"
    case .first: return "the first time S(t) ≤ 1 − p"
    }
  }
}
