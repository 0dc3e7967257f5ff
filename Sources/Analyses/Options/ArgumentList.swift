import Tabular

/// Command-line arguments (`--data lung.csv --zph --times=180,365`) as an
/// `OptionInput`, given the options an analysis takes. Used by the command
/// line and by claims files, whose `args` are written the same way.
///
/// - `--name value` and `--name=value`; a value may start with `-` (`--rho -1`
///   reaches the option's own check) but not with `--` and a letter, which is
///   the next option, so `--data --formula …` is a missing value.
/// - `--flag` alone, or `--flag=true|false`.
/// - An option given twice (unless it is repeatable, `--at A --at B`), an
///   unknown option or a stray word is an error (nothing is dropped).
public enum ArgumentList {
  public struct Parsed: Sendable {
    public var input: OptionInput
    /// `-h` or `--help` was given.
    public var help: Bool
  }

  public static func parse(_ args: [String], parameters: [Parameter]) throws -> Parsed {
    var input = OptionInput()
    var help = false
    var i = 0
    let byName = Dictionary(parameters.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    while i < args.count {
      let arg = args[i]
      i += 1
      if arg == "-h" || arg == "--help" { help = true; continue }
      guard arg.hasPrefix("--"), arg.count > 2 else {
        throw InputError(InputLocation(source: arg.isEmpty ? "\"\"" : arg),
                         "unexpected argument \(arg.quotedForMessage), expected options such as \(usageHint(parameters))")
      }
      var name = String(arg.dropFirst(2))
      var inline: String? = nil
      if let eq = name.firstIndex(of: "=") {
        inline = String(name[name.index(after: eq)...])
        name = String(name[..<eq])
      }
      guard let parameter = byName[name] else {
        throw InputError(InputLocation(source: "--" + name), "unknown option, expected one of: "
                         + parameters.map { "--" + $0.name }.joined(separator: ", ") + suggestion(name, parameters))
      }
      if input[name] != nil && parameter.kind != .repeated {
        throw InputError(option: name, "given twice, expected it once")
      }
      switch parameter.kind {
      case .flag:
        if let inline {
          guard inline == "true" || inline == "false" else {
            throw InputError(option: name, "a flag takes no value, found \(inline.quotedForMessage)")
          }
          input[name] = .flag(inline == "true")
        } else {
          input[name] = .flag(true)
        }
      case .repeated:
        let value: String
        if let inline {
          value = inline
        } else {
          guard i < args.count, !isOption(args[i]) else {
            throw InputError(option: name, "expected a value after --\(name)")
          }
          value = args[i]
          i += 1
        }
        if case .list(let earlier)? = input[name] { input[name] = .list(earlier + [value]) } else { input[name] = .list([value]) }
      case .value, .list:
        if let inline {
          input[name] = .text(inline)
        } else {
          guard i < args.count, !isOption(args[i]) else {
            throw InputError(option: name, "expected a value after --\(name)")
          }
          input[name] = .text(args[i])
          i += 1
        }
      }
    }
    return Parsed(input: input, help: help)
  }

  /// `--name` followed by a letter: an option, not a value.
  static func isOption(_ s: String) -> Bool {
    guard s.hasPrefix("--") else { return s == "-h" }
    return s.dropFirst(2).first.map { $0.isLetter } ?? false
  }

  static func usageHint(_ parameters: [Parameter]) -> String {
    parameters.prefix(2).map { "--" + $0.name + ($0.kind == .flag ? "" : " VALUE") }.joined(separator: " ")
  }

  /// `; did you mean --conf-level?` for a near miss.
  public static func suggestion(_ name: String, _ parameters: [Parameter]) -> String {
    let best = parameters.map { ($0.name, editDistance(name, $0.name)) }.min { $0.1 < $1.1 }
    guard let best, best.1 <= max(1, name.count / 3) else { return "" }
    return "; did you mean --\(best.0)?"
  }
}

/// Levenshtein distance of two short strings (option and column names).
public func editDistance(_ a: String, _ b: String) -> Int {
  let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
  if x.isEmpty { return y.count }
  if y.isEmpty { return x.count }
  var previous = Array(0...y.count)
  var current = [Int](repeating: 0, count: y.count + 1)
  for i in 1...x.count {
    current[0] = i
    for j in 1...y.count {
      current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
    }
    swap(&previous, &current)
  }
  return previous[y.count]
}
