import Rendering
import Tabular

/// Every analysis, in the order `outcomes --help` lists them. The command
/// line, report specs and claims files find analyses here and nowhere else.
public enum AnalysisRegistry {
  public static let all: [AnalysisKind] = [
    AnalysisKind(KaplanMeierAnalysis.self),
    AnalysisKind(LogRankAnalysis.self),
    AnalysisKind(CoxAnalysis.self),
    AnalysisKind(OneRateAnalysis.self),
    AnalysisKind(CompareAnalysis.self),
    AnalysisKind(CMHAnalysis.self),
    AnalysisKind(LogisticAnalysis.self),
    AnalysisKind(TableOneAnalysis.self),
    AnalysisKind(SimonDesignAnalysis.self),
    AnalysisKind(SingleStageDesignAnalysis.self),
    AnalysisKind(TwoRatesDesignAnalysis.self),
    AnalysisKind(LogRankDesignAnalysis.self),
  ]

  /// The analysis the first words of a command line name (`km`, `design
  /// simon`), and how many words that took.
  public static func match(_ words: [String]) -> (analysis: AnalysisKind, words: Int)? {
    var best: (AnalysisKind, Int)? = nil
    for a in all where words.starts(with: a.name.words) {
      if best == nil || a.name.words.count > best!.1 { best = (a, a.name.words.count) }
    }
    return best.map { (analysis: $0.0, words: $0.1) }
  }

  /// The analysis with these words exactly.
  public static func named(_ words: [String]) -> AnalysisKind? {
    all.first { $0.name.words == words }
  }

  /// Groups of analyses under one first word (`design`), with their second words.
  public static var groups: [String: [String]] {
    var out: [String: [String]] = [:]
    for a in all where a.name.words.count == 2 { out[a.name.words[0], default: []].append(a.name.words[1]) }
    return out
  }
}

/// An analysis type seen without its generic types: what front ends need to
/// describe and run it. Built once per analysis from its `Analysis` type.
public struct AnalysisKind: Sendable {
  public let name: AnalysisName
  public let abstract: String
  public let discussion: String
  public let example: String
  /// The analysis's own options (a spec's and a claim's keys).
  public let parameters: [Parameter]
  /// A report's figure keys.
  public let figureParameters: [Parameter]
  /// Files the command line can also write.
  public let fileOutputs: [Parameter]
  private let runner: @Sendable (OptionInput, AnalysisContext) throws -> CompletedAnalysis
  private let decoder: @Sendable (OptionInput) throws -> Void
  private let opener: @Sendable (inout any AnalysisTypeReceiver) -> Void

  public init<A: Analysis>(_ type: A.Type) {
    name = A.name
    abstract = A.abstract
    discussion = A.discussion
    example = A.example
    parameters = A.Options.parameters
    figureParameters = A.FigureOptions.parameters
    fileOutputs = A.fileOutputs
    runner = { input, context in try A.run(input, in: context) }
    decoder = { input in _ = try A.options(from: input) }
    opener = { receiver in receiver.receive(A.self) }
  }

  /// Decodes the options and runs the analysis.
  public func run(_ input: OptionInput, in context: AnalysisContext) throws -> CompletedAnalysis {
    try runner(input, context)
  }

  /// Decodes the options without running: the same checks and errors.
  public func validate(_ input: OptionInput) throws {
    try decoder(input)
  }

  /// Hands the analysis's type to `receiver` (a front end that needs it as a
  /// generic parameter, as ArgumentParser's subcommands do).
  public func open(_ receiver: inout any AnalysisTypeReceiver) {
    opener(&receiver)
  }
}

/// Receives an analysis's static type from `AnalysisKind.open`.
public protocol AnalysisTypeReceiver {
  mutating func receive<A: Analysis>(_ type: A.Type)
}

/// An analysis that has run: its output, and what else each front end may
/// ask of it (figures for a report, files for the command line).
public struct CompletedAnalysis: Sendable {
  public let name: AnalysisName
  public let output: any AnalysisOutput
  /// The conventions behind the numbers (`nil` when the analysis has none).
  public let conventions: Conventions?
  private let figureMaker: @Sendable (OptionInput, JournalStyle) throws -> [ReportFigure]
  private let fileMaker: @Sendable (String) throws -> ResultTable?

  /// The contract's JSON as a tree (for `check`, tests); `--format json`
  /// streams `envelope` instead.
  public func json() throws -> JSONValue {
    try JSONValueEncoder().encode(envelope)
  }

  /// `{"command": …, …the output's fields}`.
  public var envelope: AnalysisJSON { AnalysisJSON(command: name.command, output: output, conventions: conventions) }

  /// The output's tables with the conventions' fingerprint under the last:
  /// what text, Markdown and a report print.
  public func tables(title: String?) -> [ResultTable] {
    var tables = output.tables(title: title)
    if let conventions, !tables.isEmpty { tables[tables.count - 1].footnotes.append(conventions.fingerprint) }
    return tables
  }

  /// The figures of a report entry from its figure keys (decoded here).
  public func figures(_ keys: OptionInput, style: JournalStyle) throws -> [ReportFigure] {
    try figureMaker(keys, style)
  }

  /// A file asked for on the command line (`residuals`), as a table.
  public func file(_ name: String) throws -> ResultTable? { try fileMaker(name) }

  init(name: AnalysisName, output: any AnalysisOutput, conventions: Conventions?,
       figures: @escaping @Sendable (OptionInput, JournalStyle) throws -> [ReportFigure],
       file: @escaping @Sendable (String) throws -> ResultTable?) {
    self.name = name
    self.output = output
    self.conventions = conventions
    self.figureMaker = figures
    self.fileMaker = file
  }
}

/// The JSON document of an analysis: `command` first, then the output's
/// fields, then `conventions` when the analysis has them.
public struct AnalysisJSON: Encodable, Sendable {
  public let command: String
  public let output: any AnalysisOutput
  public let conventions: Conventions?

  enum CodingKeys: String, CodingKey { case command, conventions }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(command, forKey: .command)
    try output.encode(to: encoder)
    if let conventions {
      var after = encoder.container(keyedBy: CodingKeys.self)
      try after.encode(conventions, forKey: .conventions)
    }
  }
}

extension Analysis {
  /// Options decoded from what a front end gave.
  public static func options(from input: OptionInput) throws -> Options {
    try OptionDecoder.decode(Options.self, from: input)
  }

  /// Decodes the options and runs the analysis.
  public static func run(_ input: OptionInput, in context: AnalysisContext) throws -> CompletedAnalysis {
    let options = try options(from: input)
    return try complete(options, in: context)
  }

  /// Runs with typed options.
  public static func complete(_ options: Options, in context: AnalysisContext) throws -> CompletedAnalysis {
    let output = try run(options, in: context)
    return CompletedAnalysis(
      name: name, output: output, conventions: conventions(options, output: output),
      figures: { keys, style in
        let figure = try OptionDecoder.decode(FigureOptions.self, from: keys)
        return try figures(output, options: options, figure: figure, in: context, style: style)
      },
      file: { try file($0, of: output) })
  }
}
