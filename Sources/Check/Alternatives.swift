import Analyses
import Foundation

/// A neighbouring method: other arguments, another field, or a transformed value.
struct Alternative {
  var label: String
  var analysis: AnalysisKind
  var input: OptionInput
  var path: ValuePath
  var transform: (Double) -> Double = { $0 }
}

/// The methods a paper may have used without saying so, for a claim's analysis and field.
enum Alternatives {
  static let compareTests: [(String, String)] = [
    ("fisher_exact", "Fisher's exact test"), ("chisq", "Pearson chi-square without continuity correction"),
    ("chisq_yates", "Pearson chi-square with Yates' correction"), ("g_test", "the likelihood-ratio G test"),
    ("barnard", "Barnard's test"), ("boschloo", "Boschloo's test"),
  ]
  static let rateIntervals: [(String, String)] = [
    ("clopper_pearson", "Clopper–Pearson"), ("wilson", "Wilson"), ("wilson_cc", "Wilson with continuity correction"),
    ("agresti_coull", "Agresti–Coull"), ("jeffreys", "Jeffreys"), ("wald", "Wald"), ("mid_p", "mid-p"),
  ]
  static let measureIntervals: [String: [(String, String)]] = [
    "risk_difference": [("newcombe", "Newcombe"), ("miettinen_nurminen", "Miettinen–Nurminen"), ("wald", "Wald"), ("agresti_caffo", "Agresti–Caffo")],
    "risk_ratio": [("katz", "Katz"), ("koopman", "Koopman"), ("miettinen_nurminen", "Miettinen–Nurminen")],
    "odds_ratio": [("woolf", "Woolf"), ("exact", "the exact conditional interval"), ("miettinen_nurminen", "Miettinen–Nurminen")],
  ]

  /// 2Φ(1.96) − 1: the level at which the normal quantile is exactly 1.96.
  static let level196 = "0.9500042097035591"

  static func `for`(claim: ClaimsFile.Claim, path: ValuePath) -> [Alternative] {
    guard let analysis = claim.analysis else { return [] }
    let input = claim.input
    let command = analysis.name.command
    var out: [Alternative] = []
    let keys = path.steps.enumerated().compactMap { i, s -> (Int, String)? in
      if case .key(let k) = s { return (i, k) } else { return nil }
    }
    func sibling(_ index: Int, _ key: String, _ label: String) {
      out.append(Alternative(label: "\(label) (\(path.replacing(step: index, with: key)))", analysis: analysis, input: input,
                             path: path.replacing(step: index, with: key)))
    }
    // Other tests of the same comparison.
    if let (i, k) = keys.first(where: { $0.1 == "tests" }).flatMap({ t in keys.first { $0.0 == t.0 + 1 } }) {
      let siblings: [(String, String)]
      switch command {
      case "compare": siblings = compareTests
      case "cmh": siblings = [("cmh", "CMH without continuity correction"), ("cmh_corrected", "CMH with continuity correction"), ("exact", "the exact conditional test")]
      case "cox": siblings = [("likelihood_ratio", "the likelihood-ratio test"), ("wald", "the Wald test"), ("score", "the score (log-rank) test")]
      default: siblings = []
      }
      for (key, label) in siblings where key != k { sibling(i, key, label) }
    }
    // Other intervals of the same estimate.
    if let (i, k) = keys.first(where: { $0.1 == "intervals" }).flatMap({ t in keys.first { $0.0 == t.0 + 1 } }) {
      let measure = keys.first { measureIntervals[$0.1] != nil }?.1
      let siblings = command == "rate" ? rateIntervals : (measure.flatMap { measureIntervals[$0] } ?? [])
      for (key, label) in siblings where key != k { sibling(i, key, "the \(label) interval") }
    }
    // The rate's other tests.
    if command == "rate", let (i, k) = keys.last, ["exact_p", "mid_p", "score_p"].contains(k) {
      for (key, label) in [("exact_p", "the exact binomial test"), ("mid_p", "the mid-p test"), ("score_p", "the score test")] where key != k {
        sibling(i, key, label)
      }
    }
    // Logistic: Wald against profile limits, Wald against likelihood-ratio p.
    if command == "logistic", let (i, k) = keys.last {
      let pairs = ["lower": "profile_lower", "upper": "profile_upper", "profile_lower": "lower", "profile_upper": "upper", "p": "p_lr", "p_lr": "p"]
      if let other = pairs[k] { sibling(i, other, other.hasPrefix("profile") ? "the profile-likelihood interval" : (other == "p_lr" ? "the likelihood-ratio test" : "the Wald value")) }
    }
    // Odds ratio: sample against conditional MLE.
    if let (i, k) = keys.last, k == "estimate" || k == "conditional_mle", keys.contains(where: { $0.1 == "odds_ratio" }) {
      sibling(i, k == "estimate" ? "conditional_mle" : "estimate", k == "estimate" ? "the conditional MLE" : "the sample odds ratio")
    }
    // Rerun with other options.
    func rerun(_ option: String, _ value: String, _ label: String) {
      var changed = input
      if changed[option] == .text(value) { return }
      changed[option] = .text(value)
      out.append(Alternative(label: label, analysis: analysis, input: changed, path: path))
    }
    if command == "km" {
      for t in ["log", "log-log", "plain"] { rerun("conf-type", t, "\(t) confidence intervals") }
    }
    if command == "cox" {
      let ties = input["ties"]?.text ?? "efron"
      rerun("ties", ties == "efron" ? "breslow" : "efron", ties == "efron" ? "Breslow's method for ties" : "Efron's method for ties")
    }
    if ["km", "cox", "rate", "compare", "cmh", "logistic"].contains(command) {
      rerun("conf-level", level196, "z = 1.96 instead of the exact normal quantile")
    }
    if command == "rate" {
      for alt in ["two-sided", "less", "greater"] { rerun("alternative", alt, "a \(alt) test") }
    }
    // One- against two-sided p-values.
    if let (_, k) = keys.last, k == "p" || k.hasSuffix("_p") {
      out.append(Alternative(label: "a one-sided p-value (half)", analysis: analysis, input: input, path: path, transform: { $0 / 2 }))
      out.append(Alternative(label: "a two-sided p-value (double)", analysis: analysis, input: input, path: path, transform: { min(1, $0 * 2) }))
    }
    return out
  }
}
