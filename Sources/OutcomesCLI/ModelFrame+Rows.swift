import ModelFrame
import Reports

extension ModelFrame: ModelFrameRows {
  /// The 1-based data row (record) of a model-frame row.
  public func dataRow(_ frameRow: Int) -> Int { rows[frameRow] + 1 }
}

/// The data rows of a model frame's rows, kept when the frame itself is
/// handed to a model.
struct DataRows: ModelFrameRows {
  let rows: [Int]
  func dataRow(_ frameRow: Int) -> Int { rows[frameRow] + 1 }
}
