/// A position in the user's input. `line` and `column` are 1-based.
///
/// - CSV: `line` is the physical line on which the record starts; `column` is the field index.
/// - Formula: `line` is 1 and `column` counts Unicode scalars from the start of the string.
/// - An option: `source` is the option's spelling (`--conf-level`) and both are `nil`.
public struct InputLocation: Sendable, Hashable, CustomStringConvertible {
  public var source: String
  public var line: Int?
  public var column: Int?

  public init(source: String, line: Int? = nil, column: Int? = nil) {
    self.source = source
    self.line = line
    self.column = column
  }

  /// `file:line:column`, leaving out the parts that are unknown.
  public var description: String {
    var s = source
    if let line { s += ":\(line)" }
    if let column {
      if line == nil { s += ":1" }
      s += ":\(column)"
    }
    return s
  }
}

/// A problem with the user's input: a file, a formula or an option. It always
/// knows where, and its message says what was found and what was expected.
public struct InputError: Error, Sendable, CustomStringConvertible, Equatable {
  public var location: InputLocation
  public var message: String

  public init(_ location: InputLocation, _ message: String) {
    self.location = location
    self.message = message
  }

  /// `where: what`, one line.
  public var description: String { "\(location): \(message)" }
}

extension String {
  /// The string in double quotes for an error message, with control characters
  /// and quotes escaped and long values shortened, so a message stays on one line.
  public var quotedForMessage: String {
    var out = ""
    var count = 0
    for scalar in unicodeScalars {
      if count == 60 { out += "…"; break }
      switch scalar {
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      default:
        if scalar.value < 0x20 { out += "\\u{\(String(scalar.value, radix: 16))}" } else { out.unicodeScalars.append(scalar) }
      }
      count += 1
    }
    return "\"" + out + "\""
  }
}
