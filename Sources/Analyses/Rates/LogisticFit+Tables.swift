import Rates
import Rendering
import Tabular

extension LogisticFit {
  /// Coefficients with odds ratios and both intervals; the fit summary.
  public func tables(title: String? = nil) -> [ResultTable] {
    let level = RNumberText.format(confidenceLevel * 100)
    let firth = method == .firth
    let rows: [[Cell]] = terms.map { t in
      [.text(t.term), .value(t.coef, missing: t.aliased ? "NA" : (t.coef ?? 0) > 0 ? "Inf" : "-Inf"),
       .value(t.oddsRatio, missing: "NA"), .value(t.se), .value(t.z), .value(t.p), .value(t.pLikelihoodRatio),
       .value(t.lower), .value(t.upper, missing: "NA"), .value(t.profileLower), .value(t.profileUpper, missing: "Inf")]
    }
    var notes = ["Response \(response ?? ""); n = \(n) rows used (\(events) events), \(nDropped) dropped for missing values.",
                 firth ? "Firth's penalized likelihood (R logistf): SEs from the inverse information at the estimate; p (LR) and the profile interval from the penalized likelihood."
                       : "Maximum likelihood (R glm, binomial): Wald z tests and intervals; p (LR) drops the term; profile-likelihood interval as R confint, solved exactly."]
    if let separation {
      notes.append("Separation (\(separation.type)): the estimates of \(separation.terms.map(\.term).joined(separator: ", ")) are infinite; no inference is given. Use --firth.")
    }
    let coefficients = ResultTable(
      title: title,
      columns: [ColumnSpec("term", style: .text), ColumnSpec("coef", style: .significant(4)),
                ColumnSpec("odds ratio", style: .significant(4)), ColumnSpec("se", style: .significant(4)),
                ColumnSpec("z", style: .significant(4)), ColumnSpec("p", style: .pValue),
                ColumnSpec("p (LR)", style: .pValue), ColumnSpec("Wald lower \(level)%", style: .significant(4)),
                ColumnSpec("Wald upper \(level)%", style: .significant(4)),
                ColumnSpec("profile lower \(level)%", style: .significant(4)),
                ColumnSpec("profile upper \(level)%", style: .significant(4))],
      rows: rows, footnotes: notes)
    func number(_ x: Double) -> Cell { .text(x.isFinite ? NumberFormat.fixed(x, decimals: 4) : "NA") }
    var summary: [[Cell]] = [
      [.text(firth ? "-2 log-likelihood" : "residual deviance"), number(deviance), .text("\(dfResidual)"), .text("")],
      [.text("null deviance"), number(nullDeviance), .text("\(dfNull)"), .text("")],
    ]
    if let aic { summary.append([.text("AIC"), number(aic), .text(""), .text("")]) }
    if let penalizedLogLikelihood {
      summary.append([.text("penalized log-likelihood"), number(penalizedLogLikelihood), .text(""), .text("")])
    }
    summary.append([.text(firth ? "penalized likelihood-ratio test" : "likelihood-ratio test"),
                    number(likelihoodRatio.statistic), .text("\(likelihoodRatio.degreesOfFreedom)"),
                    .text(likelihoodRatio.p.isNaN ? "NA" : NumberFormat.pValue(likelihoodRatio.p))])
    summary.append([.text("iterations"), .text("\(iterations)"), .text(""), .text(converged ? "converged" : "not converged")])
    let fitTable = ResultTable(
      columns: [ColumnSpec("", style: .text), ColumnSpec("value", style: .text), ColumnSpec("df", style: .text),
                ColumnSpec("p", style: .text)],
      rows: summary,
      footnotes: [firth ? "Penalized likelihood-ratio test against the intercept-only model, penalty of the full design (as logistf)."
                        : "Likelihood-ratio test against the intercept-only model (R anova(glm, test = \"Chisq\") on the null model)."])
    return [coefficients, fitTable]
  }
}

