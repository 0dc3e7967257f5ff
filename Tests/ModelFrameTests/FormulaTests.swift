import ModelFrame
import Tabular
import Testing

private func parseError(_ formula: String) -> String? {
  do {
    let f = try Formula.parse(formula)
    _ = try Terms(f)
    return nil
  } catch let e as InputError {
    return e.description
  } catch {
    return "\(error)"
  }
}

@Suite("Formula parser")
struct FormulaTests {
  @Test("Surv response, specials and deparsed labels")
  func parse() throws {
    let f = try Formula.parse("Surv( time ,status==2 ) ~ age+factor( ph.ecog ) + strata(inst) + cluster(id)")
    #expect(f.response?.deparsed == "Surv(time, status == 2)")
    let t = try Terms(f)
    #expect(t.terms.map(\.label) == ["age", "factor(ph.ecog)"])
    #expect(t.strata.map(\.columnName) == ["inst"])
    #expect(t.cluster?.columnName == "id")
    #expect(t.hasIntercept)
  }

  @Test("a*b expands to a + b + a:b; terms ordered by degree; variables by first appearance")
  func expansion() throws {
    #expect(try Terms(Formula.parse("~ a*b")).terms.map(\.label) == ["a", "b", "a:b"])
    #expect(try Terms(Formula.parse("~ b:a + a")).terms.map(\.label) == ["a", "b:a"])
    #expect(try Terms(Formula.parse("~ x:y + z + y:x")).terms.map(\.label) == ["z", "x:y"])
    #expect(try Terms(Formula.parse("~ a*b*c")).terms.map(\.label) == ["a", "b", "c", "a:b", "a:c", "b:c", "a:b:c"])
    #expect(try Terms(Formula.parse("Surv(t, s) ~ 1")).terms.isEmpty)
    #expect(try Terms(Formula.parse("~ g - 1")).hasIntercept == false)
    #expect(try Terms(Formula.parse("~ `my col` + x")).terms.map(\.label) == ["`my col`", "x"])
  }

  @Test("strata() alone stratifies; crossed with a covariate it is a variable of the term, levels named as R's strata()")
  func strataInteractions() throws {
    let t = try Terms(Formula.parse("Surv(t, s) ~ age + sex:strata(ecog)"))
    #expect(t.terms.map(\.label) == ["age", "sex:strata(ecog)"])
    #expect(t.strata.map(\.columnName) == ["ecog"])
    let product = try Terms(Formula.parse("Surv(t, s) ~ (rx + size) * strata(enum)"))
    #expect(product.terms.map(\.label) == ["rx", "size", "rx:strata(enum)", "size:strata(enum)"])
    #expect(product.variables.filter(\.isStrata).map(\.label) == ["strata(enum)"])
    #expect(parseError("Surv(t, s) ~ x:strata(a, b)") == "--formula:1:16: strata() of several columns inside an interaction is not supported, expected strata(column)")
  }

