import Foundation
import Rendering

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a report's files into a folder so that the folder always holds a
/// complete report, the old one or the new one, and nothing that `outcomes`
/// did not write is ever lost:
///
/// 1. The new report is written into a sibling temporary folder
///    (`.<name>.outcomes-<pid>`), with a manifest (`.outcomes-report`) of
///    the files it wrote.
/// 2. Every entry of the existing folder that the previous report's
///    manifest does not list (the spec, the user's own files and folders)
///    is hard-linked (symbolic links copied, folders mirrored) into it.
/// 3. The two folders are exchanged in one atomic step (`renameat2`
///    `RENAME_EXCHANGE`; a first report is one `rename`), and the old one,
///    now at the temporary name, is removed.
///
/// SIGINT, SIGTERM and SIGHUP are held from step 1 to the end, so a kill
/// lands before the write (nothing changed) or after it (the new report in
/// place), never between, and no temporary folder is left. A temporary
/// folder of a process that was killed with SIGKILL is removed by the next
/// run. A folder holding files but no manifest (not a report of this
/// version) is refused unless `force`; with `force`, its files are kept,
/// except those the new report writes over.
public enum ReportFolder {
  /// The manifest's file name: one written path per line, sorted.
  public static let manifestName = ".outcomes-report"

  /// - Parameter keep: files that may be in the folder without a manifest
  ///   (the spec beside its report).
  public static func write(_ files: [(path: String, contents: String)], to folder: String, force: Bool = false,
                           keep: [String] = []) throws {
    let fm = FileManager.default
    // An absolute, standardized path: `.`, `..`, `out/` and `./out` all name
    // a folder with a parent (Foundation traps on the last component of ".").
    let absolute = folder.hasPrefix("/") ? folder : fm.currentDirectoryPath + "/" + folder
    let target = URL(fileURLWithPath: absolute).standardizedFileURL.path
    guard target != "/", !target.isEmpty else {
      throw OutputError(path: folder, reason: "it is the root folder, expected a folder of its own for the report")
    }
    let slash = target.lastIndex(of: "/") ?? target.startIndex
    let parent = String(target[..<slash])
    let name = String(target[target.index(after: slash)...])
    if !parent.isEmpty && !fm.fileExists(atPath: parent) {
      do { try fm.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
        throw OutputError(path: folder, reason: "cannot create the parent folder")
      }
    }
    removeStaleTemporaries(parent: parent.isEmpty ? "/" : parent, name: name)

    // What the folder holds now, and what of it is not the previous report's.
    var isDirectory: ObjCBool = false
    let exists = fm.fileExists(atPath: target, isDirectory: &isDirectory)
    if exists && !isDirectory.boolValue {
      throw OutputError(path: folder, reason: "it is a file, expected a folder for the report")
    }
    var previous: Set<String> = []
    var preserved: [String] = []
    if exists {
      let manifest = (target as NSString).appendingPathComponent(manifestName)
      let hasManifest = fm.fileExists(atPath: manifest)
      if hasManifest, let text = try? String(contentsOfFile: manifest, encoding: .utf8) {
        previous = Set(text.split(separator: "\n").map(String.init))
      }
      let entries = ((try? fm.contentsOfDirectory(atPath: target)) ?? []).sorted()
      preserved = entries.filter { $0 != manifestName }
      if !hasManifest && !force {
        // The spec itself may live in the folder.
        let kept = Set(keep.map { path -> String in
          let full = path.hasPrefix("/") ? path : fm.currentDirectoryPath + "/" + path
          return URL(fileURLWithPath: full).standardizedFileURL.path
        })
        if let stray = preserved.first(where: { !kept.contains((target as NSString).appendingPathComponent($0)) }) {
          throw OutputError(path: folder, reason: "it holds \(stray.quotedForMessage), which no report wrote (no \(manifestName) manifest), expected an empty folder, a previous report's folder, or --force to write beside its files")
        }
      }
    }
    let written = Set(files.map(\.path))

    let temporary = (parent.isEmpty ? "" : parent) + "/.\(name).outcomes-\(getpid())"
    let held = holdSignals()
    defer { releaseSignals(held) }
    try? fm.removeItem(atPath: temporary)
    do {
      try fm.createDirectory(atPath: temporary, withIntermediateDirectories: false)
      for (path, contents) in files {
        let full = (temporary as NSString).appendingPathComponent(path)
        try fm.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard fm.createFile(atPath: full, contents: Data(contents.utf8)) else { throw OutputError(path: full, reason: "cannot write") }
      }
      let manifest = written.sorted().joined(separator: "\n") + "\n"
      guard fm.createFile(atPath: (temporary as NSString).appendingPathComponent(manifestName), contents: Data(manifest.utf8)) else {
        throw OutputError(path: folder, reason: "cannot write the manifest")
      }
      // Everything of the old folder that the old report did not write moves
      // over (hard links: the same files, nothing copied), except what the
      // new report writes in its place.
      for entry in preserved {
        try mirror(relative: entry, from: target, into: temporary, skip: previous, replacedBy: written)
      }
      if exists {
        try exchange(temporary, target, folder: folder)
        // The old report now sits at the temporary name.
        try? fm.removeItem(atPath: temporary)
      } else {
        guard rename(temporary, target) == 0 else {
          throw OutputError(path: folder, reason: String(cString: strerror(errno)))
        }
      }
    } catch let error as OutputError {
      try? fm.removeItem(atPath: temporary)
      throw error
    } catch {
      try? fm.removeItem(atPath: temporary)
      throw OutputError(path: folder, reason: "cannot write the report: \(error.localizedDescription)")
    }
  }

