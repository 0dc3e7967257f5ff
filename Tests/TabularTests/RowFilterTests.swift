import Tabular
import Testing

@Suite("--where row filters")
struct RowFilterTests {
  static let table: Table = {
    let csv = "PARAMCD,SAFFL,AVAL,TRTP\nOS,Y,10,A\nPFS,Y,5,B\nOS,N,7,A\nOS,Y,NA,C\nOS,,3,B\n"
    return try! CSVReader.read(bytes: Array(csv.utf8), source: "adtte.csv")
  }()

  func rows(_ text: String) throws -> [Int] { try RowFilter(text).rows(in: Self.table) }

  @Test("comparisons, &, |, !, in (...), %in% c(...), parentheses; missing values are false")
  func selection() throws {
    #expect(try rows("PARAMCD == 'OS' & SAFFL == 'Y'") == [0, 3])
    #expect(try rows("PARAMCD == \"OS\" && SAFFL == \"Y\"") == [0, 3])
    #expect(try rows("AVAL > 5") == [0, 2])
    #expect(try rows("AVAL <= 5 | TRTP == 'C'") == [1, 3, 4])
    #expect(try rows("!(PARAMCD == 'OS')") == [1])
    #expect(try rows("TRTP in ('A', 'C')") == [0, 2, 3])
    #expect(try rows("TRTP %in% c('B')") == [1, 4])
    #expect(try rows("SAFFL != 'Y'") == [2], "a missing SAFFL is neither equal nor unequal")
    #expect(try rows("AVAL == '10'") == [0], "a quoted number against a numeric column")
  }

  @Test("a date column compares with a quoted date")
  func dates() throws {
    let t = try CSVReader.read(bytes: Array("id,visit\n1,2021-03-04\n2,2020-12-31\n3,\n4,2021-03-05\n".utf8), source: "v.csv")
    #expect(try RowFilter("visit >= '2021-03-04'").rows(in: t) == [0, 3])
    #expect(try RowFilter("visit == '2020-12-31' | visit in ('2021-03-05')").rows(in: t) == [1, 3])
    #expect(throws: InputError(InputLocation(option: "where", column: 1), "column \"visit\" holds dates, expected a date such as '2021-03-04', found \"2021-3-4\"")) {
      try RowFilter("visit < '2021-3-4'").rows(in: t)
    }
  }

  @Test("errors point at the character")
  func errors() {
    #expect(throws: InputError(InputLocation(option: "where", column: 9), "expected ==, !=, <, <=, >, >= or in after \"PARAMCD\", found \"= 'OS'\"")) {
      try RowFilter("PARAMCD = 'OS'")
    }
    #expect(throws: InputError(InputLocation(option: "where", column: 12), "expected a closing ' for the string opened here")) {
      try RowFilter("PARAMCD == 'OS")
    }
    #expect(throws: InputError(InputLocation(option: "where", column: 20), "expected a column name, found the end of the expression")) {
      try RowFilter("(PARAMCD == 'OS' & ")
    }
    #expect(throws: InputError(InputLocation(option: "where", column: 1), "unknown column \"PARAM\" in adtte.csv, expected one of: PARAMCD, SAFFL, AVAL, TRTP")) {
      try RowFilter("PARAM == 'OS'").rows(in: Self.table)
    }
    #expect(throws: InputError(InputLocation(option: "where", column: 1), "column \"AVAL\" is numeric, expected a number, found \"high\"")) {
      try RowFilter("AVAL == 'high'").rows(in: Self.table)
    }
  }

  @Test("selected rows keep their source lines for later messages")
  func lines() {
    let t = Self.table.selecting(rows: [2, 4])
    #expect(t.rowCount == 2 && t.line(ofRow: 0) == 4 && t.line(ofRow: 1) == 6)
  }
}
