import ArgumentParser
import Reports
import Rendering
import Spreadsheet
import Tabular

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure to write output.
struct OutputError: Error, CustomStringConvertible {
  var path: String
  var reason: String
  var description: String { "\(path): cannot write: \(reason)" }
}

/// Renders a result in the requested format and writes it to standard
/// output or, atomically, to `--out`.
struct Emitter {
  var format: OutputFormat
  var out: String?

  /// - Parameters:
  ///   - json: the result in the contract's JSON shape.
  ///   - tables: the same result as tables, for text, Markdown and CSV.
  func emit(json: @autoclosure () throws -> JSONValue, tables: () -> [ResultTable]) throws {
    if format == .xlsx {
      guard let out else {
        throw InputError(InputLocation(source: "--format"), "xlsx is a binary format, expected --out FILE.xlsx with it")
      }
      try AtomicFile.writeWith(out) { try XLSXRenderer.write(tables(), to: $0) }
      return
    }
    var text: String
    switch format {
    case .json: text = try json().serialized() + "\n"
    case .text: text = TextRenderer().render(tables())
    case .md: text = MarkdownRenderer().render(tables())
    case .csv: text = CSVRenderer().render(tables())
    case .xlsx: text = ""
    }
    if let out {
      try AtomicFile.write(text, to: out)
    } else {
      writeStandardOutput(text)
    }
  }
}

/// Writes a file through a temporary file in the same directory and a rename,
/// so a reader never sees a half-written file.
enum AtomicFile {
  /// Lets `produce` write a temporary file beside `path`, then renames it into place.
  static func writeWith(_ path: String, _ produce: (String) throws -> Void) throws {
    let directory = path.lastIndex(of: "/").map { String(path[..<$0]).isEmpty ? "/" : String(path[..<$0]) } ?? "."
    let temporary = "\(directory)/.outcomes-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
    do {
      try produce(temporary)
    } catch {
      unlink(temporary)
      throw OutputError(path: path, reason: "\(error)")
    }
    if rename(temporary, path) != 0 {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw OutputError(path: path, reason: reason)
    }
  }

  static func write(_ text: String, to path: String) throws {
    let directory: String
    if let slash = path.lastIndex(of: "/") {
      directory = String(path[..<slash]).isEmpty ? "/" : String(path[..<slash])
    } else {
      directory = "."
    }
    var template = Array("\(directory)/.outcomes-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    if fd < 0 { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
    let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let bytes = Array(text.utf8)
    var written = 0
    while written < bytes.count {
      let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
      if n <= 0 {
        let reason = String(cString: strerror(errno))
        close(fd)
        unlink(temporary)
        throw OutputError(path: path, reason: reason)
      }
      written += n
    }
    fchmod(fd, 0o644)
    if close(fd) != 0 || rename(temporary, path) != 0 {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw OutputError(path: path, reason: reason)
    }
  }
}

/// Where and how a command writes its result.
struct OutputOptions {
  var format: OutputFormat
  var out: String?
}

/// A command that computes one analysis: `outcomes report` runs the same
/// `compute()` the command line does, so a report's numbers are the CLI's.
protocol AnalysisCommand: ParsableCommand {
  var output: OutputOptions { get }
  func compute() throws -> AnalysisResult
  /// Tables only the command line prints (`km --steps`).
  func extraTables(_ result: AnalysisResult) -> [ResultTable]
}

extension AnalysisCommand {
  func extraTables(_ result: AnalysisResult) -> [ResultTable] { [] }

  func run() throws {
    let result = try compute()
    for warning in result.warnings { writeStandardError("outcomes: warning: \(warning)\n") }
    try emit(result)
  }

  func emit(_ result: AnalysisResult) throws {
    try Emitter(format: output.format, out: output.out).emit(
      json: try result.json(), tables: { result.tables() + extraTables(result) })
  }
}
