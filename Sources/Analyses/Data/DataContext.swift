import DataFiles
import Foundation
import Tabular

/// Where a front end's data names point, and the tables read so far: the
/// command line resolves paths against the working directory; a spec or a
/// claims file against its own folder, with the names under its `data:`.
///
/// A context that caches (a report) reads each file once and hands every
/// analysis of the same `DataSelection` the same `Selection`, so a figure's
/// statistics are computed on exactly the rows of the table beside it. The
/// command line runs one analysis and does not cache, so that a large table
/// is released as soon as its model frame is built.
public final class DataContext: @unchecked Sendable {
  /// The folder relative paths are resolved against; `nil`: the working directory.
  public let baseDirectory: String?
  /// Data-set names (a spec's or claims file's `data:`) and their paths as written.
  public let names: [(name: String, path: String)]
  public let caching: Bool
  private var tables: [TableKey: Table] = [:]
  private var selections: [DataSelection: Selection] = [:]
  private let lock = NSLock()
  /// Every input read, in order, once each.
  public private(set) var inputs: [InputRecord] = []

  public struct InputRecord: Sendable, Equatable {
    /// As the user wrote it (a name's path as written under `data:`).
    public var written: String
    /// The path opened.
    public var path: String
    public var table: String?
    public var query: String?
    public var rows: Int
  }

  private struct TableKey: Hashable {
    var path: String
    var table: String?
    var query: String?
  }

  /// Told when a large table has been read (a terminal shows it).
  public let progress: (@Sendable (String) -> Void)?

  public init(baseDirectory: String? = nil, names: [(name: String, path: String)] = [], caching: Bool = false,
              progress: (@Sendable (String) -> Void)? = nil) {
    self.baseDirectory = baseDirectory
    self.names = names
    self.caching = caching
    self.progress = progress
  }

  /// The path a `data` value stands for: a name under `data:`, or a path
  /// relative to the base folder.
  public func path(for data: String) -> (written: String, path: String) {
    if let named = names.first(where: { $0.name == data }) { return (named.path, resolve(named.path)) }
    return (data, resolve(data))
  }

  private func resolve(_ path: String) -> String {
    guard let baseDirectory, !path.hasPrefix("/"), path != "-", !baseDirectory.isEmpty else { return path }
    return (baseDirectory as NSString).appendingPathComponent(path)
  }

  /// The rows of a selection: the file read (once, when caching), then
  /// `where`, then the ADaM parameter. Errors name the option at fault.
  ///
  /// `columns`: the columns the analysis reads (its formula's, its options'),
  /// `nil` for all. A context that does not cache (the command line) then
  /// parses only these and the filter's from delimited text; a caching
  /// context reads every column once for all its analyses.
  public func select(_ request: DataSelection, columns needed: Set<String>? = nil) throws -> Selection {
    lock.lock()
    defer { lock.unlock() }
    if let cached = selections[request] { return cached }
    // Syntax errors in the filter before the file is read.
    let filter = try request.rowFilter.map { try RowFilter($0) }
    let (written, path) = path(for: request.data)
    if !names.isEmpty, names.first(where: { $0.name == request.data }) == nil, !request.data.contains("/"),
       !request.data.contains("."), request.data != "-", !FileManager.default.fileExists(atPath: path) {
      throw InputError(option: "data", "unknown data set \(request.data.quotedForMessage), expected a path or one of the names under data: "
                       + names.map(\.name).joined(separator: ", "))
    }
    let key = TableKey(path: path, table: request.table, query: request.query)
    var table: Table
    if let cached = tables[key] {
      table = cached
    } else {
      var columns: Set<String>? = nil
      if !caching, let needed {
        columns = needed.union(filter?.columnNames ?? [])
        if request.adam { columns?.formUnion(["PARAMCD", "AVAL", "CNSR"]) }
      }
      table = try DataFiles.read(path: path, table: request.table, query: request.query, columns: columns)
      if table.rowCount >= 1_000_000 { progress?("read \(table.rowCount) rows of \(written)") }
      if caching { tables[key] = table }
      if !inputs.contains(where: { $0.path == path && $0.table == request.table && $0.query == request.query }) {
        inputs.append(InputRecord(written: written, path: path, table: request.table, query: request.query, rows: table.rowCount))
      }
    }
    let rowsRead = table.rowCount
    if let filter {
      let rows = try filter.rows(in: table)
      if rows.isEmpty {
        throw InputError(option: "where", "selects no rows of \(table.source) (\(table.rowCount) rows), expected at least one")
      }
      table = table.selecting(rows: rows)
    }
    if request.adam {
      table = try DataContext.adamRows(table, param: request.param ?? "")
    }
    let selection = Selection(request: request, table: table, rowsRead: rowsRead)
    if caching { selections[request] = selection }
    return selection
  }

  /// The rows of one ADaM parameter, after checking the ADTTE columns.
  static func adamRows(_ table: Table, param code: String) throws -> Table {
    for column in ["PARAMCD", "AVAL", "CNSR"] where table.columnIndex(named: column) == nil {
      throw InputError(option: "adam", "\(table.source) has no \(column) column, expected an ADaM ADTTE data set (PARAMCD, AVAL, CNSR)")
    }
    var rows: [Int] = []
    var codes: [String] = []
    switch table.column(named: "PARAMCD") {
    case .categorical(let c)?:
      codes = c.levels
      if let level = c.levels.firstIndex(of: code) {
        for (i, v) in c.codes.enumerated() where Int(v) == level { rows.append(i) }
      }
    case .numeric(let c)?:
      codes = Array(Set(c.values.filter { !$0.isNaN }.map(RNumberText.format))).sorted()
      for (i, v) in c.values.enumerated() where !v.isNaN && RNumberText.format(v) == code { rows.append(i) }
    case nil:
      break
    }
    if rows.isEmpty {
      throw InputError(option: "param", "no rows with PARAMCD \(code.quotedForMessage) in \(table.source), expected one of: \(codes.joined(separator: ", "))")
    }
    return table.selecting(rows: rows)
  }
}
