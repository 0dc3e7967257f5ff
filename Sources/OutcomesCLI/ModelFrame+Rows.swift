import ModelFrame
import Reports

extension ModelFrame: ModelFrameRows {
  /// The 1-based data row (record) of a model-frame row.
  public func dataRow(_ frameRow: Int) -> Int { rows[frameRow] + 1 }
}
