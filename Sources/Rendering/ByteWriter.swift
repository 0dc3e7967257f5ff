#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Buffered output to a file descriptor: bytes are appended to a 1 MiB
/// buffer and written out whenever it fills, so output of any size streams
/// in constant memory and linear time. The buffer is raw memory (no array
/// bounds or exclusivity checks on the hot path of a 10⁷-row result).
public final class ByteWriter {
  private let fd: Int32
  private let capacity: Int
  private let base: UnsafeMutablePointer<UInt8>
  /// Bytes in the buffer, kept in raw memory: a class's stored property
  /// would take a dynamic exclusivity check on every byte.
  private let usedCell: UnsafeMutablePointer<Int>
  private var used: Int {
    @inline(__always) get { usedCell.pointee }
    @inline(__always) set { usedCell.pointee = newValue }
  }
  /// The first write error (`errno`'s text), reported by `flush`.
  private var failure: String? = nil
  /// Bytes handed to the operating system so far.
  public private(set) var count = 0

  /// Bytes kept in memory instead of written (`fd` < 0): a chunk formatted
  /// on another thread.
  private var collected: [UInt8] = []

  /// A writer that keeps its bytes in memory (`takeBytes()`).
  public convenience init(memoryCapacity: Int) {
    self.init(fileDescriptor: -1, capacity: memoryCapacity)
  }

  /// Everything written so far, when writing to memory.
  public func takeBytes() -> [UInt8] {
    drain()
    defer { collected = [] }
    return collected
  }

  public init(fileDescriptor fd: Int32, capacity: Int = 1 << 20) {
    self.fd = fd
    self.capacity = max(capacity, 64)
    self.base = .allocate(capacity: self.capacity)
    self.usedCell = .allocate(capacity: 1)
    usedCell.initialize(to: 0)
  }

  deinit {
    base.deallocate()
    usedCell.deallocate()
  }

  @inline(__always)
  public func write(_ text: String) {
    var text = text
    text.withUTF8 { write(bytes: UnsafeRawBufferPointer($0)) }
  }

  @inline(__always)
  public func write(_ text: StaticString) {
    write(bytes: UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
  }

  @inline(__always)
  public func write(byte: UInt8) {
    var n = usedCell.pointee
    if n == capacity { drain(); n = 0 }
    base[n] = byte
    usedCell.pointee = n + 1
  }

  @inline(__always)
  public func write(bytes: UnsafeRawBufferPointer) {
    let n = usedCell.pointee
    if bytes.count <= capacity - n {
      (base + n).update(from: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), count: bytes.count)
      usedCell.pointee = n + bytes.count
      return
    }
    var offset = 0
    while offset < bytes.count {
      if used == capacity { drain() }
      let k = min(capacity - used, bytes.count - offset)
      (base + used).update(from: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + offset, count: k)
      used += k
      offset += k
    }
  }

  /// Lets `body` write at most `maximum` bytes straight into the buffer; it
  /// returns how many it wrote.
  @inline(__always)
  public func write(upTo maximum: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
    if capacity - usedCell.pointee < maximum { drain() }
    let n = usedCell.pointee
    usedCell.pointee = n + body(base + n)
  }

  private func drain() {
    if fd < 0 {
      collected.append(contentsOf: UnsafeBufferPointer(start: base, count: used))
      count += used
      used = 0
      return
    }
    guard failure == nil else { used = 0; return }
    var written = 0
    while written < used {
      #if canImport(Glibc)
      let n = Glibc.write(fd, base + written, used - written)
      #else
      let n = Darwin.write(fd, base + written, used - written)
      #endif
      if n < 0 && errno == EINTR { continue }
      if n <= 0 {
        failure = String(cString: strerror(errno))
        break
      }
      written += n
    }
    count += written
    used = 0
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

extension ByteWriter {
  /// A JSON number as `JSONValue.format` writes it: integers below 2⁵³
  /// without a fraction, other values in their shortest round-trip form,
  /// NaN and infinities as `null`.
  @inline(__always)
  public func writeJSONNumber(_ d: Double) {
    if !d.isFinite { write("null" as StaticString); return }
    if d == d.rounded(), abs(d) < 9_007_199_254_740_992 {
      writeInteger(Int64(d))
      return
    }
    if d == d.rounded() {
      write(d.description)  // integers beyond 2⁵³: rare, Swift's own text
      return
    }
    write(upTo: 32) { p in ShortestDouble.write(d, to: p) }
  }

  /// A decimal integer (`ShortestDouble`'s digit writer).
  @inline(__always)
  public func writeInteger(_ value: Int64) {
    write(upTo: 21) { p in
      var n = 0
      if value < 0 { p[0] = UInt8(ascii: "-"); n = 1 }
      let magnitude = value.magnitude
      let count = ShortestDouble.decimalLength(magnitude)
      ShortestDouble.writeDigits(magnitude, count: count, to: p + n)
      return n + count
    }
  }
}
