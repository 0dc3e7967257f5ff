/// A failure to write output: the path and the operating system's reason.
public struct OutputError: Error, Sendable, CustomStringConvertible {
  public var path: String
  public var reason: String
  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }
  public var description: String { "\(path): cannot write: \(reason)" }
}
