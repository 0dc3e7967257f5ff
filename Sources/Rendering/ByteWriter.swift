#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Buffered output to a file descriptor: text is appended to a 1 MiB buffer
/// and written out whenever it fills, so output of any size streams in
/// constant memory and linear time.
public final class ByteWriter {
  private let fd: Int32
  private var buffer: [UInt8] = []
  private let capacity: Int
  /// The first write error (`errno`'s text), reported by `flush`.
  private var failure: String? = nil
  /// Bytes written so far.
  public private(set) var count = 0

  public init(fileDescriptor fd: Int32, capacity: Int = 1 << 20) {
    self.fd = fd
    self.capacity = capacity
    buffer.reserveCapacity(capacity)
  }

  @inline(__always)
  public func write(_ text: String) {
    var text = text
    text.withUTF8 { write(bytes: UnsafeRawBufferPointer($0)) }
  }

  @inline(__always)
  public func write(byte: UInt8) {
    buffer.append(byte)
    if buffer.count >= capacity { drain() }
  }

  public func write(bytes: UnsafeRawBufferPointer) {
    buffer.append(contentsOf: bytes)
    if buffer.count >= capacity { drain() }
  }

  private func drain() {
    guard failure == nil else { buffer.removeAll(keepingCapacity: true); return }
    var written = 0
    buffer.withUnsafeBytes { bytes in
      while written < bytes.count {
        #if canImport(Glibc)
        let n = Glibc.write(fd, bytes.baseAddress! + written, bytes.count - written)
        #else
        let n = Darwin.write(fd, bytes.baseAddress! + written, bytes.count - written)
        #endif
        if n < 0 && errno == EINTR { continue }
        if n <= 0 {
          failure = String(cString: strerror(errno))
          return
        }
        written += n
      }
    }
    count += written
    buffer.removeAll(keepingCapacity: true)
  }

  /// Writes what is buffered; throws the first write error.
  public func flush() throws {
    drain()
    if let failure { throw WriteFailure(reason: failure) }
  }

  public struct WriteFailure: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
  }
}
