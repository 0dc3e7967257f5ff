import Foundation

/// The repository root (found from this file's path), so tests can read
/// `Datasets/` and the fixtures wherever the package is checked out.
public let repositoryRoot: URL = {
  var url = URL(fileURLWithPath: #filePath)
  for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/TestSupport/Paths.swift
  return url
}()

/// A path under the repository root.
public func repositoryPath(_ relative: String) -> String {
  repositoryRoot.appendingPathComponent(relative).path
}

/// The result of running the `outcomes` executable.
public struct CommandResult: Sendable {
  public var status: Int32
  public var stdout: String
  public var stderr: String
}

/// Runs the built `outcomes` binary with `arguments`, from the repository
/// root (so `Datasets/...` paths work), with optional standard input.
public func runOutcomes(_ arguments: [String], stdin: String? = nil, in directory: URL = repositoryRoot) throws -> CommandResult {
  let process = Process()
  process.executableURL = outcomesExecutable()
  process.arguments = arguments
  process.currentDirectoryURL = directory
  let out = Pipe(), err = Pipe(), input = Pipe()
  process.standardOutput = out
  process.standardError = err
  process.standardInput = input
  try process.run()
  if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
  try input.fileHandleForWriting.close()
  let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
  let stderrData = err.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return CommandResult(status: process.terminationStatus,
                       stdout: String(decoding: stdoutData, as: UTF8.self),
                       stderr: String(decoding: stderrData, as: UTF8.self))
}

/// The `outcomes` binary next to the test bundle (SwiftPM builds it there
/// because the CLI tests depend on the executable target).
public func outcomesExecutable() -> URL {
  let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
  var dir = testBinary.deletingLastPathComponent()
  for _ in 0..<4 {
    let candidate = dir.appendingPathComponent("outcomes")
    if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    dir.deleteLastPathComponent()
  }
  return repositoryRoot.appendingPathComponent(".build/debug/outcomes")
}

/// A new, empty folder under the system's temporary directory, named
/// `outcomes-LABEL-UUID`; the caller removes it.
public func makeTemporaryFolder(_ label: String) throws -> URL {
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent("outcomes-\(label)-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  return dir
}

/// The fixture files of a repository folder whose names end in `suffix`
/// (and start with `prefix`), sorted: what a table-driven test iterates.
public func fixtureFiles(_ folder: String, prefix: String = "", suffix: String = ".json") -> [String] {
  ((try? FileManager.default.contentsOfDirectory(atPath: repositoryPath(folder))) ?? [])
    .filter { $0.hasPrefix(prefix) && $0.hasSuffix(suffix) }.sorted()
}
