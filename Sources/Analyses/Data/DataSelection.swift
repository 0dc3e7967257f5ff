import DataFiles
import ModelFrame
import Tabular

/// Which rows an analysis uses, as the user wrote it: a file (or a data-set
/// name in a spec or claims file), a table or query of a database, a `where`
/// filter, and for CDISC ADaM ADTTE data the parameter. Resolved once per
/// analysis into a `Selection`, which every statistic of that analysis (and
/// every number drawn on its figures) receives.
public struct DataSelection: Sendable, Hashable {
  /// A path, `-` for standard input, or a name under a spec's `data:`.
  public var data: String
  /// With an SQLite database: the table, or a query instead.
  public var table: String?
  public var query: String?
  /// Keep the rows where this holds (`Tabular.RowFilter` syntax).
  public var rowFilter: String?
  /// ADaM ADTTE: `Surv(AVAL, CNSR == 0)` on the rows whose `PARAMCD` is `param`.
  public var adam: Bool
  public var param: String?

  public init(data: String, table: String? = nil, query: String? = nil, rowFilter: String? = nil, adam: Bool = false,
              param: String? = nil) {
    self.data = data
    self.table = table
    self.query = query
    self.rowFilter = rowFilter
    self.adam = adam
    self.param = param
  }

  enum CodingKeys: String, CodingKey, CaseIterable {
    case data, table, query, rowFilter = "where", adam, param
  }

  /// The options that choose the rows; `adam` and `param` for time-to-event analyses.
  public static func parameters(adam: Bool, required: Bool = true) -> [Parameter] {
    var list = [
      Parameter("data", help: required
        ? "Input data: .csv, .tsv/.tab, .xpt, .sas7bdat, .dta, .sav, an SQLite database; '-' reads CSV from standard input."
        : "Input data instead of counts (as for the other commands).", required: required, path: true),
      Parameter("where", help: "Keep the rows where this holds, e.g. \"age >= 18 & arm != 'C'\"."),
      Parameter("table", help: "With an SQLite database: the table to read."),
      Parameter("query", help: "With an SQLite database: a SELECT statement to read instead of a table."),
    ]
    if adam {
      list.append(Parameter("adam", .flag, help: "CDISC ADaM ADTTE data: Surv(AVAL, CNSR == 0) on the rows of --param."))
      list.append(Parameter("param", help: "With --adam: the PARAMCD of the analysis (e.g. OS)."))
    }
    return list
  }

  /// Reads the selection's options from an options type's decoder; `nil`
  /// when `data` is not given and not required.
  public static func decode(from decoder: Decoder, adam allowsADaM: Bool, required: Bool) throws -> DataSelection? {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    guard let data = try c.text(.data, expected: "a data file") else {
      if required { throw InputError(option: "data", "missing, expected the input data (a CSV, SAS, Stata, SPSS or SQLite file)") }
      for key in [CodingKeys.table, .query, .rowFilter] where c.contains(key) {
        throw InputError(option: key.rawValue, "expected \(String.option("data")) with \(String.option(key.rawValue))")
      }
      return nil
    }
    var s = DataSelection(data: data, table: try c.text(.table), query: try c.text(.query), rowFilter: try c.text(.rowFilter))
    if s.table != nil && s.query != nil {
      throw InputError(option: "query", "expected \(String.option("table")) or \(String.option("query")), found both")
    }
    if allowsADaM {
      s.adam = try c.flag(.adam)
      s.param = try c.text(.param)
      if !s.adam && s.param != nil { throw InputError(option: "param", "expected \(String.option("adam")) with \(String.option("param"))") }
      if s.adam && s.param == nil {
        throw InputError(option: "param", "expected \(String.option("param")) CODE with \(String.option("adam")), as in \(String.option("param")) OS")
      }
    }
    return s
  }

  /// The formula to fit: with `adam`, `~ TRTP` means `Surv(AVAL, CNSR == 0) ~ TRTP`.
  public func formula(_ written: String) -> String {
    guard adam else { return written }
    let trimmed = written.trimmingSpaces
    return trimmed.hasPrefix("~") ? "Surv(AVAL, CNSR == 0) " + trimmed : written
  }
}

/// A `DataSelection` resolved: the rows every statistic of one analysis uses.
public struct Selection: Sendable {
  public var request: DataSelection
  /// The rows after `where` and the ADaM parameter.
  public var table: Table
  /// Rows in the file (or table or query) before any filter.
  public var rowsRead: Int

  /// The model frame of a formula over these rows (R's model.frame with
  /// na.action = na.omit): the one place formulas meet data.
  public func frame(formula written: String, options: ModelFrame.Options = .init()) throws -> ModelFrame {
    let parsed = try Formula.parse(request.formula(written))
    return try ModelFrame.build(formula: parsed, table: table, options: options)
  }

  /// What the rows are, for a methods paragraph or provenance:
  /// `929 of 1858 rows (where etype == 2)`.
  public var description: String {
    var filters: [String] = []
    if let f = request.rowFilter { filters.append("where \(f)") }
    if request.adam, let p = request.param { filters.append("PARAMCD \(p)") }
    guard !filters.isEmpty else { return "\(table.rowCount) rows" }
    return "\(table.rowCount) of \(rowsRead) rows (\(filters.joined(separator: "; ")))"
  }
}
