import Analyses
import Foundation
import Rendering
import SpecFiles
import Tabular

/// One analysis of a report, computed, with the report's own keys.
public struct ReportEntry: Sendable {
  public var entry: AnalysisEntry
  /// The file stem of its tables and figures.
  public var name: String
  public var keys: ReportKeys
  public var result: CompletedAnalysis
  public var figures: [ReportFigure]
}

/// The keys every report entry takes (`ReportSpec.reportParameters`).
public struct ReportKeys: Decodable, Sendable {
  public var title: String?
  public var name: String?
  public var note: String?
  public var inline: Bool
  public var unit: String?

  enum CodingKeys: String, CodingKey { case title, name, note, inline, unit }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    title = try c.text(.title)
    name = try c.text(.name)
    note = try c.text(.note)
    inline = try c.flag(.inline)
    unit = try c.text(.unit)
    if let n = name, !n.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) {
      throw c.problem(.name, "letters, digits, '-' or '_'")
    }
  }
}

/// Runs every analysis of a spec through the analyses' own `run`, on one
/// data context: each file is read once, and a figure's statistics come
/// from the same rows as the table beside it.
public struct ReportRunner {
  public let spec: ReportSpec
  public let context: AnalysisContext

  public init(spec: ReportSpec, progress: (@Sendable (String) -> Void)? = nil) {
    self.spec = spec
    let folder = spec.folder
    self.context = AnalysisContext(data: DataContext(baseDirectory: folder.isEmpty ? nil : folder,
                                                     names: spec.data.map { ($0.name, $0.written) }, caching: true,
                                                     progress: progress),
                                   progress: progress)
  }

  /// Computes every entry; `announce` is told each entry's key path as it starts.
  public func run(version: String, date: String?, announce: ((Int, Int, String) -> Void)? = nil) throws -> ReportContent {
    let total = spec.sections.reduce(0) { $0 + $1.items.count }
    var done = 0
    var names = Set<String>()
    var counters: [String: Int] = [:]
    var sections: [[ReportEntry]] = []
    for section in spec.sections {
      var entries: [ReportEntry] = []
      for item in section.items {
        done += 1
        announce?(done, total, item.keyPath)
        entries.append(try entry(item, names: &names, counters: &counters))
      }
      sections.append(entries)
    }
    var inputs: [ReportInput] = []
    for input in context.data.inputs {
      inputs.append(ReportInput(path: input.written, rows: input.rows, sha256: try SHA256.hex(path: input.path, what: "the data file")))
    }
    return ReportContent(spec: spec, specSHA256: spec.sha256, version: version, date: date,
                         sections: sections, inputs: inputs)
  }

  private func entry(_ item: AnalysisEntry, names: inout Set<String>, counters: inout [String: Int]) throws -> ReportEntry {
    let dataPath = item.input["data"].map { context.data.path(for: $0.text).path }
    do {
      let keys = try OptionDecoder.decode(ReportKeys.self, from: item.input(for: ReportSpec.reportParameters))
      let name = try ReportRunner.name(keys.name, base: item.analysis.name.words.last ?? "analysis", names: &names, counters: &counters)
      return try compute(item, name: name, keys: keys)
    } catch let error as InputError {
      throw item.locate(error, dataPath: dataPath)
    }
  }

  private func compute(_ item: AnalysisEntry, name: String, keys: ReportKeys) throws -> ReportEntry {
    let result = try item.analysis.run(item.analysisInput, in: context)
    let style = JournalStyle.named(spec.style) ?? .default
    let figures = try result.figures(item.input(for: item.analysis.figureParameters), style: style)
    return ReportEntry(entry: item, name: name, keys: keys, result: result, figures: figures)
  }

  /// The entry's `name`, or the next free `km-1`, `km-2`, …
  static func name(_ given: String?, base: String, names: inout Set<String>, counters: inout [String: Int]) throws -> String {
    if let given {
      guard names.insert(given).inserted else { throw InputError(option: "name", "name \(given.quotedForMessage) used twice") }
      return given
    }
    while true {
      let k = (counters[base] ?? 0) + 1
      counters[base] = k
      let candidate = "\(base)-\(k)"
      if names.insert(candidate).inserted { return candidate }
    }
  }

  /// `SOURCE_DATE_EPOCH` as a date (no wall clock otherwise).
  public static func date(environment: [String: String]) -> String? {
    guard let epoch = environment["SOURCE_DATE_EPOCH"], let seconds = Double(epoch), seconds.isFinite,
          abs(seconds) < 1e12 else { return nil }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd"
    return formatter.string(from: Date(timeIntervalSince1970: seconds))
  }
}
