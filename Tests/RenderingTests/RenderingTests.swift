import Rendering
import Testing

@Suite("JSON writer")
struct JSONWriterTests {
  struct Sample: Encodable {
    var name: String
    var value: Double
    var missing: Double?
    var skipped: Double?
    var list: [Int]
    enum CodingKeys: String, CodingKey { case name, value, missing, skipped, list }
    func encode(to encoder: Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(name, forKey: .name)
      try c.encode(value, forKey: .value)
      try c.encode(missing, forKey: .missing)
      try c.encodeIfPresent(skipped, forKey: .skipped)
      try c.encode(list, forKey: .list)
    }
  }

  @Test("keys keep their order; nil encodes as null; encodeIfPresent leaves it out")
  func order() throws {
    let json = try JSONValueEncoder().encode(Sample(name: "a\"b", value: 0.1, missing: nil, skipped: nil, list: [1, 2]))
    #expect(json.serialized() == #"{"name":"a\"b","value":0.1,"missing":null,"list":[1,2]}"#)
    #expect(json.prepending("command", .string("km")).serialized().hasPrefix(#"{"command":"km","name""#))
  }

  @Test("doubles print with round-trip precision; integral values without .0; NaN and infinities as null")
  func doubles() {
    #expect(JSONValue.format(0.9782608695652174) == "0.9782608695652174")
    #expect(JSONValue.format(138) == "138")
    #expect(JSONValue.format(-0.0) == "0")
    #expect(JSONValue.format(1e-300) == "1e-300")
    #expect(JSONValue.format(.nan) == "null")
    #expect(JSONValue.format(.infinity) == "null")
    #expect(JSONValue.format(0.1 + 0.2) == "0.30000000000000004")
    #expect(Double(JSONValue.format(1.0 / 3.0)) == 1.0 / 3.0)
  }
}

@Suite("Number formatting and renderers")
struct RendererTests {
  @Test("significant digits as R's print: a column shares its decimals")
  func significant() {
    let cells: [Cell] = [.number(0.9782608695652174), .number(1), .missing(display: "NR")]
    #expect(NumberFormat.format(column: cells, style: .significant(3)) == ["0.978", "1.000", "NR"])
    #expect(NumberFormat.format(column: [.number(270), .number(199.5)], style: .significant(3)) == ["270", "200"])
    #expect(NumberFormat.format(column: [.number(91.6), .number(73.4)], style: .significant(3)) == ["91.6", "73.4"])
  }

  @Test("p-values: two significant digits, scientific below 1e-4, never -0")
  func pValues() {
    #expect(NumberFormat.pValue(0.001311) == "0.0013")
    #expect(NumberFormat.pValue(0.41) == "0.41")
    #expect(NumberFormat.pValue(0.000012) == "1.2e-05")
    #expect(NumberFormat.pValue(1e-20) == "< 2.2e-16")
    #expect(NumberFormat.fixed(-0.0001, decimals: 2) == "0.00")
  }

  private var table: ResultTable {
    ResultTable(title: "T", columns: [ColumnSpec("", style: .text), ColumnSpec("n", style: .count),
                                      ColumnSpec("median", style: .significant(3))],
                rows: [[.text("sex=1"), .number(138), .number(270)], [.text("a|b"), .number(90), .missing(display: "NR")]],
                footnotes: ["Note."])
  }

  @Test("text: first column left, numbers right, title and footnotes")
  func text() {
    #expect(TextRenderer().render(table) == """
      T

               n  median
      sex=1  138     270
      a|b     90      NR

      Note.

      """)
  }

  @Test("markdown: pipe table with right-aligned numbers and escaped pipes")
  func markdown() {
    #expect(MarkdownRenderer().render(table) == """
      **T**

      |  | n | median |
      | :--- | ---: | ---: |
      | sex=1 | 138 | 270 |
      | a\\|b | 90 | NR |

      Note.

      """)
  }

  @Test("csv: RFC 4180, unrounded values, NA for undefined")
  func csv() {
    let t = ResultTable(columns: [ColumnSpec("g"), ColumnSpec("x", style: .significant(2))],
                        rows: [[.text("a,b"), .number(0.123456789)], [.text("say \"hi\""), .missing(display: "NR")]])
    #expect(CSVRenderer().render(t) == "g,x\r\n\"a,b\",0.123456789\r\n\"say \"\"hi\"\"\",NA\r\n")
  }
}
