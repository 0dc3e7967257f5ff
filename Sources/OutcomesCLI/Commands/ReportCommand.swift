import ArgumentParser
import DataFiles
import Foundation
import Reports
import Rendering
import Tabular

#if canImport(Glibc)
import Glibc
#endif

/// `outcomes report SPEC.yaml`: renders the analyses a YAML spec names into
/// a folder: `report.md`, `tables/*.csv`, `figures/*.svg`.
struct ReportCommand: ParsableCommand, DocumentedCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Render a report (Markdown, CSV tables, SVG figures) from a YAML spec.",
    discussion: """
      The spec names data sets and sections of analyses with the CLI's option names. The report is \
      written to a temporary folder and moved into place, so a failed run leaves nothing half-written. \
      Output is byte-identical for identical inputs; set SOURCE_DATE_EPOCH to print a date.
      """)

  static let example = """
      outcomes report Reports/osteonecrosis/spec.yaml
    """

  @Argument(help: "The report spec (YAML).")
  var spec: String

  @Option(name: .customLong("out-dir"), help: "Folder to write (default: Reports/<spec name>/, or the spec's folder when the spec is report-shaped there).")
  var outDir: String?

  func run() throws {
    let spec = try ReportSpec.load(path: self.spec)
    let folder = outDir ?? ReportCommand.defaultFolder(spec: self.spec)
    var builder = ReportRun(spec: spec)
    let content = try builder.run(version: Outcomes.configuration.version)
    let files = ReportWriter.render(content)
    try ReportFolder.write(files, to: folder)
    writeStandardOutput("Report written to \(folder.hasSuffix("/") ? folder : folder + "/")report.md\n")
  }

  /// `Reports/<name>/` for a spec `…/<name>.yaml`; a spec named `spec.yaml`
  /// writes beside itself (its folder is the report's name).
  static func defaultFolder(spec: String) -> String {
    let file = spec.split(separator: "/").last.map(String.init) ?? spec
    let stem = file.hasSuffix(".yaml") ? String(file.dropLast(5)) : (file.hasSuffix(".yml") ? String(file.dropLast(4)) : file)
    if stem == "spec" {
      let folder = (spec as NSString).deletingLastPathComponent
      return folder.isEmpty ? "." : folder
    }
    return "Reports/\(stem)"
  }
}

/// Runs every analysis of a spec through the same commands as the CLI.
struct ReportRun {
  let spec: ReportSpec
  var inputs: [(resolved: String, input: ReportInput)] = []
  var names = Set<String>()
  var counters: [String: Int] = [:]

  init(spec: ReportSpec) { self.spec = spec }

  mutating func run(version: String) throws -> ReportContent {
    let total = spec.sections.reduce(0) { $0 + $1.items.count }
    var done = 0
    var sections: [[ReportEntry]] = []
    for section in spec.sections {
      var entries: [ReportEntry] = []
      for item in section.items {
        done += 1
        if isatty(2) != 0 { writeStandardError("outcomes: [\(done)/\(total)] \(item.keyPath)\n") }
        entries.append(try entry(item))
      }
      sections.append(entries)
    }
    let specBytes = FileManager.default.contents(atPath: spec.path).map { [UInt8]($0) } ?? []
    var date: String? = nil
    if let epoch = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], let seconds = Double(epoch) {
      let formatter = DateFormatter()
      formatter.locale = Locale(identifier: "en_US_POSIX")
      formatter.timeZone = TimeZone(identifier: "UTC")
      formatter.dateFormat = "yyyy-MM-dd"
      date = formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
    return ReportContent(spec: spec, specSHA256: SHA256.hex(specBytes), version: version, date: date,
                         sections: sections, inputs: inputs.map(\.input))
  }

