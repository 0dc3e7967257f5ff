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

  @Test("syntax errors point at the character")
  func errors() {
    #expect(parseError("Surv(time, status ~ age") == "--formula:1:19: expected ',' or ')' to close 'Surv(' opened at column 1, found '~'")
    #expect(parseError("Surv(time, status) age") == "--formula:1:20: expected '~' between the response and the terms, found 'age'")
    #expect(parseError("Surv(time, status) ~ age +") == "--formula:1:27: expected a variable name, found the end of the formula")
    #expect(parseError("Surv(time, status) ~ (age") == "--formula:1:26: expected ')' to close '(' opened at column 22, found the end of the formula")
    #expect(parseError("Surv(time, status) ~ age)") == "--formula:1:25: unexpected ')' with no matching '('")
    #expect(parseError("Surv(time, status) ~ log(age)") == "--formula:1:22: unsupported function 'log()' in the terms, expected a column name, factor(), strata() or cluster()")
    #expect(parseError("Surv(time, status) ~ a $ b") == "--formula:1:24: unexpected character '$' in the formula")
    #expect(parseError("") == "--formula:1:1: empty formula, expected 'response ~ terms'")
  }
}
