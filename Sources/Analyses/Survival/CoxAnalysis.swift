import Figures
import DataFiles
import Foundation
import ModelFrame
import Rendering
import Survival
import Tabular

/// `cox`: Cox proportional-hazards regression, as R's `coxph`.
public enum CoxAnalysis: Analysis {
  public static let name = AnalysisName("cox")
  public static let abstract = "Cox proportional-hazards regression (R coxph)."
  public static let discussion = """
    Efron ties by default; strata() for separate baseline hazards, cluster(id) for the robust variance, \
    Surv(start, stop, status) for time-varying covariates. --zph tests proportional hazards as R's cox.zph; \
    --residuals and --baseline write CSV files.
    """
  public static let example = #"outcomes cox --data Datasets/lung.csv --formula "Surv(time, status) ~ age + sex + factor(ph.ecog)" --zph"#

  public static var fileOutputs: [Parameter] {
    [Parameter("residuals", help: "Write residuals (martingale, deviance, score, Schoenfeld, dfbeta) to this CSV file.", path: true),
     Parameter("baseline", help: "Write the baseline cumulative hazard (R basehaz(centered = FALSE)) to this CSV file.", path: true)]
  }

  public struct Options: AnalysisOptions {
    public var data: DataSelection?
    public var formula: String
    public var confidenceLevel: Double
    public var ties: CoxTies
    public var zph: Bool
    public var zphTransform: ZPHTransform
    public var maxIterations: Int
    public var weights: String?
    public var timeUnit: TimeUnit?
    /// Covariate profiles for predicted survival (`--at`, `--predict`).
    public var at: [String]?
    public var predict: String?
    /// The `--predict` file's subject column: curves along covariate paths.
    public var predictId: String?
    public var times: [Double]?
    public var robust = false
    public var initial: [Double]?
    public var references: [(column: String, level: String)] = []
    public var residualsWeighted = false
    public var collapse: String?
    public var concordanceTies: Cox.ConcordanceTies = .r
    /// Whose defaults the options not given take.
    public var profile: ConventionProfile = .r
    /// A factor's reference level when --reference does not name one.
    public var referenceLevel: ReferenceLevel = .first

    /// The tie method a profile takes by default: Efron (R, lifelines), Breslow (SAS PHREG, Stata stcox).
    public static func defaultTies(_ profile: ConventionProfile) -> CoxTies {
      profile == .sas || profile == .stata ? .breslow : .efron
    }

    public init(data: DataSelection, formula: String, confidenceLevel: Double = 0.95, ties: CoxTies = .efron, zph: Bool = false,
                zphTransform: ZPHTransform = .km, maxIterations: Int = 20, weights: String? = nil, timeUnit: TimeUnit? = nil) {
      self.timeUnit = timeUnit
      self.data = data
      self.formula = formula
      self.confidenceLevel = confidenceLevel
      self.ties = ties
      self.zph = zph
      self.zphTransform = zphTransform
      self.maxIterations = maxIterations
      self.weights = weights
    }

    enum CodingKeys: String, CodingKey {
      case formula, confLevel = "conf-level", ties, zph, zphTransform = "zph-transform", iterMax = "iter-max", weights
      case timeUnit = "time-unit", at, predict, predictId = "predict-id", times, robust, initial = "init", reference
      case residualsWeighted = "residuals-weighted", collapse, concordanceTies = "concordance-ties"
      case profile, referenceDefault = "reference-default"
    }

