import Rendering
import Testing

@Suite("Journal styles: p-values, decimal marks, intervals")
struct JournalStyleTests {
  @Test("default: gtsummary's style_pvalue")
  func gtsummary() {
    let s = JournalStyle.default
    #expect(s.pValue(0.95) == ">0.9")
    #expect(s.pValue(0.456) == "0.5")
    #expect(s.pValue(0.15) == "0.2" && s.pValue(0.12) == "0.12" && s.pValue(0.0995) == "0.10")
    #expect(s.pValue(0.0423) == "0.042")
    #expect(s.pValue(0.0004) == "<0.001")
    #expect(s.pClause(0.0004) == "p < 0.001" && s.pClause(0.0423) == "p = 0.042")
  }

  @Test("NEJM: two decimals, three below 0.01, P")
  func nejm() {
    let s = JournalStyle.nejm
    #expect(s.pValue(0.0423) == "0.04" && s.pValue(0.0042) == "0.004" && s.pValue(0.0001) == "<0.001")
    #expect(s.pValue(0.995) == ">0.99")
    #expect(s.pClause(0.0423) == "P = 0.04")
    #expect(s.interval("0.59", "0.42", "0.83") == "0.59 (95% CI, 0.42 to 0.83)")
  }

  @Test("JAMA and APA: no zero before the decimal point of p")
  func leadingZero() {
    #expect(JournalStyle.jama.pValue(0.0423) == ".04" && JournalStyle.jama.pValue(0.0004) == "<.001")
    #expect(JournalStyle.apa.pValue(0.0423) == ".042" && JournalStyle.apa.pClause(0.0004) == "p < .001")
    #expect(JournalStyle.apa.interval("0.59", "0.42", "0.83") == "0.59, 95% CI [0.42, 0.83]")
    #expect(JournalStyle.jama.interval("0.59", "0.42", "0.83", level: 0.9) == "0.59 (90% CI, 0.42-0.83)")
  }

  @Test("Lancet: the middle-dot decimal, two significant figures, p<0·0001")
  func lancet() {
    let s = JournalStyle.lancet
    #expect(s.pValue(0.0423) == "0·042" && s.pValue(0.00004) == "<0·0001")
    #expect(s.number(0.5912, decimals: 2) == "0·59")
    #expect(s.interval(s.number(0.59, decimals: 2), s.number(0.42, decimals: 2), s.number(0.83, decimals: 2)) == "0·59 (95% CI 0·42–0·83)")
  }

  @Test("never -0; tables take the style's p-values and decimal mark")
  func tables() {
    #expect(JournalStyle.default.number(-0.001, decimals: 2) == "0.00")
    let table = ResultTable(columns: [ColumnSpec("x", style: .significant(3)), ColumnSpec("p", style: .pValue)],
                            rows: [[.number(1.25), .number(0.00004)]])
    #expect(MarkdownRenderer(journal: .lancet).render(table).contains("| 1·25 | <0·0001 |"))
    #expect(MarkdownRenderer().render(table).contains("| 1.25 | 4.0e-05 |"))
  }
}
