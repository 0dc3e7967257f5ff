import Analyses
@testable import Check
import Foundation
import Rendering
import Reports
import SpecFiles
import Tabular
import Testing
import TestSupport

/// Splits a documented example (`outcomes km --data … --formula "…"`) as a shell would.
func shellWords(_ line: String) -> [String] {
  var words: [String] = [], current = "", quote: Character? = nil, started = false
  for ch in line {
    if let q = quote {
      if ch == q { quote = nil } else { current.append(ch) }
    } else if ch == "\"" || ch == "'" {
      quote = ch; started = true
    } else if ch == " " {
      if started || !current.isEmpty { words.append(current) }
      current = ""; started = false
    } else {
      current.append(ch); started = true
    }
  }
  if started || !current.isEmpty { words.append(current) }
  return words
}

/// A spec (YAML) with one entry holding `input`, data paths as written.
func spec(for analysis: AnalysisKind, _ input: OptionInput) -> String {
  var lines = ["title: T", "sections:", "  - title: S", "    analyses:", "      - \(analysis.name.words[0]):"]
  if analysis.name.words.count == 2 { lines.append("          type: \(analysis.name.words[1])") }
  for e in input.entries {
    switch e.value {
    case .flag(let b): lines.append("          \(e.key): \(b)")
    case .text(let t): lines.append("          \(e.key): \"\(t.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\"")
    case .list(let l): lines.append("          \(e.key): [\(l.map { "\"\($0)\"" }.joined(separator: ", "))]")
    }
  }
  return lines.joined(separator: "\n") + "\n"
}

@Suite("One analysis, three front ends")
struct FrontEndTests {
  static let analyses = AnalysisRegistry.all.map(\.name.description)

  @Test("each analysis's documented example gives the same JSON from the command line, a report spec and a claims file",
        arguments: analyses)
  func sameJSON(_ name: String) throws {
    let analysis = try #require(AnalysisRegistry.all.first { $0.name.description == name })
    var words = shellWords(analysis.example)
    #expect(words.first == "outcomes")
    words.removeFirst()
    // Paths in the examples are relative to the repository.
    let args = words.enumerated().map { i, w in i > 0 && words[i - 1] == "--data" ? repositoryPath(w) : w }

    // The command line, as a user runs it.
    let cli = try runOutcomes(args + ["--format", "json"])
    #expect(cli.status == 0, "\(cli.stderr)")

    // A claims file's args.
    let (kind, input) = try ClaimsFile.analysis(args)
    #expect(kind.name == analysis.name)
    let claimJSON = try kind.run(input, in: AnalysisContext()).json().serialized() + "\n"
    #expect(claimJSON == cli.stdout, "\(name): claim and command line differ")

    // A report spec's entry with the same options.
    let specText = spec(for: analysis, input)
    let report = try ReportSpec.parse(specText, path: "spec.yaml")
    let content = try ReportRunner(spec: report).run(version: "test", date: nil)
    let entry = try #require(content.sections.first?.first)
    #expect(try entry.result.json().serialized() + "\n" == cli.stdout, "\(name): report and command line differ\n\(specText)")
  }

  @Test("every option of every analysis is read by its options type (none can be silently ignored)", arguments: analyses)
  func everyOptionRead(_ name: String) throws {
    let analysis = try #require(AnalysisRegistry.all.first { $0.name.description == name })
    let names = analysis.parameters.map(\.name)
    #expect(Set(names).count == names.count, "\(name): an option listed twice")
    var words = shellWords(analysis.example)
    words.removeFirst(1 + analysis.name.words.count)
    let example = try ArgumentList.parse(words, parameters: analysis.parameters).input
    try analysis.validate(example)
    // Each option added to the example is read: accepted, or refused for its
    // value or its combination — never left unread ("not used").
    for p in analysis.parameters where example[p.name] == nil {
      var input = example
      switch p.kind {
      case .flag: input[p.name] = .flag(true)
      case .list: input[p.name] = .text("1,2")
      case .repeated: input[p.name] = .list(["1"])
      case .value: input[p.name] = .text(p.choices.last ?? p.defaultValue ?? "1")
      }
      do {
        try analysis.validate(input)
      } catch let e as InputError {
        #expect(!e.message.contains("not used"), "\(name) --\(p.name): \(e.description)")
      }
    }
    // A key that is not an option is refused by every front end.
    let parsed = Result { try ArgumentList.parse(["--no-such-option", "1"], parameters: analysis.parameters) }
    guard case .failure(let e as InputError) = parsed else { Issue.record("unknown option accepted"); return }
    #expect(e.description.hasPrefix("--no-such-option: unknown option, expected one of: --"))
    // And a key no options type reads is an error, not ignored.
    var unread = example
    unread["no-such-key"] = .text("1")
    #expect(throws: InputError.self) { try analysis.validate(unread) }
  }
}
