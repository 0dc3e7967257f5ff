import Analyses
import Rendering
import Spreadsheet
import Tabular

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Renders an analysis's result in the requested format and writes it to
/// standard output or, atomically, to `--out`. JSON is streamed as it is
/// encoded; tables go through the one renderer of each format.
struct Emitter {
  var format: OutputFormat
  var out: String?

  func emit(_ result: CompletedAnalysis) throws {
    let output = result.output
    if format == .xlsx {
      guard let out else {
        throw InputError(option: "format", "xlsx is a binary format, expected --out FILE.xlsx with it")
      }
      try AtomicFile.writeWith(out) { try XLSXRenderer.write(output.dataTables(title: nil), to: $0) }
      return
    }
    let write: (ByteWriter) throws -> Void = { sink in
      switch format {
      case .json:
        try JSONStreamEncoder.encode(result.envelope, to: sink)
        sink.write("\n")
      case .text: TextRenderer().render(output.tables(title: nil), to: sink)
      case .md: MarkdownRenderer().render(output.tables(title: nil), to: sink)
      case .csv: CSVRenderer().render(output.dataTables(title: nil), to: sink)
      case .xlsx: break
      }
    }
    if let out {
      try AtomicFile.write(out, write)
    } else {
      let sink = ByteWriter(fileDescriptor: 1)
      try write(sink)
      do { try sink.flush() } catch { throw OutputError(path: "standard output", reason: "\(error)") }
    }
  }
}

/// Writes a file through a temporary file in the same directory and a rename,
/// so a reader never sees a half-written file.
enum AtomicFile {
  static func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    let d = String(path[..<slash])
    return d.isEmpty ? "/" : d
  }

  /// Lets `produce` write a temporary file beside `path` by name, then renames it into place.
  static func writeWith(_ path: String, _ produce: (String) throws -> Void) throws {
    let temporary = "\(directory(of: path))/.outcomes-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
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

  /// Streams `produce`'s bytes into a temporary file beside `path`, then renames it into place.
  static func write(_ path: String, _ produce: (ByteWriter) throws -> Void) throws {
    var template = Array("\(directory(of: path))/.outcomes-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    if fd < 0 { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
    let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let sink = ByteWriter(fileDescriptor: fd)
    do {
      try produce(sink)
      try sink.flush()
    } catch {
      close(fd)
      unlink(temporary)
      if let e = error as? OutputError { throw e }
      if let e = error as? InputError { throw e }
      throw OutputError(path: path, reason: "\(error)")
    }
    fchmod(fd, 0o644)
    if close(fd) != 0 || rename(temporary, path) != 0 {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw OutputError(path: path, reason: reason)
    }
  }
}

extension ByteWriter {
  /// Writes text (the renderers' output) in one call.
  func write(contentsOf text: String) { write(text) }
}
