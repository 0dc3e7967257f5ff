import CSQLite
import Tabular
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A table or query of an SQLite database (`--data study.sqlite --table
/// adtte`, or `--query "SELECT …"`), read through SQLite's C library
/// (Debian `libsqlite3-dev`). Column types come from the declared types
/// (INTEGER, REAL, NUMERIC, … are numbers; TEXT, CHAR, … are categories),
/// and from the values for expressions without one (numeric when every
/// non-NULL value is a number); NULL is missing.
public enum SQLiteReader {
  /// The longest a query may run: 300 s, or `OUTCOMES_QUERY_SECONDS` (a
  /// positive number) for a database whose honest queries take longer. A
  /// query that does not end (a recursive CTE without a bound) is stopped
  /// with an error instead of running until it is killed.
  public static var queryTimeLimit: Double {
    if let text = getenv("OUTCOMES_QUERY_SECONDS").map({ String(cString: $0) }), let v = Double(text), v > 0, v.isFinite { return v }
    return 300
  }

  /// The most values (rows × columns) read from one table or query: 500
  /// million, a bound on memory for a query that returns rows without end.
  public static let maximumValues = 500_000_000

  private static func monotonicSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
  }

  public static func isDatabase(path: String) -> Bool {
    let lower = path.lowercased()
    return lower.hasSuffix(".sqlite") || lower.hasSuffix(".sqlite3") || lower.hasSuffix(".db")
  }

  public static func read(path: String, table: String?, query: String?) throws -> Table {
    var db: OpaquePointer?
    guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK, let db else {
      let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
      sqlite3_close(db)
      throw InputError(InputLocation(source: path), "cannot open the database: \(message)")
    }
    defer { sqlite3_close(db) }
    // The deadline, checked every 100 000 virtual-machine steps.
    let limit = queryTimeLimit
    let deadline = UnsafeMutablePointer<Double>.allocate(capacity: 2)
    defer { deadline.deallocate() }
    deadline[0] = monotonicSeconds() + limit
    sqlite3_progress_handler(db, 100_000, { context in
      guard let context else { return 0 }
      var t = timespec()
      clock_gettime(CLOCK_MONOTONIC, &t)
      let now = Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
      return now > context.assumingMemoryBound(to: Double.self)[0] ? 1 : 0
    }, deadline)
    let sql: String
    let option: String
    if let query {
      sql = query
      option = "query"
    } else if let table {
      // The table must exist; its name is quoted as an identifier.
      guard try exists(db, table: table) else {
        let names = try tableNames(db)
        throw InputError(InputLocation(option: "table"),
                         "no table \(table.quotedForMessage) in \(path), expected one of: \(names.isEmpty ? "(none)" : names.joined(separator: ", "))")
      }
      sql = "SELECT * FROM \"" + table.replacingQuote + "\""
      option = "table"
    } else {
      let names = try tableNames(db)
      throw InputError(InputLocation(option: "table"), "expected \(InputError.mention("table")) NAME or \(InputError.mention("query")) SQL with a database, tables: \(names.joined(separator: ", "))")
    }
    var statement: OpaquePointer?
    guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
      throw InputError(InputLocation(option: option), "SQLite: \(String(cString: sqlite3_errmsg(db)))")
    }
    defer { sqlite3_finalize(statement) }
    let count = Int(sqlite3_column_count(statement))
    guard count > 0 else { throw InputError(InputLocation(option: option), "the statement returns no columns") }
    var names: [String] = []
    var declared: [Bool?] = []  // true: numeric, false: text, nil: from the values
    for j in 0..<count {
      names.append(String(cString: sqlite3_column_name(statement, Int32(j))))
      let type = sqlite3_column_decltype(statement, Int32(j)).map { String(cString: $0).uppercased() }
      declared.append(type.map { t in
        if t.contains("INT") || t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") || t.contains("NUM") || t.contains("DEC") { return true }
        return false
      })
    }
    var numbers = [[Double]](repeating: [], count: count)
    var texts = [[String?]](repeating: [], count: count)
    var allNumeric = [Bool](repeating: true, count: count)
    while true {
      let step = sqlite3_step(statement)
      if step == SQLITE_DONE { break }
      if step == SQLITE_INTERRUPT {
        throw InputError(InputLocation(option: option),
                         "the query ran longer than \(RNumberText.format(limit)) s and was stopped, expected a query that ends (OUTCOMES_QUERY_SECONDS raises the limit)")
      }
      guard step == SQLITE_ROW else { throw InputError(InputLocation(option: option), "SQLite: \(String(cString: sqlite3_errmsg(db)))") }
      if numbers[0].count * count >= maximumValues {
        throw InputError(InputLocation(option: option),
                         "the \(option) returns more than \(maximumValues / 1_000_000) million values, expected fewer rows or columns (select only the columns the analysis uses)")
      }
      for j in 0..<count {
        let c = Int32(j)
        switch sqlite3_column_type(statement, c) {
        case SQLITE_NULL:
          numbers[j].append(.nan); texts[j].append(nil)
        case SQLITE_INTEGER, SQLITE_FLOAT:
          let x = sqlite3_column_double(statement, c)
          numbers[j].append(x); texts[j].append(RNumberText.format(x))
        default:
          let s = sqlite3_column_text(statement, c).map { String(cString: $0) } ?? ""
          let x = Double(s.trimmingSpaces)
          if x == nil { allNumeric[j] = false }
          numbers[j].append(x ?? .nan); texts[j].append(s)
        }
      }
    }
    var columns: [Column] = []
    for j in 0..<count {
      let numeric = declared[j] ?? allNumeric[j]
      if numeric && allNumeric[j] {
        columns.append(.numeric(NumericColumn(values: numbers[j])))
      } else {
        let levels = Array(Set(texts[j].compactMap { $0 })).sorted(by: byteOrderPrecedes)
        var index: [String: Int32] = [:]
        for (k, l) in levels.enumerated() { index[l] = Int32(k) }
        columns.append(.categorical(CategoricalColumn(levels: levels, codes: texts[j].map { $0.flatMap { index[$0] } ?? -1 })))
      }
    }
    var result = Table(source: path + (table.map { "[\($0)]" } ?? "[query]"), names: names, columns: columns)
    result.rowsAreRecords = true
    return result
  }

  static func tableNames(_ db: OpaquePointer) throws -> [String] {
    var statement: OpaquePointer?
    guard sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name", -1, &statement, nil) == SQLITE_OK,
          let statement else { return [] }
    defer { sqlite3_finalize(statement) }
    var names: [String] = []
    while sqlite3_step(statement) == SQLITE_ROW {
      if let t = sqlite3_column_text(statement, 0) { names.append(String(cString: t)) }
    }
    return names
  }

  static func exists(_ db: OpaquePointer, table: String) throws -> Bool {
    try tableNames(db).contains(table)
  }
}

extension String {
  fileprivate var replacingQuote: String {
    var out = ""
    for ch in self { out += ch == "\"" ? "\"\"" : String(ch) }
    return out
  }
  fileprivate var trimmingSpaces: String {
    var s = Substring(self)
    while s.first == " " { s = s.dropFirst() }
    while s.last == " " { s = s.dropLast() }
    return String(s)
  }
}