  private mutating func name(for item: ReportSpec.Item) throws -> String {
    if let option = item.option("name") {
      let n = option.value.argument
      guard !n.isEmpty, n.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
        throw InputError(option.location, "\(option.keyPath): expected letters, digits, '-' or '_', found \(n.quotedForMessage)")
      }
      guard names.insert(n).inserted else { throw InputError(option.location, "\(option.keyPath): name \(n.quotedForMessage) used twice") }
      return n
    }
    let base = item.kind == "design" ? (item.option("type")?.value.argument ?? "design") : item.kind
    while true {
      counters[base, default: 0] += 1
      let n = "\(base)-\(counters[base]!)"
      if names.insert(n).inserted { return n }
    }
  }

  private mutating func entry(_ item: ReportSpec.Item) throws -> ReportEntry {
    let name = try name(for: item)
    if let data = item.option("data") {
      try recordInput(data, table: item.option("table")?.value.argument, query: item.option("query")?.value.argument)
    }
    if item.kind == "table1" {
      let built = try TableOne.build(item: item, spec: spec)
      return .tableOne(item: item, name: name, table: built.table, methods: built.methods)
    }
    let args = try arguments(item)
    let result = try compute(args, item: item)
    var logrankP: Double? = nil
    if item.kind == "km", case .bool(true)? = item.option("logrank-p")?.value {
      var lr = ["logrank"]
      for key in ["data", "formula"] { if let o = item.option(key) { lr += ["--\(key)", key == "data" ? spec.dataPath(o.value.argument) : o.value.argument] } }
      if case .logrank(let test, _, _) = try compute(lr, item: item) { logrankP = test.p }
    }
    return .analysis(item: item, name: name, result: result, logrankP: logrankP)
  }

  private mutating func recordInput(_ option: ReportSpec.Option, table name: String?, query: String?) throws {
    let written = option.value.argument
    let resolved = spec.dataPath(written)
    if inputs.contains(where: { $0.resolved == resolved }) { return }
    guard let data = FileManager.default.contents(atPath: resolved) else {
      throw InputError(option.location, "\(option.keyPath): cannot open \(resolved.quotedForMessage)")
    }
    let table = try DataFiles.read(path: resolved, table: name, query: query)
    let shown = spec.data.first { $0.name == written }?.written ?? written
    inputs.append((resolved, ReportInput(path: shown, rows: table.rowCount, sha256: SHA256.hex([UInt8](data)))))
  }

  /// The command line an analysis stands for.
  func arguments(_ item: ReportSpec.Item) throws -> [String] {
    var args = [item.kind]
    if item.kind == "design" {
      guard let type = item.option("type") else {
        throw InputError(item.location, "\(item.keyPath).type: missing, expected one of: \(ReportSpec.designTypes.joined(separator: ", "))")
      }
      guard ReportSpec.designTypes.contains(type.value.argument) else {
        throw InputError(type.location, "\(type.keyPath): expected one of \(ReportSpec.designTypes.joined(separator: ", ")), found \(type.value.argument.quotedForMessage)")
      }
      args.append(type.value.argument)
    }
    let cliKeys = Set(ReportSpec.analysisKeys[item.kind] ?? []).subtracting(["type"])
    for option in item.options where cliKeys.contains(option.key) {
      switch option.value {
      case .bool(let b):
        if b { args.append("--\(option.key)") }
      case .scalar(let s):
        args += ["--\(option.key)", option.key == "data" ? spec.dataPath(s) : s]
      case .list(let l):
        args += ["--\(option.key)", l.joined(separator: ",")]
      }
    }
    return args
  }

  /// Parses and computes, with errors moved to the spec's key and line.
  func compute(_ args: [String], item: ReportSpec.Item) throws -> AnalysisResult {
    do {
      let parsed = try Outcomes.parseAsRoot(args)
      guard let command = parsed as? AnalysisCommand else {
        throw InputError(item.location, "\(item.keyPath): not an analysis")
      }
      return try command.compute()
    } catch let error as InputError {
      if error.location.source.hasPrefix("--") {
        let key = String(error.location.source.dropFirst(2))
        let detail = error.location.column.map { "column \($0): " } ?? ""
        if let option = item.option(key) {
          throw InputError(option.location, "\(option.keyPath): \(detail)\(error.message)")
        }
        throw InputError(item.location, "\(item.keyPath).\(key): \(detail)\(error.message)")
      }
      throw error
    } catch {
      let message = Outcomes.message(for: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? "invalid options"
      throw InputError(item.location, "\(item.keyPath): \(message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message)")
    }
  }
}

/// Writes a report's files into a folder through a temporary sibling folder
/// and renames, so a failure leaves the previous report (or nothing).
enum ReportFolder {
  static func write(_ files: [(path: String, contents: String)], to folder: String) throws {
    let fm = FileManager.default
    let trimmed = folder.hasSuffix("/") && folder.count > 1 ? String(folder.dropLast()) : folder
    let parent = (trimmed as NSString).deletingLastPathComponent
    if !parent.isEmpty && !fm.fileExists(atPath: parent) {
      do { try fm.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
        throw OutputError(path: folder, reason: "cannot create the parent folder")
      }
    }
    let temporary = trimmed + ".tmp-\(getpid())"
    try? fm.removeItem(atPath: temporary)
    do {
      for (path, contents) in files {
        let full = (temporary as NSString).appendingPathComponent(path)
        try fm.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard fm.createFile(atPath: full, contents: Data(contents.utf8)) else { throw OutputError(path: full, reason: "cannot write") }
      }
      // The spec and anything else already in the folder stay: only the
      // report's own files and folders are replaced.
      if !fm.fileExists(atPath: trimmed) { try fm.createDirectory(atPath: trimmed, withIntermediateDirectories: true) }
      for sub in ["tables", "figures"] {
        let old = (trimmed as NSString).appendingPathComponent(sub)
        let new = (temporary as NSString).appendingPathComponent(sub)
        try? fm.removeItem(atPath: old)
        if fm.fileExists(atPath: new) { try fm.moveItem(atPath: new, toPath: old) }
      }
      let report = (trimmed as NSString).appendingPathComponent("report.md")
      try? fm.removeItem(atPath: report)
      try fm.moveItem(atPath: (temporary as NSString).appendingPathComponent("report.md"), toPath: report)
      try? fm.removeItem(atPath: temporary)
    } catch let error as OutputError {
      try? fm.removeItem(atPath: temporary)
      throw error
    } catch {
      try? fm.removeItem(atPath: temporary)
      throw OutputError(path: folder, reason: "cannot write the report: \(error.localizedDescription)")
    }
  }
}
