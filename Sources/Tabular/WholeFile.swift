#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading a whole small file (a report spec, a claims file, a manuscript) or
/// streaming any file in chunks (a fingerprint): one reader for every front
/// end, so that a pipe, `/dev/stdin` or `-` work as a file does, a directory
/// or an unreadable file is an error naming the path, and an endless source
/// (`/dev/zero`) stops at a size limit instead of growing without bound.
public enum WholeFile {
  /// The largest spec, claims file or manuscript read whole: 64 MiB.
  public static let defaultLimit = 64 << 20

  /// The bytes of `path` (`-`: standard input). `what` names the file in
  /// errors ("the report spec").
  /// - Throws: `InputError` at `path` when it cannot be opened or read, is a
  ///   directory, or holds more than `limit` bytes.
  public static func bytes(path: String, what: String, limit: Int = defaultLimit) throws -> [UInt8] {
    var bytes: [UInt8] = []
    try forEachChunk(path: path, what: what) { chunk in
      guard bytes.count + chunk.count <= limit else {
        throw InputError(InputLocation(source: path), "\(what) is larger than \(limit >> 20) MiB, expected a smaller file")
      }
      bytes.append(contentsOf: chunk)
    }
    return bytes
  }

  /// The UTF-8 text of `path` (`-`: standard input).
  /// - Throws: as `bytes`, and `InputError` when the text is not UTF-8.
  public static func text(path: String, what: String, limit: Int = defaultLimit) throws -> String {
    let data = try bytes(path: path, what: what, limit: limit)
    guard let text = String(validating: data, as: UTF8.self) else {
      throw InputError(InputLocation(source: path), "\(what) is not valid UTF-8, expected UTF-8 text")
    }
    return text
  }

  /// Calls `body` with each chunk of `path` (at most 1 MiB), in order.
  public static func forEachChunk(path: String, what: String,
                                  _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
    let capacity = 1 << 20
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    defer { buffer.deallocate() }
    let owned = path != "-"
    let fd = owned ? open(path, O_RDONLY) : 0
    guard fd >= 0 else {
      throw InputError(InputLocation(source: path), "cannot open \(what): \(String(cString: strerror(errno)))")
    }
    defer { if owned { close(fd) } }
    var info = stat()
    if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
      throw InputError(InputLocation(source: path), "cannot read \(what): is a directory, expected a file")
    }
    while true {
      let n = systemRead(fd, buffer, capacity)
      if n < 0 && errno == EINTR { continue }
      if n < 0 { throw InputError(InputLocation(source: path), "cannot read \(what): \(String(cString: strerror(errno)))") }
      if n == 0 { return }
      try body(UnsafeBufferPointer(start: buffer, count: n))
    }
  }
}
