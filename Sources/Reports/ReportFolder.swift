import Foundation
import Rendering

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a report's files into a folder through a temporary sibling folder
/// and renames, so a failure leaves the previous report (or nothing).
public enum ReportFolder {
  public static func write(_ files: [(path: String, contents: String)], to folder: String) throws {
    let fm = FileManager.default
    // An absolute, standardized path: `.`, `..`, `out/` and `./out` all name
    // a folder with a parent (Foundation traps on the last component of ".").
    let absolute = folder.hasPrefix("/") ? folder : fm.currentDirectoryPath + "/" + folder
    let trimmed = URL(fileURLWithPath: absolute).standardizedFileURL.path
    guard trimmed != "/", !trimmed.isEmpty else {
      throw OutputError(path: folder, reason: "it is the root folder, expected a folder of its own for the report")
    }
    let parent = String(trimmed[..<(trimmed.lastIndex(of: "/") ?? trimmed.startIndex)])
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
