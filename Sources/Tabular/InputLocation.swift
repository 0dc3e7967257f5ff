/// A position in the user's input. `line` and `column` are 1-based.
///
/// - CSV: `line` is the physical line on which the record starts; `column` is the field index.
/// - Formula: `line` is 1 and `column` counts Unicode scalars from the start of the string.
/// - An option's value: `option` is the option's name (`formula`,
///   `conf-level`), whatever front end gave it; `column` counts Unicode scalars
///   into the value (a formula, a `where` filter). Each front end renders it
///   its own way: `--formula:1:19` on the command line (this type's
///   `description`), `sections[0].analyses[2].km.formula: column 19` in a spec.
public struct InputLocation: Sendable, Hashable, CustomStringConvertible {
  public var source: String
  public var line: Int?
  public var column: Int?
  /// The option whose value is at fault, by name, without dashes.
  public var option: String?

  public init(source: String, line: Int? = nil, column: Int? = nil) {
    self.source = source
    self.line = line
    self.column = column
  }

  /// The value of an option (`formula`, `conf-level`); `column` counts into the value.
  public init(option: String, column: Int? = nil) {
    self.source = "--" + option
    self.option = option
    self.line = column == nil ? nil : 1
    self.column = column
  }

  /// A position in a value written by the user: an option's value when
  /// `source` is an option's spelling (`--formula`), else line 1 of `source`.
  public init(valueOf source: String, column: Int) {
    if source.hasPrefix("--") {
      self.init(option: String(source.dropFirst(2)), column: column)
    } else {
      self.init(source: source, line: 1, column: column)
    }
  }

  /// `file:line:column`, leaving out the parts that are unknown; an option as
  /// the command line spells it (`--formula:1:19`).
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

  /// An error in the value of an option, named without dashes (`formula`).
  public init(option: String, column: Int? = nil, _ message: String) {
    self.init(InputLocation(option: option, column: column), message)
  }

  /// `where: what`, one line, with options named as the command line names them.
  public var description: String { "\(location): \(renderedMessage { "--" + $0 })" }

  /// A reference to another option inside a message (`expected --n with
  /// --events`): each front end spells it its own way (`--n` on the command
  /// line, `n` in a spec), through `renderedMessage(option:)`.
  public static func mention(_ option: String) -> String {
    "\u{1}\(option)\u{2}"
  }

  /// The message with every `mention` spelled by `option`.
  public func renderedMessage(option spell: (String) -> String) -> String {
    guard message.unicodeScalars.contains("\u{1}") else { return message }
    var out = "", name = "", inName = false
    for scalar in message.unicodeScalars {
      switch scalar {
      case "\u{1}": inName = true; name = ""
      case "\u{2}" where inName: inName = false; out += spell(name)
      default:
        if inName { name.unicodeScalars.append(scalar) } else { out.unicodeScalars.append(scalar) }
      }
    }
    return out
  }
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