    public static var parameters: [Parameter] {
      DataSelection.parameters(adam: true) + [
        .formula("Surv(time, status) ~ age + sex"),
        .confidenceLevel,
        .choice("ties", CoxTies.self, help: "Method for tied event times; default efron (R, lifelines), breslow under --profile sas or stata.", default: .efron),
        Parameter("zph", .flag, help: "Test proportional hazards (R cox.zph)."),
        .choice("zph-transform", ZPHTransform.self, help: "Time scale of --zph.", default: .km),
        Parameter("iter-max", help: "Maximum Newton–Raphson iterations.", default: "20"),
        Parameter("weights", help: "Column of case weights (positive)."),
        .timeUnit,
        Parameter("at", .repeated, help: "Predicted survival for a covariate profile, e.g. \"age=60, sex=2\" (repeatable; R survfit(fit, newdata))."),
        Parameter("predict", help: "Predicted survival for each row of a CSV file of covariate profiles.", path: true),
        Parameter("predict-id", help: "With --predict and Surv(start, stop, event): rows sharing this column's value are one subject's covariate path over its (start, stop] intervals, one curve per subject (R survfit(fit, newdata, id =))."),
        Parameter("times", .list, help: "With --at or --predict, the predicted curves at these times (R summary(sf, times =))."),
        Parameter("robust", .flag, help: "Robust (sandwich) variance with each row its own cluster (R robust = TRUE)."),
        Parameter("init", .list, help: "Starting coefficients, one per column (R init); with --iter-max 0 the model at them."),
        .reference,
        .referenceDefault,
        .profile,
        Parameter("residuals-weighted", .flag, help: "With --residuals, residuals times the case weights (R weighted = TRUE)."),
        Parameter("collapse", help: "With --residuals, sum the residuals by this column, e.g. a patient id (R collapse =)."),
        .choice("concordance-ties", Cox.ConcordanceTies.self,
                help: "When the concordance counts two rows as tied: r, when R's linear predictor (computed as R computes it, through the BLAS) is equal, as fit$concordance; covariates, when their covariates are equal, the same on every machine.",
                default: .r),
      ]
    }

    public init(from decoder: Decoder) throws {
      data = try DataSelection.decode(from: decoder, adam: true, required: true)
      let c = try decoder.container(keyedBy: CodingKeys.self)
      profile = try c.profile(.profile)
      formula = try c.formula(.formula)
      confidenceLevel = try c.confidenceLevel(.confLevel)
      ties = try c.choice(.ties, default: Self.defaultTies(profile))
      referenceLevel = try c.choice(.referenceDefault, default: ReferenceLevel.defaultFor(profile))
      zph = try c.flag(.zph)
      zphTransform = try c.choice(.zphTransform, default: .km)
      maxIterations = try c.wholeNumber(.iterMax, expected: "a whole number of iterations", where: { $0 >= 0 && $0 < 100_000 }) ?? 20
      weights = try c.text(.weights)
      timeUnit = try c.decodeIfPresent(TimeUnit.self, forKey: .timeUnit)
      at = try c.repeatedTexts(.at)
      predict = try c.text(.predict, expected: "a CSV file of covariate profiles")
      predictId = try c.text(.predictId, expected: "a column name")
      if predictId != nil && predict == nil { throw c.problem(.predictId, "--predict FILE with it") }
      times = try c.numbers(.times)
      if at != nil && predict != nil { throw c.problem(.predict, "either --at or --predict, not both") }
      if times != nil && at == nil && predict == nil { throw c.problem(.times, "--at or --predict with it") }
      robust = try c.flag(.robust)
      initial = try c.numbers(.initial)
      if let i = initial, !i.allSatisfy(\.isFinite) { throw c.problem(.initial, "finite numbers") }
      references = try c.references(.reference)
      residualsWeighted = try c.flag(.residualsWeighted)
      collapse = try c.text(.collapse, expected: "a column name")
      concordanceTies = try c.choice(.concordanceTies, default: .r)
    }
  }

