import ModelFrame
import Rendering
import Tabular

/// An analysis as a value: its name, its typed options and its result. The
/// command line, report specs and claims files all run analyses through this
/// protocol and nothing else; `AnalysisRegistry.all` lists them.
///
/// Adding an analysis: its kernel and result in its module, a type
/// conforming to `Analysis` (options, `run`, the result's tables, methods
/// sentence and JSON) in this module, one line in `AnalysisRegistry`, its docs.
public protocol Analysis {
  associatedtype Options: AnalysisOptions
  associatedtype Output: AnalysisOutput
  /// Report keys that shape its figures (`risk-table`, `forest`); `NoOptions` when none.
  associatedtype FigureOptions: AnalysisOptions = NoOptions

  static var name: AnalysisName { get }
  /// One line for `outcomes --help` and the command's help.
  static var abstract: String { get }
  /// A paragraph for the command's help.
  static var discussion: String { get }
  /// A worked example on a bundled data set (`outcomes km --data Datasets/lung.csv …`).
  static var example: String { get }
  /// Files the command line can also write (`cox --residuals FILE`): name and help.
  static var fileOutputs: [Parameter] { get }

  static func run(_ options: Options, in context: AnalysisContext) throws -> Output

  /// The figures of a report entry, computed from the same options and the
  /// same rows (`context.select(options.data)` returns the same `Selection`).
  static func figures(_ output: Output, options: Options, figure: FigureOptions, in context: AnalysisContext,
                      style: JournalStyle) throws -> [ReportFigure]

  /// A file the command line asked for (`fileOutputs`), as a table written as CSV.
  static func file(_ name: String, of output: Output) throws -> ResultTable?

  /// The conventions behind the output's numbers where systems differ
  /// (docs/CONVENTIONS.md): the JSON's `conventions` and the fingerprint
  /// under the tables; `nil` for an analysis with none.
  static func conventions(_ options: Options, output: Output) -> Conventions?
}

extension Analysis {
  public static var fileOutputs: [Parameter] { [] }
  public static func figures(_ output: Output, options: Options, figure: FigureOptions, in context: AnalysisContext,
                             style: JournalStyle) throws -> [ReportFigure] { [] }
  public static func file(_ name: String, of output: Output) throws -> ResultTable? { nil }
  public static func conventions(_ options: Options, output: Output) -> Conventions? { nil }
}

/// How an analysis is named by each front end: `km`; `design simon` on the
/// command line, `design: {type: simon}` in a spec, `"command":
/// "design-simon"` in its JSON.
public struct AnalysisName: Sendable, Hashable, CustomStringConvertible {
  /// The command line's words: `["km"]`, `["design", "simon"]`.
  public var words: [String]
  /// The JSON's `command`.
  public var command: String

  public init(_ words: String..., command: String? = nil) {
    self.words = words
    self.command = command ?? words.joined(separator: "-")
  }

  public var description: String { words.joined(separator: " ") }
}

/// An analysis's options: `Decodable` (through `OptionDecoder` from any front
/// end, or a `JSONDecoder`) and described, option by option, for help,
/// completion and a spec's keys.
public protocol AnalysisOptions: Decodable, Sendable {
  /// Every option, in the order help lists them.
  static var parameters: [Parameter] { get }
  /// The rows the analysis reads; `nil` when it takes none (designs, counts).
  var data: DataSelection? { get }
}

extension AnalysisOptions {
  public var data: DataSelection? { nil }
}

/// Options of an analysis that has none of a kind (figure options).
public struct NoOptions: AnalysisOptions {
  public static var parameters: [Parameter] { [] }
  public init() {}
  public init(from decoder: Decoder) throws {}
}

/// What an analysis computes, as every front end presents it: the contract's
/// JSON (`Encodable`, without `command`, which the envelope adds first),
/// tables for text, Markdown and CSV, warnings, a methods sentence and
/// one-sentence results for a manuscript.
public protocol AnalysisOutput: Encodable, Sendable {
  /// The tables of `--format text|md|csv` and of a report; a report's `title`
  /// replaces the first table's.
  func tables(title: String?) -> [ResultTable]
  /// The tables of `--format csv` and a report's CSV files: the same as
  /// `tables` unless those hold formatted text (Table 1's `12 (35%)`), in
  /// which case these hold the unrounded values.
  func dataTables(title: String?) -> [ResultTable]
  /// Numerical conditions in R's wording (non-convergence, separation,
  /// skipped computations); printed on standard error and in reports.
  var warnings: [String] { get }
  /// One or two sentences for a methods section.
  var methods: String { get }
  /// One sentence per group or term, in a journal's style (`unit` names the time unit).
  func sentences(style: JournalStyle, unit: String?) -> [String]
}

extension AnalysisOutput {
  public func dataTables(title: String?) -> [ResultTable] { tables(title: title) }
  public var warnings: [String] { [] }
  public func sentences(style: JournalStyle, unit: String?) -> [String] { [] }
}

/// A figure of a report entry: SVG, a caption, the file stem's suffix
/// (`""`, `-forest`), and the tables its numbers come from (written as CSV).
public struct ReportFigure: Sendable {
  public var suffix: String
  public var svg: String
  /// What the figure shows (`Kaplan–Meier curves`); an entry's title takes
  /// its place when `titled`.
  public var subject: String
  /// The rest of the caption (`, with the numbers at risk.`).
  public var detail: String
  public var titled: Bool
  /// Tables behind the figure (`-at-risk`), with their file suffixes.
  public var tables: [(suffix: String, table: ResultTable)]
  /// A sentence the figure adds to the methods (the test printed on it).
  public var methods: String?

  public init(suffix: String, svg: String, subject: String, detail: String = ".", titled: Bool = false,
              tables: [(suffix: String, table: ResultTable)] = [], methods: String? = nil) {
    self.suffix = suffix
    self.svg = svg
    self.subject = subject
    self.detail = detail
    self.titled = titled
    self.tables = tables
    self.methods = methods
  }

  /// The caption under an entry titled `title`.
  public func caption(title: String?) -> String {
    ((titled ? title : nil) ?? subject) + detail
  }
}

/// What an analysis needs beyond its options: the data, and where to report
/// progress of a long computation.
public struct AnalysisContext: Sendable {
  public var data: DataContext
  /// Called with a line of progress (a long exact computation); the command
  /// line prints it on a terminal.
  public var progress: (@Sendable (String) -> Void)?
  /// Files the command line will write (`fileOutputs` given), so a model keeps what they need.
  public var requestedFiles: Set<String>

  public init(data: DataContext = DataContext(), progress: (@Sendable (String) -> Void)? = nil, requestedFiles: Set<String> = []) {
    self.data = data
    self.progress = progress
    self.requestedFiles = requestedFiles
  }

  /// The rows of `selection` (see `DataContext.select`).
  public func select(_ selection: DataSelection) throws -> Selection {
    try data.select(selection)
  }

  /// The rows of `selection` for a formula: on the command line only the
  /// formula's columns (and `columns`) are parsed from delimited text. A
  /// formula that does not parse, or uses `.`, reads every column (its
  /// error, if any, comes from the model frame as before).
  public func select(_ selection: DataSelection, formula: String, columns: [String] = []) throws -> Selection {
    let needed = (try? Formula.parse(selection.formula(formula)))?.columnNames
    return try data.select(selection, columns: needed.map { $0.union(columns) })
  }
}
