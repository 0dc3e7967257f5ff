/// A dense column-major matrix of `Double`, the layout BLAS and LAPACK expect.
///
/// Element (i, j) lives at `storage[i + j * rows]`. The type is a value: copies
/// are copy-on-write through the underlying array.
public struct Matrix: Sendable, Equatable {
  public private(set) var rows: Int
  public private(set) var columns: Int
  public var storage: [Double]

  /// A `rows × columns` matrix filled with `value`.
  public init(rows: Int, columns: Int, repeating value: Double = 0) {
    precondition(rows >= 0 && columns >= 0, "Matrix dimensions must be non-negative")
    self.rows = rows
    self.columns = columns
    self.storage = Array(repeating: value, count: rows * columns)
  }

  /// A matrix over existing column-major storage.
  public init(rows: Int, columns: Int, columnMajor storage: [Double]) {
    precondition(storage.count == rows * columns, "storage has \(storage.count) elements, expected \(rows * columns)")
    self.rows = rows
    self.columns = columns
    self.storage = storage
  }

  /// A matrix from rows written out as nested arrays (convenient in tests).
  public init(_ rowsOfValues: [[Double]]) {
    let r = rowsOfValues.count
    let c = rowsOfValues.first?.count ?? 0
    self.init(rows: r, columns: c)
    for (i, row) in rowsOfValues.enumerated() {
      precondition(row.count == c, "ragged rows")
      for (j, v) in row.enumerated() { self[i, j] = v }
    }
  }

  /// A matrix from rows, with the column count given (so an empty list of rows works).
  public init(_ rowsOfValues: [[Double]], columns: Int) {
    self.init(rows: rowsOfValues.count, columns: columns)
    for (i, row) in rowsOfValues.enumerated() {
      for (j, v) in row.enumerated() { self[i, j] = v }
    }
  }

  /// The rows as nested arrays.
  public var rowsOfValues: [[Double]] {
    (0..<rows).map { i in (0..<columns).map { j in self[i, j] } }
  }

  /// The `n × n` identity.
  public static func identity(_ n: Int) -> Matrix {
    var m = Matrix(rows: n, columns: n)
    for i in 0..<n { m[i, i] = 1 }
    return m
  }

  @inlinable
  public subscript(row: Int, column: Int) -> Double {
    get { storage[row + column * rows] }
    set { storage[row + column * rows] = newValue }
  }

  /// Column `j` as an array.
  public func column(_ j: Int) -> [Double] {
    Array(storage[(j * rows)..<((j + 1) * rows)])
  }

  /// The transpose.
  public var transposed: Matrix {
    var t = Matrix(rows: columns, columns: rows)
    for j in 0..<columns {
      for i in 0..<rows { t[j, i] = self[i, j] }
    }
    return t
  }
}