  public struct FigureOptions: AnalysisOptions {
    public var forest = true
    public var curves = true
    public var breaks: [Double]?
    enum CodingKeys: String, CodingKey { case forest, curves, breaks }
    public static var parameters: [Parameter] {
      [Parameter("forest", .flag, help: "A forest plot of the hazard ratios (default true)."),
       Parameter("curves", .flag, help: "With at: or predict:, the predicted survival curves (default true)."),
       Parameter("breaks", .list, help: "The x-axis ticks of the predicted curves.")]
    }
    public init(from decoder: Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      forest = try c.decodeIfPresent(Bool.self, forKey: .forest) ?? true
      curves = try c.decodeIfPresent(Bool.self, forKey: .curves) ?? true
      breaks = try c.numbers(.breaks)
      if let b = breaks {
        guard b.count >= 2, b.count <= 40, zip(b, b.dropFirst()).allSatisfy({ $0 < $1 }), b.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
          throw c.problem(.breaks, "from 2 to 40 increasing times of at least 0")
        }
      }
    }
  }

  public static func conventions(_ options: Options, output: CoxOutput) -> Conventions? {
    var c = Conventions(profile: options.profile)
    let ties: String
    switch options.ties {
    case .efron: ties = "ties Efron"
    case .breslow: ties = "ties Breslow"
    case .exact: ties = "ties exact (discrete)"
    case .exactMarginal: ties = "ties exact marginal (SAS TIES=EXACT)"
    }
    c.add("ties", options.ties.rawValue, text: ties)
    c.addReference(options.referenceLevel)
    c.add("concordance_ties", options.concordanceTies.rawValue,
          text: options.concordanceTies == .r ? "concordance ties on R's linear predictor" : "concordance ties on equal covariates")
    return c
  }

  public static func run(_ options: Options, in context: AnalysisContext) throws -> CoxOutput {
    var cox = Cox.Options(ties: options.ties, confidenceLevel: options.confidenceLevel, maxIterations: options.maxIterations,
                          proportionalHazards: options.zph ? options.zphTransform : nil)
    cox.robust = options.robust
    cox.initial = options.initial
    cox.concordanceTies = options.concordanceTies
    var frameOptions = ModelFrame.Options(weights: options.weights, strataInteractions: true, basisTerms: true, timeUnit: options.timeUnit)
    frameOptions.offsets = true
    frameOptions.references = options.references
    frameOptions.referenceLevel = options.referenceLevel
    let selection = try context.select(options.data!, formula: options.formula,
                                       columns: [options.weights, options.collapse].compactMap { $0 })
    let frame = try selection.frame(formula: options.formula, options: frameOptions)
    if options.ties.isExact {
      if let file = ["residuals", "baseline"].first(where: context.requestedFiles.contains) {
        throw InputError(option: "ties", "\(options.ties.rawValue): the \(file) file assumes Breslow or Efron risk sets (R has no score residuals for the exact likelihood either), expected --ties efron or breslow with --\(file)")
      }
      if options.at != nil || options.predict != nil {
        throw InputError(option: "ties", "\(options.ties.rawValue): predicted survival needs a Breslow or Efron baseline hazard, expected --ties efron or breslow with --at or --predict")
      }
    }
    if (options.residualsWeighted || options.collapse != nil) && !context.requestedFiles.contains("residuals") {
      throw InputError(option: options.collapse != nil ? "collapse" : "residuals-weighted",
                       "shapes the residuals file, expected --residuals FILE with it")
    }
    let dataRows = frame.rows
    var collapseKeys: [String]? = nil
    if let name = options.collapse {
      let table = selection.table
      guard let j = table.columnIndex(named: name) else {
        throw InputError(option: "collapse", "unknown column \(name.quotedForMessage), expected one of: \(table.headerNames.prefix(12).joined(separator: ", "))")
      }
      collapseKeys = try dataRows.map { i in
        switch table.columns[j] {
        case .numeric(let c):
          guard !c.values[i].isNaN else { throw InputError(table.location(row: i, column: j), "\(name) is missing, expected an id for every row of the model") }
          return RNumberText.format(c.values[i])
        case .categorical(let c):
          guard c.codes[i] >= 0 else { throw InputError(table.location(row: i, column: j), "\(name) is missing, expected an id for every row of the model") }
          return c.levels[Int(c.codes[i])]
        }
      }
    }
    // Profiles are coded from the frame before the model takes it.
    let paths = try options.predictId.map { try Self.paths(options, idColumn: $0, frame: frame) }
    let profiles = paths == nil ? try profiles(options, frame: frame) : nil
    // The frame is handed over: on large data the model releases its
    // covariate columns once the design matrix is built.
    let model = try CoxModel(frame: consume frame, options: cox)
    let keep = !context.requestedFiles.isDisjoint(with: ["residuals", "baseline"])
    var output = CoxOutput(fit: model.fit, formula: options.data!.formula(options.formula), model: keep ? model : nil,
                           dataRows: keep ? dataRows : [])
    output.residualsWeighted = options.residualsWeighted
    output.collapse = collapseKeys.map { (options.collapse!, $0) }
    if let profiles {
      output.predictions = model.predict(profiles, times: options.times, confidenceLevel: options.confidenceLevel)
    }
    if let paths {
      output.predictions = model.predict(paths: paths, times: options.times, confidenceLevel: options.confidenceLevel)
    }
    return output
  }

  /// `--predict FILE --predict-id ID`: each subject's rows, in file order,
  /// as a covariate path over its (start, stop] intervals (the columns of
  /// the formula's Surv(start, stop, event)).
  static func paths(_ options: Options, idColumn: String, frame: ModelFrame) throws -> [CoxCovariatePath] {
    guard frame.response?.isCountingProcess == true, case .call("Surv", let args, _)? = frame.formula.response, args.count == 3 else {
      throw InputError(option: "predict-id", "a covariate path needs (start, stop] intervals, expected a model of Surv(start, stop, event)")
    }
    let path = options.predict!
    let table = try DataFiles.read(path: path)
    guard table.rowCount > 0 else { throw InputError(option: "predict", "\(path) has no rows, expected one row per interval of each subject") }
    guard let j = table.columnIndex(named: idColumn) else {
      throw InputError(option: "predict-id", "no column \(idColumn.quotedForMessage) in \(path), expected one of: \(table.headerNames.prefix(12).joined(separator: ", "))")
    }
    let starts = try ModelFrame.evaluate(args[0], on: table, option: "predict")
    let stops = try ModelFrame.evaluate(args[1], on: table, option: "predict")
    let profiles = try frame.profiles(from: table, option: "predict")
    var order: [String] = []
    var rowsOf: [String: [Int]] = [:]
    for row in 0..<table.rowCount {
      let key: String
      switch table.columns[j] {
      case .numeric(let c):
        guard !c.values[row].isNaN else { throw InputError(option: "predict", "row \(row + 1) of \(path): \(idColumn) is missing, expected a subject for every row") }
        key = RNumberText.format(c.values[row])
      case .categorical(let c):
        guard c.codes[row] >= 0 else { throw InputError(option: "predict", "row \(row + 1) of \(path): \(idColumn) is missing, expected a subject for every row") }
        key = c.levels[Int(c.codes[row])]
      }
      guard starts[row].isFinite, stops[row].isFinite, starts[row] < stops[row] else {
        throw InputError(option: "predict", "row \(row + 1) of \(path): the interval (\(RNumberText.format(starts[row])), \(RNumberText.format(stops[row]))] is not a finite interval with start < stop")
      }
      if rowsOf[key] == nil { order.append(key) }
      rowsOf[key, default: []].append(row)
    }
    return try order.map { key in
      let rows = rowsOf[key]!
      for (a, b) in zip(rows, rows.dropFirst()) where starts[b] < stops[a] {
        throw InputError(option: "predict", "row \(b + 1) of \(path): subject \(idColumn)=\(key) has an interval starting at \(RNumberText.format(starts[b])) before the previous one ends (\(RNumberText.format(stops[a]))), expected intervals in time order")
      }
      return CoxCovariatePath(label: "\(idColumn)=\(key)", intervals: rows.map { (starts[$0], stops[$0], profiles[$0]) })
    }
  }

  /// The covariate profiles of `--at "age=60, sex=2"` (each a one-row
  /// table) or of the rows of `--predict FILE.csv`.
  static func profiles(_ options: Options, frame: ModelFrame) throws -> [CovariateProfile]? {
    if let path = options.predict {
      let table = try DataFiles.read(path: path)
      guard table.rowCount > 0 else { throw InputError(option: "predict", "\(path) has no rows, expected one covariate profile per row") }
      return try frame.profiles(from: table, option: "predict")
    }
    guard let at = options.at else { return nil }
    var out: [CovariateProfile] = []
    for text in at {
      var names: [String] = [], values: [String] = []
      for part in text.split(separator: ",", omittingEmptySubsequences: false) {
        let pair = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
        guard pair.count == 2, !pair[0].isEmpty, !pair[1].isEmpty else {
          throw InputError(option: "at", "\(text.quotedForMessage): expected name=value pairs separated by commas, as \"age=60, sex=2\"")
        }
        guard !names.contains(pair[0]) else { throw InputError(option: "at", "\(text.quotedForMessage): \(pair[0]) is given twice") }
        names.append(pair[0])
        values.append(pair[1].count >= 2 && (pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") || pair[1].hasPrefix("'") && pair[1].hasSuffix("'"))
                      ? String(pair[1].dropFirst().dropLast()) : pair[1])
      }
      func field(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
      let csv = names.map(field).joined(separator: ",") + "\n" + values.map(field).joined(separator: ",") + "\n"
      let table = try CSVReader.read(bytes: Array(csv.utf8), source: "--at")
      out += try frame.profiles(from: table, labels: [names.enumerated().map { "\($0.element)=\(values[$0.offset])" }.joined(separator: ", ")],
                                option: "at")
    }
    return out
  }

  public static func file(_ name: String, of output: CoxOutput) throws -> ResultTable? {
    guard let model = output.model else { return nil }
    switch name {
    case "residuals":
      return model.residualTable(frame: DataRows(rows: output.dataRows), weighted: output.residualsWeighted,
                                 collapse: output.collapse?.keys, collapseName: output.collapse?.name ?? "id")
    case "baseline": return model.baselineTable()
    default: return nil
    }
  }

  public static func figures(_ output: CoxOutput, options: Options, figure: FigureOptions, in context: AnalysisContext,
                             style: JournalStyle) throws -> [ReportFigure] {
    var figures: [ReportFigure] = []
    if figure.forest, !output.fit.terms.isEmpty {
      let plot = output.fit.forestPlot(title: nil)
      figures.append(ReportFigure(suffix: "-forest", svg: plot.svg(),
                                  subject: "Hazard ratios with \(RNumberText.format(output.fit.confidenceLevel * 100))% confidence intervals",
                                  detail: plot.captionNote + "."))
    }
    if figure.curves, let predictions = output.predictions, !predictions.isEmpty {
      // Adjusted (predicted) survival curves, one per profile and stratum.
      let curves = predictions.map { p in
        KaplanMeierPlot.Curve(label: p.stratum.map { "\(p.profile); \($0)" } ?? p.profile, points: p.steps.map {
          KaplanMeierPlot.Point(time: $0.time, survival: $0.survival, lower: $0.lower, upper: $0.upper, censored: false)
        })
      }
      let last = predictions.flatMap(\.steps).map(\.time).max() ?? 1
      let plot = KaplanMeierPlot(title: nil, curves: curves, breaks: KaplanMeierFit.plotBreaks(figure.breaks, last: last),
                                 countRows: [], bands: false, cumulativeIncidence: false, xLabel: "Time",
                                 yLabel: "Predicted survival", annotation: nil)
      figures.append(ReportFigure(suffix: "-predicted", svg: plot.svg(),
                                  subject: "Predicted survival from the Cox model for the given covariate profiles",
                                  detail: " (R survfit(fit, newdata); \(output.fit.ties == .efron ? "Efron" : "Breslow") baseline hazard)."))
    }
    return figures
  }
}

/// The result of `cox`.
public struct CoxOutput: AnalysisOutput {
  public var fit: CoxFit
  public var formula: String
  /// Kept only when residuals or the baseline hazard are asked for.
  public var model: CoxModel?
  var dataRows: [Int]
  /// Predicted survival (`--at`, `--predict`).
  public var predictions: [CoxPrediction]?
  /// How the residual file is written.
  var residualsWeighted = false
  var collapse: (name: String, keys: [String])?

  enum PredictionKey: String, CodingKey { case predictions }

  public func encode(to encoder: Encoder) throws {
    try fit.encode(to: encoder)
    if let predictions {
      var c = encoder.container(keyedBy: PredictionKey.self)
      try c.encode(predictions, forKey: .predictions)
    }
  }

  public func tables(title: String?) -> [ResultTable] {
    var tables = fit.tables(title: title ?? "Cox proportional hazards: \(formula)")
    if let predictions { tables.append(CoxOutput.predictionTable(predictions, confidenceLevel: fit.confidenceLevel)) }
    return tables
  }

  /// The predicted curves: at `--times` when given, else the median and the
  /// last time of each curve.
  static func predictionTable(_ predictions: [CoxPrediction], confidenceLevel: Double) -> ResultTable {
    let level = percent(confidenceLevel)
    var rows: [[Cell]] = []
    for p in predictions {
      let label = p.stratum.map { "\(p.profile); \($0)" } ?? p.profile
      for s in p.at ?? p.steps.suffix(1) {
        rows.append([.text(label), .number(s.time), .number(s.nRisk), .value(s.survival), .value(s.standardError),
                     .value(s.lower), .value(s.upper)])
      }
    }
    return ResultTable(title: "Predicted survival", columns: [
      ColumnSpec("profile", style: .text), ColumnSpec("time", style: .significant(6)), ColumnSpec("n.risk", style: .count),
      ColumnSpec("survival", style: .significant(3)), ColumnSpec("std.err", style: .significant(3)),
      ColumnSpec("lower \(level) CI", style: .significant(3)), ColumnSpec("upper \(level) CI", style: .significant(3)),
    ], rows: rows, footnotes: ["R survfit(fit, newdata): S = exp(−H(t; x)) with the fit's ties method for the baseline; SE by Tsiatis' formula; limits on the log scale.",
                               "Without --times, the last time of each curve."])
  }

  public var warnings: [String] { fit.warnings.map(\.message) }

  public var methods: String {
    let tiesMethod = fit.ties == .efron ? "Efron's method" : fit.ties == .breslow ? "Breslow's method" : "the exact partial likelihood (discrete logistic model)"
    var s = "Hazard ratios were estimated by Cox proportional-hazards regression with \(tiesMethod) for tied times and \(percent(fit.confidenceLevel)) Wald confidence intervals\(fit.robust ? " from the robust (cluster) variance" : "")."
    if fit.proportionalHazards != nil {
      s += " Proportional hazards were checked with the scaled Schoenfeld residual test (R cox.zph)."
    }
    return s
  }

  public func sentences(style: JournalStyle, unit: String?) -> [String] {
    fit.terms.map { t in
      guard t.coefficient != nil else { return "\(t.name): not estimable (aliased with other terms)." }
      guard t.estimable else { return "\(t.name): HR not estimable (monotone likelihood)." }
      return "\(t.name): HR " + style.interval(style.ratio(t.hazardRatio), style.ratio(t.lower), style.ratio(t.upper), level: fit.confidenceLevel)
        + (t.p.map { ", " + style.pClause($0) } ?? "") + "."
    }
  }
}

/// The data rows of a model frame's rows, for the residual file.
struct DataRows: ModelFrameRows {
  let rows: [Int]
  func dataRow(_ frameRow: Int) -> Int { rows[frameRow] + 1 }
}
