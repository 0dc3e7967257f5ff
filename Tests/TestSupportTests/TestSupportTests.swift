import Rendering
import Testing
import TestSupport

@Suite("TestSupport")
struct TestSupportTests {
  @Test("closenessFailure reports the path and the relative error")
  func closenessMessage() {
    #expect(closenessFailure(1.0, 1.0 + 1e-10, "x") == nil)
    let message = closenessFailure(0.0123456, 0.0123456789012345, "groups[sex=1].steps[17].std_err")
    #expect(message == "groups[sex=1].steps[17].std_err: expected 0.0123456789012345, got 0.0123456 (rel 6.4e-06)")
    #expect(closenessFailure(nil, nil, "a") == nil)
    #expect(closenessFailure(.nan, nil, "a") == nil)
    #expect(closenessFailure(1, nil, "a") == "a: expected null, got 1.0")
    #expect(closenessFailure(nil, 2, "a") == "a: expected 2.0, got null")
  }

  @Test("jsonMismatches matches groups by label and finds the wrong field")
  func jsonComparison() throws {
    let expected = try JSONValue.parse(Array(#"{"groups": [{"label": "b", "x": 2}, {"label": "a", "x": 1.5}], "p": null}"#.utf8).data)
    let same = try JSONValue.parse(Array(#"{"p": null, "groups": [{"label": "a", "x": 1.5}, {"label": "b", "x": 2, "y": 0}]}"#.utf8).data)
    #expect(jsonMismatches(expected: expected, actual: same).isEmpty)
    let different = try JSONValue.parse(Array(#"{"p": 0.5, "groups": [{"label": "a", "x": 1.6}, {"label": "b", "x": 2}]}"#.utf8).data)
    let problems = jsonMismatches(expected: expected, actual: different)
    #expect(problems.count == 2)
    #expect(problems.contains { $0.hasPrefix("groups[a].x: expected 1.5, got 1.6") })
    #expect(problems.contains { $0.hasPrefix("p: expected null") })
  }
}

import Foundation
extension Array where Element == UInt8 {
  var data: Data { Data(self) }
}
