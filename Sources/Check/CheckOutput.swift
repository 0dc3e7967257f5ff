import Rendering

extension CheckRun {
  /// The contract's JSON: counts, then one object per claim.
  public func json() -> JSONValue {
    .object([
      ("command", .string("check")), ("passed", .int(passed)), ("failed", .int(failed)), ("errors", .int(errors)),
      ("claims", .array(results.map { r in
        .object([("id", .string(r.id)), ("source", r.source.map { .string($0) } ?? .null),
                 ("published", .string(r.published)),
                 ("computed", r.computed.map { $0.isFinite ? .double($0) : .null } ?? .null),
                 ("verdict", .string(r.verdict.rawValue)),
                 ("explanation", r.explanation.map { .string($0) } ?? .null)])
      })),
    ])
  }

  /// id, published, computed, verdict, and why (text and Markdown).
  public func table(title: String) -> ResultTable {
    ResultTable(
      title: title,
      columns: [ColumnSpec("id", style: .text), ColumnSpec("published", style: .text), ColumnSpec("computed", style: .text),
                ColumnSpec("verdict", style: .text), ColumnSpec("explanation", style: .text)],
      rows: results.map { r in
        [.text(r.id), .text(r.published), .text(r.computedText), .text(r.verdict.rawValue.uppercased()), .text(r.explanation ?? "")]
      },
      footnotes: ["\(passed) passed, \(failed) failed, \(errors) error\(errors == 1 ? "" : "s"). A published value holds when the computed one rounds to it at the printed precision."])
  }

  /// JUnit XML, one test case per claim (`failure` for a failed claim, `error` for an invalid one).
  public func junit(name: String) -> String {
    let escape = escapeXML
    var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    xml += "<testsuites>\n"
    xml += "  <testsuite name=\"\(escape(name))\" tests=\"\(results.count)\" failures=\"\(failed)\" errors=\"\(errors)\">\n"
    for r in results {
      xml += "    <testcase classname=\"\(escape(r.source ?? name))\" name=\"\(escape(r.id))\""
      switch r.verdict {
      case .pass: xml += "/>\n"
      case .fail:
        xml += ">\n      <failure message=\"published \(escape(r.published)), computed \(escape(r.computedText))\">\(escape(r.explanation ?? ""))</failure>\n    </testcase>\n"
      case .error:
        xml += ">\n      <error message=\"\(escape(r.explanation ?? "invalid claim"))\"/>\n    </testcase>\n"
      }
    }
    xml += "  </testsuite>\n</testsuites>\n"
    return xml
  }
}
