import Foundation
import ModelFrame
import Rendering
import Survival
import Tabular
import Testing
import TestSupport

/// Predicted survival against R's `survfit(coxph, newdata)` and
/// `summary(sf, times =)`: every fixture of Tests/SurvivalTests/CoxPredictions
/// (written by Tests/References/make-references.R), every field at 1e-8.
@Suite("Cox: predicted survival against R survfit(fit, newdata)")
struct CoxPredictionTests {
  static let fixtures = fixtureFiles("Tests/SurvivalTests/CoxPredictions")

  @Test("fixture count")
  func count() { #expect(Self.fixtures.count == 8) }

  @Test("every curve matches R", arguments: fixtures)
  func fixture(_ file: String) throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: repositoryPath("Tests/SurvivalTests/CoxPredictions/\(file)")))
    let fixture = try JSONValue.parse(data)
    guard case .array(let argValues)? = fixture["args"], let expected = fixture["expect"] else {
      Issue.record("malformed fixture \(file)"); return
    }
    let args = argValues.compactMap { v -> String? in if case .string(let s) = v { return s } else { return nil } }
    var options: [String: String] = [:]
    for k in stride(from: 1, to: args.count - 1, by: 2) { options[args[k]] = args[k + 1] }
    var frameOptions = ModelFrame.Options(strataInteractions: true, basisTerms: true)
    frameOptions.offsets = true
    let frame = try ModelFrame.build(formula: Formula.parse(options["--formula"]!),
                                     table: CSVReader.read(path: repositoryPath(options["--data"]!)),
                                     options: frameOptions)
    let newdata = try CSVReader.read(path: repositoryPath(options["--predict"]!))
    let profiles = try frame.profiles(from: newdata, option: "predict")
    let model = try CoxModel(frame: frame, options: .init(ties: CoxTies(rawValue: options["--ties"]!)!))
    let times = options["--times"]!.split(separator: ",").map { Double($0)! }
    let predictions: [CoxPrediction]
    if let id = options["--predict-id"] {
      // Each subject's rows, in file order, over the columns named start and stop.
      func column(_ name: String) -> [Double] {
        guard case .numeric(let c) = newdata.columns[newdata.columnIndex(named: name)!] else { return [] }
        return c.values
      }
      let subject = column(id), start = column("start"), stop = column("stop")
      var order: [Double] = []
      for v in subject where !order.contains(v) { order.append(v) }
      let paths = order.map { v in
        CoxCovariatePath(label: "\(id)=\(Int(v))", intervals: subject.indices.filter { subject[$0] == v }.map { (start[$0], stop[$0], profiles[$0]) })
      }
      predictions = model.predict(paths: paths, times: times, confidenceLevel: 0.95)
    } else {
      predictions = model.predict(profiles, times: times, confidenceLevel: 0.95)
    }
    let actual = try JSONValueEncoder().encode(["predictions": predictions])
    for problem in jsonMismatches(expected: expected, actual: actual, relative: 1e-8) {
      Issue.record(Comment(rawValue: "\(file): \(problem)"))
    }
  }

  @Test("a profile the data cannot code is an error naming it: unknown level, missing variable, a spline outside its knots, cut(x, k)")
  func refusals() throws {
    let table = try CSVReader.read(path: repositoryPath("Datasets/veteran.csv"))
    let frame = try ModelFrame.build(formula: Formula.parse("Surv(time, status) ~ celltype + karno"), table: table)
    func profile(_ csv: String) throws -> [CovariateProfile] {
      try frame.profiles(from: CSVReader.read(bytes: Array(csv.utf8), source: "p.csv"), option: "predict")
    }
    #expect(throws: InputError(InputLocation(option: "predict"), "profile 1: celltype has no level \"huge\" in the data, expected one of: adeno, large, smallcell, squamous")) {
      try profile("celltype,karno\nhuge,60\n")
    }
    #expect(throws: InputError(InputLocation(option: "predict"), "profile 1: no value for karno, expected every variable of the model (celltype, karno)")) {
      try profile("celltype\nadeno\n")
    }
    #expect(throws: InputError(InputLocation(option: "predict"), "profile 2: karno is missing, expected a value")) {
      try profile("celltype,karno\nadeno,60\nlarge,NA\n")
    }
    let spline = try ModelFrame.build(formula: Formula.parse("Surv(time, status) ~ ns(karno, 3)"), table: table, options: .init(basisTerms: true))
    #expect(throws: InputError(InputLocation(option: "predict"), "profile 1: ns(karno, 3) at 200 is outside the range the spline was fitted on (10–99), expected a value inside it (extrapolation is not supported)")) {
      try spline.profiles(from: CSVReader.read(bytes: Array("karno\n200\n".utf8), source: "p.csv"), option: "predict")
    }
    #expect(try spline.profiles(from: CSVReader.read(bytes: Array("karno\n60\n".utf8), source: "p.csv"), option: "predict")[0].design.count == 3)
    let counted = try ModelFrame.build(formula: Formula.parse("Surv(time, status) ~ cut(karno, 3)"), table: table)
    #expect(throws: InputError.self) {
      try counted.profiles(from: CSVReader.read(bytes: Array("karno\n60\n".utf8), source: "p.csv"), option: "predict")
    }
    let coded = try profile("celltype,karno\nsquamous,70\n")
    #expect(coded[0].design == [0, 0, 1, 70] && coded[0].label == "celltype=squamous, karno=70")
  }
}
