import ArgumentParser
import Foundation
import Reports
import Tabular

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `outcomes report SPEC.yaml`: renders the analyses a YAML spec names into
/// a folder: `report.md`, `tables/*.csv`, `figures/*.svg`.
struct ReportCommand: ParsableCommand, DocumentedCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Render a report (Markdown, CSV tables, SVG figures) from a YAML spec.",
    discussion: """
      The spec names data sets and sections of analyses with the CLI's option names. The report is \
      written to a temporary folder beside the destination and swapped in at once (a kill or a failure \
      leaves the old report or the new one, never a mix); files the report did not write are kept, and a \
      folder holding files but no previous report (.outcomes-report manifest) is refused without --force. \
      Output is byte-identical for identical inputs; set SOURCE_DATE_EPOCH to print a date.
      """)

  static let example = "outcomes report Reports/osteonecrosis/spec.yaml"

  @Argument(help: "The report spec (YAML).")
  var spec: String

  @Option(name: .customLong("out-dir"), help: "Folder to write (default: Reports/<spec name>/, or the spec's folder when the spec is report-shaped there).")
  var outDir: String?

  @Flag(name: .customLong("force"), help: "Write into a folder that holds other files and no previous report (they are kept; files the report writes replace theirs).")
  var force = false

  func run() throws {
    let spec = try ReportSpec.load(path: self.spec)
    let folder = outDir ?? ReportCommand.defaultFolder(spec: self.spec)
    let terminal = isatty(2) != 0
    var progress: (@Sendable (String) -> Void)? = nil
    var announce: ((Int, Int, String) -> Void)? = nil
    if terminal {
      progress = { (line: String) in writeStandardError("outcomes: " + line + "\n") }
      announce = { (done: Int, total: Int, path: String) in writeStandardError("outcomes: [\(done)/\(total)] \(path)\n") }
    }
    let runner = ReportRunner(spec: spec, progress: progress)
    let content = try runner.run(version: Outcomes.version, date: ReportRunner.date(environment: ProcessInfo.processInfo.environment),
                                 announce: announce)
    // The spec and the data it reads may sit in the folder without --force.
    let specFolder = (self.spec as NSString).deletingLastPathComponent
    let inputs = content.inputs.map { $0.path.hasPrefix("/") ? $0.path : (specFolder.isEmpty ? $0.path : specFolder + "/" + $0.path) }
    try ReportFolder.write(ReportWriter.render(content), to: folder, force: force, keep: [self.spec] + inputs)
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
