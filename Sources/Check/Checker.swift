import Analyses
import Rendering
import Tabular

/// The verdict on one claim.
public enum Verdict: String, Sendable {
  case pass, fail, error
}

/// One claim, checked.
public struct ClaimResult: Sendable {
  public var id: String
  public var source: String?
  public var published: String
  public var computed: Double?
  /// The computed value with enough digits to see a discrepancy.
  public var computedText: String
  public var verdict: Verdict
  /// For a failure, which neighbouring methods reproduce the printed value;
  /// for an error, why the claim could not be checked.
  public var explanation: String?
}

/// All claims of a file, checked.
public struct CheckRun: Sendable {
  public var results: [ClaimResult]
  public var passed: Int { results.filter { $0.verdict == .pass }.count }
  public var failed: Int { results.filter { $0.verdict == .fail }.count }
  public var errors: Int { results.filter { $0.verdict == .error }.count }
}

/// Checks claims by running their analyses (each distinct analysis and
/// options once) and comparing at the printed precision.
public struct Checker {
  /// Runs an analysis with its options and returns its JSON.
  public typealias Runner = (AnalysisKind, OptionInput) throws -> JSONValue

  public struct AnalysisFailure: Error, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
  }

  struct RunKey: Hashable {
    var words: [String]
    var input: OptionInput
  }

  let runner: Runner
  private var cache: [RunKey: Result<JSONValue, AnalysisFailure>] = [:]

  public init(runner: @escaping Runner) { self.runner = runner }

  /// Runs analyses on a claims file's data (its names, its folder).
  public init(file: ClaimsFile) {
    let context = AnalysisContext(data: file.dataContext())
    self.init(runner: { analysis, input in try analysis.run(input, in: context).json() })
  }

  /// The JSON of an analysis, computed once per analysis and options.
  mutating func json(_ analysis: AnalysisKind, _ input: OptionInput) -> Result<JSONValue, AnalysisFailure> {
    let key = RunKey(words: analysis.name.words, input: input)
    if let cached = cache[key] { return cached }
    let result: Result<JSONValue, AnalysisFailure>
    do {
      result = .success(try runner(analysis, input))
    } catch let f as AnalysisFailure {
      result = .failure(f)
    } catch let e as InputError {
      result = .failure(AnalysisFailure(e.description))
    } catch {
      result = .failure(AnalysisFailure("\(error)"))
    }
    cache[key] = result
    return result
  }

  /// The number at `path` of an analysis.
  mutating func number(_ analysis: AnalysisKind, _ input: OptionInput, _ path: ValuePath) -> Result<Double, AnalysisFailure> {
    switch json(analysis, input) {
    case .failure(let f): return .failure(f)
    case .success(let root):
      do {
        let v = try path.resolve(in: root)
        switch v {
        case .int(let i): return .success(Double(i))
        case .double(let d): return .success(d)
        case .null: return .success(.nan)
        default: return .failure(AnalysisFailure("\(path) is \(v.serialized()), not a number"))
        }
      } catch let e as ValuePath.ParseError {
        return .failure(AnalysisFailure("value \(path): \(e.message)"))
      } catch {
        return .failure(AnalysisFailure("\(error)"))
      }
    }
  }

  public mutating func check(_ file: ClaimsFile) -> CheckRun {
    CheckRun(results: file.claims.map { check($0) })
  }

  public mutating func check(_ claim: ClaimsFile.Claim) -> ClaimResult {
    var result = ClaimResult(id: claim.id, source: claim.source, published: claim.published, computed: nil,
                             computedText: "", verdict: .error, explanation: nil)
    if let problem = claim.problem { result.explanation = problem; return result }
    guard let path = claim.value, let published = claim.parsed, let analysis = claim.analysis else {
      result.explanation = "incomplete claim"; return result
    }
    switch number(analysis, claim.input, path) {
    case .failure(let f):
      result.explanation = f.reason
      return result
    case .success(let computed):
      result.computed = computed
      result.computedText = published.display(computed)
      if published.holds(computed, rounding: claim.rounding, tolerance: claim.tolerance) {
        result.verdict = .pass
      } else {
        result.verdict = .fail
        result.explanation = explain(claim, path: path, published: published, computed: computed)
      }
      return result
    }
  }

  /// Tries the methods a paper may have used without saying so.
  mutating func explain(_ claim: ClaimsFile.Claim, path: ValuePath, published: PublishedValue, computed: Double) -> String {
    var reproducing: [String] = []
    for alternative in Alternatives.for(claim: claim, path: path) {
      guard case .success(let value) = number(alternative.analysis, alternative.input, alternative.path) else { continue }
      let v = alternative.transform(value)
      if published.holds(v, rounding: claim.rounding, tolerance: claim.tolerance) {
        reproducing.append("\(alternative.label) (\(published.display(v)))")
      }
    }
    if claim.rounding != .truncate && claim.tolerance == nil && published.relation == .equal
      && published.holds(computed, rounding: .truncate) {
      reproducing.append("truncation instead of rounding (\(published.display(computed)))")
    }
    let head = "published \(claim.published); computed \(published.display(computed))"
    if reproducing.isEmpty { return head + "; no neighbouring method reproduces it" }
    return head + "; reproduces with " + reproducing.prefix(4).joined(separator: "; ")
  }
}
