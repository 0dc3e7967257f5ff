import Foundation
import Reports
import Rendering
import Tabular
import Testing
import TestSupport

/// The report folder: a complete report or the previous one, never a mix;
/// nothing the report did not write is lost (docs/RELIABILITY.md).
@Suite("Report folder: swap, manifest, kept files")
struct ReportFolderTests {
  private func read(_ url: URL, _ path: String) -> String? {
    try? String(contentsOf: url.appendingPathComponent(path), encoding: .utf8)
  }

  @Test("a new folder gets the report and its manifest; a second report replaces the first's files and keeps the user's")
  func replaceAndKeep() throws {
    let dir = try makeTemporaryFolder("report-folder")
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("out")
    try ReportFolder.write([("report.md", "one"), ("tables/a.csv", "a"), ("tables/old.csv", "old")], to: out.path)
    #expect(read(out, ".outcomes-report") == "report.md\ntables/a.csv\ntables/old.csv\n")
    // The user adds files beside the report, one inside its tables folder.
    try "notes".write(to: out.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
    try "mine".write(to: out.appendingPathComponent("tables/mine.csv"), atomically: true, encoding: .utf8)
    try ReportFolder.write([("report.md", "two"), ("tables/a.csv", "A")], to: out.path)
    #expect(read(out, "report.md") == "two")
    #expect(read(out, "tables/a.csv") == "A")
    #expect(read(out, "tables/old.csv") == nil, "a file only the previous report wrote goes")
    #expect(read(out, "notes.txt") == "notes")
    #expect(read(out, "tables/mine.csv") == "mine")
    let siblings = try FileManager.default.contentsOfDirectory(atPath: dir.path)
    #expect(siblings == ["out"], "no temporary folder is left")
  }

  @Test("a folder holding files but no report is refused unless --force, and then its files are kept")
  func strayFiles() throws {
    let dir = try makeTemporaryFolder("report-folder")
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("thesis")
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    try "chapter".write(to: out.appendingPathComponent("chapter1.tex"), atomically: true, encoding: .utf8)
    #expect(throws: OutputError.self) { try ReportFolder.write([("report.md", "r")], to: out.path) }
    #expect(read(out, "report.md") == nil && read(out, "chapter1.tex") == "chapter")
    try ReportFolder.write([("report.md", "r")], to: out.path, force: true)
    #expect(read(out, "report.md") == "r" && read(out, "chapter1.tex") == "chapter")
    // The spec beside its report needs no --force.
    let specFolder = dir.appendingPathComponent("study")
    try FileManager.default.createDirectory(at: specFolder, withIntermediateDirectories: true)
    try "title: T".write(to: specFolder.appendingPathComponent("spec.yaml"), atomically: true, encoding: .utf8)
    try ReportFolder.write([("report.md", "r")], to: specFolder.path, keep: [specFolder.appendingPathComponent("spec.yaml").path])
    #expect(read(specFolder, "spec.yaml") == "title: T" && read(specFolder, "report.md") == "r")
  }

  @Test("the temporary folder of a process that no longer runs is removed by the next write")
  func staleTemporary() throws {
    let dir = try makeTemporaryFolder("report-folder")
    defer { try? FileManager.default.removeItem(at: dir) }
    // A process id that cannot be running: above the kernel's limit.
    let stale = dir.appendingPathComponent(".out.outcomes-2147483600")
    try FileManager.default.createDirectory(at: stale, withIntermediateDirectories: true)
    try ReportFolder.write([("report.md", "r")], to: dir.appendingPathComponent("out").path)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out"])
  }

  @Test("a file where the folder should be is an error, and stays")
  func fileInTheWay() throws {
    let dir = try makeTemporaryFolder("report-folder")
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("out")
    try "x".write(to: out, atomically: true, encoding: .utf8)
    #expect(throws: OutputError.self) { try ReportFolder.write([("report.md", "r")], to: out.path) }
    #expect((try? String(contentsOf: out, encoding: .utf8)) == "x")
  }
}