  @Test("R's term algebra: ^, /, %in%, - term, and arithmetic labelled as R deparses it")
  func algebra() throws {
    func labels(_ f: String) throws -> [String] { try Terms(Formula.parse(f)).terms.map(\.label) }
    #expect(try labels("~ (a + b + c)^2") == ["a", "b", "c", "a:b", "a:c", "b:c"])
    #expect(try labels("~ (a + b)^3") == ["a", "b", "a:b"])
    #expect(try labels("~ a/b") == ["a", "a:b"])
    #expect(try labels("~ (a + b)/c") == ["a", "b", "a:b:c"])
    #expect(try labels("~ a %in% b") == ["a:b"])
    #expect(try labels("~ a*b - a") == ["b", "a:b"])
    #expect(try labels("~ a*b*c - a:b:c") == ["a", "b", "c", "a:b", "a:c", "b:c"])
    #expect(try labels("~ I((age - 50)^2) + log(x, base = 2) + I(a*2 - 1e5/1e4) + I(-x^2)")
            == ["I((age - 50)^2)", "log(x, base = 2)", "I(a * 2 - 1e+05/10000)", "I(-x^2)"])
    #expect(try labels("~ relevel(factor(e), ref = '1') + factor(s, levels = c(2, 1)) + cut(x, c(0, 1e3))")
            == ["relevel(factor(e), ref = \"1\")", "factor(s, levels = c(2, 1))", "cut(x, c(0, 1000))"])
    #expect(try Terms(Formula.parse("y ~ ."), dot: ["a", "b"]).terms.map(\.label) == ["a", "b"])
  }

  @Test("every term kind the parser accepts is in the fitted model's columns; the rest are errors at their column")
  func everyTermKindIsHonoured() throws {
    let csv = "t,s,a,b,g\n" + (0..<40).map { i in "\(i + 1),\(i % 3 == 0 ? 0 : 1),\(Double(i) / 4 + 1),\(i % 5),\(["x", "y", "z"][i % 3])" }.joined(separator: "\n")
    let table = try CSVReader.read(bytes: Array(csv.utf8), source: "d.csv")
    let accepted = [
      "a", "factor(b)", "as.factor(b)", "g", "a:g", "a*g", "(a + b)^2", "a/b", "b %in% g", "a*b - a", "I(a^2)", "log(a)", "log2(a)",
      "log10(a)", "log1p(a)", "exp(a/10)", "sqrt(a)", "abs(a - 3)", "floor(a)", "ceiling(a)", "as.numeric(a)", "pmin(a, 5)",
      "pmax(a, b)", "log(a, base = 3)", "I(a > 5)", "cut(a, c(0, 5, 11))", "relevel(g, ref = 'y')",
      "factor(b, levels = c(4, 3, 2, 1, 0))", "a^2", "poly(a, 2)", "ns(a, df = 3)", "bs(a, 4):g", "a + strata(g)", "a + cluster(g)", ".", "a - 1", "a + 0",
    ]
    for formula in accepted {
      let f = try Formula.parse("Surv(t, s) ~ " + formula)
      let frame = try ModelFrame.build(formula: f, table: table, options: .init(basisTerms: true))
      let design = frame.designMatrix(intercept: false)
      for (k, term) in frame.terms.terms.enumerated() {
        #expect(design.assign.contains(k), "\(formula): term \(term.label) has no column")
        let columns = design.columnNames.enumerated().filter { design.assign[$0.offset] == k }.map(\.element)
        #expect(columns.allSatisfy { $0.hasPrefix(term.label.split(separator: ":")[0]) }, "\(formula): \(columns)")
      }
      #expect(!frame.terms.terms.isEmpty || formula.isEmpty, "\(formula): no terms")
    }
    let refused = ["offset(a)", "poly(a, 50)", "ns(g)", "bs(a, knots = c(-5))", "tt(a)", "frailty(g)", "pspline(a)", "ridge(a)", "lgamma(a)",
                   "a = 1", "a > 1", "-a", "a^1.5", "a - b", "\"a\"", "2", "TRUE", "Surv(t, s)"]
    for formula in refused {
      #expect(throws: InputError.self, "\(formula)") {
        _ = try ModelFrame.build(formula: Formula.parse("Surv(t, s) ~ " + formula), table: table, options: .init(basisTerms: true))
      }
    }
  }

  @Test("syntax errors point at the character")
  func errors() {
    #expect(parseError("Surv(time, status ~ age") == "--formula:1:19: expected ',' or ')' to close 'Surv(' opened at column 1, found '~'")
    #expect(parseError("Surv(time, status) age") == "--formula:1:20: expected '~' between the response and the terms, found 'age'")
    #expect(parseError("Surv(time, status) ~ age +") == "--formula:1:27: expected a variable name, found the end of the formula")
    #expect(parseError("Surv(time, status) ~ (age") == "--formula:1:26: expected ')' to close '(' opened at column 22, found the end of the formula")
    #expect(parseError("Surv(time, status) ~ age)") == "--formula:1:25: unexpected ')' with no matching '('")
    #expect(parseError("Surv(time, status) ~ lgamma(age)") == "--formula:1:22: unsupported function 'lgamma()' in the terms, expected a column, factor(), relevel(), cut(), poly(), ns(), bs(), strata(), cluster(), I() or one of: log, log2, log10, log1p, exp, sqrt, abs, floor, ceiling, as.numeric, pmin, pmax")
    #expect(parseError("Surv(time, status) ~ tt(age)") == "--formula:1:22: tt() is not supported yet, expected a column, factor(), relevel(), cut(), poly(), ns(), bs(), strata(), cluster(), offset() or arithmetic such as I() and log()")
    #expect(parseError("Surv(time, status) ~ ns(age, df = 0.5)") == "--formula:1:35: expected df as a whole number in 1...200, found 0.5")
    #expect(parseError("Surv(time, status) ~ ns(age, 3, df = 4)") == "--formula:1:30: argument df of ns() given twice")
    #expect(parseError("Surv(time, status) ~ poly(age, 2, coefs = NULL)") == "--formula:1:35: unsupported argument 'coefs =' of poly(), expected degree =, raw =")
    #expect(parseError("Surv(time, status) ~ log(age, bse = 2)") == "--formula:1:31: unexpected argument 'bse =' of log(), expected base =")
    #expect(parseError("Surv(time, status) ~ I(sex:age)") == "--formula:1:24: ':' is a formula operator, expected arithmetic (+ - * / ^) inside a function")
    #expect(parseError("Surv(time, status) ~ log(\"age\")") == "--formula:1:26: expected a number or a column in arithmetic, found the string \"age\"")
    #expect(parseError("Surv(time, status) ~ age^1.5") == "--formula:1:26: expected a whole number of at least 1 after '^' among the terms, found 1.5 (arithmetic belongs inside I())")
    #expect(parseError("Surv(time, status) ~ age + sex - ph.ecog") == "--formula:1:34: '- ph.ecog' removes a term the formula does not have, expected one of its terms")
    #expect(parseError("Surv(time, status) ~ age > 60") == "--formula:1:22: '>' is allowed in the response or inside I(), found it among the terms")
    #expect(parseError("Surv(time, status) ~ a < b < c") == "--formula:1:28: unexpected '<' after a comparison, expected parentheses around one of them")
    #expect(parseError("Surv(time, status) ~ a %o% b") == "--formula:1:24: unsupported operator '%o%', expected %in%")
    #expect(parseError("Surv(time, status) ~ cut(age, 3)") == nil)
    #expect(parseError("Surv(time, status) ~ cut(age, 1)") == "--formula:1:31: expected a whole number of intervals from 2 to 10000, or breaks as c(...), found 1")
    #expect(parseError("Surv(time, status) ~ cut(age, 2.5)") == "--formula:1:31: expected a whole number of intervals from 2 to 10000, or breaks as c(...), found 2.5")
    #expect(parseError("Surv(time, status) ~ cut(age, c(1, 5, 2))") == "--formula:1:31: expected increasing breaks, found c(1, 5, 2)")
    #expect(parseError("Surv(time, status) ~ cut(age, c(1, 5), labels = FALSE)") == "--formula:1:40: unsupported argument 'labels =' of cut(), expected breaks =, right =, include.lowest =")
    #expect(parseError("Surv(time, status) ~ relevel(x)") == "--formula:1:22: expected relevel(column, ref = \"level\")")
    #expect(parseError("Surv(time, status) ~ factor(x, levels = c(1, 1))") == "--formula:1:41: level \"1\" is listed twice, expected distinct levels")
    #expect(parseError("Surv(time, status) ~ (a+b+c+d+e+f+g+h+i+j+k+l+m+n+o+p)^16") == "--formula:1:22: the formula expands to more than 10000 terms, expected a model formula")
    #expect(parseError("Surv(time, status) ~ a $ b") == "--formula:1:24: unexpected character '$' in the formula")
    #expect(parseError("") == "--formula:1:1: empty formula, expected 'response ~ terms'")
  }
}
