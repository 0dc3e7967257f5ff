#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a reader's bytes come from: a file read in chunks, or bytes in memory
/// (standard input is read into memory first, since a column whose type turns
/// out to be categorical late in the file needs a second pass).
protocol ByteSource {
  /// Reads up to `count` bytes into `buffer`; 0 at end of input.
  mutating func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int
  /// Starts again from the first byte.
  mutating func rewind() throws
}

/// A file read with POSIX `read(2)`.
final class FileSource: ByteSource {
  let path: String
  let displayName: String
  private var fd: Int32

  init(path: String, displayName: String) throws {
    self.path = path
    self.displayName = displayName
    fd = open(path, O_RDONLY)
    if fd < 0 {
      throw InputError(InputLocation(source: displayName), "cannot open: \(String(cString: strerror(errno)))")
    }
    var info = stat()
    if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
      close(fd)
      throw InputError(InputLocation(source: displayName), "cannot read: is a directory, expected a data file")
    }
  }

  deinit { close(fd) }

  /// The size of a regular file; `nil` for a pipe, a device or a FIFO.
  var regularFileSize: Int? {
    var info = stat()
    guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
    return Int(info.st_size)
  }

  func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
    while true {
      let n = systemRead(fd, buffer, count)
      if n >= 0 { return n }
      if errno == EINTR { continue }
      throw InputError(InputLocation(source: displayName), "cannot read: \(String(cString: strerror(errno)))")
    }
  }

  func rewind() throws {
    if lseek(fd, 0, SEEK_SET) < 0 {
      throw InputError(InputLocation(source: displayName), "cannot rewind: \(String(cString: strerror(errno)))")
    }
  }
}

/// The bytes of a regular file from one offset to its end, read with
/// `pread(2)`: one part of a file read in parallel.
final class FileRangeSource: ByteSource {
  private let fd: Int32
  private let displayName: String
  private let start: Int
  private var offset: Int

  init(path: String, displayName: String, start: Int) throws {
    fd = open(path, O_RDONLY)
    self.displayName = displayName
    self.start = start
    offset = start
    if fd < 0 {
      throw InputError(InputLocation(source: displayName), "cannot open: \(String(cString: strerror(errno)))")
    }
  }

  deinit { close(fd) }

  func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
    while true {
      let n = pread(fd, buffer, count, off_t(offset))
      if n >= 0 {
        offset += n
        return n
      }
      if errno == EINTR { continue }
      throw InputError(InputLocation(source: displayName), "cannot read: \(String(cString: strerror(errno)))")
    }
  }

  func rewind() throws { offset = start }
}

/// Bytes already in memory.
struct MemorySource: ByteSource {
  let bytes: [UInt8]
  private var offset = 0

  init(bytes: [UInt8]) { self.bytes = bytes }

  mutating func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
    let n = min(count, bytes.count - offset)
    if n > 0 {
      bytes.withUnsafeBufferPointer { src in
        buffer.update(from: src.baseAddress! + offset, count: n)
      }
      offset += n
    }
    return n
  }

  mutating func rewind() throws { offset = 0 }
}

/// `read(2)` under one name on every platform the package builds on.
@inline(__always)
func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
  #if canImport(Glibc)
  return Glibc.read(fd, buffer, count)
  #elseif canImport(Darwin)
  return Darwin.read(fd, buffer, count)
  #endif
}