  /// Links `relative` (a file, link or folder of `source`) into `destination`,
  /// leaving out what the previous report wrote (`skip`) and what the new
  /// one writes (`replacedBy`).
  private static func mirror(relative: String, from source: String, into destination: String,
                             skip: Set<String>, replacedBy written: Set<String>) throws {
    if skip.contains(relative) || written.contains(relative) { return }
    let from = (source as NSString).appendingPathComponent(relative)
    let to = (destination as NSString).appendingPathComponent(relative)
    var info = stat()
    guard lstat(from, &info) == 0 else { return }
    switch info.st_mode & S_IFMT {
    case S_IFDIR:
      var isDirectory: ObjCBool = false
      if !FileManager.default.fileExists(atPath: to, isDirectory: &isDirectory) {
        try FileManager.default.createDirectory(atPath: to, withIntermediateDirectories: true)
      } else if !isDirectory.boolValue {
        return  // the new report writes a file where a folder was: the report wins
      }
      for child in ((try? FileManager.default.contentsOfDirectory(atPath: from)) ?? []).sorted() {
        try mirror(relative: (relative as NSString).appendingPathComponent(child), from: source, into: destination,
                   skip: skip, replacedBy: written)
      }
    case S_IFLNK:
      let link = try FileManager.default.destinationOfSymbolicLink(atPath: from)
      try FileManager.default.createSymbolicLink(atPath: to, withDestinationPath: link)
    default:
      try FileManager.default.createDirectory(atPath: (to as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      guard link(from, to) == 0 else {
        throw OutputError(path: from, reason: "cannot keep it beside the new report (\(String(cString: strerror(errno))))")
      }
    }
  }

  /// Swaps two folders in one step; where the file system cannot, renames
  /// the old one aside first (a moment without the folder).
  private static func exchange(_ a: String, _ b: String, folder: String) throws {
    #if os(Linux)
    let renameExchange: UInt32 = 2  // RENAME_EXCHANGE
    if glibcRenameat2(AT_FDCWD, a, AT_FDCWD, b, renameExchange) == 0 { return }
    guard errno == EINVAL || errno == ENOSYS else {
      throw OutputError(path: folder, reason: String(cString: strerror(errno)))
    }
    #endif
    let aside = b + ".outcomes-old-\(getpid())"
    guard rename(b, aside) == 0 else { throw OutputError(path: folder, reason: String(cString: strerror(errno))) }
    guard rename(a, b) == 0 else {
      let reason = String(cString: strerror(errno))
      _ = rename(aside, b)
      throw OutputError(path: folder, reason: reason)
    }
    guard rename(aside, a) == 0 else { return }
  }

  /// Removes `.<name>.outcomes-<pid>` folders of processes that no longer run.
  private static func removeStaleTemporaries(parent: String, name: String) {
    let prefix = ".\(name).outcomes-"
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where entry.hasPrefix(prefix) {
      guard let pid = Int32(entry.dropFirst(prefix.count)), pid != getpid() else { continue }
      if kill(pid, 0) != 0 && errno == ESRCH {
        try? FileManager.default.removeItem(atPath: (parent as NSString).appendingPathComponent(entry))
      }
    }
  }

  /// Defers SIGINT, SIGTERM and SIGHUP, on whichever thread they land: a
  /// handler only records the signal. Returns the previous handlers.
  private static func holdSignals() -> [(Int32, sig_t?)] {
    deferredSignal = 0
    return [SIGINT, SIGTERM, SIGHUP].map { s in (s, signal(s, recordSignal)) }
  }

  /// Restores the handlers; a signal that came meanwhile is raised now,
  /// with its previous disposition (by default, the process ends).
  private static func releaseSignals(_ old: [(Int32, sig_t?)]) {
    for (s, handler) in old { signal(s, handler) }
    let pending = deferredSignal
    if pending != 0 { raise(pending) }
  }
}

/// The signal that arrived while a report was being swapped in (0: none).
nonisolated(unsafe) private var deferredSignal: Int32 = 0

private func recordSignal(_ s: Int32) { deferredSignal = s }

#if os(Linux)
/// glibc's `renameat2` (2.28 and later), which Swift's Glibc module does not
/// declare.
@_silgen_name("renameat2")
private func glibcRenameat2(_ oldDirectory: Int32, _ old: UnsafePointer<CChar>, _ newDirectory: Int32,
                            _ new: UnsafePointer<CChar>, _ flags: UInt32) -> Int32
#endif
