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
      case .text: TextRenderer().render(result.tables(title: nil), to: sink)
      case .md: MarkdownRenderer().render(result.tables(title: nil), to: sink)
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

  /// Where `path` leads: a regular file (or nothing yet) is replaced by a
  /// rename — over the file a symbolic link points to, so the link stays —
  /// while a device, FIFO or socket (`/dev/null`, `/dev/stdout`, a pipe) is
  /// written through, never renamed over.
  enum Target {
    case file(String)
    case stream(String)
  }

  static func target(_ path: String) -> Target {
    var info = stat()
    guard stat(path, &info) == 0 else { return .file(path) }
    let kind = info.st_mode & S_IFMT
    guard kind == S_IFREG else { return kind == S_IFDIR ? .file(path) : .stream(path) }
    guard let resolved = realpath(path, nil) else { return .file(path) }
    defer { free(resolved) }
    return .file(String(cString: resolved))
  }

  /// Runs `produce` into `fd`; on failure closes it, runs `cleanUp`, and
  /// throws the error as an input or output error naming `path`.
  static func produce(into fd: Int32, path: String, _ produce: (ByteWriter) throws -> Void,
                      cleanUp: () -> Void = {}) throws {
    let sink = ByteWriter(fileDescriptor: fd)
    do {
      try produce(sink)
      try sink.flush()
    } catch {
      close(fd)
      cleanUp()
      if let e = error as? OutputError { throw e }
      if let e = error as? InputError { throw e }
      throw OutputError(path: path, reason: "\(error)")
    }
  }

  /// Writes `produce`'s bytes straight into a device or FIFO.
  static func writeThrough(_ path: String, _ produce: (ByteWriter) throws -> Void) throws {
    let fd = open(path, O_WRONLY)
    if fd < 0 { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
    try self.produce(into: fd, path: path, produce)
    if close(fd) != 0 { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
  }

  /// Lets `produce` write a temporary file beside `path` by name, then renames it into place.
  static func writeWith(_ requested: String, _ produce: (String) throws -> Void) throws {
    let path: String
    switch target(requested) {
    case .file(let p): path = p
    case .stream(let device):
      // A file-only writer (libxlsxwriter): write a temporary file, then copy it through.
      let temporary = "/tmp/.outcomes-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
      defer { unlink(temporary) }
      do { try produce(temporary) } catch { throw OutputError(path: requested, reason: "\(error)") }
      let bytes = try WholeFile.bytes(path: temporary, what: "the output", limit: Int.max)
      try writeThrough(device) { sink in bytes.withUnsafeBytes { sink.write(bytes: $0) } }
      return
    }
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
  static func write(_ requested: String, _ produce: (ByteWriter) throws -> Void) throws {
    let path: String
    switch target(requested) {
    case .file(let p): path = p
    case .stream(let device): return try writeThrough(device, produce)
    }
    let temporary = try temporaryFile(beside: path, produce)
    if rename(temporary, path) != 0 {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw OutputError(path: path, reason: reason)
    }
  }

  /// Writes `produce`'s bytes into a new temporary file in `path`'s folder
  /// (mode 0644) and returns its name; nothing is left behind on failure.
  static func temporaryFile(beside path: String, _ produce: (ByteWriter) throws -> Void) throws -> String {
    var template = Array("\(directory(of: path))/.outcomes-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    if fd < 0 { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
    let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    try self.produce(into: fd, path: path, produce, cleanUp: { unlink(temporary) })
    fchmod(fd, 0o644)
    if close(fd) != 0 {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw OutputError(path: path, reason: reason)
    }
    return temporary
  }
}

/// A file written to its temporary name and not yet renamed into place, so
/// that several outputs of one command are committed together, after the
/// main output succeeded, or not at all.
struct PendingFile {
  let path: String
  private let temporary: String?
  private let deferred: ((ByteWriter) throws -> Void)?

  /// Writes `produce`'s bytes beside `requested` now (a device, FIFO or
  /// socket is written at `commit`, since it cannot be renamed over).
  static func prepare(_ requested: String, _ produce: @escaping (ByteWriter) throws -> Void) throws -> PendingFile {
    switch AtomicFile.target(requested) {
    case .stream(let device):
      return PendingFile(path: device, temporary: nil, deferred: produce)
    case .file(let path):
      return PendingFile(path: path, temporary: try AtomicFile.temporaryFile(beside: path, produce), deferred: nil)
    }
  }

  /// Puts the file in place.
  func commit() throws {
    if let deferred { return try AtomicFile.writeThrough(path, deferred) }
    guard let temporary else { return }
    if rename(temporary, path) != 0 {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw OutputError(path: path, reason: reason)
    }
  }

  /// Removes the temporary file.
  func discard() {
    if let temporary { unlink(temporary) }
  }
}

extension ByteWriter {
  /// Writes text (the renderers' output) in one call.
  func write(contentsOf text: String) { write(text) }
}
